/* search-coord: the "open a new search" form. */
import { api, errorMessage, meta } from "../lib/api.js";
import { $, $$, clear, el, fillSelect, showFieldErrors, toast } from "../lib/dom.js";
import { dateToLocalInput, localInputToIso, zoneLabel } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { fieldError } from "../lib/server_text.js";
import { lkpMarker, makeMap } from "../map/base.js";
import { boot } from "../lib/boot.js";
import { debug } from "../lib/debug.js";
import { config } from "../lib/page.js";

boot();

const form = $("#new-search");
const latIn = $("#f-lat");
const lonIn = $("#f-lon");
let photoId = null;
let marker = null;

/* the map opens on the station's home area (configuration: HOME_AREA {center: [lon, lat], zoom}), else on the last
   search's last known point, else on a wide default; never a fixed city for every station */
const home = config.homeArea && Array.isArray(config.homeArea.center) ? config.homeArea : null;
const map = makeMap($("#new-map"), home ? { center: [home.center[1], home.center[0]], zoom: home.zoom || 13 }
  : { center: [35, 105], zoom: 4 });
debug.mapHome = home ? "config" : "default";
debug.map = map;
if (!home) {
  api("GET", "/api/v1/searches", null, { quiet: true }).then((list) => {
    const last = (list || []).find((x) => x.lkp && x.lkp.coordinates);
    if (last && !marker) {
      map.setView([last.lkp.coordinates[1], last.lkp.coordinates[0]], 13);
      debug.mapHome = "last_search";
    }
  }).catch(() => {});
}

function setLkp(lon, lat, moveMap) {
  latIn.value = Number(lat).toFixed(6);
  lonIn.value = Number(lon).toFixed(6);
  placeMarker(lon, lat, moveMap);
}

function placeMarker(lon, lat, moveMap) {
  const ll = [lat, lon];
  if (!marker) {
    marker = lkpMarker(ll);
    marker.options.draggable = true;
    marker.addTo(map);
    marker.dragging.enable();
    marker.on("dragend", () => {
      const p = marker.getLatLng();
      latIn.value = p.lat.toFixed(6);
      lonIn.value = p.lng.toFixed(6);
    });
  } else {
    marker.setLatLng(ll);
  }
  if (moveMap) map.setView(ll, Math.max(map.getZoom(), 16));
}

map.on("click", (e) => setLkp(e.latlng.lng, e.latlng.lat, false));

function coordsFromInputs() {
  const lat = parseFloat(latIn.value.replace(",", "."));
  const lon = parseFloat(lonIn.value.replace(",", "."));
  if (!isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  return [lon, lat];
}
for (const input of [latIn, lonIn]) {
  input.addEventListener("change", () => {
    const c = coordsFromInputs();
    if (c) placeMarker(c[0], c[1], true);
  });
}

$("#f-lkp-time").value = dateToLocalInput(new Date());
$("#lkp-zone").textContent = `(${zoneLabel()})`;
$("#f-lkp-time").max = dateToLocalInput(new Date(Date.now() + 5 * 60000));

/* choices from /api/v1/meta */
meta().then((meta) => {
  fillSelect($("#f-sex"), meta.sexes.map((v) => [v, tEnum("sex", v)]), { blank: t("form.choose"), selected: "" });
  fillSelect($("#f-category"), meta.categories.map((v) => [v, tEnum("category", v)]), { blank: t("form.choose"), selected: "" });
  fillSelect($("#f-terrain"), meta.terrains.map((v) => [v, tEnum("terrain", v)]), { selected: "urban" });
  const risk = $("#risk-choices");
  for (const v of meta.risk_levels) {
    risk.append(el("label", { class: "seg risk-" + v },
      el("input", { type: "radio", name: "risk", value: v, checked: v === "high" }),
      el("span", {}, tEnum("risk_level", v))));
  }
  const reasons = $("#reason-choices");
  for (const v of meta.risk_reasons) {
    reasons.append(el("label", { class: "check" },
      el("input", { type: "checkbox", name: "risk_reasons", value: v }), el("span", {}, tEnum("reason", v))));
  }
  if (meta.geocoder) $("#geocode-box").hidden = false;
});

/* address lookup */
async function lookup() {
  const q = $("#f-geocode").value.trim();
  const list = clear($("#geocode-results"));
  if (!q) return;
  list.append(el("li", { class: "muted" }, t("new.looking_up")));
  let results;
  try {
    results = await api("GET", "/api/v1/geocode?q=" + encodeURIComponent(q));
  } catch (e) {
    clear(list);
    return;
  }
  clear(list);
  if (!results.length) list.append(el("li", { class: "muted" }, t("new.no_results")));
  for (const r of results) {
    list.append(el("li", {}, el("button", {
      type: "button", class: "link-button",
      onclick: () => {
        setLkp(r.lon, r.lat, true);
        $("#f-address").value = r.label;
        clear(list);
      },
    }, r.label)));
  }
}
$("#geocode-go").addEventListener("click", lookup);
$("#f-geocode").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); lookup(); } });

/* photo: uploaded as soon as it is chosen */
$("#f-photo").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  photoId = null;
  const preview = $("#f-photo-preview");
  preview.hidden = true;
  if (!file) return;
  const fd = new FormData();
  fd.append("photo", file);
  try {
    const res = await api("POST", "/api/v1/photos", fd);
    photoId = res.id;
    preview.src = "/api/v1/photos/" + res.id;
    preview.hidden = false;
    toast(t("photo.uploaded"), "ok");
  } catch (err) {
    e.target.value = "";
  }
});

function val(name) {
  const v = form.elements[name].value.trim();
  return v === "" ? undefined : v;
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const errs = $("#form-errors");
  clear(errs);
  const ageRaw = val("age");
  const subject = {
    name: val("name") || "",
    age: ageRaw === undefined ? undefined : Number(ageRaw),
    sex: val("sex"),
    category: val("category") || "",
    description: val("description"),
    clothing: val("clothing"),
    medical: val("medical"),
    photo_id: photoId || undefined,
  };
  // medication times, one a line: "Amlodipine 20:00" (the time last, on the station's clock; daily)
  const meds = form.elements.medications.value.split("\n").map((x) => x.trim()).filter(Boolean).map((line) => {
    const m = /^(.*?)[\s,;]+(\d{1,2})[:：.](\d{2})$/.exec(line);
    return m ? { name: m[1].trim(), due: `${m[2].padStart(2, "0")}:${m[3]}` } : { name: line, due: "" };
  });
  if (meds.length) subject.medications = meds;
  const coords = coordsFromInputs();
  const riskInput = form.querySelector("input[name=risk]:checked");
  const body = {
    title: val("title"),
    subject,
    lkp: coords ? { type: "Point", coordinates: coords } : null,
    lkp_time: localInputToIso(form.elements.lkp_time.value),
    lkp_address: val("lkp_address"),
    terrain: val("terrain") || "urban",
    risk: riskInput ? riskInput.value : null,
    risk_reasons: $$("input[name=risk_reasons]:checked", form).map((c) => c.value),
    notes: val("notes"),
  };
  // drop empty optional values so the API gets only what was given
  for (const k of Object.keys(subject)) if (subject[k] === undefined) delete subject[k];
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  const btn = $("#submit-btn");
  btn.disabled = true;
  for (;;) {
    try {
      const created = await api("POST", "/api/v1/searches", body, { quiet: true });
      window.location.href = "/searches/" + created.id;
      return;
    } catch (err) {
      btn.disabled = false;
      const errors = err.status === 400 && err.data && err.data.errors;
      if (errors && errors.lkp_time_confirmed && Object.keys(errors).every((k) => k.startsWith("lkp_time"))
          && window.confirm(t("new.old_lkp_confirm", { days: (String(errors.lkp_time).match(/\d+/) || ["?"])[0] }))) {
        // a last known time more than a week ago is a typo as a rule (the wrong year): asked once, then sent again
        body.lkp_time_confirmed = true;
        btn.disabled = true;
        continue;
      }
      if (errors) {
        const rest = showFieldErrors(form, err.data.errors);
        errs.append(el("p", {}, t("form.fix_errors")));
        for (const k of rest) errs.append(el("p", {}, fieldError(k, err.data.errors[k])));
      } else {
        toast(errorMessage(err), "error");
      }
      return;
    }
  }
});
