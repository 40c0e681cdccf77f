"""The jinja2 environment for digests: packaged templates, an optional override folder, strict and escaped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import css_inline
import jinja2

from eumonitor.digests.build import Digest, SourceHealth, shorten
from eumonitor.nb import date_nb

HTML_TEMPLATE = "digest/email.html"
TEXT_TEMPLATE = "digest/email.txt"


@dataclass(frozen=True)
class Rendered:
    """One digest as the mailer sends it."""

    subject: str
    html: str
    text: str


def environment(override: Path | str | None = None) -> jinja2.Environment:
    """Templates from `override` first (a folder holding digest/*.html|txt), then the packaged ones.

    Autoescape is on for .html so a call title with markup is shown as text; StrictUndefined makes a
    template typo fail loudly instead of sending a mail with holes in it.
    """
    loaders: list[jinja2.BaseLoader] = []
    if override:
        loaders.append(jinja2.FileSystemLoader(str(override)))
    loaders.append(jinja2.PackageLoader("eumonitor", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date_nb"] = date_nb
    env.filters["treff"] = treff_nb
    env.filters["health_nb"] = health_nb
    return env


@lru_cache(maxsize=8)
def cached_environment(override: str = "") -> jinja2.Environment:
    """One environment per override folder, so templates are compiled once per process."""
    return environment(override or None)


def render_digest(digest: Digest, env: jinja2.Environment | None = None) -> Rendered:
    """HTML (CSS inlined, for Outlook and Gmail) and plain text from the same view model."""
    env = env or cached_environment()
    html = env.get_template(HTML_TEMPLATE).render(d=digest)
    text = env.get_template(TEXT_TEMPLATE).render(d=digest)
    return Rendered(subject=digest.subject, html=inline_css(html), text=_tidy(text))


CHAT_CLOSING = 5  # a chat message is read in passing: the nearest deadlines, then a link to the rest


def chat_summary(digest: Digest) -> tuple[str, str]:
    """Title and body of a digest's summary for a chat channel (Teams, Slack ...): counts, the nearest
    deadlines and the source health, in a few lines."""
    lines = [digest.notice] if digest.notice else []
    if digest.first:
        lines.append(f"Første sammendrag: arkivet ble startet {date_nb(digest.started)}.")
    lines.append(
        f"{treff_nb(digest.new_total)} · {digest.closing_total} med frist innen {digest.closing_days} dager"
        f" · {digest.changes_total} endringer"
    )
    for item in digest.closing[:CHAT_CLOSING]:
        lines.append(f"- {item.title} ({item.identifier}): {item.deadline_text}")
    if digest.closing_total > CHAT_CLOSING:
        lines.append(f"- og {digest.closing_total - CHAT_CLOSING} til")
    lines.append(f"Kildestatus: {health_nb(digest.health)}")
    if digest.base_url:
        lines.append(f"Alt i eumonitor: {digest.base_url}")
    return digest.subject, "\n".join(lines)


def treff_nb(count: int) -> str:
    """'1 nytt treff', '7 nye treff'."""
    return f"{count} nytt treff" if count == 1 else f"{count} nye treff"


# The mail names a failure; the whole error text is on the web app's /sources page.
ERROR_CHARS = 120


def health_nb(health: Sequence[SourceHealth]) -> str:
    """The source-health line: which sources never answered, are failing (since when), or returned nothing."""
    if not health:
        return "alle kilder svarte som normalt."
    never = [h.title for h in health if h.never_answered]
    parts = [f"{_names(never)} har aldri svart"] if never else []
    for h in health:
        if h.never_answered:
            continue
        told = []
        if h.failing_since:
            told.append(f"feiler siden {date_nb(h.failing_since)}")
        elif h.errors:
            told.append(f"feilet {_times(h.errors)}")
        if h.empty:
            told.append(f"ga ingen utlysninger {_times(h.empty)}")
        error = shorten(h.last_error, ERROR_CHARS) if h.last_error and (h.errors or h.failing_since) else ""
        parts.append(f"{h.title} {' og '.join(told)}" + (f" (siste feil: {error})" if error else ""))
    return "; ".join(parts) + ". Detaljer på kildesiden i eumonitor."


def _names(titles: Sequence[str]) -> str:
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " og " + titles[-1]


def _times(count: int) -> str:
    return "1 gang" if count == 1 else f"{count} ganger"


def inline_css(html: str) -> str:
    """Move the <style> rules onto each element's style attribute (some mail clients drop <style> blocks);
    only the @media rules, which cannot be inlined, stay behind in the head."""
    return _inliner().inline(html)


@lru_cache(maxsize=1)
def _inliner() -> css_inline.CSSInliner:
    # keep_at_rules: the @media rules (phones, dark mode) cannot be inlined and stay in a small <style>.
    return css_inline.CSSInliner(keep_style_tags=False, keep_at_rules=True, load_remote_stylesheets=False)


def _tidy(text: str) -> str:
    """At most one empty line in a row, so the plain text reads like a letter."""
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line.rstrip())
    return "\n".join(lines).strip() + "\n"
