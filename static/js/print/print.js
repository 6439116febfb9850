/* search-coord: the print pages' one script: the Print button (and nothing else; the pages are whole without it). */
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
