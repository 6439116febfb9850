/* search-coord: the server's English messages (field errors, refusals) in the page's language. The server words its
   errors in English for logs and API clients; a page in Chinese shows them through this table: each pattern names
   an i18n key ("srv.*") and the parts of the message that go into it. A message no pattern knows stays as it is.
   tests/web/test_server_text.py reads every message the street features and the common checks can send and fails
   when one has no pattern here (or no Chinese text). */
import { hasKey, lang, t } from "./i18n.js";

const STATUS = ["sstatus.", "astatus."];
const KIND = ["streets.pick."];       // walkable | drivable
const MODE = ["streets.mode."];       // foot | vehicle
const AXIS = ["srv.axis."];           // latitude | longitude
const GEOS = ["srv.geos."];           // GEOS's (shapely's) reasons a shape is not valid: "Self-intersection", ...
const GEOTYPES = { each: ["srv.geotype."] };   // GeoJSON's type names: "Polygon, MultiPolygon"

/** The option codes of a field the server lists ("must be one of: open, suspended, closed"): i18n prefixes their
    names are looked up under, by the field's name (a code with no name there stays as it is). */
const FIELD_OPTIONS = {
  role: ["role.", "join_role."], category: ["category."], sex: ["sex."], terrain: ["terrain."], risk: ["risk_level."],
  condition: ["condition."], footage: ["footage."], confidence: ["confidence."], mode: ["streets.mode."],
  outcome: ["doors.outcome."], status: ["astatus.", "task_status.", "sstatus."],
  kind: ["team_kind.", "akind.", "camera_kind.", "clue_kind.", "bkind."],
};
/** A field's own name: the last part of a nested one ("subject.sex" -> "sex"). */
const leaf = (field) => String(field || "").split(".").pop();
/** The i18n prefixes of a field's option codes (own entries only: "constructor" is no field of ours). */
function optionPrefixes(field) {
  for (const name of [field, leaf(field)]) if (Object.hasOwn(FIELD_OPTIONS, name)) return FIELD_OPTIONS[name];
  return null;
}

/** [pattern, key, names of the captured parts, {name: i18n prefixes a part's value is looked up under, or
    "numbers": its numbers listed}]: the commonest messages first. */
const PATTERNS = [
  [/^is required$/, "srv.required"],
  [/^must be text$/, "srv.must_text"],
  [/^(?:must be at most|up to) (\d+) characters$/, "srv.max_chars", ["n"]],
  [/^must be one of: (.+) \(use FOUND to report a find\)$/, "srv.one_of_found", ["options"], { options: { each: STATUS } }],
  [/^must be one of:? (.+)$/, "srv.one_of", ["options"]],
  [/^must be a list of: (.+)$/, "srv.list_of", ["options"]],
  [/^must be a whole number$/, "srv.whole_number"],
  [/^must be a (finite )?number$/, "srv.number"],
  [/^must be between the years (\d+) and (\d+)$/, "srv.years", ["lo", "hi"]],
  [/^must be between (\S+) and (\S+) m$/, "srv.between_m", ["lo", "hi"]],
  [/^must be between (\S+) and (\S+)$/, "srv.between", ["lo", "hi"]],
  [/^must be an? (?:team |address |layer )?id$/, "srv.id"],
  [/^must be an ISO 8601 time/, "srv.time"],
  [/^must include a timezone/, "srv.timezone"],
  [/^must be after the start$/, "srv.after_start"],
  [/^may not be in the future$/, "srv.not_future"],
  [/^may not be before (.+)$/, "srv.not_before", ["when"]],
  [/^must be true or false$/, "srv.boolean"],
  [/^(?:must be )?(\d+) to (\d+) (?:letters, digits, '-' or '_'|characters)$/, "srv.chars_between", ["lo", "hi"]],
  [/^(?:is not a known|unknown) field$/, "srv.unknown_field"],
  [/^must be the version the edit started from/, "srv.version"],
  [/^nests deeper than (\d+) levels$/, "srv.too_deep", ["n"]],
  [/^is too large a number$/, "srv.too_large_number"],
  [/^contains an invalid character/, "srv.bad_char"],
  [/^(?:expected a JSON object|a JSON object is needed)/, "srv.json_object"],
  [/^a JSON body may be at most (\d+) KiB$/, "srv.json_too_large", ["n"]],
  [/^The data value transmitted exceeds the capacity limit\.?$/, "srv.too_large"],
  [/^an unexpected error occurred; nothing was saved$/, "srv.internal"],
  [/^log in first$/, "srv.log_in"],
  [/^the search is closed$/, "srv.search_closed"],
  [/^the search is already (\w+)$/, "srv.search_already", ["status"], { status: STATUS }],
  [/^you are not on this search$/, "srv.not_on_search"],
  [/^(.+) is already on this search$/, "srv.already_member", ["name"]],
  [/^nothing to change$/, "srv.nothing_to_change"],
  [/^is not a team of this search$/, "srv.not_a_team"],
  [/^team (\d+) is not on this search$/, "srv.team_not_on_search", ["id"]],
  [/^only an administrator may /, "srv.only_admin"],
  [/^only the assigned team or a dispatcher may tick its doors$/, "srv.doors_who"],
  [/^only a dispatcher may (.+)$/, "srv.only_dispatcher"],
  [/^street layer (\d+) was already replaced$/, "srv.layer_replaced", ["id"]],
  [/^([\w ]+?) (\d+) not found/, "srv.not_found"],
  [/^the assignment is (\w+) and can no longer be edited$/, "srv.assignment_ended", ["status"], { status: STATUS }],
  [/^the join link (.+)$/, "srv.join_link"],
  // geometry (a drawn area)
  [/^geometry must be a GeoJSON object$/, "srv.geo_object"],
  [/^geometry type must be one of (.+); got '?([^']*)'?$/, "srv.geo_type", ["options", "got"],
    { options: GEOTYPES, got: GEOTYPES.each }],
  [/^geometry is not valid: ([^[]+?)\[([^\]]*)\]$/, "srv.geo_invalid_at", ["why", "at"], { why: GEOS }],
  [/^geometry is not valid: (.+)$/, "srv.geo_invalid", ["why"], { why: GEOS }],
  [/^a position must be \[longitude, latitude\]$/, "srv.geo_position"],
  [/^positions have (\d+) values/, "srv.geo_values", ["n"]],
  [/^(latitude|longitude) (\S+) is outside \[(\S+), (\S+)\]$/, "srv.geo_range", ["axis", "value", "lo", "hi"], { axis: AXIS }],
  [/^(latitude|longitude) must be a number$/, "srv.geo_number", ["axis"], { axis: AXIS }],
  [/^geometry has more than (\d+) vertices$/, "srv.geo_vertices", ["n"]],
  [/^(\w+) coordinates must be a non-empty array$/, "srv.geo_empty_coords", ["type"]],
  [/^a line needs at least two positions$/, "srv.geo_line"],
  [/^the outline has no area/, "srv.geo_no_area"],
  [/^the shape spans more than 180° of longitude/, "srv.geo_span"],
  [/^the shape crosses the 180° meridian/, "srv.geo_antimeridian"],
  [/^empty geometry$/, "srv.geo_empty"],
  [/^buffer distance must be a non-negative number of metres$/, "srv.buffer"],
  // streets: layers and their files
  [/^no street layer covers this search; load one first$/, "srv.no_layer"],
  [/^send the street file/, "srv.street_file"],
  [/^no streets or paths in the file/, "srv.no_streets_in_file"],
  [/^not an OpenStreetMap extract/, "srv.not_street_file"],
  [/^the OpenStreetMap file cannot be read \((.*)\)$/, "srv.osm_unreadable", ["why"]],
  [/^not JSON \((.*)\)$/, "srv.not_json", ["why"]],
  [/^a GeoJSON FeatureCollection of road centrelines is needed$/, "srv.need_centrelines"],
  [/^feature (\d+): coordinates must be \[lon, lat\] in degrees$/, "srv.feature_coords", ["n"]],
  [/^more than (\d+) (?:streets|lines): load a smaller/, "srv.too_many_ways", ["n"]],
  [/^the CSV must be UTF-8$/, "srv.csv_utf8"],
  [/^a CSV with a header line naming at least lon and lat$/, "srv.csv_header"],
  [/^at most (\d+) rows$/, "srv.max_rows", ["n"]],
  [/^line (\d+(?:: lon and lat must be degrees; line \d+)*): lon and lat must be degrees \(and (\d+) more\)$/,
    "srv.csv_lines_more", ["lines", "more"], { lines: "numbers" }],
  [/^line (\d+(?:: lon and lat must be degrees; line \d+)*): lon and lat must be degrees$/, "srv.csv_lines", ["lines"],
    { lines: "numbers" }],
  // streets: reach, the route pick, street assignments, door to door
  [/^the layer has no (walkable|drivable) (?:streets|ways)$/, "srv.layer_no_kind", ["kind"], { kind: KIND }],
  [/^the point is (\d+) m from the nearest walkable way of the layer$/, "srv.point_off_network", ["d"]],
  [/^must be a distance in metres, >= 0$/, "srv.distance"],
  [/^the two points are not connected by walkable ways$/, "srv.points_not_connected"],
  [/^point (\d+) is (\d+) m from the nearest (walkable|drivable) street \(at most (\d+) m\)$/, "srv.tap_too_far",
    ["n", "d", "kind", "max"], { kind: KIND }],
  [/^points (\d+) and (\d+) are not connected by (walkable|drivable) streets$/, "srv.taps_not_connected",
    ["a", "b", "kind"], { kind: KIND }],
  [/^between (\d+) and (\d+) points along the streets/, "srv.taps_count", ["lo", "hi"]],
  [/^the points make no route/, "srv.taps_no_route"],
  [/^the route is (\S+) km; at most (\S+) km$/, "srv.route_too_long", ["km", "max"]],
  [/^each point is \[lon, lat\] in degrees$/, "srv.point_degrees"],
  [/^none of the selected blocks can be searched by a (foot|vehicle) team$/, "srv.blocks_not_for_mode", ["mode"],
    { mode: MODE }],
  [/^not with points picked along a route/, "srv.not_with_points"],
  [/^give the route's length or its duration, not both$/, "srv.length_or_duration"],
  [/^the route's duration in minutes, more than 0 and at most (\d+)$/, "srv.duration_min", ["max"]],
  [/^(\S+) min at (\S+) m\/s is (\d+) m; a route is (\d+) to (\d+) m$/, "srv.duration_length",
    ["min", "speed", "m", "lo", "hi"]],
  [/^the route's length in metres$/, "srv.length_m"],
  [/^a list of block numbers$/, "srv.block_list"],
  [/^no such block: (.+)$/, "srv.no_block", ["ids"]],
  [/^no street of the layer crosses the drawn area$/, "srv.area_no_street"],
  [/^no reachable block is left unsearched and unassigned$/, "srv.no_free_block"],
  [/^zh or en$/, "srv.lang"],
  [/^not an address of this assignment$/, "srv.not_assignment_address"],
];

const listSep = () => (lang === "en" ? ", " : "、");

function lookUp(value, fix) {
  if (fix === "numbers") return (value.match(/\d+/g) || []).join(listSep());
  if (fix.each) {
    // the codes of one list belong to one set: named under the prefix that knows most of them ("open" is a
    // search's, an assignment's or a task's, by the codes beside it)
    const codes = value.split(/,\s*/);
    const known = (p) => codes.filter((c) => hasKey(p + c)).length;
    const best = fix.each.reduce((a, p) => (known(p) > known(a) ? p : a), fix.each[0]);
    return codes.map((c) => lookUp(c, [best])).join(listSep());
  }
  const prefix = fix.find((p) => hasKey(p + value));
  return prefix ? t(prefix + value) : value;
}

function match(msg) {
  if (typeof msg !== "string") return null;
  for (const [re, key, names, fixes] of PATTERNS) {
    const m = re.exec(msg.trim());
    if (!m) continue;
    const values = {};
    (names || []).forEach((n, i) => { values[n] = m[i + 1] === undefined ? "" : m[i + 1]; });
    return { key, values, fixes: { ...(fixes || {}) } };
  }
  return null;
}

/** The pattern ``msg`` matches: ``{key, values}`` (the captured parts as sent, by name; any language), or null. */
export function serverParts(msg) {
  const m = match(msg);
  return m && { key: m.key, values: m.values };
}

/** The server's message ``msg`` in the page's language (English pages: unchanged). ``field``: the name of the field
    it is about, when it is a field's message (its option codes are then named as the page names them). */
export function serverText(msg, field) {
  if (typeof msg !== "string" || lang === "en") return msg;
  const m = match(msg);
  if (!m || !hasKey(m.key)) return msg;
  const prefixes = (m.key === "srv.one_of" || m.key === "srv.list_of") && optionPrefixes(field);
  if (prefixes) m.fixes.options = { each: prefixes };
  for (const [name, fix] of Object.entries(m.fixes)) m.values[name] = lookUp(m.values[name], fix);
  return t(m.key, m.values);
}

/** A field's name as the page names it (the server's errors are keyed by the field's API name, "subject.sex" for a
    nested one). */
export function fieldLabel(name) {
  if (lang === "en") return name;
  for (const key of ["fieldname." + name, "fieldname." + leaf(name)]) if (hasKey(key)) return t(key);
  return name;
}

/** One field's error as a line: "地形：必须是…" ("terrain: must be …" on an English page). ``text``: how the message
    is put in the page's language (serverText unless given). */
export function fieldError(name, msg, text) {
  return fieldLabel(name) + (lang === "en" ? ": " : "：") + (text || serverText)(msg, name);
}

/** A 400's field errors ({field: message}) as one line, each by fieldError. */
export function fieldErrors(errors, text) {
  return Object.entries(errors).map(([k, v]) => fieldError(k, v, text)).join(lang === "en" ? "; " : "；");
}
