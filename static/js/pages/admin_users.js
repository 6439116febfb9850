/* search-coord: account management for administrators. */
import { api, errorMessage, randomId } from "../lib/api.js";
import { $, clear, el, showFieldErrors, toast } from "../lib/dom.js";
import { t, tEnum } from "../lib/i18n.js";
import { user } from "../lib/page.js";
import { boot } from "../lib/boot.js";

boot();

const tbody = $("#user-table tbody");

/** The server's (English) reasons for a refused password, in the page's language; other fields as sent. */
function translated(errors) {
  const known = [["must be at least", "acct.err_short"], ["most common", "acct.err_common"],
    ["user name", "acct.err_username"], ["different characters", "acct.err_distinct"]];
  const out = Object.assign({}, errors);
  if (typeof out.password === "string") {
    const hit = known.find(([part]) => out.password.includes(part));
    if (hit) out.password = t(hit[1], { min: 10 });
  }
  return out;
}

async function load() {
  let users;
  try { users = await api("GET", "/api/v1/users"); } catch (e) { return; }
  clear(tbody);
  users.sort((a, b) => (a.active === b.active ? a.username.localeCompare(b.username) : a.active ? -1 : 1));
  for (const u of users) {
    const isMe = user && user.id === u.id;
    tbody.append(el("tr", { class: u.active ? "" : "inactive" },
      el("td", { "data-label": t("admin.display_name") }, el("strong", {}, u.display_name)),
      el("td", { "data-label": t("admin.username") }, u.username),
      el("td", { "data-label": t("admin.role") }, tEnum("role", u.role)),
      el("td", { "data-label": t("admin.unit") }, u.unit || ""),
      el("td", { "data-label": t("admin.phone") }, u.phone || ""),
      el("td", { "data-label": t("admin.status") }, el("span", { class: "badge " + (u.active ? "status-open" : "status-closed") }, u.active ? t("admin.active") : t("admin.inactive")),
        u.must_change_password ? [" ", el("span", { class: "badge must-change" }, t("acct.must_change_badge"))] : null),
      el("td", { class: "actions-cell" },
        isMe ? el("a", { class: "btn btn-small", href: "/password" }, t("acct.own_password"))
          : el("button", { type: "button", class: "btn btn-small", onclick: () => resetPassword(u) }, t("admin.reset_password")),
        isMe ? null : el("button", {
          type: "button", class: "btn btn-small " + (u.active ? "btn-danger" : ""),
          onclick: () => setActive(u, !u.active),
        }, u.active ? t("admin.deactivate") : t("admin.reactivate")))));
  }
}

async function setActive(u, active) {
  if (!active && !window.confirm(t("admin.confirm_deactivate", { name: u.display_name }))) return;
  try {
    await api("PATCH", `/api/v1/users/${u.id}`, { active });
    toast(active ? t("admin.reactivated") : t("admin.deactivated"), "ok");
    load();
  } catch (e) { /* shown */ }
}

/** Set another user's password: a password field (kept exactly as typed), the policy's errors shown in the
    dialog; the user must choose their own at the next login and their open sessions end. */
function resetPassword(u) {
  const id = randomId("pw");
  const input = el("input", { id, name: "password", type: "password", autocomplete: "new-password", required: true, minlength: 10 });
  const errors = el("div", { class: "form-errors", role: "alert" });
  const cancel = el("button", { type: "button", class: "btn" }, t("action.cancel"));
  const form = el("form", { class: "form dialog-form", method: "dialog", novalidate: true },
    el("h2", {}, t("admin.reset_title", { name: u.display_name })),
    el("div", { class: "field", "data-field": "password" },
      el("label", { for: id }, t("acct.new_password")), input,
      el("p", { class: "hint" }, t("acct.password_hint", { min: 10 }))),
    el("p", { class: "muted" }, t("acct.reset_note", { name: u.display_name })),
    errors,
    el("div", { class: "dialog-actions" }, cancel, el("button", { type: "submit", class: "btn btn-primary" }, t("admin.reset_password"))));
  const dlg = el("dialog", { class: "dialog" }, form);
  cancel.addEventListener("click", () => dlg.close());
  dlg.addEventListener("close", () => dlg.remove());
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clear(errors);
    try {
      await api("PATCH", `/api/v1/users/${u.id}`, { password: input.value, must_change_password: true }, { quiet: true });
      dlg.close();
      toast(t("admin.password_changed"), "ok");
      load();
    } catch (err) {
      if (err.status === 400 && err.data.errors) {
        const shown = translated(err.data.errors);
        for (const k of showFieldErrors(form, shown)) errors.append(el("p", {}, `${k}: ${shown[k]}`));
      } else errors.append(el("p", {}, errorMessage(err)));
    }
  });
  document.body.append(dlg);
  dlg.showModal();
  input.focus();
}

$("#new-user").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = e.target;
  const body = { must_change_password: form.elements.must_change_password.checked };
  for (const name of ["username", "display_name", "role", "password", "phone", "unit"]) {
    const v = form.elements[name].value.trim();
    if (v || ["username", "display_name", "role", "password"].includes(name)) body[name] = name === "password" ? form.elements[name].value : v;
  }
  const box = clear(form.querySelector(".form-errors"));
  try {
    await api("POST", "/api/v1/users", body, { quiet: true });
    form.reset();
    showFieldErrors(form, {});
    toast(t("admin.created"), "ok");
    load();
  } catch (err) {
    if (err.status === 400 && err.data.errors) {
      const shown = translated(err.data.errors);
      for (const k of showFieldErrors(form, shown)) box.append(el("p", {}, `${k}: ${shown[k]}`));
    } else box.append(el("p", {}, errorMessage(err)));
  }
});

load();
