"""What the browser tests share: where Chromium is, the demo password, the phone's starting point, and pages logged
in as a dispatcher's desk or an officer's phone. The ``server`` fixture is in ``conftest.py``."""
from __future__ import annotations

import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from support import migrated_sqlite

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
REQUIRE = os.environ.get("SEARCH_COORD_REQUIRE_SERVICES") == "1"
PASSWORD = "demo-pass-2026"
START = (39.7712, 116.1985)  # lat, lon: Changyang, Fangshan
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--disable-sync"]


#: generous: the app's imports and the demo's evening take a few CPU seconds, but on a machine shared by several test
#: runs (load 12-14 on 2 cores) the process may wait 30 s and more for them
START_TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def app_server(tmp_path: Path, env: dict | None = None, cwd: Path = ROOT):
    """``run.py --demo`` as its own process (Socket.IO and all) with ``env`` added, from ``cwd`` (a copy of the code,
    for a release); yields its base URL once /login answers; always stopped afterwards."""
    port = free_port()
    if not (tmp_path / "instance" / "search-coord.db").exists():
        migrated_sqlite(tmp_path / "instance" / "search-coord.db")   # the app starts on a migrated copy
    full = {**os.environ, "SEARCH_COORD_INSTANCE_PATH": str(tmp_path / "instance"), "SEARCH_COORD_TILE_URL": "",
            "SEARCH_COORD_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", **(env or {})}
    log_path = tmp_path / "server.log"
    log = open(log_path, "ab")
    proc = subprocess.Popen([sys.executable, "run.py", "--port", str(port), "--demo"], cwd=cwd, env=full,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail("the server stopped:\n" + log_path.read_text(errors="replace")[-3000:])
            try:
                with urllib.request.urlopen(base + "/login", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer within {START_TIMEOUT_S} s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def unavailable(what: str):
    if REQUIRE:
        pytest.fail(f"{what} is required here (SEARCH_COORD_REQUIRE_SERVICES=1) but missing")
    pytest.skip(f"{what} missing")


def login(page, base, username):
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def desk_page(browser, base, problems, username="dispatch"):
    """A logged-in desktop page; page errors are collected in ``problems``. Returns (context, page)."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    page = ctx.new_page()
    page.on("pageerror", lambda e: problems.append(f"{username}: {e}"))
    login(page, base, username)
    return ctx, page


#: Resolves once the map (``SC.debug.map``) has not moved for 300 ms.
MAP_STILL = """() => new Promise((resolve) => {
  const map = SC.debug.map;
  const done = () => { map.off("move", again); resolve(); };
  let timer = setTimeout(done, 300);
  function again() { clearTimeout(timer); timer = setTimeout(done, 300); }
  map.on("move", again);
})"""


def wait_console_fitted(page) -> None:
    """Until the console has fitted its map to the live state and the map is still: its zoom animation over (a point
    computed or clicked before would move under the pointer)."""
    page.wait_for_function("() => SC.debug.fitted")
    page.evaluate(MAP_STILL)


def desk_with_segments(browser, base, problems):
    """The dispatcher's console on the demo search with the where-to-look layers shown and every segment drawn on the
    map's shapes canvas (map/shapes_canvas.js): the page."""
    _, page = desk_page(browser, base, problems)
    page.goto(base + "/searches/1")
    page.wait_for_function("() => SC.debug.state && SC.debug.state.search.id === 1")
    page.click("#tab-where")
    page.check("#show-where")
    page.wait_for_function("() => SC.debug.where.model && SC.debug.where.segments.size > 50", timeout=15000)
    page.wait_for_function("() => SC.debug.shapes('sc-segment').canvas === SC.debug.where.segments.size")
    wait_console_fitted(page)
    return page


def phone_page(browser, base, problems, username="patrol1"):
    """A logged-in phone (390x844, touch) allowed to share its position, starting at START. Returns (context, page)."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                              permissions=["geolocation"], locale="en-GB",
                              geolocation={"latitude": START[0], "longitude": START[1], "accuracy": 6})
    page = ctx.new_page()
    page.on("pageerror", lambda e: problems.append(f"{username}: {e}"))
    login(page, base, username)
    return ctx, page

def api_client(base: str, username: str):
    """A JSON API client logged in as ``username``: call(method, path, body=None) -> parsed answer."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    token = {"t": ""}

    def call(method, path, body=None):
        req = urllib.request.Request(base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", "X-CSRF-Token": token["t"]})
        try:
            with opener.open(req, timeout=10) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            raise AssertionError(f"{method} {path} -> {e.code}: {e.read()[:500]!r}") from None

    token["t"] = call("GET", "/api/v1/session")["csrf_token"]
    token["t"] = call("POST", "/api/v1/session", {"username": username, "password": PASSWORD})["csrf_token"]
    return call


def iso(dt: datetime) -> str:
    """A time as ISO 8601 in UTC, as the API takes it."""
    return dt.astimezone(timezone.utc).isoformat()


#: the street tests' OSM extract and a last known point on it (lon, lat: Aleksanterinkatu, Helsinki centre)
HELSINKI_OSM = ROOT.parent / "shared" / "data" / "osm" / "helsinki-centre.osm.pbf"
HELSINKI_LKP = (24.9470, 60.1688)


def street_team_search(call, team_name: str, team_kind: str) -> tuple[int, dict]:
    """A dementia search last seen 15 min ago at HELSINKI_LKP (skipped when the extract is not there; playwright
    required), patrol1 on it leading a new team; (search id, team). ``call`` is a dispatcher's ``api_client``."""
    if not HELSINKI_OSM.exists():
        pytest.skip(f"no {HELSINKI_OSM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("playwright")
    officer = next(u for u in call("GET", "/api/v1/users?role=officer") if u["username"] == "patrol1")
    sid = call("POST", "/api/v1/searches", {
        "subject": {"name": "Aino Virtanen", "age": 81, "sex": "female", "category": "dementia"},
        "lkp": {"type": "Point", "coordinates": list(HELSINKI_LKP)},
        "lkp_time": iso(datetime.now(timezone.utc) - timedelta(minutes=15)), "risk": "high"})["id"]
    call("POST", f"/api/v1/searches/{sid}/members", {"user_id": officer["id"]})
    team = call("POST", f"/api/v1/searches/{sid}/teams", {"name": team_name, "kind": team_kind,
                                                          "leader_id": officer["id"]})
    return sid, team


def load_helsinki_layer(page, base: str) -> None:
    """Load HELSINKI_OSM as the street layer through the API, from a logged-in dispatcher's ``page``."""
    token = page.request.get(f"{base}/api/v1/session").json()["csrf_token"]
    r = page.request.post(f"{base}/api/v1/streets/layers", headers={"X-CSRF-Token": token}, multipart={
        "file": {"name": HELSINKI_OSM.name, "mimeType": "application/octet-stream", "buffer": HELSINKI_OSM.read_bytes()}})
    assert r.status == 201, r.text()


def street_desk(browser, base: str, problems: list, team_name: str, team_kind: str):
    """A dispatcher's API client and logged-in desk page with HELSINKI_OSM loaded as the street layer, and a
    ``street_team_search`` with a team ``team_name`` of ``team_kind``: (call, search id, team, context, page)."""
    call = api_client(base, "dispatch")
    sid, team = street_team_search(call, team_name, team_kind)
    ctx, page = desk_page(browser, base, problems)
    load_helsinki_layer(page, base)
    return call, sid, team, ctx, page


def open_search(call, name: str, officer_id: int) -> int:
    """A dementia search last seen 50 min ago at the phone's starting point, with ``officer_id`` on it; its id.
    ``call`` is a dispatcher's ``api_client``."""
    sid = call("POST", "/api/v1/searches", {
        "subject": {"name": name, "age": 70, "sex": "female", "category": "dementia"},
        "lkp": {"type": "Point", "coordinates": [START[1], START[0]]},
        "lkp_time": iso(datetime.now(timezone.utc) - timedelta(minutes=50)), "risk": "high"})["id"]
    call("POST", f"/api/v1/searches/{sid}/members", {"user_id": officer_id})
    return sid
