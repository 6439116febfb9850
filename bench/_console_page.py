"""The Chromium part of bench/console_browser.py (run by hand, never a test): open the console on a built search, then
measure in the page what that benchmark reports (first useful render, everything loaded, apply times, the lag from
the server's acknowledgement to the screen, frame intervals while panning, heap, catch-up after 100 missed events).

    measure(base_url, sid, args, senders, send, acks, errors, out, after_load, last_seq)

``send(officer, ack=True)`` posts one live batch and returns its last fix's time ('Z'); ``acks`` collects (uid, last
fix ms, ack wall ms) for the batches sent with ack=True; ``after_load()`` runs once the first load is done;
``last_seq()`` gives the search's last event sequence number. Figures go into ``out``."""
from __future__ import annotations

import threading
import time

CHROMIUM = "/usr/bin/chromium"

# In the page: wrap live.apply (works on any version of the console), watch long tasks, and poll what is drawn
# once per animation frame: the newest drawn fix of each watched officer (SC.debug.layers' position markers when the
# console exposes them, else the live state, which the console before the change drew in the same task).
INSTRUMENT = """(uids) => {
  const B = window.__bench = { apply: [], seen: [], longtask: 0, t0: performance.now() };
  const live = SC.debug.live;
  const orig = live.apply.bind(live);
  live.apply = (ev) => { const t = performance.now(); orig(ev); B.apply.push(performance.now() - t); };
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) B.longtask += e.duration; })
      .observe({ entryTypes: ["longtask"] });
  } catch (e) { /* no long tasks in this browser */ }
  const last = {};
  const drawnLast = (uid) => {
    const lay = SC.debug.layers;
    if (lay) { const m = lay.positionMarkers[uid]; return m ? m.scLast : null; }
    const pts = SC.debug.state.tracks[uid] || [];
    return pts.length ? pts[pts.length - 1][2] : null;
  };
  const poll = () => {
    for (const uid of uids) {
      const t = drawnLast(String(uid));
      if (t && t !== last[uid]) { last[uid] = t; B.seen.push([uid, Date.parse(t), Date.now()]); }
    }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}"""

READY = """(n) => {
  const st = SC.debug && SC.debug.state;
  if (!st || !st.tracks || !SC.debug.tracks) return false;
  const drawn = Object.values(SC.debug.tracks()).filter((d) => d.canvas && d.last !== null && d.vertices > 0);
  return drawn.length >= n ? performance.now() : false;
}"""

# Frame intervals while the map pans. "animated": map.panBy steps of 160 px (Leaflet moves the panes each frame
# and redraws the canvas and SVG at each step's end, as after a drag); "steps": panBy 40 px a frame without animation
# (every frame ends a move, so every frame redraws: the worst case).
PAN = """async ([frames, animate]) => {
  const map = SC.debug.map;
  const times = [];
  await new Promise((done) => {
    let k = 0;
    let moving = false;
    map.on("moveend", () => { moving = false; });
    const step = (ts) => {
      times.push(ts);
      if (times.length > frames) { done(); return; }
      if (!animate) {
        map.panBy([(Math.floor(k / 30) % 2 ? -40 : 40), (Math.floor(k / 60) % 2 ? -12 : 12)], { animate: false });
        k += 1;
      } else if (!moving) {
        moving = true;
        map.panBy([(Math.floor(k / 4) % 2 ? -160 : 160), (Math.floor(k / 8) % 2 ? -60 : 60)], { animate: true, duration: 0.25 });
        k += 1;
      }
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  return times.slice(1).map((t, i) => t - times[i]);
}"""

# A dispatcher dragging the map for `seconds`: mouse events as a hand makes them, one mousemove each animation frame
# (as Chromium hands input to the page), dispatched on the map's container, through Leaflet's own drag handler (the map pane follows the mouse; tiles
# uncovered are made on the way, the end of each gesture is a moveend: renderers redraw, details load). Gestures of
# `gesture` frames at `speed` px a frame, each in the next of eight directions (E, SE, S, SW, W, NW, N, NE: across the
# map and back), the button released and pressed again between them, as a hand does at the map's edge. Returns
# {dt: the intervals between animation frames (ms) from the first press to the last release, ends: drags Leaflet saw}.
DRAG = """async ([seconds, speed, gesture]) => {
  const map = SC.debug.map;
  const box = map.getContainer();
  const r = box.getBoundingClientRect();
  const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
  const dirs = [[1, 0], [0.7, 0.7], [0, 1], [-0.7, 0.7], [-1, 0], [-0.7, -0.7], [0, -1], [0.7, -0.7]];
  const mouse = (type, target, x, y, buttons) => target.dispatchEvent(new MouseEvent(type, {
    bubbles: true, cancelable: true, view: window, clientX: x, clientY: y, button: 0, buttons }));
  const times = [];
  const frames = Math.round(seconds * 60);
  let ends = 0;   // Leaflet's dragend: the gestures its drag handler took
  const count = () => { ends += 1; };
  map.on("dragend", count);
  await new Promise((done) => {
    let k = 0, x = cx, y = cy, g = -1;
    const step = (ts) => {
      times.push(ts);
      if (k >= frames) { mouse("mouseup", box, x, y, 0); done(); return; }
      const gi = Math.floor(k / gesture);
      if (gi !== g) {   // a new gesture: release, start again from the middle, the next direction
        if (g >= 0) mouse("mouseup", box, x, y, 0);
        g = gi; x = cx - dirs[g % 8][0] * speed * gesture / 2; y = cy - dirs[g % 8][1] * speed * gesture / 2;
        mouse("mousedown", box, x, y, 1);
      }
      x += dirs[g % 8][0] * speed; y += dirs[g % 8][1] * speed;
      mouse("mousemove", box, x, y, 1);
      k += 1;
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  await new Promise((r) => setTimeout(r, 600));   // the release's inertia and the last moveend settle
  map.off("dragend", count);
  return { dt: times.slice(1).map((t, i) => t - times[i]), ends };
}"""

# The map's vector shapes by how they are drawn: SVG paths in the page, and paths on canvas renderers.
SHAPES = """() => {
  let canvas = 0;
  SC.debug.map.eachLayer((l) => { if (l instanceof L.Path && l.options.renderer instanceof L.Canvas) canvas += 1; });
  return { svg: document.querySelectorAll(".leaflet-pane svg path").length, canvas,
           segments: SC.debug.where ? SC.debug.where.segments.size : 0 };
}"""

# After the console's socket comes back: every watched officer's last fix drawn (or false).
CAUGHT = """([want, seq]) => {
  if (Number(document.body.dataset.appliedSeq) < seq) return false;
  const d = SC.debug.tracks();
  for (const [uid, t] of Object.entries(want)) if (!d[uid] || d[uid].last !== t) return false;
  return performance.now();
}"""



def measure(base_url: str, sid: int, args, senders: list[dict], send, acks: list, errors: list[str], out: dict,
            after_load, last_seq) -> None:
    """Log in as the dispatcher, open the console and measure; see the module's docstring."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--enable-precise-memory-info"])
        ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base_url + "/login")
        page.fill("#username", "dispatch")
        page.fill("#password", "demo-pass-2026")
        page.click("button[type=submit]")
        page.wait_for_url(base_url + "/")
        cdp = ctx.new_cdp_session(page)
        page.goto(f"{base_url}/searches/{sid}")
        out["first"] = page.wait_for_function(READY, arg=args.officers, polling="raf", timeout=600_000).json_value()
        # when the snapshot's answer was in: the rest of the first render is the page's own work
        out["state_in"] = page.evaluate("""() => Math.max(...performance.getEntriesByType('resource')
            .filter((r) => r.name.includes('/state')).map((r) => r.responseEnd))""")
        page.wait_for_load_state("networkidle")
        after_load()
        # everything: the last response the page loaded at first (timeline, panels, full tracks in view) is in
        out["all"] = max(out["first"], page.evaluate(
            "Math.max(...performance.getEntriesByType('resource').map((r) => r.responseEnd))"))
        cdp.send("HeapProfiler.collectGarbage")
        out["heap_load"] = cdp.send("Runtime.getHeapUsage")["usedSize"]
        page.evaluate(INSTRUMENT, [u["id"] for u in senders])

        n = int(args.rate * args.seconds)
        threads = []
        t0 = time.monotonic()
        for k in range(n):
            delay = t0 + k / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            th = threading.Thread(target=send, args=(senders[k % len(senders)],))
            th.start()
            threads.append(th)
        for th in threads:
            th.join()
        out["live_s"] = time.monotonic() - t0
        # wait until every acknowledged batch is on screen (or 120 s)
        deadline = time.monotonic() + 120
        while True:
            seen = page.evaluate("window.__bench.seen")
            lags = []
            for uid, fix_ms, ack_ms in acks:
                hit = next((at for (suid, sms, at) in seen if suid == uid and sms >= fix_ms - 1), None)
                if hit is not None:
                    lags.append(hit - ack_ms)
            if len(lags) == len(acks) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        out["lags"], out["acks"] = lags, len(acks)
        bench = page.evaluate("""() => ({apply: window.__bench.apply, busy: window.__bench.longtask,
            span: performance.now() - window.__bench.t0, markers: (SC.debug.perf || {}).markers || []})""")
        out.update(bench)

        page.wait_for_timeout(500)
        tiles = "(() => { const l = SC.debug.layers.tracks.lines || {}; return (l.madeTiles || 0) + (l.redrawnTiles || 0); })()"
        view = page.evaluate("() => SC.debug.map.getZoom()")
        cdp.send("Performance.enable")

        def dragged(key: str) -> None:
            """A drag, its frame intervals and the renderer's CPU meanwhile (main thread, whole process: seconds of
            CPU, less sensitive than frame intervals to other work on the machine)."""
            m0 = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            drag = page.evaluate(DRAG, [args.drag_seconds, args.drag_speed, args.drag_gesture])
            m1 = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            out[key], out[key + "_ends"] = drag["dt"], drag["ends"]
            out[key + "_cpu"] = (m1["ThreadTime"] - m0["ThreadTime"], m1["ProcessTime"] - m0["ProcessTime"])

        # a long drag with the where-to-look layers off (the console's default), then shown (segments, rings, swept)
        before = page.evaluate(tiles)
        dragged("drag_hidden")
        page.click("#tab-where")
        page.check("#show-where")
        page.wait_for_function("() => SC.debug.where && SC.debug.where.model && SC.debug.where.segments.size > 0",
                               timeout=60_000)
        # the swept area (GET .../swept: every fix buffered, seconds at 4 h) drawn before the drag, not during it
        page.wait_for_function("""() => { let n = 0; SC.debug.map.eachLayer((l) => {
            if (/sc-swept/.test(l.options.className || "")) n += 1; }); return n > 0; }""", timeout=120_000)
        page.wait_for_timeout(500)
        out["shapes"] = page.evaluate(SHAPES)
        dragged("drag")
        out["pan"] = page.evaluate(PAN, [240, True])
        out["pan_steps"] = page.evaluate(PAN, [round(args.drag_seconds * 60), False])
        out["pan_tiles"] = page.evaluate(tiles) - before
        out["zoom"] = view

        # catch-up: cut the console's socket, 100 batches accepted meanwhile, then back
        page.evaluate("SC.debug.live.socket.disconnect()")
        page.wait_for_function("document.body.dataset.live === 'off'")
        want = {}
        for k in range(100):
            u = senders[k % len(senders)]
            want[str(u["id"])] = send(u, ack=False)
        seq = last_seq()
        t_back = page.evaluate("() => { const t = performance.now(); SC.debug.live.socket.connect(); return t; }")
        done = page.wait_for_function(CAUGHT, arg=[want, seq], polling="raf", timeout=120_000).json_value()
        out["catch_up"] = (done - t_back, page.evaluate("SC.debug.catchUp"))
        cdp.send("HeapProfiler.collectGarbage")
        out["heap_end"] = cdp.send("Runtime.getHeapUsage")["usedSize"]
        browser.close()
