"""In Chromium, on a phone (390x844, touch, emulated position): the field page is installable (manifest, service
worker) and opens with no network. Online first, with a local tile server: the search area's tiles are kept. Then
the network goes (``context.set_offline(True)``) and the page is reloaded: it shows the subject, the map with the
kept tiles, the team's assignment, the other units' last positions and the "offline since" banner; the officer walks,
reports a clue with a photo and marks the assignment searched. When the network is back the desk has all of it,
once each and in the order it was done, and the banner goes. Prints the first-load and offline-load times, the app
shell's size and the tile cache's size."""
from __future__ import annotations

import time

import pytest
import requests
from browser_helpers import CHROME_ARGS, CHROMIUM, PASSWORD, START, api_client, app_server, phone_page
from offline_support import TileServer, wait_cached
from PIL import Image

pytestmark = pytest.mark.browser


def _walk(phone, field, steps: int) -> None:
    """Share the position, walk north ~22 m a step, then stop sharing (the fixes go into the outbox)."""
    field.locator("#share-btn").tap()
    field.wait_for_function("() => SC.debug.tracker.sharing")
    for k in range(1, steps + 1):
        phone.set_geolocation({"latitude": START[0] + 0.0002 * k, "longitude": START[1], "accuracy": 6})
        field.wait_for_function(f"() => SC.debug.tracker.last && Math.abs(SC.debug.tracker.last.lat - {START[0] + 0.0002 * k}) < 1e-7",
                                timeout=8000)
    field.locator("#share-btn").tap()
    field.wait_for_function("() => !SC.debug.tracker.sharing && SC.debug.tracker.queue.length === 0", timeout=8000)


def _subject_photo(base: str, path) -> None:
    """The dispatcher gives the demo search's subject a photo (multipart upload, then the search's subject)."""
    web = requests.Session()
    token = web.get(base + "/api/v1/session").json()["csrf_token"]
    token = web.post(base + "/api/v1/session", json={"username": "dispatch", "password": PASSWORD},
                     headers={"X-CSRF-Token": token}).json()["csrf_token"]
    with open(path, "rb") as f:
        r = web.post(base + "/api/v1/photos", files={"photo": ("face.jpg", f, "image/jpeg")}, data={"search_id": "1"},
                     headers={"X-CSRF-Token": token})
    assert r.status_code == 201, r.text
    r = web.patch(base + "/api/v1/searches/1", json={"subject": {"photo_id": r.json()["id"]}}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200, r.text


def test_the_field_page_opens_offline_and_the_desk_gets_everything_once_in_order(tmp_path, pw):
    tiles = TileServer()
    photo = tmp_path / "shoe.jpg"
    Image.new("RGB", (640, 480), (120, 80, 40)).save(photo, quality=80)
    face = tmp_path / "face.jpg"
    Image.new("RGB", (300, 400), (200, 170, 140)).save(face, quality=80)
    env = {"SEARCH_COORD_TILE_URL": tiles.url, "SEARCH_COORD_TILE_CACHE_MB": "4",
           "SEARCH_COORD_TILE_CACHE_RADIUS_M": "800", "SEARCH_COORD_TILE_CACHE_ZOOMS": "[13, 16]"}
    problems: list[str] = []
    try:
        with app_server(tmp_path, env) as base:
            disp = api_client(base, "dispatch")
            patrol1 = {u["username"]: u for u in disp("GET", "/api/v1/users")}["patrol1"]["id"]
            _subject_photo(base, face)
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
            try:
                phone, field = phone_page(browser, base, problems)
                started = time.monotonic()
                field.goto(base + "/field/1")
                field.wait_for_function("() => SC.debug.state && SC.debug.state.search.id === 1")
                first_load = time.monotonic() - started

                # --- installable: a manifest with icons, a service worker controlling the page ------------------
                manifest = field.evaluate("fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())")
                assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
                assert {"192x192", "512x512"} <= {i["sizes"] for i in manifest["icons"]}
                assert any(i["purpose"] == "maskable" for i in manifest["icons"])
                field.wait_for_function("() => navigator.serviceWorker.controller && document.body.dataset.swVersion",
                                        timeout=20000)
                shell = field.evaluate("""async () => {
                    const keys = await caches.keys();
                    const shell = keys.find(k => k.startsWith('sc-shell'));
                    let bytes = 0, n = 0;
                    const c = await caches.open(shell);
                    for (const req of await c.keys()) { bytes += (await (await c.match(req)).blob()).size; n += 1; }
                    return {bytes, n};
                }""")
                assert shell["n"] > 50
                # the page, the enum lists and the area's tiles are kept
                photo_url = field.get_attribute("#subject-body img.subject-photo", "src")
                wait_cached(field, "/field/1", "/api/v1/meta", photo_url)
                field.wait_for_function("() => SC.debug.tiles.stats.searchCount > 0 && !SC.debug.tiles.running", timeout=30000)
                stats = field.evaluate("SC.debug.tiles.stats")
                assert stats["searchCount"] == stats["wanted"] or stats["full"], stats
                assert stats["bytes"] <= 4 * 1024 * 1024
                asked_online = len(tiles.requests)
                # a broadcast the officer has not acknowledged yet
                disp("POST", "/api/v1/searches/1/broadcasts", {"kind": "other", "text": "All units: check the bus shelters"})
                field.wait_for_selector("#broadcast-alert[open]", timeout=10000)
                field.wait_for_function("() => SC.debug.offline.saved && SC.debug.offline.saved.broadcasts >= 1")

                # --- no network: reload ---------------------------------------------------------------------
                phone.set_offline(True)
                started = time.monotonic()
                field.reload()
                field.wait_for_function("() => SC.debug.state && SC.debug.state.search.id === 1")
                offline_load = time.monotonic() - started
                field.wait_for_function("() => document.body.dataset.offline === '1'")
                banner = field.inner_text("#offline-banner")
                assert "Offline since" in banner and "what this phone last knew" in banner
                # the broadcast is still there to acknowledge (the acknowledgement waits in the outbox)
                field.wait_for_selector("#broadcast-alert[open]", timeout=10000)
                assert "check the bus shelters" in field.inner_text("#bc-text")
                field.locator("#bc-ack").tap()
                field.wait_for_selector("#broadcast-alert", state="hidden")
                assert "Zhang Guilin" in field.inner_text("#subj-name")
                field.wait_for_function("() => { const i = document.querySelector('#subject-body img.subject-photo');"
                                        " return i && i.complete && i.naturalWidth > 0; }", timeout=10000)
                assert "Compound" in field.inner_text("#my-assignments")
                field.locator("#units-card summary").tap()
                assert "ago" in field.inner_text("#units-list")
                field.wait_for_function("""() => {
                    const imgs = [...document.querySelectorAll('#map img.leaflet-tile-loaded')];
                    return imgs.length >= 4 && imgs.every(i => i.naturalWidth === 256);
                }""", timeout=10000)
                assert len(tiles.requests) == asked_online    # nothing reached the tile server
                field.screenshot(path=str(tmp_path / "offline.png"))

                # --- the officer works on: walks, a clue with a photo, the assignment searched ------------------
                _walk(phone, field, 3)
                field.locator("#clue-btn").tap()
                field.fill("#clue-dialog-text", "Left shoe by the boiler room door")
                field.set_input_files("#clue-dialog-photo", str(photo))
                field.locator("#clue-dialog button[type=submit]").tap()
                field.wait_for_selector("#clue-dialog", state="hidden", timeout=8000)
                field.locator("#my-assignments .mark-searched").first.tap()
                field.locator("dialog[open] textarea").fill("60")
                field.locator("dialog[open] button[type=submit]").tap()
                field.wait_for_function("() => document.querySelectorAll('dialog[open]').length === 0", timeout=8000)
                # the dialog closes before the outbox has stored the item (IndexedDB is asynchronous)
                field.wait_for_function("() => SC.debug.outbox.items.some(i => i.kind === 'area')", timeout=8000)
                waiting = field.evaluate("""() => SC.debug.outbox.items.filter(i => i.state !== 'failed')
                    .map(i => ({kind: i.kind, n: i.kind === 'track' ? i.body.points.length : 1}))""")
                kinds = [w["kind"] for w in waiting]
                assert kinds[-3:] == ["clue", "photo", "area"] and "track" in kinds, kinds
                fixes = sum(w["n"] for w in waiting if w["kind"] == "track")
                assert fixes >= 3
                before = disp("GET", "/api/v1/searches/1/events?newest=1&limit=1")["events"][-1]["seq"]

                # --- the network is back ---------------------------------------------------------------------
                phone.set_offline(False)
                field.wait_for_function("() => document.body.dataset.outboxWaiting === '0' && SC.debug.outbox.items.length === 0",
                                        timeout=30000)
                field.wait_for_function("() => document.body.dataset.offline === '' && document.body.dataset.live === 'on'",
                                        timeout=30000)
                events = disp("GET", f"/api/v1/searches/1/events?after={before}&limit=1000")["events"]
                mine = [e for e in events if (e.get("actor") or {}).get("id") == patrol1]
                order = [e["type"] for e in mine]
                assert order.index("clue.reported") > max(i for i, k in enumerate(order) if k == "track.points"), order
                assert order.index("area.searched") > order.index("clue.reported"), order
                state = disp("GET", "/api/v1/searches/1/state")
                clues = [c for c in state["clues"] if c["text"] == "Left shoe by the boiler room door"]
                assert len(clues) == 1 and clues[0]["photo_id"], clues
                assert sum(1 for a in state["searched_areas"] if a["marked_by"] == patrol1) == 1
                walked = [p for p in state["tracks"][str(patrol1)] if p[1] > START[0] + 0.0001]
                assert len(walked) == len({p[2] for p in walked}) >= 3     # each fix once
                assert sum(1 for e in mine if e["type"] == "clue.reported") == 1
                assert "broadcast.acked" in order and order.index("broadcast.acked") < order.index("clue.reported")
                # the page followed on from its sequence number: it has what the desk has
                field.wait_for_function(f"() => SC.debug.state.appliedSeq >= {events[-1]['seq']}", timeout=10000)
                # the area grows (an assignment 3 km east): the phone fetches the tiles it does not have yet
                wanted_before = field.evaluate("SC.debug.tiles.stats.wanted")
                asked = len(tiles.requests)
                lon, lat = START[1] + 0.035, START[0]
                square = {"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.003, lat], [lon + 0.003, lat + 0.003],
                                                              [lon, lat + 0.003], [lon, lat]]]}
                disp("POST", "/api/v1/searches/1/assignments", {"title": "Farm market", "kind": "area", "geometry": square})
                field.wait_for_function(f"() => SC.debug.tiles.stats.wanted > {wanted_before} && !SC.debug.tiles.running",
                                        timeout=30000)
                assert len(tiles.requests) > asked
                assert field.evaluate("SC.debug.tiles.stats.bytes") <= 4 * 1024 * 1024
                assert not problems, problems
                print(f"\nfirst load {first_load * 1000:.0f} ms, offline load {offline_load * 1000:.0f} ms (phone viewport); "
                      f"app shell {shell['n']} files {shell['bytes'] / 1024:.0f} KiB; tile cache {stats['searchCount']} tiles "
                      f"{stats['searchBytes'] / 1024:.0f} KiB (of {stats['wanted']} wanted, budget 4 MB)")
            finally:
                browser.close()
    finally:
        tiles.close()
