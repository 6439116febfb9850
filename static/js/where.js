/* Where to look: rings, reach, segments coloured by probability, suggestions. Used by the console.
 *
 *   const where = SCWhere.init({map, searchId, panel, api, t, canEdit});
 *   where.onEvent(ev)   // every live event, in order
 *
 * `api(method, url, body)` returns a promise of the parsed JSON (and shows errors); `t(key)` translates.
 */
(function () {
  "use strict";

  const MODEL_EVENTS = new Set(["segments.replaced", "segment.added", "segment.removed", "model.recomputed",
    "poa.consensus", "model.settings", "search.updated", "assignment.created", "assignment.status_changed",
    "team.created", "team.updated"]);

  function colour(density, maxDensity) {
    // probability per area, relative to the densest segment: pale yellow -> deep red
    const x = maxDensity > 0 ? Math.sqrt(density / maxDensity) : 0;
    const h = 55 - 55 * x, l = 88 - 45 * x;
    return `hsl(${h.toFixed(0)}, 90%, ${l.toFixed(0)}%)`;
  }

  function pct(x) { return (100 * x).toFixed(x < 0.01 ? 2 : 1) + "%"; }

  function init(opts) {
    const {map, searchId, panel, api, t} = opts;
    const canEdit = !!opts.canEdit;
    const layers = {
      rings: L.layerGroup().addTo(map),
      reach: L.layerGroup().addTo(map),
      segments: L.layerGroup().addTo(map),
    };
    const state = {model: null, segments: new Map(), layerById: new Map(), reload: null, busy: false};
    window.SC_WHERE = state;

    function posterior() {
      // POA now = POA0 * exp(-C) / (sum + ROW0): Bayes after unsuccessful effort (same as the server)
      let total = state.model ? state.model.row0 : 1;
      for (const s of state.segments.values()) total += s.poa0 * Math.exp(-s.coverage);
      for (const s of state.segments.values()) {
        s.pod = 1 - Math.exp(-s.coverage);
        s.poa = s.poa0 * Math.exp(-s.coverage) / total;
      }
      return state.model ? state.model.row0 / total : 1;
    }

    function styleAll() {
      const row = posterior();
      let maxD = 0;
      for (const s of state.segments.values()) maxD = Math.max(maxD, s.poa / s.area_m2);
      for (const [id, layer] of state.layerById) {
        const s = state.segments.get(id);
        layer.setStyle({color: "#444", weight: 0.6, fillOpacity: 0.45, fillColor: colour(s.poa / s.area_m2, maxD),
          className: "sc-segment"});
        layer.setTooltipContent(`${s.name}: POA ${pct(s.poa)} · POD ${pct(s.pod)}`);
      }
      renderPanel(row);
    }

    function drawRings(m) {
      layers.rings.clearLayers();
      layers.reach.clearLayers();
      for (const r of m.rings) {
        L.geoJSON(r.geometry, {style: {color: "#1d4ed8", weight: 1.5, dashArray: "6 4", fill: false,
          className: "sc-ring"}}).bindTooltip(`${r.percent}% · ${(r.radius_m / 1000).toFixed(2)} km`,
          {sticky: true}).addTo(layers.rings);
      }
      L.geoJSON(m.reach.geometry, {style: {color: "#b91c1c", weight: 2, fill: false, className: "sc-reach"}})
        .bindTooltip(`${t("where.reach")} ${(m.reach.radius_m / 1000).toFixed(2)} km`, {sticky: true})
        .addTo(layers.reach);
    }

    function drawSegments(list) {
      layers.segments.clearLayers();
      state.segments.clear();
      state.layerById.clear();
      for (const s of list) {
        state.segments.set(s.id, {...s});
        const layer = L.geoJSON(s.geometry, {style: {className: "sc-segment"}}).bindTooltip("", {sticky: true});
        layer.on("click", () => selectSegment(s.id));
        layer.addTo(layers.segments);
        state.layerById.set(s.id, layer);
      }
      styleAll();
    }

    function selectSegment(id) {
      const s = state.segments.get(id);
      if (!s) return;
      const box = panel.querySelector(".sc-where-selected");
      if (box) box.textContent = `${s.name}: ${(s.area_m2 / 1e4).toFixed(1)} ha · POA ${pct(s.poa)} · ` +
        `POD ${pct(s.pod)} · C ${s.coverage.toFixed(2)}`;
    }

    function renderPanel(row) {
      if (!panel || !state.model) return;
      const m = state.model;
      const top = [...state.segments.values()].sort((a, b) => b.poa - a.poa).slice(0, 8);
      const teams = (opts.teams && opts.teams()) || new Map();
      const sugg = m.suggestions.map((x) => {
        const team = teams.get(x.team_id);
        return `<li><strong>${x.segment}</strong> → ${team ? escapeHtml(team.name) : "#" + x.team_id}
          <span class="sc-muted">+${pct(x.gain_per_hour)} / h</span>
          ${canEdit ? `<button type="button" class="sc-btn sc-btn-small" data-accept="${x.segment_id}"
            data-team="${x.team_id}">${t("where.accept")}</button>` : ""}</li>`;
      }).join("");
      panel.innerHTML = `
        <div class="sc-where-summary">
          <div>${t("where.rings")}: ${m.rings.map((r) => `${r.percent}% ${(r.radius_m / 1000).toFixed(1)} km`).join(" · ")}
            <span class="sc-muted">(${escapeHtml(m.ring_source)})</span></div>
          <div>${t("where.reach")}: <strong class="sc-reach-km">${(m.reach.radius_m / 1000).toFixed(2)} km</strong>
            <span class="sc-muted">${m.reach.walking_speed_ms.toFixed(2)} m/s</span></div>
          <div>${t("where.row")}: ${pct(row)} · ${t("where.pos_total")}: ${pct(m.pos_total)}
            · ${t("where.basis")}: ${t("where.basis." + m.poa_basis)}</div>
          <div class="sc-where-selected sc-muted">${t("where.click_segment")}</div>
        </div>
        ${canEdit ? `<form class="sc-where-grid">
          <label>${t("where.cell")} <input name="cell_m" type="number" min="25" max="5000" step="25" value="400"></label>
          <label>${t("where.shape")} <select name="shape"><option value="square">${t("where.square")}</option>
            <option value="hex">${t("where.hex")}</option></select></label>
          <button class="sc-btn" type="submit">${t("where.generate")}</button>
          <button class="sc-btn" type="button" data-recompute>${t("where.recompute")}</button>
        </form>` : ""}
        <h4>${t("where.suggestions")}</h4>
        <ul class="sc-where-suggestions">${sugg || `<li class="sc-muted">${t("where.no_suggestions")}</li>`}</ul>
        <h4>${t("where.top_segments")}</h4>
        <table class="sc-where-table"><thead><tr><th>${t("where.segment")}</th><th>POA</th><th>POD</th>
          <th>${t("where.area")}</th></tr></thead><tbody>
          ${top.map((s) => `<tr data-seg="${s.id}"><td>${s.name}</td><td>${pct(s.poa)}</td><td>${pct(s.pod)}</td>
            <td>${(s.area_m2 / 1e4).toFixed(1)} ha</td></tr>`).join("")}
        </tbody></table>`;
      panel.querySelectorAll("[data-accept]").forEach((b) => b.addEventListener("click", () =>
        api("POST", `/api/v1/searches/${searchId}/suggestions/accept`,
          {segment_id: Number(b.dataset.accept), team_id: Number(b.dataset.team)})));
      panel.querySelectorAll("tr[data-seg]").forEach((tr) => tr.addEventListener("click", () => {
        const id = Number(tr.dataset.seg);
        selectSegment(id);
        const layer = state.layerById.get(id);
        if (layer) map.fitBounds(layer.getBounds(), {maxZoom: 16});
      }));
      const form = panel.querySelector(".sc-where-grid");
      if (form) {
        form.addEventListener("submit", (e) => {
          e.preventDefault();
          api("POST", `/api/v1/searches/${searchId}/segments/grid`,
            {shape: form.shape.value, cell_m: Number(form.cell_m.value)});
        });
        form.querySelector("[data-recompute]").addEventListener("click", () =>
          api("POST", `/api/v1/searches/${searchId}/model/recompute`, {}));
      }
    }

    function escapeHtml(s) {
      return String(s ?? "").replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;",
        '"': "&quot;", "'": "&#39;"})[c]);
    }

    async function load() {
      const m = await api("GET", `/api/v1/searches/${searchId}/model`);
      if (!m) return;
      state.model = m;
      drawRings(m);
      drawSegments(m.segments);
      document.body.dataset.whereVersion = String(m.model_version);
    }

    function reloadSoon() {
      clearTimeout(state.reload);
      state.reload = setTimeout(load, 300);
    }

    function onEvent(ev) {
      if (ev.type === "track.points" || ev.type === "area.searched") {
        const cov = ev.payload.coverage || {};
        let touched = false;
        for (const [id, c] of Object.entries(cov)) {
          const s = state.segments.get(Number(id));
          if (s) { s.coverage = c; touched = true; }
        }
        if (touched) styleAll();
      } else if (MODEL_EVENTS.has(ev.type)) {
        if (ev.type === "model.recomputed" && opts.notify) {
          opts.notify(t("where.recomputed").replace("{seconds}", ev.payload.seconds.toFixed(1)));
        }
        reloadSoon();
      }
    }

    // Reach grows with the clock: refresh the model once a minute.
    setInterval(load, 60000);
    load();
    return {onEvent, load, state};
  }

  window.SCWhere = {init};
})();
