/* search-coord: change your own password (old + new). Text goes into the page as text nodes only. */
import { api, errorMessage } from "../lib/api.js";
import { $, clear, el, showFieldErrors, toast } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { config } from "../lib/page.js";
import { boot } from "../lib/boot.js";

boot();

const form = $("#password-form");
if (form) {
  const min = Number(form.dataset.min) || 10;

  /** The server's English reason for a field, in the page's language when it is one we know. */
  function reason(field, message) {
    const text = String(message || "");
    const known = [
      ["is wrong", "acct.err_wrong"], ["is required", "acct.err_required"], ["must be at least", "acct.err_short"],
      ["most common", "acct.err_common"], ["user name", "acct.err_username"], ["must differ", "acct.err_same"],
      ["different characters", "acct.err_distinct"],
    ];
    for (const [part, key] of known) if (text.includes(part)) return t(key, { min });
    return text;
  }

  /** Where to go afterwards: a path on this site only. */
  function nextPage() {
    const next = form.dataset.next || "";
    return next.startsWith("/") && !next.startsWith("//") ? next : "/";
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const box = clear(form.querySelector(".form-errors"));
    const oldPw = form.elements.old_password.value;
    const newPw = form.elements.new_password.value;   // as typed: never trimmed
    if (newPw !== form.elements.repeat_password.value) {
      showFieldErrors(form, { repeat_password: t("acct.mismatch") });
      return;
    }
    try {
      const resp = await api("POST", "/api/v1/account/password", { old_password: oldPw, new_password: newPw }, { quiet: true });
      config.csrfToken = resp.csrf_token;
      showFieldErrors(form, {});
      form.reset();
      box.append(el("p", { class: "ok" }, t("acct.changed")));
      toast(t("acct.changed"), "ok");
      setTimeout(() => { window.location.assign(nextPage()); }, 1200);
    } catch (err) {
      const errors = (err.data && err.data.errors) || null;
      if (err.status === 400 && errors) {
        const shown = {};
        for (const [k, v] of Object.entries(errors)) shown[k] = reason(k, v);
        for (const k of showFieldErrors(form, shown)) box.append(el("p", {}, shown[k]));
      } else {
        box.append(el("p", {}, errorMessage(err)));
      }
    }
  });
}
