"""Serves the front-end libraries installed from the npm registry (``npm ci``), never copied into the repo."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, send_from_directory

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

#: The only folders of node_modules that are served.
ALLOWED = {
    "leaflet": "leaflet/dist",
    "geoman": "@geoman-io/leaflet-geoman-free/dist",
    "socket.io": "socket.io-client/dist",
}


@bp.get("/<lib>/<path:filename>")
def asset(lib, filename):
    folder = ALLOWED.get(lib)
    if folder is None:
        abort(404)
    root = current_app.config["NODE_MODULES"]
    return send_from_directory(f"{root}/{folder}", filename, max_age=86400)
