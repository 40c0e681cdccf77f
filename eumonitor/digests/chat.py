"""The optional chat channel ([notify] urls, through Apprise): each digest's summary once per week and channel,
recorded like an e-mail delivery, and the staff alerts."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from urllib.parse import urlsplit

from eumonitor.digests.build import IsoWeek, build_digest, period_for
from eumonitor.digests.gather import gather
from eumonitor.digests.mailer import DeliveryError
from eumonitor.digests.render import chat_summary
from eumonitor.digests.send import SendReport, deliver_once, retry_unrecorded
from eumonitor.model import Delivery, DigestSpec, Subscriber

log = logging.getLogger(__name__)


class ChatChannel:
    """One Apprise URL. `label` names it in the records without its secret token: scheme, host, a short hash."""

    def __init__(self, url: str):
        self.url = url
        parts = urlsplit(url)
        digest = hashlib.sha256(url.encode()).hexdigest()[:8]
        self.label = f"chat:{parts.scheme}://{parts.hostname or ''}#{digest}"

    def post(self, title: str, body: str) -> None:
        """Deliver one message, or raise DeliveryError (Apprise reports only whether it worked)."""
        import apprise  # only when a chat channel is configured

        sender = apprise.Apprise()
        if not sender.add(self.url):
            raise DeliveryError(f"Apprise kjenner ikke adressen til {self.label}", permanent=True)
        if not sender.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT):
            raise DeliveryError(f"Chat-kanalen {self.label} tok ikke imot meldingen")


def channels(config) -> list[ChatChannel]:
    return [ChatChannel(url) for url in config.settings.notify.urls]


def send_chat_summaries(store, config, week: IsoWeek, now: datetime) -> list[SendReport]:
    """Every digest's summary to every chat channel that has not had it this week; exactly-once as e-mail is."""
    found = channels(config)
    if not found:
        return []
    reports = []
    for spec in config.digests.values():
        report = SendReport(spec.id, f"{week} chat")
        done = store.delivered_to(spec.id, str(week))
        for channel in found:
            if channel.label in done:
                report.already.append(channel.label)
                continue
            _send_summary(store, config, spec, week, now, channel, report)
        if report.unrecorded:
            retry_unrecorded(store, report)
        reports.append(report)
    return reports


def _send_summary(store, config, spec: DigestSpec, week: IsoWeek, now: datetime, channel, report) -> None:
    from zoneinfo import ZoneInfo

    last = store.last_sent(spec.id, channel.label, str(week))
    period = period_for(week, now, last.period_end if last else None, ZoneInfo(config.settings.schedule.timezone))
    data = gather(store, config, spec, period[0], now)
    digest = build_digest(spec, Subscriber(channel.label, "Chat"), week, period, data)  # every theme
    title, body = chat_summary(digest)
    record = Delivery(
        spec.id, str(week), channel.label, "sending", now, title, "chat", "", "", period[0], period[1],
        dict(digest.counts),
    )  # fmt: skip
    deliver_once(store, lambda: channel.post(title, body), record, report)


def post_alert(config, subject: str, text: str) -> None:
    """Staff alerts to the chat channels too; a failing channel is logged, never fatal (the mail went out)."""
    for channel in channels(config):
        try:
            channel.post(subject, text)
        except DeliveryError as exc:
            log.warning("alert to %s failed: %s", channel.label, exc)
