"""search-coord: missing-person search coordination."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Flask is imported only when an app is built, so ``search_coord.core`` stays pure.
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["create_app", "socketio"]


def __getattr__(name):
    if name == "socketio":
        from .extensions import socketio

        return socketio
    raise AttributeError(name)


def create_app(config: dict | None = None) -> "Flask":
    """Build the app: layered config, database and services, blueprints, error handlers, Socket.IO."""
    from flask import Flask

    from . import config as _config

    instance = (config or {}).get("INSTANCE_PATH") or os.environ.get("SEARCH_COORD_INSTANCE_PATH") or str(ROOT / "instance")
    app = Flask(__name__, instance_path=os.path.abspath(instance), instance_relative_config=True,
                static_folder=str(ROOT / "static"), template_folder=str(ROOT / "templates"))
    _config.load(app, config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    register_services(app)
    register_blueprints(app)
    register_accounts(app)
    register_socketio(app)
    register_proxy_fix(app)
    register_cli(app)
    return app


def register_services(app: "Flask") -> None:
    from .adapters import schema
    from .adapters.db import make_engine, make_session_factory
    from .adapters.geocoder import GeopyGeocoder
    from .adapters.publisher import SocketIOPublisher
    from .extensions import socketio
    from .services.context import Services

    engine = make_engine(app.config["DATABASE_URL"], busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"])
    if app.config.get("AUTO_MIGRATE", True):
        schema.upgrade(engine)
    geocoder = app.config.get("GEOCODER_ADAPTER")
    if geocoder is None and app.config.get("GEOCODER"):
        geocoder = GeopyGeocoder(app.config["GEOCODER"], user_agent=app.config["GEOCODER_USER_AGENT"],
                                 **(app.config.get("GEOCODER_OPTIONS") or {}))
    publisher = app.config.get("PUBLISHER") or SocketIOPublisher(socketio, app.config["FIELD_POSITIONS_INTERVAL_S"])
    svc = Services(write=make_session_factory(engine), read=make_session_factory(engine, readonly=True),
                   publisher=publisher, geocoder=geocoder, password_method=app.config["PASSWORD_HASH_METHOD"])
    if engine.dialect.name == "sqlite":
        import threading

        svc.write_lock = threading.RLock()
    if app.config.get("CLOCK"):
        svc.clock = app.config["CLOCK"]
    if app.config.get("TRACK_GROUP_COMMIT"):
        from .services.ingest import TrackWriter

        svc.track_writer = TrackWriter(svc)
    if not app.config.get("RECOMPUTE_INLINE"):
        svc.background = _background_runner()
    app.extensions["search_coord"] = svc
    app.extensions["search_coord_engine"] = engine


def _background_runner():
    """One worker thread for recomputations, so a long one never holds a request; failures are logged."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-coord-background")
    log = logging.getLogger("search_coord.background")

    def run(fn, *args):
        def guarded():
            try:
                fn(*args)
            except Exception:  # noqa: BLE001 - a background failure must be visible, never silent
                log.exception("background task %s failed", getattr(fn, "__name__", fn))
        return pool.submit(guarded)
    return run


def register_blueprints(app: "Flask") -> None:
    from .web import register_web

    register_web(app)


def register_accounts(app: "Flask") -> None:
    """The change-password page and gate, and the login throttle (Flask-Limiter), after the other blueprints."""
    from .web import account

    account.register(app)


def register_socketio(app: "Flask") -> None:
    from .extensions import socketio
    from .sockets import LiveNamespace, handle_error
    from .sockets.packet import JsonPacket

    # async_handlers=False: a message is handled on its connection's own reader thread (threading mode: one per
    # websocket, one per polling POST) instead of a new thread per message; one client's slow message (a batch
    # waiting for its group commit) holds up only that client's next messages. JsonPacket: no binary search of
    # every outgoing payload (sockets/packet.py).
    socketio.init_app(app, async_mode=app.config["SOCKETIO_ASYNC_MODE"],
                      message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"), channel=app.config["SOCKETIO_CHANNEL"],
                      manage_session=False, async_handlers=False, serializer=JsonPacket,
                      max_http_buffer_size=app.config["MAX_JSON_BYTES"])
    from .sockets.sessions import SessionSockets

    svc = app.extensions["search_coord"]
    registry = SessionSockets(socketio, svc, app.config["SESSION_CHECK_INTERVAL_S"],
                              sweep=bool(app.config.get("SOCKETIO_MESSAGE_QUEUE")))
    app.extensions["search_coord_session_sockets"] = registry
    svc.on_sessions_ended = registry.end_user
    if not any(ns.namespace == "/live" for ns in socketio.namespace_handlers):
        socketio.on_namespace(LiveNamespace("/live"))
        socketio.on_error("/live")(handle_error)


def register_proxy_fix(app: "Flask") -> None:
    """Behind ``PROXY_FIX`` trusted reverse proxies, take the client's address (and scheme) from the
    X-Forwarded-For and -Proto headers they set; wrapped outermost, so Socket.IO and every request see the same
    address. With 0 (the default) the headers are ignored: a client could forge them."""
    proxies = app.config["PROXY_FIX"]
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def register_cli(app: "Flask") -> None:
    from .cli import register

    register(app)
