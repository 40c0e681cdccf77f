"""Pure iCalendar building: a call's deadlines as all-day events with a reminder, for Outlook and friends."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from eumonitor.model import Call
from eumonitor.sources.textsafe import strip_controls_keep_crlf

PRODID = "-//Bergen kommune//eumonitor//NO"


def calendar(name: str, calls: Iterable[Call], today: date, now: datetime, link) -> bytes:
    """One VEVENT per upcoming deadline of each call; `link(call)` gives the call page's absolute URL."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for call in calls:
        for deadline in call.deadlines:
            if deadline >= today:
                cal.add_component(_event(call, deadline, now, link(call)))
    # iCalendar text allows no control characters but its CRLF line ends and tabs (RFC 5545 §3.3.11); rows
    # stored before the archive stripped them on the way in may still hold some.
    return strip_controls_keep_crlf(cal.to_ical().decode("utf-8")).encode("utf-8")


def _event(call: Call, deadline: date, now: datetime, url: str) -> Event:
    event = Event()
    # Stable UID per call and deadline, so a re-subscribed feed updates rather than duplicates.
    event.add("uid", f"{call.source}-{call.external_id}-{deadline.isoformat()}@eumonitor")
    event.add("dtstamp", now)
    event.add("dtstart", deadline)
    event.add("dtend", deadline + timedelta(days=1))
    event.add("summary", f"Frist: {call.title} ({call.external_id})")
    lines = [call.programme, f"Tidssone for fristen: {call.deadline_tz}", url, call.url]
    event.add("description", "\n".join(x for x in lines if x))
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Frist om en uke: {call.title}")
    alarm.add("trigger", timedelta(days=-7))
    event.add_component(alarm)
    return event
