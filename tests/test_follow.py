"""Following a call: reminders before its deadline, exactly once per lead time across scheduler runs, and one mail
when a followed call changes; through the scheduler's real morning job, a real archive and a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from eumonitor import jobs
from eumonitor.config import ConfigError, load_config
from eumonitor.context import AppContext
from tests.support.cases import CLIMA, EDITOR, OCEAN, READER, cli, make_root, populate, raw, store_calls
from tests.support.smtp_server import SmtpSink
from tests.support.web import OSLO


@pytest.fixture()
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


def morning(root: Path, day: str) -> str:
    """The scheduler's collect job as it runs at 06:00 on `day` (no source is enabled: only the follow-up acts)."""
    schedule = load_config(root).settings.schedule
    cron, job = jobs.job_table(root, f"{day}T06:00", schedule)["collect"]
    assert cron == schedule.collect
    return job()


def reminders(sink: SmtpSink) -> list[tuple[str, str]]:
    return [(m["To"], m["Subject"]) for m in sink.messages if m["X-Eumonitor-Followup"] == "reminder"]


def test_a_reminder_fires_exactly_once_per_lead_time_across_scheduler_runs(tmp_path: Path, sink: SmtpSink) -> None:
    root = make_root(tmp_path, sink)
    populate(root)
    assert cli(root, "follow", OCEAN, "--as", READER).exit_code == 0  # deadline 1 September 2026
    assert cli(root, "follow", OCEAN, "--as", EDITOR).exit_code == 0
    assert morning(root, "2026-07-20").endswith("ingen profiler å matche mot")  # 43 days left: nothing yet
    assert reminders(sink) == []
    line = morning(root, "2026-07-21")  # 42 days left: six weeks
    assert "oppfølging: 2 påminnelser, 0 endringsvarsler" in line
    morning(root, "2026-07-21")  # the same morning again (a restart): nothing twice
    morning(root, "2026-07-22")
    assert sorted(reminders(sink)) == [(EDITOR, f"Frist om 42 dager: {OCEAN}"), (READER, f"Frist om 42 dager: {OCEAN}")]
    body = sink.messages[0].get_content()
    assert (
        "1. september 2026 (påminnelse 6 uker før)" in body and "Restoring our ocean and waters <b>by 2030</b>" in body
    )
    assert sink.messages[0].get_body(("html",)) is None  # plain text: a title or note is never markup in a mail
    morning(root, "2026-08-18")  # 14 days left
    morning(root, "2026-08-18")
    assert len(reminders(sink)) == 4
    morning(root, "2026-08-29")
    morning(root, "2026-08-30")
    assert [s for _to, s in reminders(sink)][-2:] == [f"Frist om 3 dager: {OCEAN}"] * 2
    morning(root, "2026-09-02")  # past the deadline: nothing more
    assert len(reminders(sink)) == 6


def test_a_late_follower_gets_one_reminder_and_lead_times_are_configurable(tmp_path: Path, sink: SmtpSink) -> None:
    root = make_root(tmp_path, sink, follow="[follow]\nreminder_days = [30, 10]\n")
    populate(root)
    assert load_config(root).settings.follow.reminder_days == (30, 10)
    assert cli(root, "follow", CLIMA, "--as", READER, now="2026-10-08").exit_code == 0  # 7 days before 15 October
    morning(root, "2026-10-08")
    morning(root, "2026-10-09")
    assert reminders(sink) == [(READER, f"Frist om 7 dager: {CLIMA}")]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("reminder_days = [0, 14]", "hver verdi skal være 1-365 dager"),
        ("reminder_days = [14, 14]", "samme antall dager står flere ganger"),
        ('reminder_days = "6 uker"', "skal være"),
        ("lead = [3]", "lead"),
    ],
)
def test_follow_settings_are_strictly_checked(tmp_path: Path, table: str, message: str) -> None:
    with SmtpSink() as sink:
        root = make_root(tmp_path, sink, follow=f"[follow]\n{table}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert message in str(caught.value) and "follow" in str(caught.value)


def test_a_moved_deadline_sends_one_change_mail_to_each_follower(tmp_path: Path, sink: SmtpSink) -> None:
    root = make_root(tmp_path, sink)
    populate(root)
    assert cli(root, "follow", OCEAN, "--as", READER).exit_code == 0
    assert cli(root, "follow", CLIMA, "--as", READER).exit_code == 0
    morning(root, "2026-06-26")
    assert sink.messages == []  # changes before following are no news
    ctx = AppContext(load_config(root))
    later = datetime(2026, 6, 30, 6, 0, tzinfo=OSLO)
    store_calls(
        ctx, [raw(OCEAN, "Restoring our ocean and waters <b>by 2030</b>", date(2026, 9, 15), 12_000_000)], later
    )
    ctx.close()
    line = morning(root, "2026-06-30")
    morning(root, "2026-07-01")
    changes = [m for m in sink.messages if m["X-Eumonitor-Followup"] == "change"]
    assert [(m["To"], m["Subject"]) for m in changes] == [(READER, f"Endret: {OCEAN}")]
    body = changes[0].get_content()
    assert "frist endret: 1. september 2026 → 15. september 2026" in body and "budsjett endret" in body
    assert "1 endringsvarsler" in line
