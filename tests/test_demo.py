"""`eumonitor demo`: the whole chain on the packaged recordings, offline, and the web app on its archive."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

import requests
from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.store import Store


def test_demo_collects_two_weeks_matches_and_writes_a_digest(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Uke med skann 2026-06-17: innhenting: 1 kilde, 626 nye utlysninger, 0 feil" in result.output
    assert "Uke med skann 2026-06-24" in result.output
    store = Store(folder / "var" / "eumonitor.db")
    try:
        assert store.count_calls() > 600
        assert store.profile_matches("hav", today=date(2026, 6, 24), open_only=True, limit=1)
    finally:
        store.close()
    [eml] = (folder / "var" / "outbox").glob("demo_*.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "demo@eumonitor.invalid"
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_content()
    assert "HORIZON-" in text  # real calls from the recording, ranked into the digest
    # A second run rebuilds its own folder, and refuses a folder that is not a demo root.
    assert CliRunner().invoke(main, ["demo", "--dir", str(folder)]).exit_code == 0
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    refused = CliRunner().invoke(main, ["demo", "--dir", str(other)])
    assert refused.exit_code == 2 and "er ikke en demomappe" in refused.output
    assert (other / "notes.txt").read_text(encoding="utf-8") == "mine"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_serve_opens_the_archive_and_the_printed_login_works(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "eumonitor", "demo", "--dir", str(tmp_path / "demo"), "--serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "Nettsiden:" in line:
                break
        announced = "".join(lines)
        login = re.search(r"Redaktør: (\S+)\s+Passord: (\S+)", announced)
        assert login, announced
        base = f"http://127.0.0.1:{port}"
        with requests.Session() as web:
            web.trust_env = False  # loopback only, never through a proxy
            for _ in range(50):
                try:
                    page = web.get(f"{base}/?q=ocean", timeout=5)
                    break
                except requests.ConnectionError:
                    time.sleep(0.1)
            assert page.status_code == 200 and "HORIZON-" in page.text
            form = web.get(f"{base}/login", timeout=5).text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
            answer = web.post(
                f"{base}/login",
                data={"email": login.group(1), "password": login.group(2), "csrf_token": token},
                timeout=10,
            )
            assert answer.status_code == 200 and "Logg ut" in answer.text
    finally:
        process.terminate()
        process.wait(timeout=20)
