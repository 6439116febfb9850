/* search-coord: day or night for the desk's pages (a classic script in <head>, run before the page is drawn, so a
   night page never flashes white). "auto" follows the system's dark preference (prefers-color-scheme); the topbar's
   switch cycles auto -> night -> day and is remembered in a cookie for every page. The field page is always dark
   (its own theme) and has no switch. Sets <html class="night"> and data-theme="auto|night|day"; static/css/night.css
   holds the night colours (the same CSS variables as the day's). */
(function () {
  var root = document.documentElement;
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var ORDER = ["auto", "night", "day"];

  function chosen() {
    var m = /(?:^|;\s*)theme=(auto|night|day)(?:;|$)/.exec(document.cookie || "");
    return m ? m[1] : "auto";
  }
  function apply(choice) {
    var night = choice === "night" || (choice === "auto" && !!(media && media.matches));
    root.dataset.theme = choice;
    root.classList.toggle("night", night);
    var btn = document.getElementById("theme-switch");
    if (btn) {
      btn.textContent = btn.getAttribute("data-label-" + choice) || choice;
      btn.setAttribute("aria-label", (btn.getAttribute("data-title") || "") + ": " + btn.textContent);
    }
  }
  apply(chosen());
  if (media && media.addEventListener) media.addEventListener("change", function () { apply(chosen()); });
  document.addEventListener("DOMContentLoaded", function () {
    apply(chosen());
    var btn = document.getElementById("theme-switch");
    if (!btn) return;
    btn.addEventListener("click", function () {
      var next = ORDER[(ORDER.indexOf(chosen()) + 1) % ORDER.length];
      document.cookie = "theme=" + next + "; path=/; max-age=31536000; SameSite=Lax";
      apply(next);
    });
  });
})();
