"""Follow-up mails: to a new case owner, reminders before a followed call's deadline, and a followed call's changes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from typing import Any

from eumonitor.config import Config
from eumonitor.digests.build import call_page_url
from eumonitor.digests.mailer import DeliveryError, Mailer, build_message
from eumonitor.digests.reminders import days_nb, reminders_due
from eumonitor.model import Call
from eumonitor.nb import CHANGE_NB, change_detail, date_nb

log = logging.getLogger(__name__)

# The changes a follower hears of: deadline moved, opened or closed, budget changed, no longer listed.
NEWS = ("deadline_moved", "status_changed", "opening_changed", "budget_changed", "unlisted", "relisted")


@dataclass
class FollowReport:
    """One run of the follow-up mails."""

    reminders: list[tuple[str, str, int]] = field(default_factory=list)  # (e-mail, call id, lead days)
    changes: list[tuple[str, str]] = field(default_factory=list)  # (e-mail, call id)
    failed: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"oppfølging: {len(self.reminders)} påminnelser, {len(self.changes)} endringsvarsler"
        return text + (f", {len(self.failed)} feilet" if self.failed else "")


def call_link(config: Config, call: Call) -> str:
    return call_page_url(config.settings.web.base_url, call.source, call.external_id)


def _message(config: Config, to: str, subject: str, lines: Sequence[str], now: datetime, kind: str) -> EmailMessage:
    # Plain text only: a note or a title from a source can never become markup in a mail client.
    return build_message(
        sender=config.settings.smtp.from_,
        to=to,
        subject=subject,
        text="\n".join(lines) + "\n",
        html=None,
        now=now,
        headers={"X-Eumonitor-Followup": kind},
    )


def assignment_message(config: Config, call: Call, owner: Any, by: Any, today: date, now: datetime) -> EmailMessage:
    """The mail telling a colleague a call was given to them."""
    lines = [
        f"{by.label} har gitt deg ansvaret for denne utlysningen i eumonitor:",
        "",
        f"{call.title} ({call.external_id})",
    ]
    deadline = call.next_deadline(today)
    if deadline:
        lines.append(f"Neste frist: {date_nb(deadline)}")
    link = call_link(config, call)
    if link:
        lines += ["", f"Saken: {link}"]
    lines += ["", "Du følger ikke utlysningen automatisk; trykk «Følg» på siden for påminnelser før fristen."]
    return _message(config, owner.email, f"Ansvar for {call.external_id}", lines, now, "assignment")


def reminder_message(config: Config, call: Call, to: str, deadline: date, lead: int, today: date, now: datetime):
    left = (deadline - today).days
    when = "i dag" if left == 0 else ("i morgen" if left == 1 else f"om {left} dager")
    lines = [
        f"Fristen for en utlysning du følger er {when}, {date_nb(deadline)} (påminnelse {days_nb(lead)} før):",
        "",
        f"{call.title} ({call.external_id})",
    ]
    link = call_link(config, call)
    if link:
        lines += ["", link]
    subject = f"Frist {when}: {call.external_id}"
    return _message(config, to, subject, [*lines, "", "Du får dette fordi du følger utlysningen."], now, "reminder")


def change_message(config: Config, call: Call, to: str, changes: Sequence[dict[str, Any]], now: datetime):
    lines = [f"En utlysning du følger er endret: {call.title} ({call.external_id})", ""]
    for change in changes:
        detail = change_detail(change)
        lines.append(f"* {CHANGE_NB.get(change['kind'], change['kind'])}" + (f": {detail}" if detail else ""))
    link = call_link(config, call)
    if link:
        lines += ["", link]
    return _message(config, to, f"Endret: {call.external_id}", lines, now, "change")


def send_followups(store: Any, config: Config, mailer: Mailer, now: datetime, today: date) -> FollowReport:
    """Every follower's due reminders and unheard changes, each mail once: recorded only after it was accepted
    (or sent with an uncertain end, which is never repeated); a refused one is tried again next run."""
    report = FollowReport()
    leads = config.settings.follow.reminder_days
    for row in store.follows():
        call = store.get_call(row["source"], row["external_id"])
        if call is None:  # pragma: no cover - follows refer to calls
            continue
        _remind(store, config, mailer, row, call, leads, now, today, report)
        _tell_changes(store, config, mailer, row, call, now, report)
    return report


def _remind(store, config, mailer, row, call: Call, leads, now, today, report: FollowReport) -> None:
    deadline = call.next_deadline(today)
    if deadline is None:
        return
    email, call_id = row["email"], row["call_id"]
    mail, settled = reminders_due(deadline, today, leads, store.reminders_sent(email, call_id, deadline.isoformat()))
    if mail is None:
        return
    if _send(mailer, reminder_message(config, call, email, deadline, mail, today, now), report):
        store.record_reminders(email, call_id, deadline.isoformat(), settled, mail, now)
        report.reminders.append((email, call.external_id, mail))


def _tell_changes(store, config, mailer, row, call: Call, now, report: FollowReport) -> None:
    changes = store.unseen_changes(row["email"], row["call_id"], row["seen_change"], NEWS)
    if changes and _send(mailer, change_message(config, call, row["email"], changes, now), report):
        store.mark_seen(row["email"], row["call_id"], changes[-1]["id"])
        report.changes.append((row["email"], call.external_id))


def _send(mailer: Mailer, message: EmailMessage, report: FollowReport) -> bool:
    try:
        mailer.send(message)
    except DeliveryError as exc:
        log.warning("oppfølgingsmail til %s feilet: %s", message["To"], exc)
        report.failed.append(message["To"])
        return exc.ambiguous  # it may have arrived: never twice
    return True
