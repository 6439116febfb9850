"""Printable pages (A4): the assignment briefing sheets, the missing-person flyer (and its PNG), the after-action
report; and the replay of a search from its log (a page of the console). Each is a whole document rendered on the server (maps as inline SVG from the search's own data); the
browser prints it, or saves it as PDF with the CJK font served from npm (@fontsource/noto-sans-sc) embedded."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from ..core import record
from ..core.errors import Forbidden, ValidationError
from ..core.fields import MAX_ID, parse_int
from ..identity import current_actor, current_user, services
from ..services import report, report_flyer, report_sheets, searches
from ..services.report_text import say
from .auth import csrf_token
from .i18n import current_language
from .pages import page_login_required

bp = Blueprint("print_pages", __name__)


def _tz():
    return record.zone(current_app.config.get("TIMEZONE", "Asia/Shanghai"))


def _both(key: str, **params) -> str:
    """A label in both languages, the page's own first ("Team / 小组")."""
    first = current_language()
    other = "en" if first == "zh-CN" else "zh-CN"
    a, b = say(first, key, params), say(other, key, params)
    return a if a == b else f"{a} / {b}"


def _id_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return parse_int(raw, 1, MAX_ID)
    except ValueError as exc:
        raise ValidationError({name: str(exc)}) from None


def _station() -> dict:
    cfg = current_app.config
    return {"name": cfg.get("STATION_NAME") or "", "header": cfg.get("STATION_HEADER") or "",
            "phone": cfg.get("STATION_PHONE") or ""}


@bp.get("/searches/<int:search_id>/print/assignments")
@page_login_required
def briefing_sheets(search_id):
    """One A4 briefing sheet per assignment (``?assignment=<id>`` for one)."""
    data = report_sheets.briefing(services(), current_actor(), search_id, _tz(), _id_arg("assignment"))
    return render_template("print_briefing.html", data=data, bi=_both, station=_station(), kind="briefing")


def _flyer_data(search_id):
    contact = request.args.get("contact") or _station()["phone"] or None
    link = request.args.get("link") or current_app.config.get("FLYER_LINK") or None
    return report_sheets.flyer(services(), current_actor(), search_id, _tz(), contact, link)


@bp.get("/searches/<int:search_id>/print/flyer")
@page_login_required
def flyer_page(search_id):
    """The missing-person flyer (A4), ``?contact=<number>&link=<url>`` choosing what it and its QR code say."""
    return render_template("print_flyer.html", data=_flyer_data(search_id), bi=_both, station=_station(),
                           kind="flyer")


@bp.get("/searches/<int:search_id>/flyer.png")
@page_login_required
def flyer_image(search_id):
    """The flyer as a PNG image to share in a chat group (same arguments as the page)."""
    svc = services()
    data = _flyer_data(search_id)
    photo = report_sheets.photo_bytes(svc, search_id, data["search"]["subject"].get("photo_id"))
    png = report_flyer.flyer_png(data, photo, report_flyer.find_font(current_app.config.get("FLYER_FONT")))
    resp = Response(png, mimetype="image/png")
    resp.headers["Content-Disposition"] = f'inline; filename="flyer-search-{search_id}.png"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/searches/<int:search_id>/print/report")
@page_login_required
def report_page(search_id):
    """The after-action report, built from the event log (dispatchers)."""
    data = report.build(services(), current_actor(), search_id, _tz(), current_language())
    return render_template("print_report.html", data=data, bi=_both, station=_station(), kind="report")


@bp.get("/searches/<int:search_id>/replay")
@page_login_required
def replay_page(search_id):
    """The replay: a time slider that walks the search from its event log (dispatchers)."""
    actor = current_actor()
    if not actor.is_dispatcher:
        raise Forbidden("only a dispatcher may replay a search")
    search = searches.get_search(services(), actor, search_id)
    cfg = current_app.config
    client = {"tileUrl": cfg["TILE_URL"] or "", "tileAttribution": cfg["TILE_ATTRIBUTION"],
              "tileMaxZoom": cfg["TILE_MAX_ZOOM"], "timeZone": cfg.get("TIMEZONE", "Asia/Shanghai"),
              "csrfToken": csrf_token(), "user": current_user()}
    return render_template("replay.html", client=client, search=search)
