/* search-coord: Leaflet helpers shared by the console, the field page and the new-search form. */
"use strict";

(function () {
  const SC = (window.SC = window.SC || {});
  const t = (k, v) => SC.t(k, v);

  SC.STATUS_COLORS = {
    planned: "#7c8798",
    assigned: "#2563eb",
    in_progress: "#ea7a06",
    done: "#15803d",
    aborted: "#b91c1c",
  };
  const TRACK_COLORS = ["#d6336c", "#0b7285", "#7048e8", "#e67700", "#2b8a3e", "#c2255c", "#1864ab", "#5f3dc4", "#a61e4d", "#087f5b"];
  SC.trackColor = (uid) => TRACK_COLORS[Math.abs(parseInt(uid, 10) || 0) % TRACK_COLORS.length];

  SC.TRACK_GAP_S = 120; // two fixes further apart than this are not joined by a line
  SC.STALE_S = 120; // a last position older than this is stale

  /** Split fixes [lon, lat, isoTime, key] into the pieces a map joins by a line: fixes of one key (one device's
      piece of counted track, as the server keyed it; or the phone's own run number) in time order, broken after a
      long silence. A fix whose key is null is too coarse to join anything: it is never part of a line. */
  SC.trackPieces = function trackPieces(pts) {
    const byKey = new Map();
    for (const p of pts) {
      const key = p[3] === undefined ? 0 : p[3];
      if (key === null) continue;
      if (!byKey.has(key)) byKey.set(key, []);
      byKey.get(key).push(p);
    }
    const pieces = [];
    for (const list of byKey.values()) {
      let cur = null;
      let prev = null;
      for (const p of list) {
        if (!cur || (new Date(p[2]).getTime() - new Date(prev[2]).getTime()) > SC.TRACK_GAP_S * 1000) {
          cur = [];
          pieces.push(cur);
        }
        cur.push(p);
        prev = p;
      }
    }
    return pieces;
  };

  SC.isStale = (iso, now) => !!iso && ((now || Date.now()) - new Date(iso).getTime()) > SC.STALE_S * 1000;

  /** "just now", "3 min ago", "2 h 05 min ago". */
  SC.fmtAgo = function fmtAgo(iso, now) {
    if (!iso) return "";
    const mins = Math.floor(Math.max(0, (now || Date.now()) - new Date(iso).getTime()) / 60000);
    if (mins < 1) return t("age.now");
    if (mins < 60) return t("age.m", { m: mins });
    return t("age.hm", { h: Math.floor(mins / 60), m: String(mins % 60).padStart(2, "0") });
  };

  /** A map in `el`; tiles only when SC_CONFIG.tileUrl is set, otherwise a plain grid background (offline). */
  SC.makeMap = function makeMap(el, opts) {
    opts = opts || {};
    const cfg = SC.config || {};
    const map = L.map(el, {
      center: opts.center || [39.9042, 116.4074],
      zoom: opts.zoom || 15,
      maxZoom: cfg.tileMaxZoom || 19,
      zoomControl: true,
      tap: true,
    });
    if (cfg.tileUrl) {
      L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution || "", maxZoom: cfg.tileMaxZoom || 19 }).addTo(map);
    } else {
      el.classList.add("map-plain");
    }
    L.control.scale({ imperial: false }).addTo(map);
    if (map.attributionControl) map.attributionControl.setPrefix(false);
    return map;
  };

  SC.pointLatLng = (geom) => (geom && geom.coordinates ? [geom.coordinates[1], geom.coordinates[0]] : null);

  /** Content for a Leaflet tooltip, popup or divIcon: always an element. Leaflet puts a string in as HTML (a name
      or a camera code would run as script), an element as it is, so text goes in as text. */
  SC.tip = (...parts) => SC.el("span", {}, ...parts);
  /** L.divIcon whose content is `node` (an element, never an HTML string); a new icon per marker. */
  SC.nodeIcon = (opts, node) => L.divIcon(Object.assign({}, opts, { html: node }));

  function labelIcon(cls, text, size) {
    size = size || 28;
    return L.divIcon({
      className: "sc-icon " + cls,
      html: SC.tip(String(text)),
      iconSize: [size, size],
      iconAnchor: [size / 2, size / 2],
    });
  }
  SC.labelIcon = labelIcon;

  SC.lkpMarker = (latlng) => L.marker(latlng, { icon: labelIcon("sc-icon-lkp", t("map.lkp_short"), 40), zIndexOffset: 500, keyboard: true, title: t("map.lkp") });

  /** Everything a search map shows, in layer groups, redrawn from a live state. */
  class SearchLayers {
    constructor(map, opts) {
      this.map = map;
      this.opts = opts || {};
      this.groups = {};
      for (const name of ["searched", "assignments", "tracks", "clues", "positions", "lkp", "found", "me"]) {
        this.groups[name] = L.featureGroup().addTo(map);
      }
      this.trackLines = {}; // uid -> polyline
      this.positionMarkers = {}; // uid -> marker
      this.assignmentLayers = {}; // id -> layer
      this.clueMarkers = {}; // id -> marker
    }

    userName(state, uid) {
      const m = (state.members || []).find((u) => String(u.id) === String(uid));
      return m ? m.display_name : t("map.user_n", { id: uid });
    }

    teamName(state, teamId) {
      const team = (state.teams || []).find((x) => x.id === teamId);
      return team ? (team.callsign ? `${team.callsign} · ${team.name}` : team.name) : t("assignment.no_team");
    }

    renderAll(state) {
      this.renderLkp(state);
      this.renderFound(state);
      this.renderSearched(state);
      this.renderAssignments(state);
      this.renderClues(state);
      this.renderTracks(state);
    }

    renderLkp(state) {
      this.groups.lkp.clearLayers();
      const ll = SC.pointLatLng(state.search && state.search.lkp);
      if (ll) {
        const m = SC.lkpMarker(ll);
        m.bindPopup(() => SC.el("div", {},
          SC.el("strong", {}, t("map.lkp")), SC.el("br"),
          SC.fmtDateTime(state.search.lkp_time), SC.el("br"),
          state.search.lkp_address || ""));
        this.groups.lkp.addLayer(m);
      }
    }

    renderFound(state) {
      this.groups.found.clearLayers();
      const f = state.search && state.search.found;
      const ll = f && SC.pointLatLng(f.location);
      if (ll) {
        const m = L.marker(ll, { icon: labelIcon("sc-icon-found", t("map.found_short"), 48), zIndexOffset: 1000, title: t("map.found") });
        m.bindPopup(() => SC.el("div", {}, SC.el("strong", {}, t("map.found")), SC.el("br"),
          SC.fmtDateTime(f.time), " · ", SC.tEnum("condition", f.condition), SC.el("br"), f.notes || ""));
        this.groups.found.addLayer(m);
      }
    }

    renderAssignments(state) {
      this.groups.assignments.clearLayers();
      this.assignmentLayers = {};
      const highlight = new Set(this.opts.highlightTeamIds ? this.opts.highlightTeamIds(state) : []);
      for (const a of state.assignments || []) {
        if (!a.geometry) continue;
        const color = SC.STATUS_COLORS[a.status] || "#555";
        const mine = a.team_id !== null && highlight.has(a.team_id);
        const finished = a.status === "done" || a.status === "aborted";
        const style = {
          color,
          weight: mine ? 6 : 3,
          opacity: finished ? 0.6 : 0.95,
          fillOpacity: mine ? 0.28 : 0.12,
          dashArray: a.status === "aborted" ? "6 6" : (a.status === "planned" ? "2 6" : null),
          className: "sc-assignment sc-assignment-" + a.status + (mine ? " sc-assignment-mine" : ""),
        };
        let layer;
        if (a.geometry.type === "MultiPoint" || a.geometry.type === "Point") {
          const coords = a.geometry.type === "Point" ? [a.geometry.coordinates] : a.geometry.coordinates;
          layer = L.featureGroup(coords.map((c, i) => {
            const m = L.circleMarker([c[1], c[0]], { ...style, radius: mine ? 10 : 8, fillOpacity: 0.85, fillColor: "#fff", weight: mine ? 5 : 3 });
            const label = a.places && a.places[i] ? a.places[i] : `${a.title} (${i + 1})`;
            m.bindTooltip(SC.tip(label), { direction: "top" });
            return m;
          }));
        } else {
          layer = L.geoJSON(a.geometry, { style: () => style });
        }
        layer.bindPopup(() => SC.el("div", { class: "map-popup" },
          SC.el("strong", {}, a.title), SC.el("br"),
          SC.el("span", { class: "badge status-" + a.status }, SC.tEnum("astatus", a.status)), " ",
          this.teamName(state, a.team_id),
          a.instructions ? SC.el("p", {}, a.instructions) : null,
          a.places && a.places.length ? SC.el("ul", {}, a.places.map((p) => SC.el("li", {}, p))) : null,
          a.debrief ? SC.el("p", {}, SC.el("em", {}, t("assignment.debrief") + ": "), a.debrief) : null));
        if (mine && a.kind !== "places") layer.bindTooltip(() => SC.tip(a.title), { permanent: false, sticky: true });
        this.groups.assignments.addLayer(layer);
        this.assignmentLayers[a.id] = layer;
      }
    }

    /** Areas marked searched (by a team, or a reviewed exit camera), hatched green with their stated POD. */
    renderSearched(state) {
      this.groups.searched.clearLayers();
      for (const a of state.searched_areas || []) {
        if (!a.geometry) continue;
        const layer = L.geoJSON(a.geometry, {
          style: { className: "sc-searched", color: "#15803d", weight: 1.5, fillColor: "#22c55e", fillOpacity: 0.18,
            dashArray: "4 3" },
        });
        layer.bindTooltip(SC.tip(t("map.searched_pod", { pod: Math.round((a.pod || 0) * 100) })), { sticky: true });
        layer.bindPopup(() => SC.el("div", { class: "map-popup" },
          SC.el("strong", {}, t("map.searched_pod", { pod: Math.round((a.pod || 0) * 100) })), SC.el("br"),
          SC.fmtDateTime(a.marked_at), " · ", this.userName(state, a.marked_by),
          a.team_id ? SC.el("div", {}, this.teamName(state, a.team_id)) : null,
          a.notes ? SC.el("div", { class: "muted" }, a.notes) : null,
          SC.retractButton ? SC.retractButton("area", a.id, state.search && state.search.id) : null));
        this.groups.searched.addLayer(layer);
      }
    }

    renderClues(state) {
      this.groups.clues.clearLayers();
      this.clueMarkers = {};
      for (const c of state.clues || []) {
        const ll = SC.pointLatLng(c.location);
        if (!ll) continue;
        const m = L.marker(ll, {
          icon: labelIcon("sc-icon-" + c.kind, t("map." + c.kind + "_short"), 30),
          title: SC.tEnum("clue_kind", c.kind),
          zIndexOffset: 300,
        });
        m.bindPopup(() => SC.el("div", { class: "map-popup" },
          SC.el("strong", {}, SC.tEnum("clue_kind", c.kind)), " · ", SC.fmtDateTime(c.time), SC.el("br"),
          c.text, c.direction ? SC.el("div", {}, t("clue.direction") + ": " + SC.tEnum("dir", c.direction)) : null,
          SC.el("div", { class: "muted" }, t("clue.reported_by", { name: this.userName(state, c.reported_by) })),
          c.photo_id ? SC.el("img", { src: `/api/v1/photos/${c.photo_id}`, alt: t("clue.photo"), class: "popup-photo" }) : null,
          SC.retractButton ? SC.retractButton("clue", c.id, state.search && state.search.id) : null));
        this.groups.clues.addLayer(m);
        this.clueMarkers[c.id] = m;
      }
    }

    /** Draw every track; cheap to call again. A track is drawn as pieces: a new piece starts where the phone
        started a new run (it paused) or where two fixes are more than SC.TRACK_GAP_S apart, so a gap shows as one. */
    renderTracks(state) {
      const tracks = state.tracks || {};
      const meId = SC.user ? String(SC.user.id) : null;
      for (const [uid, pts] of Object.entries(tracks)) {
        if (!pts.length) continue;
        const pieces = SC.trackPieces(pts);
        const color = SC.trackColor(uid);
        const mine = uid === meId;
        let group = this.trackLines[uid];
        if (!group) {
          group = L.featureGroup();
          this.groups.tracks.addLayer(group);
          this.trackLines[uid] = group;
        }
        const lines = group.getLayers();
        pieces.forEach((piece, i) => {
          const latlngs = piece.map((p) => [p[1], p[0]]);
          if (lines[i]) lines[i].setLatLngs(latlngs);
          else group.addLayer(L.polyline(latlngs, { className: "sc-track" + (mine ? " sc-track-mine" : ""), color, weight: mine ? 5 : 4, opacity: 0.9 }));
        });
        for (let i = pieces.length; i < lines.length; i++) group.removeLayer(lines[i]);
        const last = pts[pts.length - 1];
        let marker = this.positionMarkers[uid];
        if (!marker) {
          marker = L.circleMarker([last[1], last[0]], {
            radius: 8, color: "#fff", weight: 3, fillColor: color, fillOpacity: 1, className: "sc-position",
          });
          marker.bindTooltip(SC.tip(), { permanent: true, direction: "right", offset: [10, 0], className: "sc-name-tip" });
          this.groups.positions.addLayer(marker);
          this.positionMarkers[uid] = marker;
        } else {
          marker.setLatLng([last[1], last[0]]);
        }
        marker.scLast = last[2];
        marker.scCoarse = last[3] === null; // the last fix was too coarse to count: its place is only roughly known
        marker.scName = this.userName(state, uid);
        marker.scColor = color;
        this.styleMarker(marker);
      }
      for (const uid of Object.keys(this.trackLines)) {
        if (!tracks[uid] || !tracks[uid].length) {
          this.groups.tracks.removeLayer(this.trackLines[uid]);
          this.groups.positions.removeLayer(this.positionMarkers[uid]);
          delete this.trackLines[uid];
          delete this.positionMarkers[uid];
        }
      }
    }

    /** A position older than SC.STALE_S is drawn greyed, with its age. */
    styleMarker(marker) {
      const stale = SC.isStale(marker.scLast);
      const tip = `${marker.scName} · ${SC.fmtTime(marker.scLast)}` + (stale ? ` (${SC.fmtAgo(marker.scLast)})` : "")
        + (marker.scCoarse ? ` · ${t("track.coarse")}` : "");
      marker.setTooltipContent(SC.tip(tip));
      const el = marker.getElement && marker.getElement();
      if (el) el.classList.toggle("sc-coarse", !!marker.scCoarse);
      if (marker.scStale !== stale) {
        marker.scStale = stale;
        marker.setStyle(stale ? { fillColor: "#8a94a3", color: "#d0d5dc", fillOpacity: 0.75, dashArray: "3 3" }
          : { fillColor: marker.scColor, color: "#fff", fillOpacity: 1, dashArray: null });
        const path = marker.getElement && marker.getElement();
        if (path) path.classList.toggle("sc-stale", stale);
        const tipEl = marker.getTooltip() && marker.getTooltip().getElement();
        if (tipEl) tipEl.classList.toggle("sc-stale-tip", stale);
      }
    }

    /** Re-check which positions went stale (call every few seconds). */
    refreshStale() {
      for (const m of Object.values(this.positionMarkers)) this.styleMarker(m);
    }

    /** Fit the view to what is on the map (or centre on the LKP). */
    fit(state) {
      this.map.invalidateSize(false);
      const b = L.latLngBounds([]);
      for (const g of ["assignments", "lkp", "clues", "tracks", "found"]) {
        const gb = this.groups[g].getBounds();
        if (gb.isValid()) b.extend(gb);
      }
      if (b.isValid()) this.map.fitBounds(b, { padding: [30, 30], maxZoom: 17 });
      else {
        const ll = SC.pointLatLng(state.search && state.search.lkp);
        if (ll) this.map.setView(ll, 16);
      }
    }
  }
  SC.SearchLayers = SearchLayers;

  /** Let the user pick a point on the map; resolves with [lon, lat] or null on Escape. */
  SC.pickPoint = function pickPoint(map, hint) {
    return new Promise((resolve) => {
      const box = map.getContainer();
      box.classList.add("picking");
      const banner = SC.el("div", { class: "pick-banner", role: "status" }, hint || t("map.pick_hint"),
        SC.el("button", { type: "button", class: "btn btn-small" }, t("action.cancel")));
      box.parentElement.append(banner);
      const finish = (val) => {
        map.off("click", onClick);
        document.removeEventListener("keydown", onKey);
        box.classList.remove("picking");
        banner.remove();
        resolve(val);
      };
      const onClick = (e) => finish([Number(e.latlng.lng.toFixed(6)), Number(e.latlng.lat.toFixed(6))]);
      const onKey = (e) => { if (e.key === "Escape") finish(null); };
      banner.querySelector("button").addEventListener("click", () => finish(null));
      map.on("click", onClick);
      document.addEventListener("keydown", onKey);
    });
  };
})();
