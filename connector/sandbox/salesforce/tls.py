"""A self-signed certificate, made at start, for 127.0.0.1 and localhost.

simple-salesforce only speaks https; clients trust this certificate through
the ``ca_bundle`` file (``requests.Session.verify`` or ``REQUESTS_CA_BUNDLE``).
"""

from __future__ import annotations

import ipaddress
import ssl
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CERTIFICATE_VALIDITY_DAYS = 30
CERTIFICATE_FILE_NAME = "emulator-ca.pem"
KEY_FILE_NAME = "emulator-key.pem"


def make_certificate(directory: Path, *, hostnames: tuple[str, ...] = ()) -> tuple[Path, Path]:
    """Write a fresh key and self-signed certificate; returns (certificate, key) paths.

    ``hostnames`` are extra DNS names the certificate is valid for (e.g. a
    docker-compose service name), beside 127.0.0.1 and localhost.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Salesforce org emulator")])
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=CERTIFICATE_VALIDITY_DAYS))
        .add_extension(x509.SubjectAlternativeName([
            x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")), x509.DNSName("localhost"),
            *(x509.DNSName(name) for name in hostnames if name not in ("localhost", "127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / CERTIFICATE_FILE_NAME, directory / KEY_FILE_NAME
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return cert_path, key_path


def server_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context
