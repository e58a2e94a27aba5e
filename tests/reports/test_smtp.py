"""Delivery over a real SMTP server on loopback: plain, STARTTLS with login, implicit TLS."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import warnings
from email import message_from_bytes, policy

import pytest
from aiosmtpd.smtp import AuthResult

from reports.email import build_message
from reports.render import render
from reports.smtp import DeliveryError, Mailer, SmtpSettings, send

crypto = pytest.importorskip("cryptography", reason="cryptography makes the test certificate")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: (cert path, key path)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def server_context(certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


def client_context(certificate) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


class Logins:
    def __init__(self):
        self.seen: list[tuple[str, bool]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login, auth_data.password) == (b"digest", b"s3cret-pw")
        self.seen.append((auth_data.login.decode(), ok))
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


def message(digest):
    rendered = render(digest)
    return build_message(subject=rendered.subject, text=rendered.text, html=rendered.html,
                         charts=rendered.charts, sender="listener@example.com",
                         recipients=["dirigeant@example.fr"], language=digest.language)


@pytest.fixture
def tls_server(certificate, start_smtp_server):
    logins = Logins()
    sink, port = start_smtp_server(tls_context=server_context(certificate), require_starttls=True,
                                   authenticator=logins, auth_required=True)
    return sink, logins, port


def test_starttls_with_login_delivers_a_french_digest(tls_server, certificate, digest_factory):
    sink, logins, port = tls_server
    settings = SmtpSettings("127.0.0.1", port, "starttls", "digest", "s3cret-pw", timeout=5)
    send(message(digest_factory("fr")), settings, ssl_context=client_context(certificate))
    assert logins.seen == [("digest", True)]
    (received,) = sink.messages()
    assert received["Subject"].startswith("acme-weekly : votre semaine")
    assert "Synthèse hebdomadaire" in received.get_body(("plain",)).get_content()
    assert sink.envelopes[0].rcpt_tos == ["dirigeant@example.fr"]


def test_wrong_password_is_a_clear_error_without_the_password(tls_server, certificate,
                                                              digest_factory):
    sink, _, port = tls_server
    settings = SmtpSettings("127.0.0.1", port, "starttls", "digest", "wrong-pw-123", timeout=5)
    with pytest.raises(DeliveryError) as caught:
        send(message(digest_factory("en")), settings, ssl_context=client_context(certificate))
    text = str(caught.value)
    assert text.startswith(f"SMTP 127.0.0.1:{port} (starttls): login as digest failed: 535")
    assert "wrong-pw-123" not in text and not sink.envelopes


def test_untrusted_certificate_is_refused(tls_server, digest_factory):
    _, _, port = tls_server
    settings = SmtpSettings("127.0.0.1", port, "starttls", "digest", "s3cret-pw", timeout=5)
    with pytest.raises(DeliveryError, match="STARTTLS failed: TLS error"):
        send(message(digest_factory("en")), settings)  # default trust store: self-signed fails


def test_implicit_tls(certificate, digest_factory, start_smtp_server):
    sink, port = start_smtp_server(ssl_context=server_context(certificate))
    settings = SmtpSettings("127.0.0.1", port, "ssl", timeout=5)
    send(message(digest_factory("en")), settings, ssl_context=client_context(certificate))
    assert len(sink.envelopes) == 1


def test_server_without_starttls_is_reported(smtp_server, digest_factory):
    _, port = smtp_server
    with pytest.raises(DeliveryError, match="does not offer STARTTLS"):
        send(message(digest_factory("en")), SmtpSettings("127.0.0.1", port, "starttls", timeout=5))


def test_login_over_plain_connection_when_the_server_allows_it(digest_factory,
                                                                  start_smtp_server):
    logins = Logins()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # aiosmtpd warns about AUTH without TLS: intended here
        sink, port = start_smtp_server(authenticator=logins, auth_require_tls=False)
    with Mailer(SmtpSettings("127.0.0.1", port, "none", "digest", "s3cret-pw", timeout=5)) as mailer:
        mailer.send(message(digest_factory("en")))
    assert logins.seen == [("digest", True)] and len(sink.envelopes) == 1


def test_refused_message_raises_with_the_servers_answer(smtp_server, digest_factory):
    sink, port = smtp_server
    sink.refuse = "554 5.7.1 spam"
    with pytest.raises(DeliveryError, match=r"sending failed: 554 5\.7\.1 spam"):
        send(message(digest_factory("en")), SmtpSettings("127.0.0.1", port, "none", timeout=5))


def test_message_parses_back_with_inline_images(digest_factory):
    raw = bytes(message(digest_factory("fr")))
    parsed = message_from_bytes(raw, policy=policy.default)
    html = parsed.get_body(("html",))
    cids = {part["Content-ID"].strip("<>") for part in parsed.walk()
            if part.get_content_type() == "image/png"}
    assert len(cids) == 2
    assert all(f"cid:{cid}" in html.get_content() for cid in cids)
    assert parsed["Auto-Submitted"] == "auto-generated"
