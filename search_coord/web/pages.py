"""HTML pages. They render a shell; the data comes from the JSON API and the live stream."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlparse

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for

from ..core.errors import Forbidden
from ..services import searches, users
from ..identity import current_actor, current_user, services
from .auth import csrf_token, login, logout
from .i18n import LANGUAGES

bp = Blueprint("pages", __name__)


def page_login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user() is None:
            return redirect(url_for("pages.login_form", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapper


def _client_config() -> dict:
    cfg = current_app.config
    return {"tileUrl": cfg["TILE_URL"] or "", "tileAttribution": cfg["TILE_ATTRIBUTION"],
            "tileMaxZoom": cfg["TILE_MAX_ZOOM"], "trackSendIntervalS": cfg["TRACK_SEND_INTERVAL_S"],
            "timeZone": cfg["TIMEZONE"], "homeArea": cfg["HOME_AREA"], "csrfToken": csrf_token(), "user": current_user()}


#: The page's configuration block, for the other page blueprints (join_page).
client_config = _client_config


def _safe_next(target: str | None) -> str:
    """A local path to go on to, else the home page: no other site, no control characters (CR LF would split the
    Location header), no backslash (browsers read '/\\x' as '//x')."""
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(ch) < 32 or ord(ch) == 127 for ch in target) or urlparse(target).netloc):
        return url_for("pages.index")
    return target


@bp.get("/login")
def login_form():
    return render_template("login.html", next=request.args.get("next", ""), error=None, client=_client_config())


@bp.post("/login")
def login_submit():
    user = users.authenticate(services(), request.form.get("username"), request.form.get("password"))
    if user is None:
        return render_template("login.html", next=request.form.get("next", ""), client=_client_config(),
                               error="login_failed", username=request.form.get("username", "")), 401
    login(user)
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout_submit():
    logout()
    return redirect(url_for("pages.login_form"))


@bp.get("/lang/<code>")
def set_language(code):
    resp = make_response(redirect(_safe_next(request.args.get("next"))))
    if code in LANGUAGES:
        resp.set_cookie("lang", code, max_age=365 * 86400, samesite="Lax", httponly=True)
    return resp


@bp.get("/")
@page_login_required
def index():
    return render_template("index.html", client=_client_config(),
                           searches=searches.list_searches(services(), current_actor()))


@bp.get("/searches/new")
@page_login_required
def new_search():
    if not current_actor().is_dispatcher:
        raise Forbidden("only a dispatcher may open a search")
    return render_template("search_new.html", client=_client_config())


@bp.get("/searches/<int:search_id>")
@page_login_required
def console(search_id):
    actor = current_actor()
    search = searches.get_search(services(), actor, search_id)
    if not actor.is_dispatcher:
        return redirect(url_for("pages.field_page", search_id=search_id))
    return render_template("console.html", client=_client_config(), search=search)


@bp.get("/field/<int:search_id>")
@page_login_required
def field_page(search_id):
    search = searches.get_search(services(), current_actor(), search_id)
    return render_template("field.html", client=_client_config(), search=search)


@bp.get("/admin/users")
@page_login_required
def admin_users():
    if current_actor().role != "admin":
        raise Forbidden("only an administrator may manage accounts")
    return render_template("admin_users.html", client=_client_config())


@bp.get("/cameras")
@page_login_required
def cameras_page():
    """The camera registry: browse it a page at a time, import and export CSV or GeoJSON (dispatchers, admins)."""
    if not current_actor().is_dispatcher:
        raise Forbidden("only a dispatcher may manage the camera registry")
    return render_template("cameras.html", client=_client_config())
