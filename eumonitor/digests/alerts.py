"""Staff alerts: a source that has failed N collects in a row gets one mail (or outbox file) to the staff."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from eumonitor.digests.build import shorten
from eumonitor.digests.mailer import DeliveryError, Mailer, build_message

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FailingSource:
    """A source whose latest runs all failed."""

    source: str
    title: str
    streak: int
    last_error: str


def alerts_due(streaks: Mapping[str, tuple[int, str]], titles: Mapping[str, str], after: int) -> list[FailingSource]:
    """Sources whose failure streak has just reached `after`, or another multiple of it (source -> (streak,
    last error)).

    Staff get one mail when a breakdown reaches the threshold, not one a day; a source still failing after
    as many runs again is named again, so a lost alert mail or a streak pushed past the threshold by a
    manual collect is never the last word.
    """
    return [
        FailingSource(source, titles.get(source, source), streak, error)
        for source, (streak, error) in sorted(streaks.items())
        if after > 0 and streak >= after and streak % after == 0
    ]


def alert_text(failing: Sequence[FailingSource]) -> tuple[str, str]:
    """Subject and body, in Norwegian."""
    # A subject stays short: with many sources down at once it counts them; the body names each one.
    names = ", ".join(f.title for f in failing) if len(failing) <= 2 else f"{len(failing)} kilder"
    subject = f"eumonitor: {names} har feilet flere ganger på rad"
    lines = ["Disse kildene har feilet ved hver innhenting i det siste:", ""]
    for f in failing:
        error = shorten(f.last_error, 300) if f.last_error else "ukjent"
        lines += [f"* {f.title} ({f.source}): {f.streak} feil på rad", f"  Siste feil: {error}", ""]
    lines += [
        "Utlysninger fra disse kildene kommer ikke med i sammendragene før feilen er rettet.",
        "Prøv `eumonitor test-source KILDE` for å se hva som skjer.",
    ]
    return subject, "\n".join(lines) + "\n"


def send_alerts(store, config, mailer: Mailer, now: datetime) -> list[FailingSource]:
    """Check every enabled source's failure streak and alert the staff once a streak reaches the threshold."""
    settings = config.settings.alerts
    streaks = {}
    for source_id, spec in config.sources.items():
        if spec.enabled:
            streak = store.failure_streak(source_id)
            runs = store.recent_runs(source_id, limit=1) if streak else []
            streaks[source_id] = (streak, (runs[0]["error"] or "") if runs else "")
    failing = alerts_due(streaks, {k: s.title for k, s in config.sources.items()}, settings.after_failures)
    if not failing:
        return []
    subject, text = alert_text(failing)
    recipients = settings.to or ((config.settings.http.contact,) if config.settings.http.contact else ())
    for address in recipients:
        message = build_message(
            sender=config.settings.smtp.from_, to=address, subject=subject, text=text, html=None, now=now,
            headers={"X-Eumonitor-Alert": "source-failures"},
        )  # fmt: skip
        try:
            mailer.send(message)
        except DeliveryError as exc:
            log.warning("alert to %s failed: %s", address, exc)
    if config.settings.notify.urls:
        from eumonitor.digests.chat import post_alert

        post_alert(config, subject, text)
    return failing
