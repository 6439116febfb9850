/* search-coord: what every page's entry module does first: the behaviour every page has (server-written times shown
   in local time, dialog close buttons) and the test hooks every page has (SC.debug.api, .t, .config). */
import { api } from "./api.js";
import { debug } from "./debug.js";
import { t } from "./i18n.js";
import { $$ } from "./dom.js";
import { fmtDateTime } from "./format.js";
import { config } from "./page.js";

function startPage() {
  /* <time class="js-time" datetime="..."> the server wrote: shown in the browser's time zone */
  for (const node of $$("time.js-time")) node.textContent = fmtDateTime(node.getAttribute("datetime"));

  /* close buttons inside dialogs: <button data-close> */
  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest("[data-close]");
    if (btn) {
      const d = btn.closest("dialog");
      if (d) d.close("cancel");
    }
  });
};

/** Run once by every page's entry module. */
export function boot(hooks) {
  startPage();
  Object.assign(debug, { api, t, config }, hooks || {});
}
