"""Benchmark (run by hand, never a test): a district's camera registry in the app and in Chromium.

For each registry size (``--cameras``: 5,000 / 20,000 / 50,000 cameras within 6 km of the demo search's last known
point, written straight into a demo server's database), reported:

- the video panel's read over HTTP (GET /searches/1/video): time and bytes;
- the viewport query over HTTP (GET /cameras/area, a 1366x900 map centred on the last known point) at several
  zooms, every page: time, mode (cameras or cells), items;
- in Chromium (1366x900), the Cameras page and the console's Video tab: time from navigation to the view drawn,
  then frame intervals (requestAnimationFrame deltas) while the map is panned by animated ``map.panBy`` steps of
  160 px, each followed by the debounced refetch of the view and its redraw (p50 / p95 / max), and the JS heap.

The import of 50,000 rows is timed by bench/video.py (--import-rows).

    .venv/bin/python bench/cameras_browser.py [--cameras 5000 20000 50000] [--zoom 16] [--steps 24]
"""
from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
from procs import Server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LKP = (116.1985, 39.7712)      # the demo search's last known point
PAN = """async ([steps, pause]) => {
  const map = %s;
  const deltas = [];
  let last = performance.now(), run = true;
  const tick = (t) => { deltas.push(t - last); last = t; if (run) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  for (let i = 0; i < steps; i++) {
    map.panBy([i %% 2 ? -160 : 160, (i %% 3 - 1) * 80], { animate: true, duration: 0.25 });
    await new Promise((r) => setTimeout(r, pause));
  }
  run = false;
  return deltas.slice(1);
}"""


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


def fill(tmp: Path, n: int, seed: int = 11) -> None:
    from sqlalchemy import insert

    from search_coord.adapters.db import make_engine
    from search_coord.adapters.models import Camera

    rnd = random.Random(seed)
    now = datetime.utcnow()
    rows = []
    for i in range(n):
        r, a = 6000 * math.sqrt(rnd.random()), rnd.uniform(0, 2 * math.pi)
        rows.append({"code": f"K{i:06d}", "name": f"Camera {i}", "lon": LKP[0] + r * math.sin(a) / 85_600,
                     "lat": LKP[1] + r * math.cos(a) / 111_000, "kind": "public_security",
                     "direction_deg": rnd.uniform(0, 360), "fov_deg": 70, "range_m": 40, "retention_days": 30,
                     "clock_offset_s": 0.0, "covers_exit": False, "active": True, "created_by": 1,
                     "created_at": now, "updated_at": now, "version": 1})
    engine = make_engine(f"sqlite:///{tmp / 'instance' / 'search-coord.db'}")
    with engine.begin() as conn:
        for start in range(0, n, 10_000):
            conn.execute(insert(Camera), rows[start:start + 10_000])
    engine.dispose()


def view_box(zoom: int) -> str:
    deg = 360.0 / (256 * 2 ** zoom)
    half_lon, half_lat = 1366 * deg / 2, 900 * deg * math.cos(math.radians(LKP[1])) / 2
    return f"{LKP[0] - half_lon},{LKP[1] - half_lat},{LKP[0] + half_lon},{LKP[1] + half_lat}"


def http_figures(server: Server, zooms: list[int]) -> None:
    disp = server.login("dispatch", "demo-pass-2026")
    best, size = math.inf, 0
    for _ in range(3):
        t = time.perf_counter()
        r = disp.http.get(f"{server.url}/api/v1/searches/1/video", headers={"Accept-Encoding": "identity"})
        best, size = min(best, time.perf_counter() - t), len(r.content)
    data = r.json()
    print(f"  GET /searches/1/video: best {best * 1000:.0f} ms, {size / 1000:.0f} kB; {data['cameras_in_region']} "
          f"cameras in the region, {len(data['proposals'])} proposals, {len(data['cameras'])} cameras named")
    for zoom in zooms:
        best, items, mode, total, kb = math.inf, 0, "", 0, 0
        for _ in range(3):
            t = time.perf_counter()
            cursor, items, kb = None, 0, 0
            while True:
                url = f"{server.url}/api/v1/cameras/area?bbox={view_box(zoom)}&zoom={zoom}&cones=0"
                r = disp.http.get(url + (f"&cursor={cursor}" if cursor else ""))
                page = r.json()
                kb += len(r.content) / 1000
                items += len(page.get("cameras") or page.get("clusters"))
                cursor = page.get("next_cursor")
                if not cursor:
                    break
            best, mode, total = min(best, time.perf_counter() - t), page["mode"], page["total"]
        print(f"  GET /cameras/area zoom {zoom}: best {best * 1000:.0f} ms, {mode}, {total} cameras in view, "
              f"{items} items, {kb:.0f} kB")


def browser_figures(server: Server, zoom: int, steps: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        ctx = browser.new_context(viewport={"width": 1366, "height": 900})
        page = ctx.new_page()
        page.goto(server.url + "/login")
        page.fill("#username", "dispatch")
        page.fill("#password", "demo-pass-2026")
        page.click("button[type=submit]")
        page.wait_for_url(server.url + "/")
        cdp = ctx.new_cdp_session(page)
        for name, url, handle, state in (
                ("Cameras page", "/cameras", "SC.debug.map", "SC.debug.cameras"),
                ("console Video tab", "/searches/1", "SC.debug.video.map", "SC.debug.video.cameras")):
            t = time.perf_counter()
            page.goto(server.url + url)
            if url != "/cameras":
                page.click("#tab-video")
            page.wait_for_function(f"() => {state} && {state}.loads > 0", timeout=120_000)
            first = time.perf_counter() - t
            page.wait_for_timeout(2000)      # the Cameras page fits the map to the registry once it knows it
            page.evaluate(f"() => {{ {handle}.setView([{LKP[1]}, {LKP[0]}], {zoom}, {{animate: false}}); }}")
            loads = page.evaluate(f"{state}.loads")
            t = time.perf_counter()
            page.wait_for_function(f"() => {state}.loads > {loads} && !{state}.pending", timeout=120_000)
            at_zoom = time.perf_counter() - t
            drawn = page.evaluate(f"[{state}.mode, {state}.total, {state}.drawn]")
            deltas = page.evaluate(PAN % handle, [steps, 450])
            cdp.send("HeapProfiler.collectGarbage")
            heap = cdp.send("Runtime.getHeapUsage")["usedSize"] / 1e6
            print(f"  {name}: first view drawn {first * 1000:.0f} ms after navigation; zoom {zoom} view "
                  f"({drawn[0]}, {drawn[1]} in view, {drawn[2]} drawn) {at_zoom * 1000:.0f} ms; panning "
                  f"{len(deltas)} frames: p50 {pct(deltas, 50):.1f} ms, p95 {pct(deltas, 95):.1f} ms, "
                  f"max {max(deltas):.1f} ms; heap {heap:.0f} MB")
            if url != "/cameras":   # the same panning with the camera layer off: what the rest of the console costs
                page.uncheck("#vp-show-cameras")
                deltas = page.evaluate(PAN % handle, [steps, 450])
                print(f"  console Video tab, cameras off: panning {len(deltas)} frames: p50 {pct(deltas, 50):.1f} "
                      f"ms, p95 {pct(deltas, 95):.1f} ms, max {max(deltas):.1f} ms")
        browser.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cameras", type=int, nargs="+", default=[5000, 20000, 50000])
    ap.add_argument("--zooms", type=int, nargs="+", default=[12, 14, 16, 17])
    ap.add_argument("--zoom", type=int, default=17, help="the zoom the browser pans at")
    ap.add_argument("--steps", type=int, default=24)
    args = ap.parse_args()
    for n in args.cameras:
        tmp = Path(tempfile.mkdtemp(prefix="bench-cameras-"))
        server = Server(tmp, demo=True, name="cameras-bench")
        try:
            fill(tmp, n)
            print(f"\n== {n:,} cameras (+ the demo's 9) within 6 km of the last known point")
            http_figures(server, args.zooms)
            browser_figures(server, args.zoom, args.steps)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
