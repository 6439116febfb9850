"""Benchmark (run by hand, never a test): the phone page that opens anywhere (issue 12), in Chromium on a phone viewport
(390x844, touch), on the demo search.

Reported:
- the app shell the service worker precaches: files and bytes (as stored on the phone, uncompressed);
- first load (no service worker yet): navigation start -> the subject and map drawn from the server's state, and until
  the service worker is installed with the whole shell precached;
- a warm load online (the shell from the precache, the state from the server);
- an offline load (``context.set_offline(True)``, reload): navigation -> the page drawn from what the phone kept;
- the tile cache for the demo search with the server's settings (default: 30 MB budget, 2 km round the last known
  point and everything else the search has on the map, zooms 13-17), from a local tile server whose tiles weigh about
  what street tiles do (~21 KB: Pillow noise); tiles wanted, kept, bytes, time to fill.

    .venv/bin/python bench/phone_offline.py [--runs 3] [--budget-mb 30] [--radius-m 2000] [--zooms 13 17]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "browser"), str(ROOT / "tests")]
from browser_helpers import CHROME_ARGS, CHROMIUM, app_server, phone_page  # noqa: E402
from offline_support import TileServer, wait_cached  # noqa: E402

SHELL = """async () => {
  const name = (await caches.keys()).find(k => k.startsWith('sc-shell'));
  const c = await caches.open(name);
  let bytes = 0, n = 0;
  for (const req of await c.keys()) { bytes += (await (await c.match(req)).blob()).size; n += 1; }
  return {bytes, n};
}"""
NAV_MS = "() => performance.now()"


def _drawn(page) -> float:
    page.wait_for_function("() => SC.debug.state && document.querySelector('#subj-name').textContent.length > 0 "
                           "&& document.querySelectorAll('#map .leaflet-marker-icon').length > 0", timeout=30000)
    return page.evaluate(NAV_MS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--budget-mb", type=float, default=30)
    ap.add_argument("--radius-m", type=float, default=2000)
    ap.add_argument("--zooms", type=int, nargs=2, default=[13, 17])
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    tiles = TileServer(grain=96)
    env = {"SEARCH_COORD_TILE_URL": tiles.url, "SEARCH_COORD_TILE_CACHE_MB": str(args.budget_mb),
           "SEARCH_COORD_TILE_CACHE_RADIUS_M": str(args.radius_m), "SEARCH_COORD_TILE_CACHE_ZOOMS": str(list(args.zooms))}
    first, installed, warm, offline = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp, app_server(Path(tmp), env) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        for run in range(args.runs):
            problems: list[str] = []
            ctx, page = phone_page(browser, base, problems)
            page.goto(base + "/field/1")
            first.append(_drawn(page))
            page.wait_for_function("() => navigator.serviceWorker.controller && document.body.dataset.swVersion", timeout=30000)
            installed.append(page.evaluate(NAV_MS))
            wait_cached(page, "/field/1", "/api/v1/meta")
            shell = page.evaluate(SHELL)
            started = time.monotonic()
            page.wait_for_function("() => SC.debug.tiles.stats.wanted > 0 && !SC.debug.tiles.running", timeout=600000)
            fill_s = time.monotonic() - started
            stats = page.evaluate("SC.debug.tiles.stats")
            page.reload()
            warm.append(_drawn(page))
            ctx.set_offline(True)
            page.reload()
            offline.append(_drawn(page))
            ctx.close()
            print(f"run {run + 1}: first {first[-1]:.0f} ms (shell installed {installed[-1]:.0f} ms), warm {warm[-1]:.0f} ms, "
                  f"offline {offline[-1]:.0f} ms; tiles {stats['searchCount']}/{stats['wanted']} "
                  f"{stats['searchBytes'] / 1e6:.1f} MB in {fill_s:.1f} s{' (budget full)' if stats['full'] else ''}")
        browser.close()
    tiles.close()
    med = statistics.median
    print(f"\nphone 390x844, demo search, {args.runs} runs (medians); Chromium, server on this machine")
    print(f"app shell precached: {shell['n']} files, {shell['bytes'] / 1024:.0f} KiB")
    print(f"first load (no service worker): page drawn {med(first):.0f} ms; shell installed {med(installed):.0f} ms")
    print(f"warm load online: {med(warm):.0f} ms; offline load: {med(offline):.0f} ms")
    print(f"tile cache (budget {args.budget_mb:g} MB, {args.radius_m:g} m, zooms {args.zooms[0]}-{args.zooms[1]}): "
          f"{stats['searchCount']} of {stats['wanted']} tiles, {stats['searchBytes'] / 1e6:.1f} MB "
          f"(~21 KB a tile), filled in {fill_s:.1f} s")


if __name__ == "__main__":
    main()
