"""Staff alerts: a source that has failed N collects in a row gets one mail (or outbox file) to the staff."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
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


def alerts_due(
    streaks: Mapping[str, tuple[int, str]],
    titles: Mapping[str, str],
    after: int,
    never_answered: Collection[str] = (),
) -> list[FailingSource]:
    """Sources whose failure streak has just reached `after`, or another multiple of it (source -> (streak,
    last error)), and sources in `never_answered` on their very first failure.

    Staff get one mail when a breakdown reaches the threshold, not one a day; a source still failing after
    as many runs again is named again, so a lost alert mail or a streak pushed past the threshold by a
    manual collect is never the last word. A source that has never answered at all (a new set-up, a
    wrong address, no network) is worth a word at once: waiting three days would only hide it.
    """
    return [
        FailingSource(source, titles.get(source, source), streak, error)
        for source, (streak, error) in sorted(streaks.items())
        if after > 0 and streak > 0 and (streak % after == 0 or (streak == 1 and source in never_answered))
    ]


def alert_text(failing: Sequence[FailingSource]) -> tuple[str, str]:
    """Subject and body, in Norwegian."""
    # A short subject: a mail client shows the first forty characters or so.
    names = ", ".join(f.title for f in failing) if len(failing) <= 2 else f"{len(failing)} kilder"
    subject = f"eumonitor: {names} " + ("har feilet flere ganger på rad" if failing[0].streak > 1 else "svarer ikke")
    lines = ["Disse kildene har feilet ved hver innhenting i det siste:", ""]
    for f in failing:
        streak = f"{f.streak} feil på rad" if f.streak > 1 else "feilet ved siste innhenting"
        error = shorten(f.last_error, 300) if f.last_error else "ukjent"
        lines += [f"* {f.title} ({f.source}): {streak}", f"  Siste feil: {error}", ""]
    lines += [
        "Utlysninger fra disse kildene kommer ikke med i sammendragene før feilen er rettet.",
        "Prøv `eumonitor test-source KILDE` for å se hva som skjer.",
    ]
    return subject, "\n".join(lines) + "\n"


def send_alerts(store, config, mailer: Mailer, now: datetime) -> list[FailingSource]:
    """Check every enabled source's failure streak and alert the staff once a streak reaches the threshold."""
    settings = config.settings.alerts
    streaks = {}
    never_answered = set()
    for source_id, spec in config.sources.items():
        if spec.enabled:
            streak = store.failure_streak(source_id)
            runs = store.recent_runs(source_id, limit=streak + 1) if streak else []
            streaks[source_id] = (streak, (runs[0]["error"] or "") if runs else "")
            if streak and len(runs) == streak:  # every run it ever had failed
                never_answered.add(source_id)
    titles = {k: s.title for k, s in config.sources.items()}
    failing = alerts_due(streaks, titles, settings.after_failures, never_answered)
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
