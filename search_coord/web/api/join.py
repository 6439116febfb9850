"""Joining a search by a QR code: the dispatcher's links (made, listed, revoked), newcomers approved or refused,
officers added on the spot; the newcomer's side (the link's preview, joining, their own state)."""
from __future__ import annotations

import segno
from flask import request

from ...identity import current_actor, services
from ...services import join, users
from ..auth import login
from .common import body, bp


def _with_qr(link: dict) -> dict:
    """The link's address on this server and its QR code (segno, a PNG data: URI: the pages show data: images of
    raster types only, lib/dom.js safeUrl)."""
    url = request.host_url.rstrip("/") + "/join/" + link["token"]
    qr = segno.make(url, error="m")
    return {**link, "url": url, "qr_png": qr.png_data_uri(scale=6, border=2)}


@bp.post("/searches/<int:search_id>/join-links")
def join_link_create(search_id):
    return _with_qr(join.create_link(services(), current_actor(), search_id, body())), 201


@bp.get("/searches/<int:search_id>/join-links")
def join_link_list(search_id):
    return join.list_links(services(), current_actor(), search_id)


@bp.post("/searches/<int:search_id>/join-links/<int:link_id>/revoke")
def join_link_revoke(search_id, link_id):
    return join.revoke_link(services(), current_actor(), search_id, link_id)


@bp.post("/searches/<int:search_id>/guests/<int:user_id>/decision")
def join_guest_decision(search_id, user_id):
    return join.decide(services(), current_actor(), search_id, user_id, body())


@bp.post("/searches/<int:search_id>/officers")
def officer_add_on_the_spot(search_id):
    return join.add_officer(services(), current_actor(), search_id, body(), users.create_user), 201


@bp.get("/join/<token>")
def join_preview(token):
    return join.preview(services(), token)


@bp.post("/join/<token>")
def join_submit(token):
    user = join.join(services(), token, body())
    guest = user.pop("guest")
    login(user)   # the newcomer's phone is now this account's only session
    return {"user": user, "guest": guest}, 201


@bp.get("/join-status")
def join_status():
    return join.my_status(services(), current_actor())
