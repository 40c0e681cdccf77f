"""Users' passwords (werkzeug hashes), CSRF tokens and login throttling for the web app."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from werkzeug.security import check_password_hash, generate_password_hash

# Failed logins within WINDOW before we refuse to check more, counted three ways (see login_refusal).
MAX_FAILURES = 5  # one account from one address: guessing one editor's password
MAX_ACCOUNT_FAILURES = 20  # one account from every address: guessing spread over many machines
MAX_ADDRESS_FAILURES = 20  # unknown e-mail addresses from one address: spraying made-up accounts
WINDOW = timedelta(minutes=15)
TRUSTED = timedelta(days=30)  # an address an editor logged in from lately is not locked by strangers' guesses
MIN_PASSWORD = 10
# The refusal once an account or address has failed too often; pages answer it with 429.
THROTTLED = "For mange mislykkede forsøk. Vent et kvarter og prøv igjen."
# Checked when the e-mail is unknown, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


@dataclass(frozen=True)
class LoginCounts:
    """Failed (or still running) login attempts in the window, as the throttle weighs them."""

    pair: int  # this e-mail from this address
    account: int  # this e-mail from anywhere
    address_unknown: int  # unknown e-mails from this address
    trusted: bool  # this e-mail logged in from this address within TRUSTED


class LoginLog(Protocol):
    def reserve_login(
        self,
        email: str,
        address: str,
        known: bool,
        now: datetime,
        windows: tuple[timedelta, timedelta],
        refuse: Callable[[int, int, int, bool], bool],
    ) -> int | None: ...
    def finish_login(self, attempt_id: int, ok: bool) -> None: ...


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"passordet må ha minst {MIN_PASSWORD} tegn")
    return generate_password_hash(password)


class Account(Protocol):
    """Who may log in: a user of the archive (store.users.User) has these two."""

    email: str
    password_hash: str


def check_login(account: Account | None, password: str) -> bool:
    """Whether the password is the account's; an unknown account (or one without a password) costs the same."""
    stored = account.password_hash if account and account.password_hash else _DUMMY_HASH
    ok = check_password_hash(stored, password)
    return bool(account and account.password_hash and ok)


def login_refusal(counts: LoginCounts, known: bool) -> bool:
    """Whether to refuse checking a password now.

    Per account and address, always. Per account from anywhere, except from an address the editor used
    lately: strangers elsewhere cannot lock an editor out of the office. Per address only for e-mails that
    are no editor's, so made-up accounts tried behind a shared address lock out nobody real.
    """
    if counts.pair >= MAX_FAILURES:
        return True
    if known:
        return counts.account >= MAX_ACCOUNT_FAILURES and not counts.trusted
    return counts.address_unknown >= MAX_ADDRESS_FAILURES


def attempt_login(
    log: LoginLog, find: Callable[[str], Account | None], email: str, password: str, address: str, now: datetime
) -> tuple[Account | None, str]:
    """Throttle, check and record one login; returns the account (found by `find`) or a Norwegian message.

    The attempt is recorded as failed before the password is checked, in the same transaction as the
    count: forty parallel guesses cannot all see "four failures so far" (check-then-record).
    """
    account = find(email) if email.strip() else None
    known = account is not None
    attempt = log.reserve_login(
        email, address, known, now, (WINDOW, TRUSTED), lambda *counts: login_refusal(LoginCounts(*counts), known)
    )
    if attempt is None:
        return None, THROTTLED
    ok = check_login(account, password)
    log.finish_login(attempt, ok)
    if not ok:
        return None, "Feil e-postadresse eller passord."
    return account, ""


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
