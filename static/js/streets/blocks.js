/* search-coord: street blocks (issue 14) shared by the console and the phone — their radio names in the page's
   language, their colour by coverage status, and drawing them on a Leaflet map. */
import { lang, t, tEnum } from "../lib/i18n.js";
import { tip } from "../map/base.js";

/** The name of a street in the page's language where the data has it ({local, zh, en} from the server). */
export function pickName(names) {
  if (!names) return null;
  if (lang.startsWith("zh") && names.zh) return names.zh;
  if (lang.startsWith("en") && names.en) return names.en;
  return names.local || names.zh || names.en || null;
}

/** "Street: A – B, 420 m" (an unnamed way by its kind, an end with no named crossing as "…"). */
export function blockLabel(b) {
  const street = pickName(b.street) || tEnum("streets.kind", b.highway);
  return `${street}: ${pickName(b.from) || "…"} – ${pickName(b.to) || "…"}, ${Math.round(b.length_m)} m`;
}

export const STATUS_COLOUR = { not: "#2563eb", partly: "#d97706", searched: "#16a34a" };

let canvas = null; // one canvas renderer for every block line: thousands of SVG paths make the map crawl

/** Draw blocks into a layer group (cleared first): coloured by status, thicker when more probable. Returns
    {index: layer}; the group's `drawnStatus` counts the blocks drawn by status (the tests read it). */
export function drawBlocks(group, blocks, opts = {}) {
  group.clearLayers();
  if (!canvas) canvas = L.canvas({ padding: 0.3, tolerance: 4 });
  group.drawnStatus = { not: 0, partly: 0, searched: 0 };
  const top = Math.max(1e-9, ...blocks.map((b) => b.poa / Math.max(b.length_m, 1)));
  const drawn = new Map();
  for (const b of blocks) {
    const density = b.poa / Math.max(b.length_m, 1) / top;
    group.drawnStatus[b.status] = (group.drawnStatus[b.status] || 0) + 1;
    const line = L.geoJSON(b.geometry, {
      renderer: canvas,
      style: { color: STATUS_COLOUR[b.status] || STATUS_COLOUR.not, weight: 3 + Math.round(5 * density),
               opacity: b.status === "not" ? 0.55 + 0.4 * density : 0.9, className: "sc-street sc-street-" + b.status },
    });
    line.bindTooltip(() => tip(`${blockLabel(b)} · ${t("streets.status." + b.status)}`
      + (b.poa ? ` · POA ${(100 * b.poa).toFixed(1)} %` : "")), { sticky: true });
    if (opts.onClick) line.on("click", () => opts.onClick(b));
    line.addTo(group);
    drawn.set(b.index, line);
  }
  return drawn;
}

/** Apply a streets.covered event's blocks ([[index, share, status, pod]]) to a list of block views. */
export function applyCovered(blocks, payload) {
  const byIndex = new Map(blocks.map((b) => [b.index, b]));
  const changed = [];
  for (const [index, share, status, pod] of payload.blocks || []) {
    const b = byIndex.get(index);
    if (!b) continue;
    b.coverage = { ...(b.coverage || {}), [payload.mode]: share };
    b.pod_by_mode = { ...(b.pod_by_mode || {}), [payload.mode]: pod };
    const order = ["not", "partly", "searched"];
    if (order.indexOf(status) > order.indexOf(b.status)) b.status = status;
    b.pod = 1 - Object.values(b.pod_by_mode).reduce((rest, p) => rest * (1 - p), 1);
    changed.push(b);
  }
  return changed;
}
