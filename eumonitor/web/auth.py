"""Editors' passwords (werkzeug hashes), CSRF tokens and login throttling for the web app."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import MutableMapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from werkzeug.security import check_password_hash, generate_password_hash

from eumonitor.config.schema import Editor

MAX_FAILURES = 5  # failed logins per account or address within WINDOW before we refuse to check more
WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 10
# Checked when the e-mail is unknown, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class LoginLog(Protocol):
    def record_login(self, email: str, address: str, ok: bool, now: datetime) -> None: ...
    def failed_logins_since(self, email: str, address: str, since: datetime) -> int: ...


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"passordet må ha minst {MIN_PASSWORD} tegn")
    return generate_password_hash(password)


def find_editor(editors: Sequence[Editor], email: str) -> Editor | None:
    wanted = email.strip().lower()
    return next((e for e in editors if e.email.lower() == wanted), None)


def check_login(editors: Sequence[Editor], email: str, password: str) -> Editor | None:
    """The editor when e-mail and password match, else None."""
    editor = find_editor(editors, email)
    ok = check_password_hash(editor.password_hash if editor else _DUMMY_HASH, password)
    return editor if editor and ok else None


def throttled(log: LoginLog, email: str, address: str, now: datetime) -> bool:
    """True when this account or address has failed too often lately."""
    return log.failed_logins_since(email, address, now - WINDOW) >= MAX_FAILURES


def attempt_login(
    log: LoginLog, editors: Sequence[Editor], email: str, password: str, address: str, now: datetime
) -> tuple[Editor | None, str]:
    """Throttle, check and record one login; returns the editor or a Norwegian message."""
    if throttled(log, email, address, now):
        return None, "For mange mislykkede forsøk. Vent et kvarter og prøv igjen."
    editor = check_login(editors, email, password)
    log.record_login(email, address, editor is not None, now)
    if editor is None:
        return None, "Feil e-postadresse eller passord."
    return editor, ""


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token, made on first use."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_valid(session: MutableMapping[str, Any], sent: str | None) -> bool:
    expected = session.get("csrf")
    return bool(expected and sent) and hmac.compare_digest(str(expected), str(sent))
