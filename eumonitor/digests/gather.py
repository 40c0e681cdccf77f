"""Read once from the archive what a digest's subscribers may need: changes, urgent calls, matches, source health."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from eumonitor.digests.build import DigestInputs, SourceHealth
from eumonitor.matching.participation import judge_all
from eumonitor.model import Call, DigestSpec, Match, Participation, utc_stamp

CHANGE_KINDS = ("new", "deadline_moved", "status_changed")


def gather(store, config, spec: DigestSpec, since: datetime, now: datetime) -> DigestInputs:
    """What the digest's subscribers may need, read once: changes since `since`, calls closing soon, their matches.

    Only calls that can appear are read (changed in the period, or a deadline inside the window), so the
    cost follows the week's news, not the size of the archive. When the archive started inside the period
    (a first digest), each theme's best open calls are read too.
    """
    zone = ZoneInfo(config.settings.schedule.timezone)
    today = now.astimezone(zone).date()
    # Periods are (start, end]; the archive's query is [start, end), and stamps have whole seconds.
    second = timedelta(seconds=1)
    changes = store.changes_between(since + second, now + second, CHANGE_KINDS)
    keys = {(c["source"], c["external_id"]) for c in changes}
    keys |= store.calls_with_deadline_between(today, today + timedelta(days=spec.closing_days))
    started, last_answer = store.answered()
    if started is not None and started > since:
        for profile_id in spec.profiles:
            best = store.profile_matches(profile_id, today=today, open_only=True, limit=spec.per_section)
            keys |= {call.key for call, _match in best}
    # One call seen on two sources is shown once, at its primary copy, with the other links beside it.
    keys = {store.primary_of(*key) for key in keys}
    calls, matches = _matched(store, spec, keys)
    return DigestInputs(
        today=today,
        profiles=config.profiles,
        calls=calls,
        matches=matches,
        changes=changes,
        health=source_health(store, config.sources, since, now, zone),
        base_url=config.settings.web.base_url,
        also={key: _other_links(store, config, key) for key in calls},
        archive_started=started,
        last_answer=last_answer,
        zone=zone,
        participation=_participation(config, calls),
    )


def _participation(config, calls: Mapping[tuple[str, str], Call]) -> dict[tuple[str, str], Participation]:
    """ "Kan vi delta?" for every call the digest may show (pure and cheap: rules over the call's own fields)."""
    return judge_all(calls.values(), config.participation)


def _matched(store, spec: DigestSpec, keys: set[tuple[str, str]]):
    """The calls among `keys` that matched one of the digest's themes, with those matches."""
    wanted = set(spec.profiles)
    calls: dict[tuple[str, str], Call] = {}
    matches: dict[tuple[str, str], list[Match]] = {}
    for key in sorted(keys):
        found = [m for m in store.matches_for_call(*key) if m.state == "match" and m.profile_id in wanted]
        call = store.get_call(*key) if found else None
        if call is not None:
            calls[key], matches[key] = call, found
    return calls, matches


def _other_links(store, config, key: tuple[str, str]) -> list[tuple[str, str]]:
    """(source title, url) of the call's other copies, for "Også omtalt hos"."""
    found = []
    for source, _ext, url in store.linked_calls(*key)[1:]:
        spec = config.sources.get(source)
        found.append((getattr(spec, "title", "") or source, url))
    return found


def source_health(
    store, sources: Mapping[str, object], since: datetime, until: datetime, zone: ZoneInfo | None = None
) -> list[SourceHealth]:
    """Per enabled source: runs in (since, until] that failed or came back empty, whether it ever answered,
    and since when it has been failing."""
    zone = zone or ZoneInfo("Europe/Oslo")
    after, upto = utc_stamp(since), utc_stamp(until + timedelta(seconds=1))
    found = []
    for source_id, spec in sources.items():
        if not getattr(spec, "enabled", True):
            continue
        runs = [r for r in store.recent_runs(source_id, limit=100) if after < r["started_at"] < upto]
        errors = [r for r in runs if r["status"] == "error"]
        empty = sum(1 for r in runs if r["status"] == "empty")
        title = getattr(spec, "title", "") or source_id
        last = (errors[0]["error"] or "") if errors else ""
        first_answer, _ = store.answered(source_id)
        found.append(
            SourceHealth(
                source_id, title, len(errors), empty, last,
                never_answered=first_answer is None,
                failing_since=_local_date(store.failing_since(source_id), zone),
            )
        )  # fmt: skip
    return found


def _local_date(moment: datetime | None, zone: ZoneInfo) -> date | None:
    return moment.astimezone(zone).date() if moment is not None else None
