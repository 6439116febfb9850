"""The event log as a record: each event as a sentence key and its parameters (worded by the page or the report in
its own language from ``i18n/<lang>.json``), devices named by their user and browser, times in the station's zone.

Pure: the names of people, teams, segments and cameras come in a ``Names`` value built by the caller; time zones are
``zoneinfo`` names handed in as arguments.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ValidationError

#: The kinds a log can be filtered by (the event type's first word, video and track as their own).
KINDS = ("search", "member", "team", "assignment", "track", "clue", "area", "broadcast", "segments", "model", "video",
         "camera")


#: The answers at a door of a door-to-door list (``door.checked``'s ``outcome``).
DOOR_OUTCOMES = ("spoken", "no_answer", "searched_consent", "refused")


@dataclass(frozen=True)
class Names:
    """What the record names things by: user id -> display name, team id -> name (and call sign), segment id ->
    name, camera id -> code."""

    users: Mapping[int, str] = field(default_factory=dict)
    teams: Mapping[int, str] = field(default_factory=dict)
    segments: Mapping[int, str] = field(default_factory=dict)
    cameras: Mapping[int, str] = field(default_factory=dict)


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone ``name`` (e.g. "Asia/Shanghai"); ValidationError {"timezone"} when there is no such zone."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"timezone": f"unknown time zone {name!r} (an IANA name such as Asia/Shanghai)"}) from None


def parse_iso(text: str | None) -> datetime | None:
    """An ISO 8601 time as the API writes it ("...Z") as an aware UTC datetime, None for None."""
    if not text:
        return None
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def local(text_or_dt, tz: ZoneInfo) -> datetime | None:
    """A stored time (ISO text, aware or naive-UTC datetime) on the station's wall clock."""
    dt = parse_iso(text_or_dt) if isinstance(text_or_dt, str) or text_or_dt is None else text_or_dt
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(tz)


def stamp(text_or_dt, tz: ZoneInfo, seconds: bool = True) -> str:
    """"2026-11-28 17:30:05 +08" : the date and time on the station's clock with its offset ("" for None)."""
    dt = local(text_or_dt, tz)
    if dt is None:
        return ""
    off = dt.utcoffset().total_seconds() / 3600
    off_text = f"{off:+.0f}" if off == int(off) else f"{off:+.1f}"
    return dt.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + " " + off_text


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("MicroMessenger", "WeChat"), ("Firefox/", "Firefox"),
             ("CriOS/", "Chrome"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Linux", "Linux"))


def browser_of(device: str | None) -> str | None:
    """"Chrome on Android" from a stored device description ("web: <user agent>"); None for a phone's own id."""
    if not device or not device.startswith("web: "):
        return None
    ua = device[5:]
    name = next((label for token, label in _BROWSERS if token in ua), None)
    system = next((label for token, label in _SYSTEMS if token in ua), None)
    if name and system:
        return f"{name} / {system}"
    return name or system or "browser"


def device_names(pairs) -> dict[tuple[int | None, str], dict]:
    """Each (user id, device) of the log named for people: ``{"kind": "browser", "browser": "Chrome / Android"}`` for
    a web browser, else ``{"kind": "phone", "n": k}`` (the user's k-th phone, in order of first appearance), each with
    ``raw`` the stored id (shown on hover). ``pairs`` in log order; repeats are ignored."""
    out: dict[tuple, dict] = {}
    phones: dict[int | None, int] = {}
    for uid, dev in pairs:
        if not dev or (uid, dev) in out:
            continue
        browser = browser_of(dev)
        if browser:
            out[(uid, dev)] = {"kind": "browser", "browser": browser, "raw": dev}
        else:
            phones[uid] = phones.get(uid, 0) + 1
            out[(uid, dev)] = {"kind": "phone", "n": phones[uid], "raw": dev}
    return out


def kind_of(type_: str) -> str:
    """The filter kind of an event type ("area.searched" -> "area")."""
    return type_.split(".")[0]


def _pct(x) -> str:
    return "" if x is None else f"{100 * float(x):.0f}%"


def _segments_touched(coverage: Mapping, names: Names) -> str:
    return ", ".join(sorted(names.segments.get(int(k), f"#{k}") for k in (coverage or {})))


def describe(ev: dict, names: Names, tz: ZoneInfo) -> tuple[str, dict]:
    """One event (as ``services.events.dump_event`` gives it) as ``(i18n key, parameters)``: the key names a
    sentence in ``i18n/<lang>.json`` ("rec.<type>..."), the parameters fill its ``{placeholders}`` (user text is
    passed as it is: the page sets it as text). Unknown types get "rec.other" with the type."""
    p = ev.get("payload") or {}
    t = ev["type"]
    user = lambda uid: names.users.get(uid, f"#{uid}")  # noqa: E731
    team = lambda tid: names.teams.get(tid, "") if tid else ""  # noqa: E731
    if t == "search.opened":
        return "rec.search.opened", {"name": ((p.get("search") or {}).get("subject") or {}).get("name", "")}
    if t == "search.updated":
        return "rec.search.updated", {"fields": ", ".join(sorted(p.get("changes") or {}))}
    if t == "search.status_changed":
        return "rec.search.status_changed", {"from": p.get("from"), "to": p.get("to"), "reason": p.get("reason") or ""}
    if t == "search.found":
        f = p.get("found") or {}
        return "rec.search.found", {"condition": f.get("condition") or "", "time": stamp(f.get("time"), tz),
                                    "notes": f.get("notes") or ""}
    if t == "member.added":
        return "rec.member.added", {"name": (p.get("user") or {}).get("display_name", "")}
    if t == "member.removed":
        return "rec.member.removed", {"name": user(p.get("user_id"))}
    if t in ("team.created", "team.updated"):
        tm = p.get("team") or {}
        members = ", ".join(user(u) for u in tm.get("member_ids") or [])
        return "rec." + t, {"name": tm.get("name", ""), "callsign": tm.get("callsign") or "",
                            "kind": tm.get("kind", ""), "members": members}
    if t.startswith("assignment."):
        a = p.get("assignment") or {}
        seg = names.segments.get(a.get("segment_id")) if a.get("segment_id") else ""
        return "rec." + t, {"title": a.get("title", ""), "team": team(a.get("team_id")), "segment": seg or "",
                            "from": p.get("from") or "", "to": p.get("to") or "", "debrief": a.get("debrief") or ""}
    if t == "track.points":
        return "rec.track.points", {"n": p.get("count", len(p.get("points") or [])),
                                    "segments": _segments_touched(p.get("coverage"), names)}
    if t == "track.imported":
        return "rec.track.imported", {"unit": (p.get("unit") or {}).get("name", ""), "file": p.get("filename", ""),
                                      "n": p.get("stored", 0)}
    if t == "track.retracted":
        return "rec.track.retracted", {"n": p.get("count", 0), "reason": p.get("reason", "")}
    if t == "clue.reported":
        c = p.get("clue") or {}
        return "rec.clue.reported", {"kind": c.get("kind", ""), "text": c.get("text", ""),
                                     "time": stamp(c.get("time"), tz, seconds=False)}
    if t == "clue.updated":
        return "rec.clue.updated", {"text": (p.get("clue") or {}).get("text", "")}
    if t in ("clue.retracted", "area.retracted"):
        return "rec." + t, {"reason": p.get("reason", "")}
    if t == "area.searched":
        a = p.get("area") or {}
        return "rec.area.searched", {"pod": _pct(a.get("pod")), "team": team(a.get("team_id")),
                                     "segments": _segments_touched(p.get("coverage"), names) or "-",
                                     "notes": a.get("notes") or ""}
    if t == "door.checked":   # the outcome is in the key: each language words it in its own sentence
        outcome = p.get("outcome") if p.get("outcome") in DOOR_OUTCOMES else "other"
        return "rec.door.checked." + outcome, {"address": p.get("address") or "", "notes": p.get("notes") or ""}
    if t == "broadcast.sent":
        b = p.get("broadcast") or {}
        return "rec.broadcast.sent", {"kind": b.get("kind", ""), "text": b.get("text", "")}
    if t == "broadcast.acked":
        return "rec.broadcast.acked", {"id": p.get("broadcast_id")}
    if t.startswith("video."):
        return _describe_video(t, p, tz)
    if t == "camera.added":
        c = p.get("camera") or {}
        return "rec.camera.added", {"code": c.get("code", ""), "name": c.get("name", "")}
    if t in ("segments.replaced", "segment.added", "segment.updated", "segment.removed", "poa.consensus", "model.settings",
             "model.recomputed"):
        n = len(p.get("segments") or [])
        return "rec." + t, {"n": n, "row": _pct(p.get("row0")),
                            "name": (p.get("segment") or {}).get("name") or names.segments.get(p.get("segment_id"), "")}
    return "rec.other", {"type": t}


def _window(obj: dict, tz: ZoneInfo) -> str:
    a, b = local(obj.get("start"), tz), local(obj.get("end"), tz)
    return f"{a:%m-%d %H:%M}–{b:%H:%M}" if a and b else ""


def _describe_video(t: str, p: dict, tz: ZoneInfo) -> tuple[str, dict]:
    if t in ("video.task_created", "video.task_updated"):
        task = p.get("task") or {}
        return "rec." + t, {"code": task.get("code", ""), "window": _window(task, tz)}
    if t == "video.reviewed":
        iv = p.get("interval") or {}
        return "rec.video.reviewed", {"code": iv.get("code", ""), "window": _window(iv, tz)}
    if t in ("video.sighting_logged", "video.sighting_decided"):
        s = p.get("sighting") or {}
        return "rec." + t, {"code": s.get("code", ""), "time": stamp(s.get("time"), tz),
                            "status": s.get("status", ""), "note": s.get("decision_note") or ""}
    if t == "video.clock_corrected":
        return "rec.video.clock_corrected", {"code": p.get("code", ""), "offset": p.get("clock_offset_s")}
    return "rec." + t, {"n": len(p.get("created") or [])}


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def word(template: str, params: Mapping) -> str:
    """Fill a sentence's ``{name}`` placeholders (missing ones empty), as the pages' ``t()`` does."""
    return _PLACEHOLDER.sub(lambda m: "" if params.get(m.group(1)) is None else str(params.get(m.group(1))), template)


def matches(ev: dict, *, kind: str | None = None, user_id: int | None = None,
            team_members: frozenset | None = None, team_id: int | None = None) -> bool:
    """Whether an event passes the log's filters: its kind, its author (``user_id``), a team (made by one of
    ``team_members`` or about ``team_id``)."""
    if kind and kind_of(ev["type"]) != kind:
        return False
    actor = (ev.get("actor") or {}).get("id")
    subject = (ev.get("payload") or {}).get("user_id")
    if user_id is not None and user_id not in (actor, subject):
        return False
    if team_members is not None:
        p = ev.get("payload") or {}
        about = ((p.get("assignment") or {}).get("team_id") or (p.get("team") or {}).get("id")
                 or (p.get("area") or {}).get("team_id"))
        if actor not in team_members and subject not in team_members and about != team_id:
            return False
    return True
