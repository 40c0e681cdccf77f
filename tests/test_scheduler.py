"""Scheduling: cron jobs from config.toml, when a week's digest is due, the process lock, clean SIGTERM stop,
and staff alerts after N failed runs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from eumonitor.digests.alerts import alert_text, alerts_due
from eumonitor.digests.send import due_week
from eumonitor.files import LockError, process_lock
from eumonitor.scheduler import build_scheduler

OSLO = ZoneInfo("Europe/Oslo")
REPO = Path(__file__).resolve().parents[1]
TRY_LOCK = "import pathlib, eumonitor.files as s\nwith s.process_lock(pathlib.Path({path!r})): pass"


def test_jobs_fire_at_the_configured_oslo_times_one_at_a_time():
    scheduler = build_scheduler("Europe/Oslo", {"collect": ("0 6 * * *", str), "digest": ("0 7 * * mon", str)})
    jobs = {job.id: job for job in scheduler.get_jobs()}
    saturday = datetime(2026, 6, 20, 12, 0, tzinfo=OSLO)
    assert jobs["collect"].trigger.get_next_fire_time(None, saturday) == datetime(2026, 6, 21, 6, 0, tzinfo=OSLO)
    assert jobs["digest"].trigger.get_next_fire_time(None, saturday) == datetime(2026, 6, 22, 7, 0, tzinfo=OSLO)
    assert all(job.coalesce and job.max_instances == 1 for job in jobs.values())


def test_a_week_is_due_from_its_monday_digest_time():
    assert due_week(datetime(2026, 6, 22, 6, 59, tzinfo=OSLO), "0 7 * * mon", "Europe/Oslo") is None
    assert str(due_week(datetime(2026, 6, 22, 7, 0, tzinfo=OSLO), "0 7 * * mon", "Europe/Oslo")) == "2026-W26"
    assert str(due_week(datetime(2026, 6, 28, 23, 0, tzinfo=OSLO), "0 7 * * mon", "Europe/Oslo")) == "2026-W26"
    # The scheduler's catch-up window: twelve hours after Monday 07:00, then nothing until next week.
    window = timedelta(hours=12)
    assert str(due_week(datetime(2026, 6, 22, 19, 0, tzinfo=OSLO), "0 7 * * mon", "Europe/Oslo", window)) == "2026-W26"
    assert due_week(datetime(2026, 6, 22, 19, 1, tzinfo=OSLO), "0 7 * * mon", "Europe/Oslo", window) is None


def test_two_processes_never_hold_the_lock_together(tmp_path: Path):
    lock = tmp_path / "var" / "eumonitor.lock"
    with process_lock(lock):
        holder = subprocess.run(
            [sys.executable, "-c", TRY_LOCK.format(path=str(lock))],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert holder.returncode != 0 and "En annen eumonitor-prosess" in holder.stderr
        with pytest.raises(LockError, match=str(os.getpid())), process_lock(lock):
            pass
    with process_lock(lock):  # released again
        pass


def start_scheduler(root: Path, *options: str) -> tuple[subprocess.Popen, list[str]]:
    """`eumonitor run` in a child process, read until it has logged its planned jobs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "eumonitor", "--root", str(root), *options, "run"], stderr=subprocess.PIPE, text=True
    )
    lines = []
    for line in process.stderr:
        lines.append(line)
        if "jobb digest planlagt" in line:
            break
    return process, lines


def test_run_starts_logs_its_jobs_and_stops_cleanly_on_sigterm(tmp_path: Path):
    config = '[archive]\npath = "var/db.sqlite"\n[web]\nbase_url = "http://127.0.0.1:8080"\n'
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    process, lines = start_scheduler(tmp_path)
    second = subprocess.run(
        [sys.executable, "-m", "eumonitor", "--root", str(tmp_path), "run", "--once"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    process.send_signal(signal.SIGTERM)
    rest = process.stderr.read()
    assert process.wait(timeout=30) == 0
    assert second.returncode == 3 and "En annen eumonitor-prosess" in second.stderr
    assert any("jobb collect planlagt; neste kjøring" in line for line in lines)
    assert "stopper (signal SIGTERM)" in rest and "stoppet" in rest
    # The operator reads bokmål: APScheduler's own lines ("Adding job tentatively …") are translated or dropped.
    log = "".join(lines) + rest
    assert "planleggeren startet" in log and " info " in log
    for english in ("Adding job", "Scheduler", "Added job", "INFO", "executed successfully", "trigger"):
        assert english not in log


def test_staff_are_alerted_once_when_a_streak_reaches_the_threshold():
    streaks = {"interreg": (3, "HTTP 503"), "ft": (0, ""), "rss": (4, "timeout")}
    due = alerts_due(streaks, {"interreg": "Interreg Nordsjøen"}, after=3)
    assert [(f.source, f.title, f.streak) for f in due] == [("interreg", "Interreg Nordsjøen", 3)]
    # Still failing three runs later: named again (the first mail may have been lost).
    later = alerts_due({"interreg": (6, "HTTP 503"), "rss": (7, "timeout")}, {}, after=3)
    assert [(f.source, f.streak) for f in later] == [("interreg", 6)]
    subject, body = alert_text(due)
    assert subject == "eumonitor: Interreg Nordsjøen har feilet flere ganger på rad"
    assert "Siste feil: HTTP 503" in body


def test_an_alert_about_many_sources_keeps_its_subject_short():
    many = alerts_due({f"s{n}": (3, "HTTP 503 " + "x" * 2000) for n in range(11)}, {}, after=3)
    subject, body = alert_text(many)
    assert subject == "eumonitor: 11 kilder har feilet flere ganger på rad"
    assert all(f"* s{n} (s{n})" in body for n in range(11)) and len(body) < 11 * 400


def scheduler_root(tmp_path: Path) -> Path:
    config = '[archive]\npath = "var/db.sqlite"\n[web]\nbase_url = "http://127.0.0.1:8080"\n'
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    shutil.copytree(REPO / "profiles", tmp_path / "profiles")
    shutil.copytree(REPO / "digests", tmp_path / "digests")
    return tmp_path


def started_at(root: Path, now: str) -> list[str]:
    process, lines = start_scheduler(root, "--now", now)
    process.send_signal(signal.SIGTERM)
    process.stderr.read()
    assert process.wait(timeout=30) == 0
    return lines


def test_a_monday_missed_while_down_is_sent_when_the_scheduler_starts_within_the_window(tmp_path: Path):
    root = scheduler_root(tmp_path)
    # Started on Monday of week 26 at 09:00: 07:00 passed with the process down; catch_up_hours is 12.
    lines = started_at(root, "2026-06-22T09:00")
    assert any("jobb digest-catch-up: network 2026-W26: 3 skrevet til var/outbox" in line for line in lines), lines
    assert len(list((root / "var" / "outbox").glob("network_2026-W26-*.eml"))) == 3


def test_starting_the_scheduler_mid_week_sends_nothing(tmp_path: Path):
    root = scheduler_root(tmp_path)
    lines = started_at(root, "2026-06-24T09:00")  # Wednesday: Monday's catch-up window is long gone
    assert any("jobb digest-catch-up: ingen sammendrag å ta igjen nå" in line for line in lines), lines
    assert not (root / "var" / "outbox").exists()


def test_the_catch_up_waits_for_the_weeks_collect_to_succeed(tmp_path: Path):
    from eumonitor import jobs
    from eumonitor.config import load_config
    from eumonitor.context import AppContext
    from tests.support.roots import write_root
    from tests.support.smtp_server import free_port

    config = (
        '[http]\ncontact = "test@example.org"\nretries = 0\ntimeout = 2\n[web]\nbase_url = "http://127.0.0.1:8080"\n'
    )
    root = write_root(tmp_path / "root", f"http://127.0.0.1:{free_port()}/search", config)  # nobody listens there
    for folder in ("profiles", "digests"):
        shutil.copytree(REPO / folder, root / folder)
    ctx = AppContext(load_config(root), "2026-06-22T09:00")
    try:
        line = jobs.catch_up(ctx, collect_first=True)
    finally:
        ctx.close()
    assert line.endswith("sammendragene for 2026-W26 venter til ukens innhenting har lyktes"), line
    # No digest went out; the staff heard at once of the source that has never answered.
    written = sorted(p.name for p in (root / "var" / "outbox").glob("*.eml"))
    assert written and all(name.startswith("eumonitor_") for name in written), written


def test_log_lines_carry_the_citys_clock_and_say_which_zone():
    import logging

    from eumonitor.scheduler import ZonedFormatter

    record = logging.LogRecord("eumonitor", logging.INFO, __file__, 1, "jobb digest", None, None)
    record.created = datetime(2026, 1, 5, 6, 0, tzinfo=ZoneInfo("UTC")).timestamp()
    line = ZonedFormatter("%(asctime)s %(levelname)s %(message)s", "Europe/Oslo").format(record)
    assert line == "2026-01-05 07:00:00 CET INFO jobb digest"
