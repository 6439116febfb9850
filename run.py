"""Run search-coord: one process, the embedded defaults (SQLite under the instance folder), Socket.IO in the same process.

    python run.py [--host 127.0.0.1] [--port 5000] [--https] [--instance PATH] [--demo] [--access-log]

--https serves over HTTPS with a locally made certificate kept in <instance>/tls/ (phones give positions and service
workers only to secure pages; docs/phone.md says how a phone trusts it). At start the server says where to open it
(this computer, and phones on the same network, with a QR code of the phones' address) and which instance folder and
database it uses; request lines are logged only with --access-log.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys

import flask.cli
import segno

from search_coord import create_app, socketio
from search_coord.services import demo
from search_coord.tls import ensure_certificate, lan_addresses


def _quiet_logs(access_log: bool) -> None:
    """The start-up log says what matters: no migration chatter, no development-server banner, no request lines."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.INFO if access_log else logging.ERROR)
    flask.cli.show_server_banner = lambda *args, **kwargs: None   # " * Serving Flask app ..." (we say it below)


def addresses(host: str, port: int, scheme: str) -> tuple[list[str], list[str]]:
    """(addresses for this computer, addresses for phones on the same network) to open."""
    local = [f"{scheme}://127.0.0.1:{port}/"] if host in ("127.0.0.1", "localhost", "0.0.0.0", "::") else [f"{scheme}://{host}:{port}/"]
    if host in ("0.0.0.0", "::"):
        phones = [f"{scheme}://{ip}:{port}/" for ip in lan_addresses()]
    elif host not in ("127.0.0.1", "localhost", "::1"):
        phones = [f"{scheme}://{host}:{port}/"]
    else:
        phones = []
    return local, phones


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Run the search-coord server.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1, this computer only; 0.0.0.0 lets phones in)")
    parser.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    parser.add_argument("--https", action="store_true",
                        help="serve HTTPS with a local certificate kept in <instance>/tls/ (made on first use)")
    parser.add_argument("--instance", help="instance folder (database, secret key, certificate); "
                                           "default $SEARCH_COORD_INSTANCE_PATH or ./instance")
    parser.add_argument("--demo", action="store_true", help="load the demo search and print its logins")
    parser.add_argument("--access-log", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    if args.instance:
        os.environ["SEARCH_COORD_INSTANCE_PATH"] = os.path.abspath(args.instance)
    _quiet_logs(args.access_log)
    overrides = {"SESSION_COOKIE_SECURE": True} if args.https else None
    app = create_app(overrides)
    if args.demo:
        print(demo.describe(demo.load(app.extensions["search_coord"])), flush=True)
    scheme = "https" if args.https else "http"
    local, phones = addresses(args.host, args.port, scheme)
    lines = ["search-coord is running.", f"  Open on this computer: {local[0]}"]
    ssl_context = None
    if args.https:
        tls = ensure_certificate(app.instance_path, [u.split("//")[1].rsplit(":", 1)[0] for u in phones])
        ssl_context = (str(tls.cert), str(tls.key))
        lines.append(f"  Certificate authority: {tls.ca_cert}{' (made now)' if tls.renewed else ''}")
        lines.append(f"    SHA-256 {tls.ca_fingerprint}")
        lines.append("    A phone trusts it once: docs/phone.md (download it from /ca.crt on the phone).")
    if phones:
        lines.append("  Open on phones on the same network: " + "  ".join(phones))
        if not args.https:
            lines.append("    Phones share their location only over HTTPS: start with --https.")
    else:
        lines.append("  Phones cannot reach this address: start with --host 0.0.0.0 (and --https) to let them in.")
    lines.append(f"  Instance folder: {app.instance_path}")
    lines.append(f"  Database: {app.config['DATABASE_URL']}")
    print("\n".join(lines), flush=True)
    if phones:   # the phone's camera opens it: the first address, as a QR code in the terminal
        segno.make(phones[0], micro=False).terminal(out=sys.stdout, compact=True, border=2)
        sys.stdout.flush()
    socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True, use_reloader=False,
                 ssl_context=ssl_context)


if __name__ == "__main__":
    main()
