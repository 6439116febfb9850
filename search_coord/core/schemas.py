"""The domain rules of a search: what a valid search, team, assignment, clue or FOUND report is, and which status
changes are allowed. Functions take plain dicts from the edge and ``now`` from the caller, and return cleaned values
or raise ``ValidationError`` with every field error at once.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from . import behaviour, urgency
from .errors import Conflict, ValidationError
from .fields import Form, parse_time
from .schemas_tracks import quick_fix

ROLES = ("admin", "dispatcher", "officer")
SEXES = ("male", "female", "unknown")
RISK_LEVELS = ("high", "medium", "low")
RISK_REASONS = (
    "age", "dementia_or_illness", "medication", "weather", "nightfall", "water_nearby", "traffic",
    "suicide_risk", "vulnerable", "out_of_character", "other",
)
SEARCH_STATUSES = ("open", "suspended", "found", "closed")
TEAM_KINDS = ("video_review", "foot_patrol", "vehicle_patrol", "door_to_door", "other")
ASSIGNMENT_KINDS = ("area", "route", "places")
ASSIGNMENT_STATUSES = ("planned", "assigned", "in_progress", "done", "aborted")
CLUE_KINDS = ("clue", "sighting")
FOUND_CONDITIONS = ("well", "injured", "ill", "deceased", "unknown")

#: Allowed status changes of a search (``found`` is reached only by a FOUND report).
SEARCH_TRANSITIONS = {
    "open": ("suspended", "closed"),
    "suspended": ("open", "closed"),
    "found": ("closed",),
    "closed": (),
}

#: Allowed status changes of an assignment.
ASSIGNMENT_TRANSITIONS = {
    "planned": ("assigned", "aborted"),
    "assigned": ("planned", "in_progress", "aborted"),
    "in_progress": ("done", "aborted"),
    "done": (),
    "aborted": (),
}

MAX_AGE = 120
SUBJECT_FIELDS = ("name", "age", "sex", "category", "description", "clothing", "medical", "photo_id", "medications")
SEARCH_FIELDS = ("title", "subject", "lkp", "lkp_time", "lkp_address", "risk", "risk_reasons", "notes", "terrain",
                 "lkp_time_confirmed")
#: A last known time further back than this is usually a typo (a wrong year, a phone's date picker): it is refused
#: unless the dispatcher confirms it (``lkp_time_confirmed``), e.g. for a person missing for weeks.
OLD_LKP_TIME = timedelta(days=7)


def clean_search(data: dict, now: datetime, partial: bool = False) -> dict:
    """Check a new search (or, with ``partial``, an edit of one) and return its cleaned fields.

    ``subject`` is a nested object; its errors are reported as ``subject.<field>``.
    """
    form = Form(data, partial)
    form.unknown(SEARCH_FIELDS)
    form.text("title", max_len=120)
    form.point("lkp", required=True)
    form.text("lkp_address", max_len=300)
    form.time("lkp_time", now, required=True)
    form.boolean("lkp_time_confirmed")
    when = form.out.get("lkp_time")
    if when is not None and now - when > OLD_LKP_TIME and not form.out.pop("lkp_time_confirmed", False):
        days = (now - when).days
        form.error("lkp_time", f"is {days} days ago: check the date and year")
        form.error("lkp_time_confirmed", f"must be true to open a search last seen more than "
                                         f"{OLD_LKP_TIME.days} days ago")
    form.out.pop("lkp_time_confirmed", None)
    form.choice("risk", RISK_LEVELS, required=True)
    form.choices("risk_reasons", RISK_REASONS)
    form.text("notes", max_len=4000)
    form.choice("terrain", behaviour.terrains())
    subject = data.get("subject")
    if subject is None and not partial:
        form.error("subject", "is required")
    elif subject is not None:
        try:
            form.out["subject"] = clean_subject(subject, partial)
        except ValidationError as exc:
            for key, msg in exc.errors.items():
                form.error(f"subject.{key}", msg)
    return form.result()


def clean_subject(data, partial: bool = False) -> dict:
    """Check the missing person's details. A child category must agree with the age given."""
    form = Form(data, partial)
    form.unknown(SUBJECT_FIELDS)
    form.text("name", required=True, max_len=120)
    form.integer("age", 0, MAX_AGE, message=f"must be an age between 0 and {MAX_AGE}")
    form.choice("sex", SEXES)
    form.choice("category", behaviour.categories(), required=True)
    form.text("description", max_len=2000)
    form.text("clothing", max_len=1000)
    form.text("medical", max_len=1000)
    form.identifier("photo_id")
    out = form.result()
    if data.get("medications") is not None:   # structured times (core/urgency.py); ValidationError as they are
        out["medications"] = urgency.clean_medications(data["medications"])
    age, category = out.get("age"), out.get("category")
    if age is not None and category in behaviour.CHILD_AGE_BANDS:
        lo, hi = behaviour.CHILD_AGE_BANDS[category]
        if not lo <= age <= hi:
            raise ValidationError({"category": f"{category} is for ages {lo} to {hi}; the age given is {age}"})
    return out


def clean_team(data, partial: bool = False) -> dict:
    form = Form(data, partial)
    form.unknown(("name", "kind", "leader_id", "member_ids", "callsign"))
    form.text("name", required=True, max_len=80)
    form.text("callsign", max_len=40)
    form.choice("kind", TEAM_KINDS, required=True)
    form.identifier("leader_id")
    ids = data.get("member_ids")
    if ids is not None:
        if not isinstance(ids, list) or any(isinstance(i, bool) or not isinstance(i, int) or i < 1 for i in ids):
            form.error("member_ids", "must be a list of user ids")
        else:
            form.out["member_ids"] = sorted(set(ids))
    return form.result()


def clean_assignment(data, partial: bool = False) -> dict:
    """An assignment is an area (Polygon), a route (LineString) or a list of places (MultiPoint), with instructions."""
    form = Form(data, partial)
    form.unknown(("title", "kind", "team_id", "geometry", "places", "instructions", "status", "debrief",
                  "segment_id"))
    form.text("title", required=True, max_len=120)
    form.choice("kind", ASSIGNMENT_KINDS, required=True)
    form.identifier("team_id")
    form.identifier("segment_id")
    form.text("instructions", max_len=4000)
    kind = form.out.get("kind")   # the checked kind only: a list or object sent as the kind is no key
    allowed = {"area": ("Polygon", "MultiPolygon"), "route": ("LineString", "MultiLineString"),
               "places": ("Point", "MultiPoint")}.get(kind, ("Polygon", "MultiPolygon", "LineString",
                                                             "MultiLineString", "Point", "MultiPoint"))
    form.geometry("geometry", allowed, required=True)
    places = data.get("places")
    if places is not None:
        if (not isinstance(places, list) or len(places) > 200
                or any(not isinstance(p, str) or not p.strip() or len(p) > 200 for p in places)):
            form.error("places", "must be a list of up to 200 place names")
        else:
            form.out["places"] = [p.strip() for p in places]
    if "status" in data or "debrief" in data:
        form.error("status", "is changed with the status action, not here")
    return form.result()


def clean_assignment_status(data) -> dict:
    form = Form(data)
    form.unknown(("status", "debrief", "client_id"))
    form.choice("status", ASSIGNMENT_STATUSES, required=True)
    form.text("debrief", max_len=4000)
    form.client_id()
    out = form.result()
    if out["status"] == "done" and not out.get("debrief"):
        raise ValidationError({"debrief": "a short debrief is required when an assignment is done"})
    return out


def check_assignment_transition(current: str, new: str) -> None:
    if new not in ASSIGNMENT_TRANSITIONS[current]:
        allowed = ", ".join(ASSIGNMENT_TRANSITIONS[current]) or "none (it is finished)"
        raise Conflict(f"an assignment cannot go from {current} to {new}; allowed: {allowed}")


def check_search_transition(current: str, new: str) -> None:
    if new not in SEARCH_TRANSITIONS[current]:
        allowed = ", ".join(SEARCH_TRANSITIONS[current]) or "none (it is closed)"
        raise Conflict(f"a search cannot go from {current} to {new}; allowed: {allowed}")


def check_search_writable(status: str) -> None:
    """Field reports (tracks, clues, status) are refused once a search is closed."""
    if status == "closed":
        raise Conflict("the search is closed")


def clean_clue(data, now: datetime, opened_from: datetime) -> dict:
    """A clue or sighting: time (not before the subject went missing, not in the future), place, text, photo."""
    form = Form(data)
    form.unknown(("kind", "time", "location", "text", "photo_id", "client_id", "direction"))
    form.choice("kind", CLUE_KINDS, required=True)
    form.time("time", now, required=True, not_before=opened_from, not_before_label="when the person went missing")
    form.point("location", required=True)
    form.text("text", required=True, max_len=4000)
    form.text("direction", max_len=40)
    form.identifier("photo_id")
    form.client_id()
    return form.result()


def clean_found(data, now: datetime, opened_from: datetime) -> dict:
    form = Form(data)
    form.unknown(("time", "location", "condition", "notes", "client_id"))
    form.time("time", now, required=True, not_before=opened_from, not_before_label="when the person went missing")
    form.point("location", required=True)
    form.choice("condition", FOUND_CONDITIONS, required=True)
    form.text("notes", max_len=4000)
    form.client_id()
    return form.result()


def clean_user(data, partial: bool = False) -> dict:
    form = Form(data, partial)
    form.unknown(("username", "display_name", "role", "password", "active", "phone", "unit"))
    uname = data.get("username")
    if partial and "username" in data:
        form.error("username", "cannot be changed")
    form.text("username", required=True, max_len=40)
    if isinstance(uname, str) and uname.strip() and not all(c.isalnum() or c in "._-" for c in uname.strip()):
        form.error("username", "may hold only letters, digits, '.', '_' and '-'")
    form.text("display_name", required=True, max_len=80)
    form.choice("role", ROLES, required=True)
    form.text("password", required=True, max_len=200)
    pw = form.out.get("password")
    if pw is not None and len(pw) < 8:
        form.errors["password"] = "must be at least 8 characters"
    form.text("phone", max_len=40)
    form.text("unit", max_len=80)
    form.boolean("active")
    return form.result()


MAX_FIXES_PER_BATCH = 500


#: A phone's clock is taken as wrong, corrected and recorded when its "sent at" differs from the server's receive
#: time by more than this (network delay stays well under it); smaller differences are left alone.
CLOCK_TOLERANCE_S = 30.0
#: A batch's measured offset within this of the device's known offset is the same clock (the request's delay
#: varies by a second or so): the known offset is kept, so batches are never shifted by different amounts.
CLOCK_JITTER_S = 5.0


def clock_offset(sent_at, now: datetime, known_s: float | None = None) -> float | None:
    """The phone clock's offset to apply to a batch (s, + = phone fast), or None to apply none.

    ``sent_at`` is the batch's send time by the phone's clock (ISO text; unreadable or absent: None, the batch is
    still taken), ``known_s`` the offset the device was last measured at. Within ``CLOCK_JITTER_S`` of the known
    offset it is kept as it is (a steady correction, however the network delay varies); otherwise a difference over
    ``CLOCK_TOLERANCE_S`` is the new offset, and a smaller one means the clock is right.
    """
    try:
        measured = (parse_time(sent_at) - now).total_seconds()
    except ValueError:
        return None
    if known_s and abs(measured - known_s) <= CLOCK_JITTER_S:
        return known_s
    return measured if abs(measured) > CLOCK_TOLERANCE_S else None


def clean_track_batch(data, now: datetime, missing_since: datetime, known_offset_s: float | None = None) -> dict:
    """A batch of GPS fixes from one phone: ``{"client_id", "device"?, "sent_at"?, "points": [{"t", "lon", "lat",
    "acc"?, "run"?}, ...]}``.

    One bad fix never refuses the batch: the batch as a whole must be well formed (else ``ValidationError``), and
    each fix is either kept or reported in ``rejected`` as ``{"index": i, "reason": text}``. When the phone stamped
    the batch ``sent_at`` (its own clock), ``clock_offset`` decides the phone's clock offset (``clock_offset_s``,
    + = phone fast; the delay of the request is neglected, as NTP's half round trip is, docs/science.md §7; steady
    around the device's ``known_offset_s``) and every fix time is corrected by it before it is checked. A fix is refused when its time is unreadable, after ``now`` (plus the usual skew), or before the
    person went missing (``missing_since``), when its position is out of range or (0, 0) (a phone with no fix).

    Returns ``{"client_id", "device", "clock_offset_s" (float or None), "points": [...], "rejected": [...]}`` with
    the kept fixes sorted by (corrected) time, each with its ``index`` in the batch as sent.
    """
    form = Form(data)
    form.unknown(("client_id", "points", "device", "sent_at"))
    form.client_id(required=True)
    form.text("device", max_len=64)
    points = data.get("points")
    if not isinstance(points, list) or not points:
        form.error("points", "must be a non-empty list of fixes")
    elif len(points) > MAX_FIXES_PER_BATCH:
        form.error("points", f"at most {MAX_FIXES_PER_BATCH} fixes per batch")
    offset = clock_offset(data.get("sent_at"), now, known_offset_s)   # an unreadable sent_at corrects nothing
    out = form.result()
    fixes, rejected = [], []
    shift = timedelta(seconds=offset or 0.0)
    for i, p in enumerate(points):
        fix, reason = quick_fix(p, now, missing_since, shift) or _clean_fix(p, now, missing_since, shift)
        if reason:
            rejected.append({"index": i, "reason": reason})
        else:
            fix["index"] = i
            fixes.append(fix)
    out["device"] = out.get("device") or ""
    out["clock_offset_s"] = offset
    out["points"] = sorted(fixes, key=lambda f: (f["t"], f["lon"], f["lat"]))
    out["rejected"] = rejected
    return out


def _clean_fix(p, now: datetime, missing_since: datetime, shift: timedelta) -> tuple[dict | None, str | None]:
    """One fix checked on its own: (the fix, None) or (None, the reason it is refused)."""
    if not isinstance(p, dict):
        return None, "must be an object"
    pf = Form(p)
    pf.unknown(("t", "lon", "lat", "acc", "run"))
    pf.number("lon", -180, 180, required=True)
    pf.number("lat", -90, 90, required=True)
    pf.number("acc", 0, 100000)
    pf.integer("run", 0, 2**31 - 1)
    try:
        t = parse_time(p.get("t")) - shift
    except ValueError as exc:
        pf.errors["t"] = str(exc)
    else:
        if t > now + Form.CLOCK_SKEW:
            pf.errors["t"] = "is in the future (is the phone's clock right?)"
        elif t < missing_since:
            pf.errors["t"] = "is before the person went missing"
        pf.out["t"] = t
    if pf.errors:
        return None, "; ".join(f"{k} {v}" for k, v in pf.errors.items())
    if abs(pf.out["lon"]) < 1e-3 and abs(pf.out["lat"]) < 1e-3:
        return None, "position (0, 0) is no position: the phone had no fix"
    pf.out.setdefault("run", 0)
    return pf.out, None


SEGMENT_SHAPES = ("square", "hex")
SWEEP_MODES = ("foot", "vehicle", "door_to_door")


def clean_model_settings(data) -> dict:
    """Per-search overrides: walking speed for reach (m/s), sweep widths and searching speeds per mode, track gaps."""
    form = Form(data, partial=True)
    form.unknown(("walking_speed_ms", "sweep_width_m", "search_speed_ms", "gap_s", "gap_m", "max_reach_m"))
    form.number("walking_speed_ms", 0.05, 5.0)
    form.number("max_reach_m", 100, 500_000)   # widens (or narrows) where reach stops growing; empty: the ROW ring
    form.number("gap_s", 5, 3600)
    form.number("gap_m", 10, 5000)
    for name, hi in (("sweep_width_m", 500.0), ("search_speed_ms", 40.0)):
        value = data.get(name) if isinstance(data, dict) else None
        if value is None:
            continue
        if not isinstance(value, dict) or any(k not in SWEEP_MODES for k in value):
            form.error(name, f"must map modes ({', '.join(SWEEP_MODES)}) to numbers")
            continue
        sub = Form(value, partial=True)
        for mode in SWEEP_MODES:
            sub.number(mode, 0.1, hi)
        for key, msg in sub.errors.items():
            form.error(f"{name}.{key}", msg)
        form.out[name] = {k: v for k, v in sub.out.items() if v is not None}
    return form.result()


def clean_segment_grid(data) -> dict:
    form = Form(data)
    form.unknown(("shape", "cell_m"))
    form.choice("shape", SEGMENT_SHAPES, required=True)
    form.number("cell_m", 25, 5000, required=True)
    return form.result()


def clean_drawn_segment(data) -> dict:
    """A segment drawn as a polygon, or a route (line) with a corridor width."""
    form = Form(data)
    form.unknown(("name", "geometry", "width_m"))
    form.text("name", max_len=20)
    form.geometry("geometry", ("Polygon", "MultiPolygon", "LineString"), required=True)
    form.number("width_m", 2, 2000)
    out = form.result()
    if out["geometry"]["type"] == "LineString" and not out.get("width_m"):
        raise ValidationError({"width_m": "a route needs a corridor width in metres"})
    return out


def clean_searched_area(data) -> dict:
    form = Form(data)
    form.unknown(("geometry", "pod", "team_id", "notes", "client_id"))
    form.geometry("geometry", ("Polygon", "MultiPolygon"), required=True)
    form.number("pod", 0, 1, required=True)
    form.identifier("team_id")
    form.text("notes", max_len=2000)
    form.client_id()
    return form.result()


BROADCAST_KINDS = ("description", "direction", "sighting", "disregard", "found", "stand_down", "other")


def clean_broadcast(data) -> dict:
    form = Form(data)
    form.unknown(("kind", "text", "client_id"))
    form.choice("kind", BROADCAST_KINDS, required=True)
    form.text("text", required=True, max_len=1000)
    form.client_id()
    return form.result()
