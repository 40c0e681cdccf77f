"""Send what is due: gather from the archive, build and render each subscriber's digest, send, then record."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from eumonitor.digests.build import IsoWeek, build_digest, period_for
from eumonitor.digests.feedback_links import with_feedback_links
from eumonitor.digests.gather import gather, source_health
from eumonitor.digests.mailer import DEFAULT_FROM, DeliveryError, Mailer, build_message
from eumonitor.digests.render import Rendered, cached_environment, render_digest
from eumonitor.digests.subscription_links import make_token, manage_url, unsubscribe_url
from eumonitor.model import Delivery, DigestSpec, Subscriber
from eumonitor.store.deliveries import DeliveryRecordError

log = logging.getLogger(__name__)
__all__ = ["SendReport", "due_week", "gather", "preview", "send_digest", "send_due", "source_health"]
# Seconds between attempts to record a delivery's outcome while the archive's write lock is held elsewhere
# (each attempt itself waits out SQLite's busy timeout).
RECORD_RETRY_WAITS: tuple[float, ...] = (0.5, 2.0, 5.0)


@dataclass
class SendReport:
    """What one digest's send did for one week."""

    digest_id: str
    week: str
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    # Transmitted, but the connection broke before the server confirmed: maybe arrived, never resent.
    uncertain: list[tuple[str, str]] = field(default_factory=list)
    # (delivery id, status, error) the archive refused to record even after retries; the row stays 'sending'.
    unrecorded: list[tuple[int, str, str]] = field(default_factory=list)
    previews: list[tuple[Subscriber, Rendered]] = field(default_factory=list)  # filled on dry runs
    outbox: str = ""  # the folder written to when no SMTP server is configured: never called "sendt"

    @property
    def troubled(self) -> bool:
        """Anything an operator must look at: a failure, an uncertain delivery or an unrecorded one."""
        return bool(self.failed or self.uncertain or self.unrecorded)

    def summary(self, dry_run: bool = False) -> str:
        """The send's outcome in one line."""
        if dry_run:
            return f"{self.digest_id} {self.week}: {len(self.previews)} ville blitt sendt (tørrkjøring)"
        done = f"skrevet til {self.outbox}" if self.outbox else "sendt"
        line = (
            f"{self.digest_id} {self.week}: {len(self.sent)} {done}, {len(self.failed)} feilet, "
            f"{len(self.already)} hadde allerede fått det"
        )
        if self.uncertain:
            line += f", {len(self.uncertain)} usikre (forbindelsen brøt etter sending; sendes ikke på nytt)"
        if self.unrecorded:
            line += f", {len(self.unrecorded)} kunne ikke registreres i arkivet (sendes ikke på nytt)"
        return line


def due_week(now: datetime, cron: str, timezone: str, within: timedelta | None = None) -> IsoWeek | None:
    """The current ISO week once its scheduled digest time has passed; None before it, and None once
    `within` has passed since it (the scheduler's catch-up window).

    A missed earlier week is not sent late: the next digest covers everything since the last one anyway.
    """
    from apscheduler.triggers.cron import CronTrigger

    zone = ZoneInfo(timezone)
    week = IsoWeek.of(now.astimezone(zone).date())
    start = week.start(zone)
    first = CronTrigger.from_crontab(cron, timezone=zone).get_next_fire_time(None, start)
    if first is None or first >= week.next().start(zone) or now < first:
        return None
    if within is not None and now > first + within:
        return None
    return week


def send_digest(
    store,
    config,
    spec: DigestSpec,
    week: IsoWeek,
    now: datetime,
    mailer: Mailer | None,
    only: str | None = None,
    include_done: bool = False,
    secret: str = "",
) -> SendReport:
    """Each active subscriber still missing this week; with no mailer, a dry run that renders but sends nothing.

    Subscribers come from the archive (seeded from digests/*.toml), so an unsubscribe sticks. With `secret`
    (the web app's key) and a base_url, each message carries its personal "Mine varsler" link and the
    List-Unsubscribe headers. See deliver_once for how nobody gets the same week twice.
    """
    report = SendReport(spec.id, str(week), outbox=getattr(mailer, "label", "") if mailer else "")
    done = store.delivered_to(spec.id, str(week))
    todo = _recipients(store, spec, now, only)
    periods = {}
    for subscriber in todo:
        if subscriber.email.lower() in done and not include_done:
            report.already.append(subscriber.email)
            continue
        last = store.last_sent(spec.id, subscriber.email, str(week))
        periods[subscriber.email] = period_for(week, now, last.period_end if last else None, _zone(config))
    if not periods:
        return report
    data = gather(store, config, spec, min(p[0] for p in periods.values()), now)
    env = cached_environment(str(config.root / spec.template) if spec.template else "")
    run = _Run(store, config, spec, week, now, mailer, data, env, report, secret)
    for subscriber in todo:
        if subscriber.email in periods:
            _send_one(run, subscriber, periods[subscriber.email])
    if report.unrecorded:
        retry_unrecorded(store, report)
    return report


def _recipients(store, spec: DigestSpec, now: datetime, only: str | None) -> list[Subscriber]:
    """The digest's active subscribers from the archive, after adding the file's new ones (or just `only`)."""
    active = _seeded_subscribers(store, spec, now)
    return [s for s in active if only is None or s.email.lower() == only.lower()]


def _seeded_subscribers(store, spec: DigestSpec, now: datetime) -> list[Subscriber]:
    """Active subscribers after the file's changes; a locked archive only delays the file's changes, so the
    file's unknown addresses still count (their sends then fail at their first write, and are retried)."""
    try:
        changed = store.seed_subscribers(spec.id, spec.subscribers, now)
    except DeliveryRecordError as exc:
        log.warning("digest %s: %s", spec.id, exc)
        known = {s.email for s in store.subscriptions(spec.id)}
        return store.active_subscribers(spec.id) + [s for s in spec.subscribers if s.email.lower() not in known]
    if changed:  # never silent: the log says what the file added or took away
        log.info("digest %s: subscribers changed by %s: %s", spec.id, spec.path or "digests/", ", ".join(changed))
    return store.active_subscribers(spec.id)


@dataclass(frozen=True)
class _Run:
    """What every subscriber's message in one digest send shares."""

    store: Any
    config: Any
    spec: DigestSpec
    week: IsoWeek
    now: datetime
    mailer: Mailer | None
    data: Any
    env: Any
    report: SendReport
    secret: str


def _send_one(run: _Run, subscriber: Subscriber, period: tuple[datetime, datetime]) -> None:
    spec, base_url = run.spec, run.config.settings.web.base_url
    token = make_token(run.secret, spec.id, subscriber.email) if run.secret and base_url else ""
    digest = build_digest(spec, subscriber, run.week, period, run.data)
    if token:
        digest = replace(digest, manage_url=manage_url(base_url, token))
        digest = with_feedback_links(digest, base_url, run.secret)
    rendered = render_digest(digest, run.env)
    if run.mailer is None:
        run.report.previews.append((subscriber, rendered))
        return
    sender = run.config.settings.smtp.from_
    headers = {"X-Eumonitor-Digest": f"{spec.id} {run.week}"}
    if token:
        headers.update(unsubscribe_headers(base_url, token, sender, spec.id))
    message = build_message(
        sender=sender, to=subscriber.email, subject=rendered.subject, text=rendered.text, html=rendered.html,
        now=run.now, headers=headers,
    )  # fmt: skip
    record = Delivery(
        spec.id, str(run.week), subscriber.email, "sending", run.now, rendered.subject, run.mailer.transport,
        message["Message-ID"], "", period[0], period[1], dict(digest.counts),
    )  # fmt: skip
    mailer = run.mailer
    deliver_once(run.store, lambda: mailer.send(message), record, run.report)


def unsubscribe_headers(base_url: str, token: str, sender: str, digest_id: str) -> dict[str, str]:
    """RFC 2369 List-Unsubscribe (https and mailto) and RFC 8058 one-click: mail clients show an
    "unsubscribe" button that POSTs to the https address; the mailto reaches the staff behind the sender."""
    address = parseaddr(sender)[1] or DEFAULT_FROM
    subject = quote(f"avmeld {digest_id} {token}")
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(base_url, token)}>, <mailto:{address}?subject={subject}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def deliver_once(store, transmit: Callable[[], None], record: Delivery, report: SendReport) -> None:
    """Mark the delivery 'sending', send, then record the outcome; at most one message per subscriber and week.

    The 'sending' row comes first so that whatever happens next (a lost reply, a crash, a locked archive)
    leaves a row that keeps the message from being sent again; if even that row cannot be written, nothing
    is sent and the next run tries this subscriber again.
    """
    email = record.subscriber
    try:
        delivery_id = store.begin_delivery(record)
    except DeliveryRecordError as exc:
        log.warning("digest %s %s to %s not sent: %s", record.digest_id, record.week, email, exc)
        report.failed.append((email, f"ikke sendt, arkivet kunne ikke skrives: {exc}"))
        return
    if delivery_id is None:  # another run got there first
        report.already.append(email)
        return
    try:
        transmit()  # the mailer's send, or a chat post: raises DeliveryError
    except DeliveryError as exc:
        log.warning("digest %s %s to %s failed: %s", record.digest_id, record.week, email, exc)
        status = "uncertain" if exc.ambiguous else "error"
        (report.uncertain if exc.ambiguous else report.failed).append((email, str(exc)))
        _finish(store, delivery_id, status, str(exc), report)
        return
    report.sent.append(email)
    _finish(store, delivery_id, "sent", "", report)


def _finish(store, delivery_id: int, status: str, error: str, report: SendReport) -> None:
    """Record an outcome, retrying while the archive is busy; what still fails is retried once more at the end."""
    if not _record_with_retries(store, delivery_id, status, error):
        report.unrecorded.append((delivery_id, status, error))


def _record_with_retries(store, delivery_id: int, status: str, error: str) -> bool:
    for wait in (*RECORD_RETRY_WAITS, None):
        try:
            store.finish_delivery(delivery_id, status, error)
            return True
        except DeliveryRecordError as exc:
            log.warning("delivery %s could not be recorded as %s: %s", delivery_id, status, exc)
            if wait is None:
                return False
            time.sleep(wait)
    return False


def retry_unrecorded(store, report: SendReport) -> None:
    """The last try for outcomes the archive refused during the send. A row left 'sending' is never resent."""
    still = [item for item in report.unrecorded if not _record_with_retries(store, *item)]
    report.unrecorded = still


def send_due(
    store, config, now: datetime, mailer: Mailer | None, force_week: IsoWeek | None = None, secret: str = ""
) -> list[SendReport]:
    """Every digest whose week is due (or `force_week`), each subscriber isolated from the others."""
    schedule = config.settings.schedule
    week = force_week or due_week(now, schedule.digest, schedule.timezone)
    if week is None:
        return []
    return [send_digest(store, config, spec, week, now, mailer, secret=secret) for spec in config.digests.values()]


def preview(
    store, config, spec: DigestSpec, week: IsoWeek, now: datetime, subscriber: str | None
) -> Sequence[tuple[Subscriber, Rendered]]:
    """What the subscribers would get for `week`, rendered, nothing sent or recorded."""
    end = min(now, week.next().start(_zone(config)))
    return send_digest(store, config, spec, week, end, None, subscriber, include_done=True).previews


def _zone(config) -> ZoneInfo:
    """The city's time zone: ISO weeks, digest periods and "today" are all counted in it."""
    return ZoneInfo(config.settings.schedule.timezone)
