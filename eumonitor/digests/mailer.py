"""Mail: pure message building, and the two ways out (SMTP, or files in var/outbox/) behind one protocol."""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Protocol

from eumonitor.config.schema import SmtpConfig
from eumonitor.files import atomic_write
from eumonitor.model import EumonitorError
from eumonitor.nb import os_error_nb

DEFAULT_FROM = "eumonitor@localhost"


class DeliveryError(EumonitorError):
    """The message was not accepted; `permanent` when the server refused this recipient for good.

    `ambiguous` when the whole message had been transmitted and the connection was lost before the server's
    reply: the server may well have stored it, so sending it again could deliver it twice.
    """

    def __init__(self, message: str, permanent: bool = False, ambiguous: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.ambiguous = ambiguous


class Mailer(Protocol):
    """Something that delivers one message, or raises DeliveryError. `transport` names it in the records."""

    transport: str

    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


def build_message(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str | None,
    now: datetime,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A multipart/alternative message (plain text first, HTML preferred by clients that show it)."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender or DEFAULT_FROM
    message["To"] = to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid("eumonitor", domain=_domain(sender))
    # RFC 3834: tells auto-responders (out-of-office) not to answer a machine's mail.
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text, subtype="plain", charset="utf-8")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8")
    # Headers on one line (RFC 5322 allows 998 characters): Python's folder leaves a space before an
    # encoded word at a fold, which mail readers then show as "treff  – Klima". The parts above were
    # already encoded with short lines.
    message.policy = message.policy.clone(max_line_length=998)
    return message


class _DataTracking:
    """Remembers whether the message body went out: the one point after which a lost connection is ambiguous.

    smtplib's own data() sends DATA, waits for 354, sends the body and waits for 250 in one call, so a
    drop before 354 (nothing stored, safe to retry) and one after the body (maybe stored) look the same.
    """

    body_sent = False

    def data(self, msg: bytes | str) -> tuple[int, bytes]:
        self.putcmd("data")  # type: ignore[attr-defined]
        code, reply = self.getreply()  # type: ignore[attr-defined]
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        payload = msg.encode("ascii") if isinstance(msg, str) else msg
        payload = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", payload)
        payload = re.sub(rb"(?m)^\.", b"..", payload)  # RFC 5321 4.5.2: dot-stuffing
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        self.body_sent = True  # from here on the server may have the whole message
        self.send(payload + b".\r\n")  # type: ignore[attr-defined]
        return self.getreply()  # type: ignore[attr-defined]


class _Smtp(_DataTracking, smtplib.SMTP):
    pass


class _SmtpSsl(_DataTracking, smtplib.SMTP_SSL):
    pass


class SmtpMailer:
    """SMTP with STARTTLS, TLS or none, and login; one connection reused, reopened once if it drops.

    Reopened only when the drop came before the message body was sent: after that, the server may have
    stored it, and the failure is ambiguous (never retried here, recorded as such by the caller).
    """

    transport = "smtp"

    def __init__(self, config: SmtpConfig, environ: Mapping[str, str] | None = None):
        self.config = config
        self.environ = os.environ if environ is None else environ
        self._smtp: _Smtp | _SmtpSsl | None = None

    def send(self, message: EmailMessage) -> None:
        for attempt in (1, 2):
            try:
                smtp = self._connection()
                smtp.body_sent = False
                try:
                    smtp.send_message(message)
                except (smtplib.SMTPServerDisconnected, OSError) as exc:
                    if smtp.body_sent:
                        raise _Ambiguous(exc) from exc
                    raise
                return
            except _Ambiguous as exc:
                self.close()
                raise DeliveryError(
                    f"Forbindelsen til {self._where()} brøt etter at meldingen var sendt, før tjeneren bekreftet "
                    f"den; den kan ha kommet fram og sendes ikke på nytt automatisk ({os_error_nb(exc.cause)})",
                    ambiguous=True,
                ) from exc.cause
            except smtplib.SMTPRecipientsRefused as exc:
                codes = "; ".join(f"{code} {_text(reply)}" for code, reply in exc.recipients.values())
                raise DeliveryError(f"Mottakeren ble avvist av e-posttjeneren: {codes}", permanent=True) from exc
            except smtplib.SMTPResponseException as exc:
                self.close()
                raise DeliveryError(f"E-posttjeneren svarte {exc.smtp_code} {_text(exc.smtp_error)}") from exc
            except (smtplib.SMTPServerDisconnected, ConnectionError) as exc:
                self.close()  # a dropped connection is worth one fresh one; a dead server is not
                if attempt == 2:
                    raise DeliveryError(f"Mistet forbindelsen til {self._where()}: {os_error_nb(exc)}") from exc
            except (smtplib.SMTPException, OSError) as exc:
                self.close()
                raise DeliveryError(f"Kunne ikke sende via {self._where()}: {os_error_nb(exc)}") from exc

    def _connection(self) -> _Smtp | _SmtpSsl:
        if self._smtp is not None:
            return self._smtp
        cfg = self.config
        context = ssl.create_default_context()
        if cfg.security == "tls":
            smtp: _Smtp | _SmtpSsl = _SmtpSsl(cfg.host, cfg.port, timeout=cfg.timeout, context=context)
        else:
            smtp = _Smtp(cfg.host, cfg.port, timeout=cfg.timeout)
        try:
            if cfg.security == "starttls":
                smtp.starttls(context=context)
            if cfg.username:
                smtp.login(cfg.username, self._password())
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return smtp

    def _password(self) -> str:
        name = self.config.password_env
        if not name or not self.environ.get(name):
            raise DeliveryError(f"Passordet for {self.config.username} mangler: miljøvariabelen {name or '?'} er tom")
        return self.environ[name]

    def _where(self) -> str:
        return f"{self.config.host}:{self.config.port}"

    def close(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (smtplib.SMTPException, OSError):
            self._smtp.close()
        self._smtp = None


class _Ambiguous(Exception):
    """Internal: the connection failed after the body was sent."""

    def __init__(self, cause: BaseException):
        super().__init__(str(cause))
        self.cause = cause


class FileMailer:
    """Writes each message to the outbox as .eml (and its HTML part as .html, to open in a browser)."""

    transport = "outbox"

    def __init__(self, outbox: Path, label: str = ""):
        self.outbox = outbox
        self.label = label or str(outbox)  # how output names the folder ("var/outbox")

    def send(self, message: EmailMessage) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        stem = _file_stem(message)
        try:
            atomic_write(self.outbox / f"{stem}.eml", message.as_bytes())
            html = message.get_body(("html",))
            if html is not None:
                atomic_write(self.outbox / f"{stem}.html", html.get_content().encode("utf-8"))
        except OSError as exc:
            raise DeliveryError(f"Kunne ikke skrive til {self.outbox}: {exc}") from exc

    def close(self) -> None:
        pass


def mailer_for(config: SmtpConfig, outbox: Path, label: str = "") -> Mailer:
    """SMTP when a host is configured; otherwise the outbox, so a fresh machine works without a mail server."""
    return SmtpMailer(config) if config.host else FileMailer(outbox, label)


def _file_stem(message: EmailMessage) -> str:
    tag = message.get("X-Eumonitor-Digest", "") or message.get("Subject", "melding")
    address = parseaddr(message.get("To", ""))[1]
    return re.sub(r"[^A-Za-z0-9@._-]+", "_", f"{tag}-{address}").strip("_")[:150]


def _domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
