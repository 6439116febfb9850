/* search-coord: the page's data blocks (<script type="application/json">, read as JSON, never run), who is signed in,
   the page's configuration. Imports nothing: every other module may import it. */

/** The page's data blocks (<script type="application/json">): read as JSON, never run. */
export function pageData(id) {
  const node = document.getElementById(id);
  if (!node) return {};
  try { return JSON.parse(node.textContent) || {}; } catch (e) { return {}; }
}
export const config = pageData("sc-config");
export const user = config.user || null;
export const isDispatcher = !!(user && (user.role === "dispatcher" || user.role === "admin"));
