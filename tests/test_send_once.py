"""At most one digest per subscriber and week (issue 14 item 4): a real SMTP server on 127.0.0.1 that drops the
connection after DATA, and a second SQLite connection holding the archive's write lock during a send."""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.digests import send as digest_send
from eumonitor.digests.build import IsoWeek
from eumonitor.digests.mailer import DeliveryError, SmtpMailer
from eumonitor.web import create_app
from eumonitor.web.auth import hash_password
from tests.support.smtp_server import SmtpSink
from tests.test_mailer import message, smtp

REPO = Path(__file__).resolve().parents[1]
SUBSCRIBERS = ("a@bergen.kommune.no", "b@bergen.kommune.no", "c@bergen.kommune.no")
NOW = "2026-06-22T09:00"  # Monday of week 26, after the 07:00 digest time
WEEK = IsoWeek.parse("2026-W26")
EDITOR, PASSWORD = "anna@bergen.kommune.no", "riktig-passord-123"


def make_root(tmp_path: Path, sink: SmtpSink) -> Path:
    """A root with one digest for three subscribers and no sources: the digests are under test, not their content."""
    root = tmp_path / "root"
    (root / "digests").mkdir(parents=True)
    (root / "profiles").mkdir()
    shutil.copy(REPO / "profiles" / "hav.toml", root / "profiles")
    (root / "config.toml").write_text(
        '[http]\ncontact = "test@example.org"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {sink.port}\nsecurity = "none"\nfrom = "eumonitor@bergen.kommune.no"\n'
        f'timeout = 5\n[web]\nbase_url = "http://127.0.0.1:8080"\ncookie_secure = false\n'
        f'\n[[web.editors]]\nemail = "{EDITOR}"\n'
        f'password_hash = "{hash_password(PASSWORD)}"\n',
        encoding="utf-8",
    )
    people = "".join(f'\n[[subscribers]]\nemail = "{email}"\n' for email in SUBSCRIBERS)
    (root / "digests" / "network.toml").write_text(
        f'title = "EU-utlysninger"\nprofiles = ["hav"]\nper_section = 10\nclosing_days = 21\n{people}', encoding="utf-8"
    )
    return root


def received(sink: SmtpSink) -> list[str]:
    return sorted(m["To"] for m in sink.messages)


def statuses(root: Path) -> dict[str, list[str]]:
    db = sqlite3.connect(root / "var" / "eumonitor.db")
    found: dict[str, list[str]] = {}
    for subscriber, status in db.execute("SELECT subscriber, status FROM deliveries ORDER BY id"):
        found.setdefault(subscriber, []).append(status)
    db.close()
    return found


def test_the_mailer_never_resends_a_message_whose_body_went_out():
    with SmtpSink(drop_before_reply=1) as sink:
        mailer = SmtpMailer(smtp(sink))
        with pytest.raises(DeliveryError, match="sendes ikke på nytt") as caught:
            mailer.send(message("a@bergen.kommune.no"))
        assert caught.value.ambiguous and not caught.value.permanent
        assert received(sink) == ["a@bergen.kommune.no"]  # stored once, not twice
        mailer.send(message("b@bergen.kommune.no"))  # the next one gets a fresh connection
        mailer.close()
    assert received(sink) == ["a@bergen.kommune.no", "b@bergen.kommune.no"]


def test_a_drop_before_the_body_is_still_retried_once():
    with SmtpSink(die_after=1) as first:
        mailer = SmtpMailer(smtp(first))
        mailer.send(message("a@bergen.kommune.no"))  # the server closes this connection after its 250
    with SmtpSink() as second:
        mailer.config = smtp(second)
        mailer.send(message("b@bergen.kommune.no"))  # the stale connection fails at MAIL FROM; a new one works
        mailer.close()
    assert received(second) == ["b@bergen.kommune.no"]


def run_once(root: Path, now: str = NOW):
    return CliRunner().invoke(main, ["--root", str(root), "--now", now, "run", "--once"])


def test_an_ambiguous_drop_is_recorded_shown_and_not_sent_again(tmp_path: Path):
    with SmtpSink(drop_before_reply=1) as sink:
        root = make_root(tmp_path, sink)
        first = run_once(root)
        assert first.exit_code == 1, first.output
        assert "2 sendt, 0 feilet, 0 hadde allerede fått det, 1 usikre" in first.output
        again = run_once(root, "2026-06-22T10:00")
        assert "0 sendt, 0 feilet, 3 hadde allerede fått det" in again.output, again.output
    assert received(sink) == list(SUBSCRIBERS)  # everyone exactly once, the ambiguous one included
    assert statuses(root) == {"a@bergen.kommune.no": ["uncertain"], **{e: ["sent"] for e in SUBSCRIBERS[1:]}}

    ctx = AppContext(load_config(root), NOW)
    client = create_app(ctx).test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": EDITOR, "password": PASSWORD, "csrf_token": token})
    page = client.get("/digests").get_data(as_text=True)
    ctx.close()
    assert "Usikker" in page and "sendes ikke på nytt automatisk" in page


class WriteLock:
    """A second connection to the archive holding its write lock (BEGIN IMMEDIATE) until released."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.held = threading.Event()

    def take(self, *_: object) -> None:
        if not self.held.is_set():
            self.db.execute("BEGIN IMMEDIATE")
            self.held.set()

    def release(self) -> None:
        if self.held.is_set():
            self.db.execute("COMMIT")
            self.held.clear()


def send_with_lock(root: Path, sink: SmtpSink, release_after: float | None):
    """Send week 26 while the archive's write lock is taken the moment the first message reaches the server."""
    ctx = AppContext(load_config(root), NOW)
    ctx.store.conn.execute("PRAGMA busy_timeout = 100")  # instead of 30 s, to keep the test short
    lock = WriteLock(ctx.store.path)

    def on_first(_message) -> None:
        lock.take()
        if release_after is not None:
            threading.Timer(release_after, lock.release).start()

    sink.on_data = on_first
    try:
        reports = digest_send.send_due(ctx.store, ctx.config, ctx.now(), ctx.mailer, WEEK)
    finally:
        sink.on_data = None
        lock.release()
        ctx.close()
    return reports[0]


def test_a_locked_archive_after_the_server_accepted_is_retried_without_a_resend(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(digest_send, "RECORD_RETRY_WAITS", (0.3, 0.6, 1.2))
    with SmtpSink() as sink:
        root = make_root(tmp_path, sink)
        report = send_with_lock(root, sink, release_after=0.8)
        assert sorted(report.sent) == list(SUBSCRIBERS) and not report.failed and not report.unrecorded
        again = run_once(root, "2026-06-22T10:00")
        assert "0 sendt, 0 feilet, 3 hadde allerede fått det" in again.output, again.output
    assert received(sink) == list(SUBSCRIBERS)
    assert statuses(root) == {e: ["sent"] for e in SUBSCRIBERS}


def test_a_lock_held_through_the_whole_send_stops_nobody_and_sends_nothing_twice(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(digest_send, "RECORD_RETRY_WAITS", (0.05, 0.05))
    with SmtpSink() as sink:
        root = make_root(tmp_path, sink)
        report = send_with_lock(root, sink, release_after=None)
        # The first was accepted but could not be recorded; the others were not sent (their row could not be
        # written), and nobody got a traceback.
        assert report.sent == ["a@bergen.kommune.no"] and len(report.unrecorded) == 1
        assert sorted(email for email, _ in report.failed) == list(SUBSCRIBERS[1:])
        assert all("arkivet kunne ikke skrives" in error for _, error in report.failed)
        assert received(sink) == ["a@bergen.kommune.no"]
        resumed = run_once(root, "2026-06-22T10:00")
        assert "2 sendt, 0 feilet, 1 hadde allerede fått det" in resumed.output, resumed.output
    assert received(sink) == list(SUBSCRIBERS)  # the first one was not sent again
    assert statuses(root)["a@bergen.kommune.no"] == ["sending"]  # shown as "Ubekreftet" on /digests


def test_a_lock_held_before_the_send_begins_is_no_traceback_and_sends_nothing(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(digest_send, "RECORD_RETRY_WAITS", (0.05,))
    with SmtpSink() as sink:
        root = make_root(tmp_path, sink)
        ctx = AppContext(load_config(root), NOW)
        ctx.store.conn.execute("PRAGMA busy_timeout = 100")
        lock = WriteLock(ctx.store.path)
        lock.take()
        try:
            report = digest_send.send_due(ctx.store, ctx.config, ctx.now(), ctx.mailer, WEEK)[0]
        finally:
            lock.release()
            ctx.close()
        assert sorted(email for email, _ in report.failed) == list(SUBSCRIBERS) and not report.sent
        assert received(sink) == []
        resumed = run_once(root, "2026-06-22T10:00")
        assert "3 sendt, 0 feilet" in resumed.output, resumed.output
    assert received(sink) == list(SUBSCRIBERS)
