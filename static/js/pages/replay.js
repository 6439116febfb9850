/* search-coord: the replay page's entry: a search walked back through from its event log (console/replay.js). */
import { boot } from "../lib/boot.js";
import { debug } from "../lib/debug.js";
import { replayPage } from "../console/replay.js";

boot();
replayPage(Number(document.querySelector(".replay").dataset.searchId), debug);
