"""Run search-coord: one process, the embedded defaults (SQLite under instance/), Socket.IO in the same process.

    python run.py [--host 127.0.0.1] [--port 5000] [--demo]
"""
from __future__ import annotations

import argparse

from search_coord import create_app, socketio


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Run the search-coord server.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    parser.add_argument("--demo", action="store_true", help="load the demo search and print its logins")
    args = parser.parse_args(argv)
    app = create_app()
    if args.demo:
        from search_coord.services import demo

        print(demo.describe(demo.load(app.extensions["search_coord"])), flush=True)
    print(f"search-coord on http://{args.host}:{args.port}  (database: {app.config['DATABASE_URL']})", flush=True)
    socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True, use_reloader=False)


if __name__ == "__main__":
    main()
