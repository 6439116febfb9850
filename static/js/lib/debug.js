/* search-coord: the test hooks, in one place: window.SC.debug (the browser tests read the live state, the map, the
   outbox... through page.evaluate). Nothing in the app reads them. */
export const debug = {};
window.SC = Object.assign(window.SC || {}, { debug });
