/* search-coord: the entry module of the pages without their own script (start page, login, errors). */
import { boot } from "../lib/boot.js";

boot();
