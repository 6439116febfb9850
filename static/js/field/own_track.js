/* search-coord: my own track on the field page, drawn from my own fixes at once (other units' positions come
   coalesced from the server), keyed as the server keys fixes so the lines join the same way.
   ownTrack({live, layers, me}) -> addOwnFix(fix). */

export function ownTrack({ live, layers, me }) {
  let ownLast = null;
  let ownPiece = 0;
  /** The key my own fix is joined by, as the server keys them (docs/tracks.md): a coarse fix (worse than 40 m,
      2 x the foot sweep width) joins nothing; a jump faster than a car starts a new line, so no spike is drawn. */
  function ownKey(list, fix, t) {
    if (fix.acc > 40) return null;
    let prev = null;
    for (let i = list.length - 1; i >= 0 && !prev; i--) if (list[i][3] !== null) prev = list[i];
    if (prev) {
      const dt = Math.max(1, (new Date(t) - new Date(prev[2])) / 1000);
      const d = L.latLng(prev[1], prev[0]).distanceTo([fix.lat, fix.lon]) - 2 * Math.max(fix.acc || 0, 10);
      if (d / dt > 40) ownPiece += 1;
    }
    return `own:${fix.run || 0}:${ownPiece}`;
  }
  return function addOwnFix(fix) {
    const state = live.state;
    if (!state || !fix || !fix.t || fix === ownLast) return;
    const list = state.tracks[String(me)] || (state.tracks[String(me)] = []);
    const t = new Date(fix.t).toISOString();
    // already drawn (a fix earlier than the last one is this phone's clock set back: drawn all the same)
    if (list.length && (list[list.length - 1][2] === t || (list[list.length - 1][2] > t && list.some((p) => p[2] === t)))) return;
    ownLast = fix;
    if (Math.abs(fix.lon) < 1e-3 && Math.abs(fix.lat) < 1e-3) return; // (0, 0): the phone had no fix
    list.push([fix.lon, fix.lat, t, ownKey(list, fix, t)]);
    layers.renderTracks(state);
  };
}
