/* search-coord: the People tab's mutual aid — a QR code / link for this search (role, team, expiry, uses, approve
   at once), the links with their uses and a Revoke button, newcomers waiting with Approve / Refuse; and an officer's
   account added on the spot. joinPanel(c) -> {load(), onEvent(ev)}; c is the console's context (pages/console.js). */
import { api, errorMessage } from "../lib/api.js";
import { debug } from "../lib/debug.js";
import { $, clear, el, fillSelect, showFieldErrors, toast } from "../lib/dom.js";
import { fmtTime } from "../lib/format.js";
import { t, tEnum } from "../lib/i18n.js";
import { teamTitle } from "../lib/people.js";
import { showErrors } from "../reports/dialogs.js";

export function joinPanel(c) {
  const base = `/api/v1/searches/${c.searchId}`;
  let data = { links: [], guests: [] };

  async function load() {
    try { data = await api("GET", base + "/join-links", null, { quiet: true }); } catch (e) { return; }
    render();
  }

  function render() {
    const teams = c.st() ? c.st().teams.filter((tm) => !tm.disbanded) : [];
    fillSelect($("#jl-team"), teams.map((tm) => [tm.id, teamTitle(tm)]), { blank: t("assignment.no_team") });
    const guests = clear($("#join-guests"));
    const pending = data.guests.filter((g) => g.guest.status === "pending");
    for (const g of data.guests) {
      guests.append(el("li", { class: "list-item guest guest-" + g.guest.status, dataset: { userId: g.id } },
        el("span", { class: "grow" }, el("strong", {}, g.display_name), " · ", g.unit || "", " · ", g.phone || "",
          " ", el("span", { class: "badge" }, tEnum("guest", g.guest.status))),
        g.guest.status === "pending" ? [
          el("button", { type: "button", class: "btn btn-small btn-primary", onclick: () => decide(g, "approve") }, t("join.approve")),
          el("button", { type: "button", class: "btn btn-small btn-ghost", onclick: () => decide(g, "refuse") }, t("join.refuse"))] : null));
    }
    const badge = $("#join-pending");
    badge.hidden = !pending.length;
    badge.textContent = t("join.pending_n", { n: pending.length });
    if (pending.length) $("#join-box").open = true;
    const links = clear($("#join-links"));
    for (const l of data.links) {
      links.append(el("li", { class: "list-item link-" + l.state, dataset: { linkId: l.id } },
        el("span", { class: "grow small" }, `${tEnum("join_role", l.role)} · ${c.teamLabel(l.team_id)} · `
          + t("join.uses", { n: l.uses, max: l.max_uses }) + " · " + t("join.until", { time: fmtTime(l.expires_at) })
          + (l.auto_approve ? " · " + t("join.auto_short") : ""), " ", el("span", { class: "badge" }, tEnum("link_state", l.state))),
        l.state === "open" || l.state === "used_up" ? el("button", { type: "button", class: "btn btn-small btn-danger", onclick: () => revoke(l) }, t("join.revoke")) : null));
    }
  }

  async function decide(g, decision) {
    try {
      await api("POST", `${base}/guests/${g.id}/decision`, { decision });
      toast(decision === "approve" ? t("join.approved", { name: g.display_name }) : t("join.refused", { name: g.display_name }), "ok");
    } catch (e) { /* shown */ }
    load();
  }

  async function revoke(l) {
    if (!window.confirm(t("join.confirm_revoke"))) return;
    try { await api("POST", `${base}/join-links/${l.id}/revoke`); toast(t("join.revoked"), "ok"); } catch (e) { /* shown */ }
    $("#join-qr").hidden = true;
    load();
  }

  $("#join-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target;
    const body = { role: f.elements.role.value, expires_in_min: parseInt(f.elements.expires_in_min.value, 10),
      max_uses: parseInt(f.elements.max_uses.value, 10), auto_approve: f.elements.auto_approve.checked };
    if (f.elements.team_id.value) body.team_id = parseInt(f.elements.team_id.value, 10);
    try {
      const link = await api("POST", base + "/join-links", body, { quiet: true });
      showFieldErrors(f, {});
      const box = clear($("#join-qr"));
      box.hidden = false;
      box.append(el("img", { src: link.qr_png, alt: t("join.qr_alt"), class: "join-qr-img zoomable" }),
        el("p", { class: "small" }, t("join.qr_hint", { time: fmtTime(link.expires_at), n: link.max_uses })),
        el("input", { type: "text", readonly: true, value: link.url, class: "join-url", "aria-label": t("join.link") }));
      debug.joinUrl = link.url;
      load();
    } catch (err) {
      if (err.status === 400 && err.data.errors) showFieldErrors(f, err.data.errors);
      else toast(errorMessage(err), "error");
    }
  });

  $("#officer-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target;
    const body = {};
    for (const k of ["display_name", "unit", "phone", "username", "password"]) {
      const v = k === "password" ? f.elements[k].value : f.elements[k].value.trim();
      if (v) body[k] = v;
    }
    try {
      const u = await api("POST", base + "/officers", body, { quiet: true });
      f.reset();
      showFieldErrors(f, {});
      toast(t("officer.added", { name: u.display_name }), "ok");
    } catch (err) { showErrors(f, err); }
  });

  function onEvent(ev) {
    if (ev.type.startsWith("join.")) {
      load();
      if (ev.type === "join.requested" && !ev.payload.auto_approve) toast(t("join.new_pending", { name: ev.payload.user.display_name }), "info");
    } else if (ev.type.startsWith("team.")) render();
  }

  debug.join = { load };
  return { load, onEvent };
}
