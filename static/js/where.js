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
    "team.created", "team.updated", "video.blind_spot_segments", "area.searched"]);

  function colour(density, maxDensity) {
    // probability per area, relative to the densest segment: pale yellow -> deep red
    const x = maxDensity > 0 ? Math.sqrt(density / maxDensity) : 0;
    const h = 55 - 55 * x, l = 88 - 45 * x;
    return `hsl(${h.toFixed(0)}, 90%, ${l.toFixed(0)}%)`;
  }

  function pct(x) { return (100 * x).toFixed(x < 0.01 ? 2 : 1) + "%"; }

  /** The server's note on a repaired outline ({repairs: [{code, n}]}) in the page's language, or "" if none. */
  function repairText(answer, t) {
    const items = (answer && answer.repairs) || [];
    if (!items.length) return "";
    const parts = items.map((r) => {
      const key = "geomfix." + r.code + ((r.n === 1 && r.code !== "largest") ? "_one" : "");
      return t(key, {n: r.n});
    });
    return t("geomfix.title", {details: parts.join(t("geomfix.sep"))});
  }

  /** Drawing a polygon: Geoman refuses a corner that would make the outline cross itself (a bow-tie). */
  const POLYGON_DRAW = {allowSelfIntersection: false};

  function init(opts) {
    const {map, searchId, panel, api, t} = opts;
    const canEdit = !!opts.canEdit;
    const layers = {
      swept: L.layerGroup().addTo(map),
      rings: L.layerGroup().addTo(map),
      reach: L.layerGroup().addTo(map),
      segments: L.layerGroup().addTo(map),
    };
    const state = {model: null, segments: new Map(), layerById: new Map(), reload: null, busy: false,
      selected: null, sweptTimer: null, sweptAt: 0};
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
        layer.setTooltipContent(`${s.name}: POA ${pct(s.poa)} · POD ${pct(s.pod)} · ${t("where.status." + s.status)}`);
      }
      renderPanel(row);
    }

    function drawRings(m) {
      layers.rings.clearLayers();
      layers.reach.clearLayers();
      for (const r of m.rings) {
        const beyond = r.radius_m > m.reach.radius_m;  // clipped by reach: drawn faint
        L.geoJSON(r.geometry, {style: {color: "#1d4ed8", weight: 1.5, dashArray: "6 4", fill: false,
          opacity: beyond ? 0.35 : 0.9, className: "sc-ring"}})
          .bindTooltip(`${r.percent}% · ${(r.radius_m / 1000).toFixed(2)} km`, {sticky: true}).addTo(layers.rings);
        // the label sits on the ring's northernmost vertex
        const north = r.geometry.coordinates[0].reduce((a, b) => (b[1] > a[1] ? b : a));
        L.marker([north[1], north[0]], {interactive: false, icon: L.divIcon({className: "sc-ring-label",
          html: `${r.percent}%`, iconSize: null})}).addTo(layers.rings);
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
      state.selected = id;
      const box = panel.querySelector(".sc-where-selected");
      if (box) box.textContent = `${s.name}: ${(s.area_m2 / 1e4).toFixed(1)} ha · POA ${pct(s.poa)} · ` +
        `POD ${pct(s.pod)} · C ${s.coverage.toFixed(2)} · ${t("where.status." + s.status)}`;
      const mark = panel.querySelector(".sc-where-mark");
      if (mark) { mark.hidden = !canEdit; mark.querySelector("[data-name]").textContent = s.name; }
    }

    function drawSwept(geo) {
      layers.swept.clearLayers();
      if (geo) L.geoJSON(geo, {interactive: false, style: {color: "#15803d", weight: 0, fillColor: "#22c55e",
        fillOpacity: 0.35, className: "sc-swept"}}).addTo(layers.swept);
    }

    function refreshSwept() {
      // the swept area is heavier to compute: at most every 10 s
      clearTimeout(state.sweptTimer);
      const wait = Math.max(0, 10000 - (Date.now() - state.sweptAt));
      state.sweptTimer = setTimeout(async () => {
        state.sweptAt = Date.now();
        const sw = await api("GET", `/api/v1/searches/${searchId}/swept`);
        if (sw) drawSwept(sw.geometry);
      }, wait);
    }

    function draw(shape) {
      if (!map.pm) return;
      const width = Number((panel.querySelector("[name=width_m]") || {}).value || 30);
      let warned = 0;
      const crossing = () => {  // Geoman refused a corner that would make the outline cross itself
        if (Date.now() - warned > 5000 && opts.notify) { warned = Date.now(); opts.notify(t("geomfix.self_cross")); }
      };
      const done = (e) => {
        map.off("pm:create", done);
        const geo = e.layer.toGeoJSON().geometry;
        map.removeLayer(e.layer);
        const body = {geometry: geo};
        if (shape === "Line") body.width_m = width;
        Promise.resolve(api("POST", `/api/v1/searches/${searchId}/segments`, body)).then((res) => {
          const note = repairText(res, t);
          if (note && opts.notify) opts.notify(note);
        });
      };
      map.on("pm:create", done);
      if (shape === "Polygon") {
        map.on("pm:intersect", crossing);
        map.once("pm:drawend", () => map.off("pm:intersect", crossing));
      }
      map.pm.enableDraw(shape, shape === "Polygon" ? POLYGON_DRAW : {});
    }

    // The panel is built once (forms keep what the dispatcher is typing); only its figures are redrawn.
    let built = false;

    function buildPanel() {
      panel.innerHTML = `
        <div class="sc-where-summary"></div>
        ${canEdit ? `<form class="sc-where-grid">
          <label>${t("where.cell")} <input name="cell_m" type="number" min="25" max="5000" step="25" value="400"></label>
          <label>${t("where.shape")} <select name="shape"><option value="square">${t("where.square")}</option>
            <option value="hex">${t("where.hex")}</option></select></label>
          <button class="sc-btn" type="submit">${t("where.generate")}</button>
          <button class="sc-btn" type="button" data-recompute>${t("where.recompute")}</button>
        </form>
        <div class="sc-where-draw">
          <button class="sc-btn" type="button" data-draw="Polygon">${t("where.draw_area")}</button>
          <button class="sc-btn" type="button" data-draw="Line">${t("where.draw_route")}</button>
          <label>${t("where.corridor")} <input name="width_m" type="number" min="2" max="2000" value="30"> m</label>
        </div>
        <form class="sc-where-mark" hidden>
          <strong data-name></strong> — ${t("where.mark_searched")}
          <label>POD <input name="pod" type="number" min="0" max="1" step="0.05" value="0.5"></label>
          <label>${t("where.team")} <select name="team_id"><option value="">—</option></select></label>
          <button class="sc-btn sc-btn-small" type="submit">${t("where.mark")}</button>
          <button class="sc-btn sc-btn-small" type="button" data-delete>${t("where.delete_segment")}</button>
        </form>` : ""}
        <h4>${t("where.suggestions")}</h4>
        <ul class="sc-where-suggestions"></ul>
        <h4>${t("where.top_segments")}</h4>
        <table class="sc-where-table"><thead><tr><th>${t("where.segment")}</th><th>POA</th><th>POD</th>
          <th>${t("where.area")}</th><th>${t("where.status")}</th></tr></thead><tbody></tbody></table>
        ${canEdit ? `<details class="sc-where-settings"><summary>${t("where.settings")}</summary>
          <form class="sc-where-settings-form">
            <label>${t("where.walking_speed")} <input name="walking_speed_ms" type="number" step="any" min="0.05"
              max="5"> m/s</label>
            <label>${t("where.max_reach")} <input name="max_reach_km" type="number" step="any" min="0.1" max="500"
              placeholder="${t("where.max_reach_row")}"> km</label>
            ${["foot", "vehicle", "door_to_door"].map((mode) => `<label>${t("where.sweep_width")}
              (${t("where.mode." + mode)}) <input name="w_${mode}" type="number" step="any" min="0.1" max="500"> m</label>`)
              .join("")}
            <button class="sc-btn" type="submit">${t("where.save_settings")}</button>
          </form></details>
        <details class="sc-where-consensus"><summary>${t("where.consensus")}</summary>
          <form class="sc-where-consensus-form">
            <p class="sc-muted">${t("where.consensus_help")}</p>
            <textarea name="lines" rows="4" placeholder="A1=40 B2=30 ROW=30"></textarea>
            <button class="sc-btn" type="submit">${t("where.apply_consensus")}</button>
          </form></details>` : ""}`;
      wirePanel();
      built = true;
    }

    function wirePanel() {
      const grid = panel.querySelector(".sc-where-grid");
      if (!grid) return;
      grid.addEventListener("submit", (e) => {
        e.preventDefault();
        api("POST", `/api/v1/searches/${searchId}/segments/grid`,
          {shape: grid.shape.value, cell_m: Number(grid.cell_m.value)});
      });
      grid.querySelector("[data-recompute]").addEventListener("click", () =>
        api("POST", `/api/v1/searches/${searchId}/model/recompute`, {}));
      panel.querySelectorAll("[data-draw]").forEach((b) => b.addEventListener("click", () => draw(b.dataset.draw)));
      const mark = panel.querySelector(".sc-where-mark");
      mark.addEventListener("submit", (e) => {
        e.preventDefault();
        const s = state.segments.get(state.selected);
        if (!s) return;
        const body = {geometry: s.geometry, pod: Number(mark.pod.value)};
        if (mark.team_id.value) body.team_id = Number(mark.team_id.value);
        api("POST", `/api/v1/searches/${searchId}/searched-areas`, body);
      });
      mark.querySelector("[data-delete]").addEventListener("click", () => {
        const s = state.segments.get(state.selected);
        if (s && window.confirm(t("where.confirm_delete").replace("{name}", s.name))) {
          api("DELETE", `/api/v1/searches/${searchId}/segments/${s.id}`);
        }
      });
      const settingsForm = panel.querySelector(".sc-where-settings-form");
      settingsForm.addEventListener("submit", (e) => {
        e.preventDefault();
        const f = settingsForm;
        api("PATCH", `/api/v1/searches/${searchId}/model/settings`, {
          walking_speed_ms: Number(f.walking_speed_ms.value),
          max_reach_m: f.max_reach_km.value ? Number(f.max_reach_km.value) * 1000 : null,
          sweep_width_m: {foot: Number(f.w_foot.value), vehicle: Number(f.w_vehicle.value),
            door_to_door: Number(f.w_door_to_door.value)}});
      });
      const consensus = panel.querySelector(".sc-where-consensus-form");
      consensus.addEventListener("submit", (e) => {
        e.preventDefault();
        // one evaluator per line: "A1=40 B2=30 ROW=30"
        const evaluations = consensus.lines.value.split("\n").map((line) => line.trim()).filter(Boolean)
          .map((line) => Object.fromEntries(line.split(/[\s,;]+/).filter(Boolean).map((pair) => {
            const [k, v] = pair.split(/[=:]/);
            return [k.trim(), Number(v)];
          })));
        api("POST", `/api/v1/searches/${searchId}/poa/consensus`, {evaluations});
      });
    }

    function fillSettings(m) {
      const f = panel.querySelector(".sc-where-settings-form");
      if (!f || f.contains(document.activeElement)) return;  // never overwrite what is being typed
      f.walking_speed_ms.value = m.settings.walking_speed_ms;
      f.max_reach_km.value = m.settings.max_reach_m ? m.settings.max_reach_m / 1000 : "";
      for (const mode of ["foot", "vehicle", "door_to_door"]) f["w_" + mode].value = m.settings.sweep_width_m[mode];
    }

    function fillTeams() {
      const select = panel.querySelector(".sc-where-mark select[name=team_id]");
      if (!select || select === document.activeElement) return;
      const teams = (opts.teams && opts.teams()) || new Map();
      const current = select.value;
      select.innerHTML = `<option value="">—</option>` + [...teams.values()]
        .map((tm) => `<option value="${tm.id}">${escapeHtml(tm.name)}</option>`).join("");
      select.value = current;
    }

    function renderPanel(row) {
      if (!panel || !state.model) return;
      if (!built) buildPanel();
      const m = state.model;
      const teams = (opts.teams && opts.teams()) || new Map();
      panel.querySelector(".sc-where-summary").innerHTML = `
          <div>${t("where.rings")}: ${m.rings.map((r) => `${r.percent}% ${(r.radius_m / 1000).toFixed(1)} km`).join(" · ")}
            <span class="sc-muted">(${escapeHtml(m.ring_source)})</span></div>
          <div>${t("where.reach")}: <strong class="sc-reach-km">${(m.reach.radius_m / 1000).toFixed(2)} km</strong>
            <span class="sc-muted">${m.reach.walking_speed_ms.toFixed(2)} m/s${m.reach.capped
              ? " · " + t("where.reach_capped").replace("{km}", (m.reach.cap_m / 1000).toFixed(1)) : ""}</span></div>
          <div>${t("where.row")}: ${pct(row)} · ${t("where.pos_total")}: ${pct(m.pos_total)}
            · ${t("where.basis")}: ${t("where.basis." + m.poa_basis)}</div>
          <div class="sc-where-selected sc-muted">${t("where.click_segment")}</div>`;
      const list = panel.querySelector(".sc-where-suggestions");
      list.innerHTML = m.suggestions.map((x) => {
        const team = teams.get(x.team_id);
        return `<li><strong>${x.segment}</strong> → ${team ? escapeHtml(team.name) : "#" + x.team_id}
          <span class="sc-muted">+${pct(x.gain_per_hour)} / h</span>
          ${canEdit ? `<button type="button" class="sc-btn sc-btn-small" data-accept="${x.segment_id}"
            data-team="${x.team_id}">${t("where.accept")}</button>` : ""}</li>`;
      }).join("") || `<li class="sc-muted">${t("where.no_suggestions")}</li>`;
      list.querySelectorAll("[data-accept]").forEach((b) => b.addEventListener("click", () =>
        api("POST", `/api/v1/searches/${searchId}/suggestions/accept`,
          {segment_id: Number(b.dataset.accept), team_id: Number(b.dataset.team)})));
      const top = [...state.segments.values()].sort((a, b) => b.poa - a.poa).slice(0, 8);
      const body = panel.querySelector(".sc-where-table tbody");
      body.innerHTML = top.map((s) => `<tr data-seg="${s.id}"><td>${s.name}</td><td>${pct(s.poa)}</td>
          <td>${pct(s.pod)}</td><td>${(s.area_m2 / 1e4).toFixed(1)} ha</td><td>${t("where.status." + s.status)}</td>
          </tr>`).join("");
      body.querySelectorAll("tr[data-seg]").forEach((tr) => tr.addEventListener("click", () => {
        const id = Number(tr.dataset.seg);
        selectSegment(id);
        const layer = state.layerById.get(id);
        if (layer) map.fitBounds(layer.getBounds(), {maxZoom: 16});
      }));
      fillSettings(m);
      fillTeams();
      if (state.selected != null && state.segments.has(state.selected)) selectSegment(state.selected);
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
      refreshSwept();
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
        refreshSwept();
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

  window.SCWhere = {init, repairText, POLYGON_DRAW};
})();
