"""Shared by the follow-up tests: a root mailing to a real SMTP sink, three users and a few calls in a real archive."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.model import Budget, RawCall
from eumonitor.sources.normalize import normalize
from eumonitor.web import create_app
from eumonitor.web.auth import hash_password
from tests.support.smtp_server import SmtpSink
from tests.support.web import OSLO

SOURCE = "eu-funding-tenders"
ADMIN, EDITOR, COLLEAGUE, READER = (
    "ola@bergen.kommune.no",
    "anna@bergen.kommune.no",
    "per@bergen.kommune.no",
    "kari@bergen.kommune.no",
)
PASSWORD = "riktig-passord-123"
NOW = datetime(2026, 6, 25, 12, 0, tzinfo=OSLO)
OCEAN, CLIMA, CULTURE = "HORIZON-MISS-2026-OCEAN-01", "LIFE-2026-CLIMA-GOV", "CREA-CULT-2026-COOP"


def make_root(tmp: Path, sink: SmtpSink, follow: str = "") -> Path:
    root = tmp / "root"
    (root / "sources").mkdir(parents=True)
    (root / "sources" / f"{SOURCE}.toml").write_text(
        'kind = "ft_api"\ntitle = "EU-portalen"\nurl = "http://127.0.0.1:9/search"\nenabled = false\n', encoding="utf-8"
    )
    (root / "config.toml").write_text(
        '[archive]\npath = "var/test.db"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {sink.port}\nsecurity = "none"\nfrom = "eumonitor@bergen.kommune.no"\n'
        'timeout = 5\n[web]\nbase_url = "http://127.0.0.1:8080"\ncookie_secure = false\n' + follow,
        encoding="utf-8",
    )
    return root


def raw(external_id: str, title: str, deadline: date, budget: int | None = None, status: str = "open") -> RawCall:
    return RawCall(
        source=SOURCE,
        external_id=external_id,
        title=title,
        url=f"https://ec.europa.eu/{external_id}",
        status=status,
        deadlines=(deadline,),
        programme="Horizon Europe" if external_id.startswith("HORIZON") else "LIFE",
        budget=Budget(total=budget),
    )


CALLS = (
    raw(OCEAN, "Restoring our ocean and waters <b>by 2030</b>", date(2026, 9, 1), 10_000_000),
    raw(CLIMA, "Climate governance and information", date(2026, 10, 15)),
    raw(CULTURE, "European cooperation projects", date(2026, 7, 1)),
)


def store_calls(ctx: AppContext, calls=CALLS, now: datetime = NOW) -> None:
    with ctx.store.transaction():
        ctx.store.upsert_calls(SOURCE, [normalize(c, now) for c in calls], now, None, complete=False)


def populate(root: Path) -> None:
    """The calls and four users: an admin, two redaktører and a leser."""
    ctx = AppContext(config=load_config(root), fixed_now=NOW)
    store_calls(ctx)
    hashed = hash_password(PASSWORD)
    for email, role, name in (
        (ADMIN, "admin", "Ola Admin"),
        (EDITOR, "redaktør", "Anna Berg"),
        (COLLEAGUE, "redaktør", "Per Hansen"),
        (READER, "leser", "Kari Nordmann"),
    ):
        ctx.store.save_user(email, role, NOW, name=name, unit="EU-kontoret", password_hash=hashed)
    ctx.close()


def cli(root: Path, *args: str, now: str = "2026-06-25"):
    return CliRunner().invoke(main, ["--root", str(root), "--now", now, *args])


def cases_json(root: Path, now: str = "2026-06-25") -> list[dict]:
    result = cli(root, "cases", "--json", now=now)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login_status(client, email: str, password: str = PASSWORD) -> int:
    """The real login form's answer: 302 when logged in, 401 for a wrong password, 429 when throttled."""
    token = csrf_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token}).status_code


def logged_in(ctx: AppContext, email: str):
    """A Flask test client logged in as `email` through the real login form."""
    client = create_app(ctx).test_client()
    assert login_status(client, email) == 302
    return client
