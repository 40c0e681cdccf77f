"""The mailer: multipart messages, SMTP to a real server on 127.0.0.1, and the outbox on a fresh machine."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from eumonitor.config import SmtpConfig
from eumonitor.digests.mailer import DeliveryError, FileMailer, SmtpMailer, build_message, mailer_for
from tests.support.smtp_server import SmtpSink, free_port

NOW = datetime(2026, 6, 22, 7, 0, tzinfo=ZoneInfo("Europe/Oslo"))
SENDER = "EU-monitor <eumonitor@bergen.kommune.no>"


def message(to: str = "radgiver@bergen.kommune.no", subject: str = "Uke 26: 3 nye treff"):
    return build_message(
        sender=SENDER, to=to, subject=subject, text="Hei æøå\n", html="<p>Hei æøå</p>", now=NOW,
        headers={"X-Eumonitor-Digest": "network 2026-W26"},
    )  # fmt: skip


def smtp(sink: SmtpSink, **kw) -> SmtpConfig:
    return SmtpConfig(host="127.0.0.1", port=sink.port, security="none", from_=SENDER, timeout=5, **kw)


def test_message_has_text_and_html_alternatives_in_utf8():
    msg = message()
    assert msg.get_content_type() == "multipart/alternative"
    assert msg.get_body(("plain",)).get_content() == "Hei æøå\n"
    assert msg.get_body(("html",)).get_content() == "<p>Hei æøå</p>\n"
    assert msg["Auto-Submitted"] == "auto-generated" and msg["Message-ID"].endswith("@bergen.kommune.no>")


def test_smtp_delivers_to_a_real_server():
    with SmtpSink() as sink:
        mailer = SmtpMailer(smtp(sink))
        mailer.send(message("a@bergen.kommune.no"))
        mailer.send(message("b@bergen.kommune.no"))
        mailer.close()
    assert [to for to, _ in sink.subjects()] == ["a@bergen.kommune.no", "b@bergen.kommune.no"]
    assert sink.messages[0].get_body(("plain",)).get_content().rstrip() == "Hei æøå"


def test_login_uses_the_password_from_the_named_environment_variable():
    with SmtpSink(login=("eumonitor", "hemmelig")) as sink:
        config = smtp(sink, username="eumonitor", password_env="SMTP_PW")
        SmtpMailer(config, environ={"SMTP_PW": "hemmelig"}).send(message())
        with pytest.raises(DeliveryError, match="miljøvariabelen SMTP_PW er tom"):
            SmtpMailer(config, environ={}).send(message())
    assert len(sink.messages) == 1


def test_a_refused_recipient_is_a_permanent_error_and_the_next_one_still_goes():
    with SmtpSink(reject=("borte@bergen.kommune.no",)) as sink:
        mailer = SmtpMailer(smtp(sink))
        with pytest.raises(DeliveryError, match="550") as caught:
            mailer.send(message("borte@bergen.kommune.no"))
        assert caught.value.permanent
        mailer.send(message("her@bergen.kommune.no"))
        mailer.close()
    assert [to for to, _ in sink.subjects()] == ["her@bergen.kommune.no"]


def test_a_dead_server_is_a_delivery_error_not_a_crash():
    with pytest.raises(DeliveryError, match="127.0.0.1") as caught:
        SmtpMailer(SmtpConfig(host="127.0.0.1", port=free_port(), security="none", timeout=2)).send(message())
    assert "tilkoblingen ble avvist" in str(caught.value) and "Errno" not in str(caught.value)


def test_outbox_gets_eml_and_html_when_no_smtp_host(tmp_path: Path):
    mailer = mailer_for(SmtpConfig(), tmp_path / "outbox")
    assert isinstance(mailer, FileMailer)
    mailer.send(message("radgiver@bergen.kommune.no"))
    files = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    assert files == [
        "network_2026-W26-radgiver@bergen.kommune.no.eml",
        "network_2026-W26-radgiver@bergen.kommune.no.html",
    ]
    saved = message_from_bytes((tmp_path / "outbox" / files[0]).read_bytes(), policy=default)
    assert saved["Subject"] == "Uke 26: 3 nye treff"
    assert (tmp_path / "outbox" / files[1]).read_text(encoding="utf-8") == "<p>Hei æøå</p>\n"


def test_a_long_norwegian_subject_arrives_exactly_as_written():
    subject = (
        "EU-utlysninger for Bergen kommune, uke 26: 181 nye treff – Klima, miljø og energi, "
        "Samfunnssikkerhet og beredskap, Hav og havnæringer"
    )
    with SmtpSink() as sink:
        mailer = SmtpMailer(smtp(sink))
        mailer.send(message("a@bergen.kommune.no", subject=subject))
        mailer.close()
    assert sink.subjects() == [("a@bergen.kommune.no", subject)]  # no doubled space where a line was folded


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch):
    """A certificate for 127.0.0.1 from a throwaway CA, which the mailer's default TLS context trusts."""
    import ssl

    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))  # OpenSSL's default verify paths read it
    return server_context


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_encrypted_delivery_with_login(certificate, security: str):
    with SmtpSink(login=("eumonitor", "hemmelig"), tls=security, tls_context=certificate) as sink:
        config = smtp(sink, username="eumonitor", password_env="SMTP_PW")
        mailer = SmtpMailer(replace(config, security=security), environ={"SMTP_PW": "hemmelig"})
        mailer.send(message("a@bergen.kommune.no"))
        mailer.close()
    assert sink.subjects() == [("a@bergen.kommune.no", "Uke 26: 3 nye treff")]


def test_a_server_whose_certificate_is_not_trusted_gets_nothing(certificate, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE")
    with SmtpSink(tls="starttls", tls_context=certificate) as sink:
        mailer = SmtpMailer(replace(smtp(sink), security="starttls"))
        with pytest.raises(DeliveryError, match="127.0.0.1") as caught:
            mailer.send(message("a@bergen.kommune.no"))
    assert sink.messages == []
    assert "sertifikatet kunne ikke bekreftes" in str(caught.value)
