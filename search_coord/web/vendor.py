"""Serves the front-end libraries installed from the npm registry (``npm ci``), never copied into the repo."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, send_from_directory

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

#: The only folders of node_modules that are served.
ALLOWED = {
    "leaflet": "leaflet/dist",
    "geoman": "@geoman-io/leaflet-geoman-free/dist",
    "socket.io": "socket.io-client/dist",
    "noto-sans-sc": "@fontsource/noto-sans-sc",   # the print pages' CJK font, embedded in their PDFs
    # Workbox's browser builds, imported by the service worker (search_coord/web/pwa.py, static/js/offline/sw.js)
    "workbox-core": "workbox-core/build",
    "workbox-routing": "workbox-routing/build",
    "workbox-strategies": "workbox-strategies/build",
    "workbox-precaching": "workbox-precaching/build",
    "workbox-expiration": "workbox-expiration/build",
    "workbox-cacheable-response": "workbox-cacheable-response/build",
}


@bp.get("/<lib>/<path:filename>")
def asset(lib, filename):
    folder = ALLOWED.get(lib)
    if folder is None:
        abort(404)
    root = current_app.config["NODE_MODULES"]
    return send_from_directory(f"{root}/{folder}", filename, max_age=86400)
