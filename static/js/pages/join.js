/* search-coord: the newcomer's page from a QR code (/join/<token>): what the link is for (the search, role, team,
   until when), then name, unit and phone; then waiting for a dispatcher's approval (asked every few seconds) and on
   to the search's field page, or told plainly that the link is no longer valid or the account has ended. */
import { api, errorMessage } from "../lib/api.js";
import { boot } from "../lib/boot.js";
import { $, showFieldErrors } from "../lib/dom.js";
import { fmtTime } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { config } from "../lib/page.js";
import { showErrors } from "../reports/dialogs.js";

boot();

const token = $("#join").dataset.token;
const what = $("#join-what");
const form = $("#join-form");
const wait = $("#join-wait");

function waitForApproval(searchId) {
  form.hidden = true;
  wait.hidden = false;
  wait.textContent = t("join.waiting");
  const poll = async () => {
    let s;
    try {
      s = await api("GET", "/api/v1/join-status", null, { quiet: true });
    } catch (e) {
      if (e.status === 401) { wait.textContent = t("join.ended"); return; }
      setTimeout(poll, 3000);
      return;
    }
    if (s.status === "approved") { window.location.href = "/field/" + searchId; return; }
    if (s.status === "refused" || s.status === "ended") { wait.textContent = t("join.ended"); return; }
    setTimeout(poll, 3000);
  };
  poll();
}

api("GET", "/api/v1/join/" + encodeURIComponent(token), null, { quiet: true }).then((p) => {
  const team = p.team ? (p.team.callsign ? `${p.team.callsign} · ${p.team.name}` : p.team.name) : null;
  what.textContent = t("join.what", { name: p.search.name, role: tEnum("join_role", p.role), until: fmtTime(p.expires_at) })
    + (team ? " " + t("join.team", { team }) : "");
  form.hidden = false;
  $("#j-name").focus();
}).catch((err) => {
  what.textContent = err.status === 404 || err.status === 409 ? t("join.invalid") : errorMessage(err);
  what.classList.add("warn");
});

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = { display_name: form.elements.display_name.value.trim(), unit: form.elements.unit.value.trim(),
    phone: form.elements.phone.value.trim() };
  const missing = Object.fromEntries(Object.entries(body).filter(([, v]) => !v).map(([k]) => [k, t("form.required")]));
  if (Object.keys(missing).length) { showFieldErrors(form, missing); return; }
  try {
    const res = await api("POST", "/api/v1/join/" + encodeURIComponent(token), body, { quiet: true });
    const s = await api("GET", "/api/v1/session", null, { quiet: true });
    config.csrfToken = s.csrf_token;
    if (res.guest.status === "approved") window.location.href = "/field/" + res.guest.search_id;
    else waitForApproval(res.guest.search_id);
  } catch (err) {
    showErrors(form, err);
  }
});
