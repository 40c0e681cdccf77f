"""Test helper: a real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it accepted and can refuse or die."""

from __future__ import annotations

import contextlib
import email
import socket
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """Accepts mail on 127.0.0.1. `reject`: addresses refused with 550. `die_after`: after that many accepted
    messages the server stops listening and drops the connection, as a crashed mail server would.
    `drop_before_reply`: that many messages are stored and then the connection is cut before the 250, as a
    server that crashed between writing the mail to disk and answering. `on_data` is called with each
    message as it arrives (before the reply), for tests that act at that moment."""

    def __init__(
        self,
        reject: tuple[str, ...] = (),
        die_after: int | None = None,
        login: tuple[str, str] | None = None,
        tls: str | None = None,
        tls_context=None,
        drop_before_reply: int = 0,
        on_data=None,
    ):
        self.messages: list[EmailMessage] = []
        self.drop_before_reply = drop_before_reply
        self.on_data = on_data
        self.reject = {a.lower() for a in reject}
        self.die_after = die_after
        self.login = login
        self.port = free_port()
        options = {}
        if login:
            # Plain-text AUTH is fine on loopback; the mailer's STARTTLS/TLS paths are plain smtplib.
            options = {"authenticator": self._authenticate, "auth_require_tls": False}
        if tls == "starttls":  # the server offers STARTTLS and refuses mail without it
            options.update(tls_context=tls_context, require_starttls=True)
        elif tls == "tls":  # implicit TLS from the first byte, as on port 465
            options.update(ssl_context=tls_context)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and (auth_data.login.decode(), auth_data.password.decode()) == self.login
        )
        return AuthResult(success=ok)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        if self.on_data is not None:
            self.on_data(self.messages[-1])
        if self.drop_before_reply > 0:
            self.drop_before_reply -= 1
            server.transport.abort()  # stored, but the client never hears the 250 (writes after abort are dropped)
            return "250 OK"
        if self.die_after is not None and len(self.messages) >= self.die_after:
            self.controller.server.close()  # no new connections
            server.loop.call_soon(server.transport.close)  # and this one ends right after the 250 below
        return "250 OK"

    def subjects(self) -> list[tuple[str, str]]:
        return [(m["To"], m["Subject"]) for m in self.messages]

    def stop(self) -> None:
        with contextlib.suppress(AssertionError, RuntimeError):  # already dead
            self.controller.stop()

    def __enter__(self) -> SmtpSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
