"""run.py --https and the admin CLI: the local certificate authority and server certificate kept in the instance
folder (made once, reused, made again for a new address or near expiry, the authority kept), a real TLS handshake
with it, the addresses printed at start, and the CLI finding the same instance folder and database as the server."""
import datetime as dt
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from cryptography import x509

from search_coord.tls import ensure_certificate, lan_addresses

ROOT = Path(__file__).resolve().parents[1]


def _sans(path: Path) -> set[str]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(v) for v in san.get_values_for_type(x509.IPAddress)} | set(san.get_values_for_type(x509.DNSName))


def test_the_certificate_is_made_once_kept_private_and_reused(tmp_path):
    first = ensure_certificate(str(tmp_path), ["192.168.7.20"])
    assert first.renewed and first.ca_cert.exists() and first.cert.exists()
    assert {"127.0.0.1", "localhost", "192.168.7.20"} <= _sans(first.cert)
    assert oct((tmp_path / "tls" / "server.key").stat().st_mode & 0o777) == "0o600"
    assert oct((tmp_path / "tls" / "ca.key").stat().st_mode & 0o777) == "0o600"
    again = ensure_certificate(str(tmp_path), ["192.168.7.20"])
    assert not again.renewed and again.cert.read_bytes() == first.cert.read_bytes()
    # a new network: a new server certificate from the same authority (phones that trust it keep trusting)
    moved = ensure_certificate(str(tmp_path), ["10.0.0.5"])
    assert moved.renewed and "10.0.0.5" in _sans(moved.cert) and moved.ca_fingerprint == first.ca_fingerprint
    # near its end (397 days): made again
    later = ensure_certificate(str(tmp_path), ["10.0.0.5"], now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=380))
    assert later.renewed and later.ca_fingerprint == first.ca_fingerprint
    assert all(not a.startswith("127.") for a in lan_addresses())


def test_a_client_that_trusts_the_authority_completes_the_handshake(tmp_path):
    tls = ensure_certificate(str(tmp_path), [])

    class Hello(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"hello")

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Hello)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(str(tls.cert), str(tls.key))
    httpd.socket = server_ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.handle_request, daemon=True).start()
    client_ctx = ssl.create_default_context(cafile=str(tls.ca_cert))
    port = httpd.server_address[1]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with client_ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
            assert b"hello" in s.recv(1000) + s.recv(1000)
    httpd.server_close()


def test_the_cli_uses_the_instance_folder_it_is_given_as_run_py_does(tmp_path):
    inst = tmp_path / "inst"
    env = {**os.environ, "SEARCH_COORD_INSTANCE_PATH": str(tmp_path / "elsewhere")}
    out = subprocess.run([sys.executable, "-c", "from search_coord.cli import main; main()", "--instance", str(inst), "where"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert f"instance folder: {inst}" in out.stdout
    assert f"database: sqlite:///{inst}/search-coord.db" in out.stdout
    # without --instance: the same variable the server reads
    out = subprocess.run([sys.executable, "-c", "from search_coord.cli import main; main()", "where"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert f"instance folder: {tmp_path / 'elsewhere'}" in out.stdout
    assert "alembic" not in out.stdout


def test_run_py_https_serves_with_the_kept_certificate_and_says_only_what_matters(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "SEARCH_COORD_TILE_URL": "", "SEARCH_COORD_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    log = tmp_path / "out.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "run.py", "--https", "--port", str(port), "--instance", str(tmp_path / "inst")],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            if (tmp_path / "inst" / "tls" / "ca.crt").exists():
                try:
                    ctx = ssl.create_default_context(cafile=str(tmp_path / "inst" / "tls" / "ca.crt"))
                    with urllib.request.urlopen(f"https://localhost:{port}/login", context=ctx, timeout=2) as r:
                        assert r.status == 200
                    break
                except OSError:
                    pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        text = log.read_text()
        assert f"Open on this computer: https://127.0.0.1:{port}/" in text
        assert "Certificate authority:" in text and "SHA-256" in text
        assert f"Instance folder: {tmp_path / 'inst'}" in text and "Database: sqlite:///" in text
        for noise in ("alembic", "Serving Flask app", "development server", "Running upgrade", "GET /login"):
            assert noise not in text, noise
    finally:
        proc.terminate()
        proc.wait(timeout=10)
