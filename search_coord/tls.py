"""HTTPS for a station without a certificate of its own (``run.py --https``): phones give positions and service
workers only to secure pages.

A local certificate authority (10 years) and a server certificate it signs (397 days, for this computer's names and
addresses) are made with ``cryptography`` and kept in ``<instance>/tls/``; both are reused on the next start. The
server certificate is made again when it is about to expire or no longer names every address the server is reached
at (a new network); the authority stays, so a phone that trusts it once (docs/phone.md) keeps trusting the server.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
SERVER_DAYS = 397          # browsers refuse server certificates valid for longer
RENEW_BEFORE_DAYS = 30


@dataclass(frozen=True)
class TlsFiles:
    """Paths of the kept files, the authority's SHA-256 fingerprint (``AB:CD:...``) and whether the server
    certificate was made now (``renewed``)."""
    ca_cert: Path
    cert: Path
    key: Path
    ca_fingerprint: str
    renewed: bool


def lan_addresses() -> list[str]:
    """This computer's IPv4 addresses other than loopback, the one with the default route first.

    The default route's address is found by "connecting" a UDP socket (nothing is sent)."""
    found: list[str] = []
    for probe in ("10.255.255.255", "192.0.2.1"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect((probe, 1))
                found.append(s.getsockname()[0])
        except OSError:
            pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(info[4][0])
    except OSError:
        pass
    out: list[str] = []
    for a in found:
        if a not in out and not ipaddress.ip_address(a).is_loopback and not ipaddress.ip_address(a).is_unspecified:
            out.append(a)
    return out


def _write_private(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    os.chmod(path, 0o600)


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _fingerprint(cert: x509.Certificate) -> str:
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def _make_ca(folder: Path, now: dt.datetime):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"search-coord local CA ({socket.gethostname()})"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "search-coord")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    _write_private(folder / "ca.key", _key_pem(key))
    (folder / "ca.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def _names(cert: x509.Certificate) -> set[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return {str(v) for v in san.get_values_for_type(x509.IPAddress)} | set(san.get_values_for_type(x509.DNSName))


def ensure_certificate(instance_path: str, addresses: list[str], now: dt.datetime | None = None) -> TlsFiles:
    """The authority and server certificate in ``<instance>/tls/``, made or renewed as needed (see module doc).

    ``addresses``: IP addresses the server is reached at (besides 127.0.0.1, localhost and this host's name)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    folder = Path(instance_path) / "tls"
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / "ca.key").exists() and (folder / "ca.crt").exists():
        ca_key = serialization.load_pem_private_key((folder / "ca.key").read_bytes(), password=None)
        ca_cert = x509.load_pem_x509_certificate((folder / "ca.crt").read_bytes())
        if ca_cert.not_valid_after_utc - now < dt.timedelta(days=RENEW_BEFORE_DAYS):
            ca_key, ca_cert = _make_ca(folder, now)
    else:
        ca_key, ca_cert = _make_ca(folder, now)
    host = socket.gethostname()
    wanted = {"127.0.0.1", "localhost", host, *addresses}
    cert_path, key_path = folder / "server.crt", folder / "server.key"
    if cert_path.exists() and key_path.exists():
        current = x509.load_pem_x509_certificate(cert_path.read_bytes())
        fresh = current.not_valid_after_utc - now > dt.timedelta(days=RENEW_BEFORE_DAYS)
        if fresh and wanted <= _names(current) and current.issuer == ca_cert.subject:
            return TlsFiles(folder / "ca.crt", cert_path, key_path, _fingerprint(ca_cert), False)
    key = ec.generate_private_key(ec.SECP256R1())
    ips = sorted({a for a in wanted if _is_ip(a)})
    dns = sorted({a for a in wanted if not _is_ip(a)})
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"search-coord on {host}")]))
            .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(d) for d in dns]
                                                       + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    _write_private(key_path, _key_pem(key))
    # the chain: the phone is sent the server certificate and the authority that signed it
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM))
    return TlsFiles(folder / "ca.crt", cert_path, key_path, _fingerprint(ca_cert), True)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False
