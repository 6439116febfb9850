"""Layered configuration: defaults here, then ``<instance>/config.py``, then ``SEARCH_COORD_*`` environment
variables, then the overrides passed to ``create_app`` (tests). Nothing is read at import time."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULTS = {
    # SQLite file under the instance folder unless SEARCH_COORD_DATABASE_URL says otherwise.
    "DATABASE_URL": None,
    "SECRET_KEY": None,
    # How long a SQLite writer waits for the lock before the request fails with a retryable 503.
    "SQLITE_BUSY_TIMEOUT_MS": 10_000,
    # Socket.IO: "threading" serves WebSockets from the same process with simple-websocket, no other server.
    "SOCKETIO_ASYNC_MODE": "threading",
    # Redis URL for several processes (scale-out); None for one process.
    "SOCKETIO_MESSAGE_QUEUE": None,
    # Redis pub/sub channel shared by the processes of one deployment.
    "SOCKETIO_CHANNEL": "search-coord",
    # Map tiles: a police intranet has its own server. Empty = plain background.
    "TILE_URL": "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
    "TILE_ATTRIBUTION": "&copy; OpenStreetMap contributors",
    "TILE_MAX_ZOOM": 19,
    # Phones keep the search area's tiles for use with no network (static/js/offline/tiles.js): at most this many MB,
    # this far round the last known point (plus assignments, clues...), at these zooms; 0 MB: none fetched ahead.
    # Only for tile servers whose terms allow it (a self-hosted one does; tile.openstreetmap.org's never, docs/phone.md).
    "TILE_CACHE_MB": 30,
    "TILE_CACHE_RADIUS_M": 2000,
    "TILE_CACHE_ZOOMS": [13, 17],
    # The tile server sends CORS headers (OpenStreetMap's and most do): phones can then keep the tiles they showed.
    "TILE_CORS": True,
    # Geocoder: None (off), or a geopy service name such as "nominatim".
    "GEOCODER": None,
    "GEOCODER_OPTIONS": {},
    "GEOCODER_USER_AGENT": "search-coord",
    # Cookies: set SESSION_COOKIE_SECURE when served over HTTPS (phones need HTTPS for geolocation).
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,
    # Whole requests (photos included) are capped; JSON bodies have their own smaller cap.
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    "MAX_JSON_BYTES": 1024 * 1024,
    # A camera registry file (CSV or GeoJSON) may be larger: a district's own export of tens of thousands of cameras.
    "CAMERA_IMPORT_MAX_BYTES": 64 * 1024 * 1024,
    "PASSWORD_HASH_METHOD": "scrypt",
    # Login throttle (web/account.py): failed logins allowed per account name and per client address, as
    # Flask-Limiter strings; beyond them a 429 says when to try again. Counters in RATELIMIT_STORAGE_URI when set,
    # else in Redis when SOCKETIO_MESSAGE_QUEUE is Redis (every process shares them), else in this process's memory.
    "LOGIN_LIMIT_PER_ACCOUNT": "10 per 15 minutes",
    "LOGIN_LIMIT_PER_ADDRESS": "50 per 15 minutes",
    "RATELIMIT_STORAGE_URI": None,
    # Reverse proxies in front of the app that set X-Forwarded-For and -Proto (nginx in docs/deploy.md: 1). With 0
    # those headers are ignored and the client address is the connection's; with N, werkzeug's ProxyFix trusts the
    # last N hops, so the login throttle and the logs see each client's own address, not the proxy's.
    "PROXY_FIX": 0,
    # With a message queue (several processes), each process checks its sockets' sessions this often (seconds) and
    # cuts those whose session has ended elsewhere (sockets/sessions.py); in one process they are cut at once.
    "SESSION_CHECK_INTERVAL_S": 0.5,
    # Phone tracking: how often the page sends its batch of fixes, in seconds.
    "TRACK_SEND_INTERVAL_S": 1.0,
    # Phones' track batches are stored in groups (one transaction for those waiting, a savepoint each:
    # services/ingest.py); false stores each in a transaction of its own.
    "TRACK_GROUP_COMMIT": True,
    # Phones get other units' positions coalesced at most this often (dispatchers get every batch at once).
    "FIELD_POSITIONS_INTERVAL_S": 5.0,
    # Presence shared through Redis (when the message queue is Redis): a connection not refreshed for PRESENCE_TTL_S
    # (its process died) is dropped and announced offline; each process refreshes its own every PRESENCE_HEARTBEAT_S.
    "PRESENCE_TTL_S": 30.0,
    "PRESENCE_HEARTBEAT_S": 10.0,
    "DEFAULT_LANGUAGE": "en",
    # The station's time zone (IANA name): every page shows times in it, whatever zone a phone or browser is set to.
    "TIMEZONE": "Asia/Shanghai",
    # Where the new-search map opens when no search was opened yet: [lon, lat] and a zoom (the station's home area).
    "HOME_AREA": None,
    # The escalation checklist (JSON file: [{id, after_min?, condition?, text_en, text_zh}]); None: the defaults in
    # services/urgency.py.
    "ESCALATION_CHECKLIST": None,
    # A weather adapter (object with now(lon, lat) -> {temperature_c, low_tonight_c} or None); None: entered by hand.
    "WEATHER_ADAPTER": None,
    "NODE_MODULES": None,
    # Bytes of photos one user may store over any 24 hours (413 beyond); None for no quota.
    "PHOTO_QUOTA_BYTES_PER_DAY": 500 * 1024 * 1024,
}


def load(app, overrides: dict | None) -> None:
    """Fill ``app.config`` in layers and settle the derived values (database URL, secret key)."""
    app.config.update(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SEARCH_COORD")
    if overrides:
        app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "search-coord.db")
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    proxies = app.config["PROXY_FIX"]
    if isinstance(proxies, bool) or not isinstance(proxies, int) or not 0 <= proxies <= 10:
        raise ValueError(f"PROXY_FIX must be the number of trusted reverse proxies (0 to 10), not {proxies!r}")
    if not app.config["NODE_MODULES"]:
        app.config["NODE_MODULES"] = str(Path(app.root_path).parent / "node_modules")


def _instance_secret(path: Path) -> str:
    """A random key kept in the instance folder, so sessions survive restarts without a configured secret."""
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key)
    os.chmod(path, 0o600)
    return key
