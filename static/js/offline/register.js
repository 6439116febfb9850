/* search-coord: the page's side of the service worker (/sw.js, static/js/offline/sw.js). Registers it; when a new
   release is installed and waiting, says so in a bar ("New version — reload when safe"), with how many items wait
   in the outbox (they are kept on the phone and go after the reload); reloads only when the officer asks, after the
   outbox has finished the item it is sending. Background Sync ("sc-outbox") where the browser has it: the worker
   wakes the outbox when the connection comes back; elsewhere the outbox's own retry loop does it.
   startServiceWorker({outbox, searchId, onUpdate}) -> state {registration, version, updateReady, supported}. */
import { el } from "../lib/dom.js";
import { t } from "../lib/i18n.js";

const state = { supported: "serviceWorker" in navigator, registration: null, version: null, updateReady: false, syncSupported: false };

function askVersion(worker) {
  return new Promise((resolve) => {
    if (!worker) { resolve(null); return; }
    const ch = new MessageChannel();
    const timer = setTimeout(() => resolve(null), 3000);
    ch.port1.onmessage = (e) => { clearTimeout(timer); resolve((e.data || {}).version || null); };
    worker.postMessage({ type: "VERSION" }, [ch.port2]);
  });
}

function waitIdle(outbox, ms) {
  return new Promise((resolve) => {
    const until = Date.now() + ms;
    const check = () => {
      if (!outbox || !outbox.sendingKey || Date.now() > until) resolve();
      else setTimeout(check, 100);
    };
    check();
  });
}

/* the update bar, built once: the outbox changes often (every few fixes), and a button replaced under the officer's
   finger would lose the tap, so only the count is redrawn */
const bar = { node: null, render: null };

function updateBar(outbox, searchId, onReload) {
  if (!bar.node) {
    const count = el("span", { class: "block small" });
    bar.node = el("div", { id: "sw-update", class: "sw-update", role: "status" },
      el("span", { class: "sw-update-text" }, t("pwa.update_ready"), count),
      el("button", { type: "button", class: "btn btn-small btn-primary", id: "sw-reload", onclick: onReload }, t("pwa.reload")),
      el("button", { type: "button", class: "btn btn-small", onclick: () => { bar.node.hidden = true; } }, t("pwa.later")));
    bar.render = () => {
      const waiting = outbox ? outbox.summary(searchId || null).waiting : 0;
      const text = waiting ? t("pwa.update_waiting_items", { n: waiting }) : "";
      if (count.textContent !== text) count.textContent = text;
      count.hidden = !waiting;
    };
    document.body.append(bar.node);
    if (outbox) outbox.on(() => { if (!bar.node.hidden) bar.render(); });
  }
  bar.render();
  bar.node.querySelector("#sw-reload").disabled = false; // a new release after a reload asked that never came
  bar.node.hidden = false;
}

/** Keep these same-origin URLs (a photo just shown) for offline use: nothing to do when the worker controls the page
    (the photo came through it and is kept); before it does, ask it to fetch and keep them. */
state.keep = (urls) => {
  if (!state.supported || !window.isSecureContext || navigator.serviceWorker.controller || !urls.length) return;
  navigator.serviceWorker.ready.then((reg) => {
    if (reg.active) reg.active.postMessage({ type: "CACHE_URLS", urls });
  }).catch(() => {});
};

export function startServiceWorker({ outbox, searchId } = {}) {
  if (!state.supported || !window.isSecureContext) return state;
  let reloading = false;
  const controlledAtLoad = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading) location.reload();
  });
  navigator.serviceWorker.addEventListener("message", (e) => {
    if (e.data && e.data.type === "SC_SYNC" && outbox) outbox.kick(true);
  });
  const offerUpdate = (reg) => {
    if (!reg.waiting || !navigator.serviceWorker.controller) return; // the first install needs no reload
    state.updateReady = true;
    document.body.dataset.swUpdate = "ready";
    updateBar(outbox, searchId, async () => {
      const btn = document.getElementById("sw-reload");
      if (btn) btn.disabled = true;
      await waitIdle(outbox, 5000); // never cut an item while it is being sent (it is kept either way)
      reloading = true;
      // the waiting worker takes over, and "controllerchange" reloads; if it already has (another tab of the app
      // asked first), reload now
      if (reg.waiting) reg.waiting.postMessage({ type: "SKIP_WAITING" });
      else location.reload();
    });
  };
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(async (reg) => {
    state.registration = reg;
    state.syncSupported = "sync" in reg;
    offerUpdate(reg);
    reg.addEventListener("updatefound", () => {
      const w = reg.installing;
      if (w) w.addEventListener("statechange", () => { if (w.state === "installed") offerUpdate(reg); });
    });
    const ready = await navigator.serviceWorker.ready;
    state.version = await askVersion(ready.active);
    document.body.dataset.swVersion = state.version || "";
    // what this page loaded before the worker first took over was not fetched through it: kept now, for an
    // offline reload (the page, the enum lists, the photos it shows)
    if (ready.active && !controlledAtLoad) {
      const photos = Array.from(document.querySelectorAll("img[src^='/api/v1/photos/']"), (img) => img.getAttribute("src"));
      ready.active.postMessage({ type: "CACHE_URLS", urls: [location.pathname, "/api/v1/meta", ...photos] });
    }
    // look for a release now and then (and when the page comes back into view)
    setInterval(() => reg.update().catch(() => {}), 30 * 60 * 1000);
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") reg.update().catch(() => {}); });
  }).catch((e) => console.warn("service worker not registered", e));
  if (outbox) {
    outbox.on((s) => {
      // items wait and the network is gone: ask the browser to wake us when it is back (Background Sync)
      if (s && s.offline && s.waiting && state.registration && state.syncSupported) {
        state.registration.sync.register("sc-outbox").catch(() => {});
      }
    });
  }
  return state;
}
