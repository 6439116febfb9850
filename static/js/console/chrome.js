/* search-coord: the console's frame — the tabs of its panels (arrow keys move between them), the map's legend and
   the live indicator. */
import { $, $$, clear, el } from "../lib/dom.js";
import { t, tEnum } from "../lib/i18n.js";
import { STATUS_COLORS } from "../map/base.js";

/** Wire the tab list; returns showTab(name). ``onShow(name)`` runs when a tab is shown, so a panel that redraws
    only while visible is drawn fresh the moment it is opened (not at its next timer). */
export function consoleTabs(onShow) {
  const tabs = $$("[role=tab]");
  function selectTab(tab) {
    for (const b of tabs) {
      const on = b === tab;
      b.setAttribute("aria-selected", on ? "true" : "false");
      b.tabIndex = on ? 0 : -1;
      $("#" + b.getAttribute("aria-controls")).hidden = !on;
    }
    if (onShow) onShow(tab.dataset.tab);
  }
  tabs.forEach((b, i) => {
    b.addEventListener("click", () => selectTab(b));
    b.addEventListener("keydown", (e) => {
      const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (!d) return;
      const next = tabs[(i + d + tabs.length) % tabs.length];
      selectTab(next);
      next.focus();
    });
  });
  return (name) => selectTab($("#tab-" + name));
}

export function renderLegend() {
  const box = clear($("#map-legend"));
  for (const s of ["planned", "assigned", "in_progress", "done", "aborted"]) {
    box.append(el("span", { class: "legend-item" }, el("i", { style: `background:${STATUS_COLORS[s]}` }), tEnum("astatus", s)));
  }
  box.append(el("span", { class: "legend-item legend-searched" }, el("i"), t("legend.searched")));
  // cameras (the video layer): their badge colour says how far their review has got
  box.append(el("span", { class: "legend-break" }));
  for (const s of ["idle", "tasked", "partly", "clear", "pending", "seen"]) {
    box.append(el("span", { class: "legend-item legend-cam" }, el("b", { class: "sc-cam sc-cam-" + s }, "C"), tEnum("cam_state", s)));
  }
}

export function renderLive(live) {
  const on = live.connected;
  const box = $("#live-indicator");
  box.className = "live-indicator " + (on ? "on" : "off");
  box.textContent = on ? t("live.connected") : t("live.disconnected");
}
