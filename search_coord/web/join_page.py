"""The page a newcomer's phone opens from the QR code: /join/<token> (no login needed)."""
from __future__ import annotations

from flask import Blueprint, render_template

from .pages import client_config

bp = Blueprint("join_page", __name__)


@bp.get("/join/<token>")
def join_page(token):
    return render_template("join.html", client=client_config(), token=token)
