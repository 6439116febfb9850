"""The OpenAPI 3.1 document of /api/v1, built from the app's own routes and a short description of each."""
from __future__ import annotations

import re

from flask import Flask

JSON_BODY = {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}
ERRORS = {
    "400": {"description": "Invalid input: {\"errors\": {field: message}} names every bad field; nothing changed"},
    "401": {"description": "Not logged in"},
    "403": {"description": "Logged in, not allowed"},
    "404": {"description": "No such object"},
    "409": {"description": "Not allowed in the object's current state; or an edit started from an older version: "
                           "{\"error\": \"conflict\", \"message\", \"current\": {the current values, version}}, "
                           "nothing changed"},
    "413": {"description": "Request body too large (a JSON body: MAX_JSON_BYTES, also when sent chunked)"},
    "503": {"description": "Database busy or unavailable; retry"},
}

#: (method, path) -> (summary, needs a body, role needed)
DESCRIPTIONS = {
    ("GET", "/api/v1/session"): ("Who is logged in, and the CSRF token", False, "anyone"),
    ("POST", "/api/v1/session"): ("Log in with username and password", True, "anyone"),
    ("DELETE", "/api/v1/session"): ("Log out (ends every session of the user)", False, "anyone"),
    ("POST", "/api/v1/account/password"): ("Change your own password: old_password, new_password", True,
                                           "any user"),
    ("GET", "/api/v1/meta"): ("Accepted names: categories, terrains, team kinds, statuses", False, "any user"),
    ("GET", "/api/v1/users"): ("List accounts (?role=)", False, "dispatcher"),
    ("POST", "/api/v1/users"): ("Create an account", True, "admin"),
    ("PATCH", "/api/v1/users/{user_id}"): ("Edit an account (name, role, password, active)", True, "admin"),
    ("GET", "/api/v1/searches"): ("Searches the caller may see (?status=)", False, "any user"),
    ("POST", "/api/v1/searches"): ("Open a search: subject, last known point and time, risk", True, "dispatcher"),
    ("GET", "/api/v1/searches/{search_id}"): ("One search", False, "member"),
    ("PATCH", "/api/v1/searches/{search_id}"): ("Edit a search", True, "dispatcher"),
    ("GET", "/api/v1/searches/{search_id}/state"): (
        "Snapshot of everything on the map, with last_seq; ?tracks=display: tracks simplified for display (2 m) with "
        "tracks_detail {uid: {fixes, sent, tolerance_m}}, else every fix", False, "member"),
    ("GET", "/api/v1/searches/{search_id}/tracks/{user_id}"): (
        "One officer's full track, a page at a time (?after=next of the previous page, ?limit up to 20000), with "
        "the last_seq it was read at", False, "member"),
    ("POST", "/api/v1/searches/{search_id}/status"): ("Suspend, reopen or close", True, "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/found"): ("Report the subject FOUND", True, "member"),
    ("GET", "/api/v1/searches/{search_id}/urgency"): (
        "The urgency strip: missing for, sunset / end of civil twilight / sunrise at the last known point, weather, "
        "medication due, risk with reasons, escalation prompts", False, "member"),
    ("POST", "/api/v1/searches/{search_id}/weather"): ("Enter the temperature now and tonight's low (°C)", True,
                                                        "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/prompts/{prompt_id}"): (
        "Tick (done) or dismiss an escalation prompt, with a note; once", True, "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/help"): ("An officer's one-tap help request, with where they are", True,
                                                     "member"),
    ("POST", "/api/v1/searches/{search_id}/join-links"): (
        "A QR code / link to join this search: role (patrol, video_review), team_id?, expires_in_min, max_uses, "
        "auto_approve; answers the token once, the url and the QR code (qr_png, a PNG data URI)", True, "dispatcher"),
    ("GET", "/api/v1/searches/{search_id}/join-links"): ("The join links and the newcomers they made", False,
                                                          "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/join-links/{link_id}/revoke"): (
        "Revoke a join link: the accounts it made end now", False, "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/guests/{user_id}/decision"): ("Approve or refuse a newcomer", True,
                                                                          "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/officers"): (
        "Add an officer's account on the spot and put it on the search", True, "dispatcher"),
    ("GET", "/api/v1/join/{token}"): ("What a join link is for (no login)", False, "anyone"),
    ("POST", "/api/v1/join/{token}"): ("Join by a link: display_name, unit, phone; logs the new account in", True,
                                       "anyone"),
    ("GET", "/api/v1/join-status"): ("The caller's state as a newcomer (pending, approved, refused, ended)", False,
                                     "any user"),
    ("GET", "/api/v1/searches/{search_id}/events"): (
        "The event log, a page of ?limit= (1-5000, default 1000) in ascending seq: catch up with ?after=seq (the "
        "first events after it; has_more when later ones exist); or page back from the newest with ?newest=1, then "
        "?before=next_before (the last events before that seq, exclusive; has_more and next_before while older ones "
        "exist); after and before/newest together are a 400", False, "member"),
    ("GET", "/api/v1/searches/{search_id}/members"): ("People on the search", False, "member"),
    ("POST", "/api/v1/searches/{search_id}/members"): ("Add a person", True, "dispatcher"),
    ("DELETE", "/api/v1/searches/{search_id}/members/{user_id}"): ("Remove a person", False, "dispatcher"),
    ("GET", "/api/v1/searches/{search_id}/teams"): ("Teams", False, "member"),
    ("POST", "/api/v1/searches/{search_id}/teams"): ("Form a team of a kind, with a leader", True, "dispatcher"),
    ("PATCH", "/api/v1/searches/{search_id}/teams/{team_id}"): ("Edit a team", True, "dispatcher"),
    ("GET", "/api/v1/searches/{search_id}/assignments"): ("Assignments", False, "member"),
    ("POST", "/api/v1/searches/{search_id}/assignments"): ("Give an area, route or places", True, "dispatcher"),
    ("PATCH", "/api/v1/searches/{search_id}/assignments/{assignment_id}"): ("Edit an assignment", True, "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/assignments/{assignment_id}/status"):
        ("Move an assignment on (in_progress, done with debrief, aborted)", True, "team member or dispatcher"),
    ("GET", "/api/v1/searches/{search_id}/tracks"): ("GPS tracks per officer", False, "member"),
    ("POST", "/api/v1/searches/{search_id}/tracks"): ("A batch of the caller's GPS fixes (client_id)", True, "member"),
    ("POST", "/api/v1/searches/{search_id}/tracks/import"):
        ("Import a GPX / KML / KMZ track (multipart 'file', 'unit' name, optional 'team_id') as a unit's track: "
         "once per file (sha256), notes per point (time interpolated, repeated, before the disappearance...); "
         "a file without times is refused; 413 over 8 MB", False, "dispatcher"),
    ("GET", "/api/v1/searches/{search_id}/clues"): ("Clues and sightings", False, "member"),
    ("POST", "/api/v1/searches/{search_id}/clues"): ("Report a clue or sighting (client_id)", True, "member"),
    ("POST", "/api/v1/searches/{search_id}/clues/{clue_id}/photo"): (
        "Attach the photo that followed a clue ({photo_id}); the reporter or a dispatcher", True, "member"),
    ("GET", "/api/v1/searches/{search_id}/broadcasts"): ("Broadcasts with who has and has not acknowledged", False,
                                                          "member"),
    ("POST", "/api/v1/searches/{search_id}/broadcasts"): ("Broadcast to every unit (each must acknowledge)", True,
                                                           "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/broadcasts/{broadcast_id}/ack"): ("Acknowledge a broadcast", False,
                                                                              "member"),
    ("GET", "/api/v1/searches/{search_id}/model"):
        ("Where to look: rings, reach, segments with POA / coverage / POD, ROW, suggestions", False, "member"),
    ("GET", "/api/v1/searches/{search_id}/swept"):
        ("Ground swept at least once (union of buffered tracks), for display only", False, "member"),
    ("PATCH", "/api/v1/searches/{search_id}/model/settings"):
        ("Walking speed, sweep widths and search speeds per mode, track gap limits", True, "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/model/recompute"): ("Recompute in the background", False, "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/segments/grid"):
        ("Split the 95 % ring within reach into square or hex cells", True, "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/segments"): ("Draw a segment (polygon, or route + width_m)", True,
                                                         "dispatcher"),
    ("PATCH", "/api/v1/searches/{search_id}/segments/{segment_id}"):
        ("Change a segment: name, geometry (cut to overlap no other drawn segment) and/or poa0 set by hand (the "
         "others scaled to add up to 1; the POA basis becomes manual), with the version it started from (409 if "
         "stale)", True, "dispatcher"),
    ("DELETE", "/api/v1/searches/{search_id}/segments/{segment_id}"): ("Remove a segment", False, "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/poa/consensus"): ("POA by Mattson consensus", True, "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/searched-areas"): ("Mark a polygon searched with a stated POD", True,
                                                               "member"),
    ("POST", "/api/v1/searches/{search_id}/suggestions/accept"): ("Make a suggested assignment", True, "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/searched-areas/{area_id}/retract"):
        ("Retract a searched area entered by mistake ({reason}); its coverage is recomputed", True, "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/clues/{clue_id}/retract"):
        ("Retract a clue entered by mistake ({reason})", True, "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/tracks/retract"):
        ("Retract track fixes: one batch ({event_seq, reason}) or a user's over a time range ({user_id, from, to, "
         "device?, reason})", True, "dispatcher"),
    ("GET", "/api/v1/cameras"): ("The camera registry (?bbox=minlon,minlat,maxlon,maxlat, ?active=all; an officer "
                                 "names ?search_id= of theirs)", False, "any user"),
    ("POST", "/api/v1/cameras"): ("Add a camera (optional search_id: added on that search's map)", True, "dispatcher"),
    ("PATCH", "/api/v1/cameras/{camera_id}"): ("Edit a camera (clock offset, retention, view, active)", True,
                                               "dispatcher"),
    ("GET", "/api/v1/cameras/export"): ("The registry as ?format=csv or geojson", False, "dispatcher"),
    ("GET", "/api/v1/cameras/page"): ("The registry a page at a time (?q= code or name, ?offset=, ?limit= up to 200)",
                                      False, "dispatcher"),
    ("POST", "/api/v1/cameras/import"):
        ("Import cameras from CSV or GeoJSON (?format=), all or nothing, up to CAMERA_IMPORT_MAX_BYTES (64 MB); with "
         "Accept: application/x-ndjson the progress is streamed a line at a time, then the result", False,
         "dispatcher"),
    ("GET", "/api/v1/cameras/area"):
        ("The registry by the map's view (?bbox=minlon,minlat,maxlon,maxlat&zoom=, ?search_id=, ?active=all): "
         "cameras with cones a page at a time (?limit=, ?cursor=next_cursor) when zoomed in, cells with counts when "
         "zoomed out", False, "any user"),
    ("GET", "/api/v1/searches/{search_id}/export/{fmt}"):
        ("A search's files for other tools, streamed: fmt gpx, kml, geojson (tracks, clues, areas) or csv (the event "
         "log); ?team= or ?officer= narrows the tracks", False, "member"),
    ("GET", "/api/v1/searches/{search_id}/video"):
        ("Video review at once: the top proposals (ahead and on the route) with windows, tasks, intervals, "
         "sightings, trail, the cameras these name and how many the region holds", False, "member"),
    ("POST", "/api/v1/searches/{search_id}/video/tasks"): ("A review task: camera x window, team or reviewer", True,
                                                           "dispatcher"),
    ("PATCH", "/api/v1/searches/{search_id}/video/tasks/{task_id}"):
        ("Change a task: footage request state, status, assignee, window", True, "dispatcher or its reviewer"),
    ("POST", "/api/v1/searches/{search_id}/video/overlaps"):
        ("Before reviewing: who already reviewed or holds this stretch of footage", True, "member"),
    ("POST", "/api/v1/searches/{search_id}/video/intervals"):
        ("Record footage reviewed with nothing seen (409 with overlaps unless confirm_overlap)", True, "member"),
    ("POST", "/api/v1/searches/{search_id}/video/sightings"): ("Log a sighting on a camera (recorder time)", True,
                                                               "member"),
    ("POST", "/api/v1/searches/{search_id}/video/sightings/{sighting_id}/decision"):
        ("Confirm or reject a sighting; a later confirmed one moves the last known point", True, "dispatcher"),
    ("GET", "/api/v1/searches/{search_id}/video/trail"): ("Confirmed sightings in time order with leg speeds", False,
                                                          "member"),
    ("GET", "/api/v1/searches/{search_id}/video/blind-spot"):
        ("Ground between the last camera that saw the subject and the cleared cameras around it", False, "member"),
    ("POST", "/api/v1/searches/{search_id}/video/blind-spot/segments"):
        ("Turn the blind spot into segments for the patrols", False, "dispatcher"),
    ("POST", "/api/v1/photos"):
        ("Upload a photo (multipart field 'photo', optional search_id, client_id): JPEG, PNG, GIF, WebP or HEIC, "
         "at most 24 MB and 200 megapixels (413 beyond); HEIC, rotated photos and photos over 2560 px or 2 MB are "
         "stored as a JPEG (quality 85, at most 2560 px, orientation applied, no EXIF); the same original sent "
         "again answers the first photo", False, "any user"),
    ("GET", "/api/v1/photos/{photo_id}"): ("A photo's bytes as served (?original=1: an undecodable HEIC's original)",
                                           False, "member"),
    ("GET", "/api/v1/streets/layers"): ("Street layers loaded (?all=1: replaced ones too)", False, "dispatcher"),
    ("POST", "/api/v1/streets/layers"): (
        "Load a street layer: multipart 'file' (.osm.pbf, .osm or GeoJSON road centrelines) or the raw body, "
        "?name=, ?replace=<layer id>; 201 with counts and load time, 200 when the same file is already loaded",
        False, "dispatcher"),
    ("GET", "/api/v1/searches/{search_id}/streets"): (
        "The search's streets: the layer covering it (or hint no_layer), the network reach, reachable / covered / "
        "assigned blocks with POA, coverage by mode, status and POD, and the street assignments", False, "member"),
    ("POST", "/api/v1/searches/{search_id}/streets/assignments"): (
        "Make a route assignment of named blocks: mode foot|vehicle; length_m or duration_min (minutes at the mode's "
        "search speed, model settings); blocks, a polygon, points picked along a route ([[lon, lat], ...]: the blocks "
        "along the shortest path through them, the path's length) or none (the top suggestions); team_id, title, "
        "instructions, lang", True, "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/streets/path"): (
        "Preview a route picked along the streets: mode foot|vehicle, points [[lon, lat], ...] (2-100 taps, each "
        "within 100 m of a street the mode can use); the path, its length, the blocks in order, the estimated "
        "duration at the mode's search speed; stores nothing", True, "dispatcher"),
    ("POST", "/api/v1/searches/{search_id}/streets/recount"): (
        "Count coverage per street block again from every stored track", False, "dispatcher"),
    ("GET", "/api/v1/searches/{search_id}/assignments/{assignment_id}/doors"): (
        "The door-to-door list of an assignment: addresses along it (street layer) with the latest answer at each",
        False, "member"),
    ("POST", "/api/v1/searches/{search_id}/assignments/{assignment_id}/doors"): (
        "Tick a door: address_id, outcome spoken|no_answer|searched_consent|refused, notes, client_id", True,
        "assigned team or dispatcher"),
    ("POST", "/api/v1/streets/layers/{layer_id}/addresses"): (
        "Add a station's addresses to a layer for door-to-door lists: CSV (multipart 'file' or the body) with a header "
        "naming lon, lat and any of street, housenumber, unit; all rows or none", False, "dispatcher"),
    ("GET", "/api/v1/geocode"): ("Address lookup (?q=) through the configured geocoder", False, "any user"),
    ("GET", "/api/v1/openapi.json"): ("This document", False, "anyone"),
}


def api_routes(app: Flask) -> list[tuple[str, str]]:
    """Every (method, OpenAPI path) the app serves under /api/v1."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, path))
    return sorted(out)


def build_spec(app: Flask) -> dict:
    paths: dict[str, dict] = {}
    for method, path in api_routes(app):
        summary, has_body, role = DESCRIPTIONS.get((method, path), (None, False, None))
        if summary is None:
            continue  # undocumented routes are caught by tests/web/test_openapi.py
        op = {"summary": summary, "description": f"Who may call it: {role}.", "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": {}}}}, **ERRORS}}
        params = [{"name": p, "in": "path", "required": True, "schema": {"type": "integer"}}
                  for p in re.findall(r"{([a-z_]+)}", path)]
        if params:
            op["parameters"] = params
        if has_body:
            op["requestBody"] = JSON_BODY
        if method != "GET":
            op.setdefault("parameters", []).append(
                {"name": "X-CSRF-Token", "in": "header", "required": True, "schema": {"type": "string"}})
        paths.setdefault(path, {})[method.lower()] = op
    return {"openapi": "3.1.0",
            "info": {"title": "search-coord API", "version": "1",
                     "description": "Missing-person search coordination. Log in through POST /api/v1/session; "
                                    "send the CSRF token as X-CSRF-Token on every change. Times are ISO 8601 with a "
                                    "timezone; geometry is WGS84 GeoJSON (lon, lat). "
                                    "Versions: searches, teams, assignments, segments, cameras and the model settings "
                                    "carry \"version\"; an edit (PATCH) sends back the version it started from as a "
                                    "\"version\" field of its JSON body and only the fields the user changed. A stale "
                                    "version is a 409 with \"current\" and changes nothing; values equal to the stored "
                                    "ones change nothing. An edit without \"version\" is still accepted (phones, older "
                                    "clients) and logged as unchecked (\"version_checked\": false in its event); the "
                                    "console always sends it. Whole numbers are within +-2^53; times within the years "
                                    "1900-2200. "
                                    "JSON, CSV and GeoJSON answers over 1 KiB are compressed (zstd, br, gzip) as "
                                    "Accept-Encoding asks."},
            "paths": paths}
