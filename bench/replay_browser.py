"""The replay page on a 4-hour search with 50 officers (bench/report.py's workload, 24,200 events, 144,000 fixes):
Chromium's time from opening /searches/<id>/replay to the state at the end, and one seek back to the middle.

    .venv/bin/python bench/replay_browser.py [--officers 50] [--hours 4] [--port 5229]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from report import build  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from search_coord.services import users  # noqa: E402

PASSWORD = "bench-replay-2026"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--officers", type=int, default=50)
    ap.add_argument("--hours", type=float, default=4.0)
    ap.add_argument("--port", type=int, default=5229)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        svc, sid, _ = build(url, args.officers, args.hours)
        users.create_user(svc, None, {"username": "benchdisp", "display_name": "Bench", "role": "dispatcher",
                                      "password": PASSWORD})
        env = {**os.environ, "SEARCH_COORD_INSTANCE_PATH": f"{tmp}/inst", "SEARCH_COORD_DATABASE_URL": url,
               "SEARCH_COORD_TILE_URL": ""}
        proc = subprocess.Popen([sys.executable, "run.py", "--port", str(args.port)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{args.port}"
        try:
            for _ in range(150):
                try:
                    urllib.request.urlopen(base + "/login", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1366, "height": 900})
                page.goto(base + "/login")
                page.fill("input[name=username]", "benchdisp")
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state("networkidle")
                t0 = time.perf_counter()
                page.goto(f"{base}/searches/{sid}/replay")
                page.wait_for_function("() => document.body.dataset.replayReady === '1'", timeout=300_000)
                opened = time.perf_counter() - t0
                t0 = time.perf_counter()
                page.evaluate("() => SC.debug.replay.seek(SC.debug.replay.end)")
                to_end = time.perf_counter() - t0
                t0 = time.perf_counter()
                page.evaluate("() => SC.debug.replay.seek((SC.debug.replay.start + SC.debug.replay.end) / 2)")
                back = time.perf_counter() - t0
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"workload: {args.officers} officers x {args.hours} h (bench/report.py)")
    print(f"replay page opened to the first state: {opened:.1f} s; seek to the end: {to_end:.2f} s; "
          f"seek back to the middle (rebuilt from the start): {back:.2f} s")


if __name__ == "__main__":
    main()
