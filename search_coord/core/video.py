"""Video review, the pure part: what the registry and the reviewers may record (cameras, tasks, reviewed stretches,
sightings) and recorder clocks. Camera geometry is in ``core.cameras``, review windows, ranking and routes in
``core.review``, the blind spot in ``core.blind_spot``, the chain of known points and its legs in
``core.known_points``. Times are aware or naive-UTC datetimes, never read from a clock.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from .cameras import parse_direction
from .errors import ValidationError
from .fields import Form, parse_time
from .review import REVIEW_LEAD, check_interval

CAMERA_KINDS = ("public_security", "traffic", "shop", "residential", "bus", "other")
CONFIDENCES = ("certain", "probable", "possible")
FOOTAGE_STATES = ("not_requested", "requested", "received", "unavailable")
TASK_STATUSES = ("open", "in_progress", "done", "cancelled")
#: POD of a reviewed window at a camera watching the only way out of an area, unless the reviewer states one.
DEFAULT_EXIT_POD = 0.8
#: How strongly a known direction of travel tilts the ring model (the cardioid 1 + κ·cos Δθ): ahead 1.6×, behind 0.4×.
HEADING_KAPPA = 0.6
#: Recorder clock offsets beyond this are accepted with a warning (seconds).
CLOCK_WARN_S = 86400.0
#: No recorder clock is further off than this (seconds, about 100 years): its epoch, 1970, is 56 years back.
CLOCK_MAX_S = 100 * 365.25 * 86400


# --- clocks ------------------------------------------------------------------------------------------------------

def true_time(recorder: datetime, offset_s: float) -> datetime:
    """The true time of a moment read off a recorder whose clock runs ``offset_s`` seconds fast."""
    return recorder - timedelta(seconds=offset_s)


def recorder_time(true: datetime, offset_s: float) -> datetime:
    """What the recorder's clock shows at a true moment."""
    return true + timedelta(seconds=offset_s)


def clock_warning(offset_s: float | None) -> str | None:
    """A warning for a recorder clock more than ``CLOCK_WARN_S`` (a day) off, in days or years either way (a recorder
    reset to its factory date, or set to the wrong year); None for a smaller or unknown offset. Such offsets are
    accepted: every time read off that recorder is corrected by them."""
    if offset_s is None or abs(offset_s) <= CLOCK_WARN_S:
        return None
    days = abs(offset_s) / 86400.0
    size = f"{days / 365.25:.1f} years" if days >= 365 else f"{days:.1f} days"
    way = "ahead of" if offset_s > 0 else "behind"
    return (f"the recorder's clock is {size} {way} the true time (reset to a factory date or the wrong year?); "
            "times read off it are corrected by this offset, so check it was measured right")


# --- forms -------------------------------------------------------------------------------------------------------

CAMERA_FIELDS = ("code", "name", "location", "kind", "owner", "contact", "direction_deg", "fov_deg", "range_m",
                 "retention_days", "clock_offset_s", "offset_measured_at", "covers_exit", "notes", "active")


def clean_camera(data, now: datetime, partial: bool = False) -> dict:
    """A camera of the registry; ``location`` is a GeoJSON Point or [lon, lat]."""
    form = Form(data, partial)
    form.unknown(CAMERA_FIELDS)
    form.text("code", required=True, max_len=20)
    form.text("name", required=True, max_len=120)
    form.point("location", required=True)
    form.choice("kind", CAMERA_KINDS, required=True)
    form.text("owner", max_len=120)
    form.text("contact", max_len=120)
    form.number("direction_deg", 0, 360)
    form.number("fov_deg", 1, 360)
    form.number("range_m", 1, 500)
    form.number("retention_days", 0, 3650)
    form.number("clock_offset_s", -CLOCK_MAX_S, CLOCK_MAX_S)
    form.time("offset_measured_at", now)
    form.boolean("covers_exit")
    form.text("notes", max_len=4000)
    form.boolean("active")
    out = form.result()
    if "code" in out and (not out["code"] or any(ch.isspace() or ch in ",;\"'" for ch in out["code"])):
        raise ValidationError({"code": "must be a short code without spaces, commas or quotes, e.g. C7"})
    return out


def clean_task(data, now: datetime, not_before: datetime, partial: bool = False) -> dict:
    form = Form(data, partial)
    form.unknown(("camera_id", "start", "end", "team_id", "reviewer_id", "notes", "footage", "status"))
    if not partial:
        form.identifier("camera_id", required=True)
    elif "camera_id" in data:
        form.error("camera_id", "cannot be changed; cancel the task and create another")
    form.time("start", now + timedelta(days=1), required=True, not_before=not_before,
              not_before_label="the time the subject went missing")
    form.time("end", now + timedelta(days=1), required=True)
    form.identifier("team_id")
    form.identifier("reviewer_id")
    form.text("notes", max_len=4000)
    form.choice("footage", FOOTAGE_STATES)
    form.choice("status", TASK_STATUSES)
    out = form.result()
    if out.get("start") and out.get("end"):
        check_interval(out["start"], out["end"])
    return out


def _clock_time(form: Form, name: str, offset_s: float, clock: str):
    """A required time read off the recorder (or already true): the true time, or None after recording an error."""
    raw = form.data.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        form.error(name, "is required")
        return None
    try:
        dt = parse_time(raw)
    except ValueError as exc:
        form.error(name, str(exc))
        return None
    return true_time(dt, offset_s) if clock == "recorder" else dt


def clean_interval(data, now: datetime, missing_since: datetime, offset_s: float) -> dict:
    """A reviewed stretch of footage; start and end are recorder times unless ``clock`` is ``true``."""
    form = Form(data)
    form.unknown(("camera_id", "task_id", "start", "end", "clock", "notes", "pod", "confirm_overlap", "client_id"))
    form.identifier("camera_id", required=True)
    form.identifier("task_id")
    form.choice("clock", ("recorder", "true"))
    clock = form.out.get("clock") or "recorder"
    start = _clock_time(form, "start", offset_s, clock)
    end = _clock_time(form, "end", offset_s, clock)
    form.text("notes", max_len=4000)
    form.number("pod", 0.01, 0.99)
    form.boolean("confirm_overlap")
    form.client_id()
    if start and end:
        if end <= start:
            form.error("end", "must be after the start")
        if end > now + Form.CLOCK_SKEW:
            form.error("end", "may not be in the future (check the recorder's clock offset)")
        if end <= missing_since:
            form.error("end", "is before the subject went missing")
        elif start < missing_since - REVIEW_LEAD:
            form.error("start", "is more than an hour before the subject went missing")
    out = form.result()
    out["start"], out["end"], out["clock"] = start, end, clock
    return out


def clean_sighting(data, now: datetime, missing_since: datetime, offset_s: float) -> dict:
    """A sighting on a camera; ``time`` is read off the recorder unless ``clock`` is ``true``."""
    form = Form(data)
    form.unknown(("camera_id", "time", "clock", "direction", "confidence", "photo_id", "notes", "client_id"))
    form.identifier("camera_id", required=True)
    form.choice("clock", ("recorder", "true"))
    clock = form.out.get("clock") or "recorder"
    t = _clock_time(form, "time", offset_s, clock)
    try:
        form.out["direction_deg"] = parse_direction(data.get("direction"))
    except ValidationError as exc:
        form.errors.update(exc.errors)
    form.choice("confidence", CONFIDENCES, required=True)
    form.identifier("photo_id")
    form.text("notes", max_len=4000)
    form.client_id()
    if t is not None:
        if t > now + Form.CLOCK_SKEW:
            form.error("time", "may not be in the future (check the recorder's clock offset)")
        elif t < missing_since:
            form.error("time", "is before the subject went missing")
    out = form.result()
    out["time"], out["clock"] = t, clock
    out["recorder_time"] = recorder_time(t, offset_s)
    return out
