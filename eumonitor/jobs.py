"""The use cases: collect, match, alert, send, run once, and the table of scheduled jobs. Callers only print."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from eumonitor.config import ScheduleConfig, load_config
from eumonitor.context import AppContext
from eumonitor.digests import send as digest_send
from eumonitor.digests.alerts import FailingSource, send_alerts
from eumonitor.digests.build import IsoWeek
from eumonitor.digests.followups import FollowReport, send_followups
from eumonitor.digests.render import Rendered
from eumonitor.model import Call, Profile, Skipped, SourceRun, SourceSpec, Subscriber
from eumonitor.nb import count_nb
from eumonitor.sources import kinds
from eumonitor.sources.collect import Fetch, Finished, Progress, collect, scan_source
from eumonitor.sources.normalize import best_per_identifier, normalize

if TYPE_CHECKING:
    from eumonitor.matching.incremental import MatchReport

# Sends only what is due and still missing (usually nothing): a Monday missed because the process was down,
# or recipients the mail server refused at 07:00, get this week's digest within the hour, as long as that
# is within [schedule] catch_up_hours of the digest time and the week's collect has had an answer.
DIGEST_CATCH_UP = "30 * * * *"


@dataclass(frozen=True)
class MorningReport:
    """One collect of the enabled sources, the match that followed and the staff alerts it raised."""

    runs: list[SourceRun]
    match: MatchReport | None  # None when there are no profiles to match against
    alerted: list[FailingSource] = field(default_factory=list)
    profiles: int = 0
    followed: FollowReport | None = None  # reminders and change mails to the calls' followers

    @property
    def failed(self) -> bool:
        return any(r.status == "error" for r in self.runs)

    def line(self) -> str:
        """One line for the log and the terminal."""
        errors = sum(1 for r in self.runs if r.status == "error")
        new = sum(r.counts.get("new", 0) for r in self.runs)
        if self.match is None:
            matched = "ingen profiler å matche mot"
        else:
            scored = count_nb(self.match.calls_scored, "utlysning", "utlysninger")
            matched = f"matchet mot {count_nb(self.profiles, 'profil', 'profiler')} ({scored} vurdert)"
        found = count_nb(new, "ny utlysning", "nye utlysninger")
        line = f"innhenting: {count_nb(len(self.runs), 'kilde', 'kilder')}, {found}, {errors} feil; {matched}"
        line += f"; varslet om {', '.join(f.source for f in self.alerted)}" if self.alerted else ""
        return line + (
            f"; {self.followed.line()}"
            if self.followed and (self.followed.reminders or self.followed.changes or self.followed.failed)
            else ""
        )


@dataclass(frozen=True)
class OnceReport:
    """`run --once`: the morning's work, then the digests that were due."""

    morning: MorningReport
    sends: list[digest_send.SendReport]

    @property
    def failed(self) -> bool:
        return self.morning.failed or any(r.troubled for r in self.sends)


@dataclass(frozen=True)
class SourceTest:
    """What one source yields right now, read and normalised but not stored (`test-source`)."""

    pages: int
    calls: list[Call]
    skipped: list[Skipped]
    notes: list[str]


def enabled_sources(ctx: AppContext) -> list[SourceSpec]:
    return [spec for spec in ctx.config.sources.values() if spec.enabled]


def collect_all(
    ctx: AppContext,
    specs: Sequence[SourceSpec] | None = None,
    progress: Progress | None = None,
    finished: Finished | None = None,
) -> list[SourceRun]:
    """Collect the given sources (default: every enabled one), each isolated, then link cross-source copies."""
    chosen = enabled_sources(ctx) if specs is None else list(specs)
    store = ctx.store  # opened (and migrated) here, before the scanning threads share it
    return collect(store, chosen, kinds(), ctx.fetch, ctx.now(), progress, ctx.secondary_sources(), finished=finished)


def match_all(
    ctx: AppContext, rebuild: bool = False, profiles: Mapping[str, Profile] | None = None
) -> MatchReport | None:
    """Score new and changed calls (all calls for an edited profile); None when no profile exists.

    `profiles` stands in for the loaded ones when a caller has newer ones (the web app right after a save).
    """
    # Imported here: the matcher brings scikit-learn (about a second), which only matching needs; every
    # other command (search, show, check, digest preview) would otherwise pay for it at start-up.
    from eumonitor.matching.incremental import run_match

    chosen = ctx.config.profiles if profiles is None else profiles
    if not chosen:
        return None
    return run_match(ctx.store, chosen, ctx.now(), rebuild)


def alert(ctx: AppContext) -> list[FailingSource]:
    """Mail the staff about sources that keep failing."""
    return send_alerts(ctx.store, ctx.config, ctx.mailer, ctx.now())


def follow_up(ctx: AppContext) -> FollowReport:
    """Reminders before followed calls' deadlines and mails about their changes, each once.

    After the collect, so a deadline moved this morning is told (and reminded of) by its new date."""
    return send_followups(ctx.store, ctx.config, ctx.mailer, ctx.now(), ctx.today())


def send_due(ctx: AppContext, dry_run: bool = False, week: IsoWeek | None = None) -> list[digest_send.SendReport]:
    """The digests that are due (or `week`'s), each subscriber isolated, then their summaries to the chat
    channels ([notify] urls); a dry run renders and sends nothing."""
    schedule = ctx.config.settings.schedule
    week = week or digest_send.due_week(ctx.now(), schedule.digest, schedule.timezone)
    if week is None:
        return []
    mailer = None if dry_run else ctx.mailer
    reports = digest_send.send_due(ctx.store, ctx.config, ctx.now(), mailer, week, secret=ctx.secret_key)
    if not dry_run:
        from eumonitor.digests.chat import send_chat_summaries  # Apprise is loaded only with a channel set

        reports += send_chat_summaries(ctx.store, ctx.config, week, ctx.now())
    return reports


def preview_digest(
    ctx: AppContext, digest_id: str, week: IsoWeek | None = None, subscriber: str | None = None
) -> Sequence[tuple[Subscriber, Rendered]]:
    """One digest as its subscribers would get it for `week` (default this week), nothing sent or recorded."""
    spec = ctx.config.digests[digest_id]
    chosen = week or IsoWeek.of(ctx.today())
    return digest_send.preview(ctx.store, ctx.config, spec, chosen, ctx.now(), subscriber)


Step = Callable[[str, object], None]  # told after each step of the chain: its name and what it returned


def collect_and_match(
    ctx: AppContext,
    progress: Progress | None = None,
    finished: Finished | None = None,
    step: Step | None = None,
) -> MorningReport:
    """The scheduler's morning job: collect every enabled source, match what changed, alert the staff."""
    told = step or (lambda _name, _value: None)
    runs = collect_all(ctx, None, progress, finished)
    told("collect", runs)
    matched = match_all(ctx)
    told("match", matched)
    alerted = alert(ctx)
    told("alert", alerted)
    followed = follow_up(ctx)
    told("follow", followed)
    return MorningReport(runs, matched, alerted, len(ctx.config.profiles), followed)


def run_once(
    ctx: AppContext,
    progress: Progress | None = None,
    finished: Finished | None = None,
    step: Step | None = None,
) -> OnceReport:
    """The whole chain once: collect, match, alert, send what is due; `step` hears of each as it ends."""
    morning = collect_and_match(ctx, progress, finished, step)
    sends = send_due(ctx)
    if step:
        step("send", sends)
    return OnceReport(morning, sends)


def test_source(ctx: AppContext, spec: SourceSpec, fetch: Fetch, progress: Progress | None = None) -> SourceTest:
    """Read one source now through `fetch` (e.g. a recorder) and normalise it; the archive is not touched."""
    scan = scan_source(spec, kinds()[spec.kind], fetch, progress)
    calls = [normalize(raw, ctx.now()) for raw in best_per_identifier(scan.calls)]
    return SourceTest(scan.pages, calls, list(scan.skipped), list(scan.notes))


def catch_up(ctx: AppContext, collect_first: bool = False) -> str:
    """This week's missing digests, only inside the catch-up window and only after this week's collect got an
    answer; `collect_first` (the scheduler's start) runs a collect when none has this week."""
    schedule = ctx.config.settings.schedule
    window = timedelta(hours=schedule.catch_up_hours)
    week = digest_send.due_week(ctx.now(), schedule.digest, schedule.timezone, window)
    if week is None:
        return "ingen sammendrag å ta igjen nå"
    lines = []
    if not collected_in(ctx, week) and collect_first:
        lines.append(collect_and_match(ctx).line())
    if not collected_in(ctx, week):
        return "; ".join([*lines, f"sammendragene for {week} venter til ukens innhenting har lyktes"])
    sends = send_due(ctx, week=week)
    return "; ".join([*lines, *(r.summary() for r in sends)]) or "ingen sammendrag forfalt"


def collected_in(ctx: AppContext, week: IsoWeek) -> bool:
    """Whether a collect got an answer from some source this week (trivially so with no sources enabled)."""
    if not enabled_sources(ctx):
        return True
    _first, last = ctx.store.answered()
    return last is not None and last >= week.start(ctx.zone)


def _morning_job(ctx: AppContext) -> str:
    return collect_and_match(ctx).line()


def _send_job(ctx: AppContext) -> str:
    return "; ".join(r.summary() for r in send_due(ctx)) or "ingen sammendrag forfalt"


# The scheduler's jobs: name -> (its crontab line from [schedule], the use case, returning a line for the log).
JOBS: dict[str, tuple[Callable[[ScheduleConfig], str], Callable[[AppContext], str]]] = {
    "collect": (lambda schedule: schedule.collect, _morning_job),
    "digest": (lambda schedule: schedule.digest, _send_job),
    "digest-catch-up": (lambda _schedule: DIGEST_CATCH_UP, catch_up),
}


def startup_job(root: Path, now: datetime | str | None) -> Callable[[], str]:
    """What the scheduler does as it starts: a catch-up that may first run this week's missed collect."""
    return fresh(root, now, lambda ctx: catch_up(ctx, collect_first=True))


def fresh(root: Path, now: datetime | str | None, job: Callable[[AppContext], str]) -> Callable[[], str]:
    """A job that reads the configuration anew each time it runs, so edits to profiles and digests apply at once."""

    def run() -> str:
        ctx = AppContext(load_config(root), now)
        try:
            return job(ctx)
        finally:
            ctx.close()

    return run


def job_table(
    root: Path, now: datetime | str | None, schedule: ScheduleConfig
) -> dict[str, tuple[str, Callable[[], str]]]:
    """Every scheduled job with its crontab line, ready for the scheduler."""
    return {name: (cron(schedule), fresh(root, now, job)) for name, (cron, job) in JOBS.items()}
