"""The event catalogue: every type of event a search's log can hold, declared once.

Each entry names the event, the fields of its payload (name -> short type and meaning), who receives it live and
whether the timeline shows it. ``services/events.py`` refuses a type that is not here and a payload that does not
match its entry; ``GET /api/v1/meta`` gives the same list to the pages, whose live reducer warns of a type it does
not know. A test checks that every type the services record is here and that every entry is recorded somewhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

#: Who receives an event live (everyone reads the whole log on a reconnect or in the report, by their rights).
SEARCH_ROOM = "search"            # the search's room: dispatchers' consoles and the phones' field room
DISPATCHERS = "dispatchers"       # the dispatchers' room only (the consoles), never the phones
FIELD_COALESCED = "field_coalesced"  # dispatchers at once; phones get it summed up in a ``positions`` message
AUDIENCES = (SEARCH_ROOM, DISPATCHERS, FIELD_COALESCED)


class UnknownEventType(LookupError):
    """An event type that is not in the catalogue (a programming error, never the user's)."""


class EventPayloadError(ValueError):
    """An event's payload lacks a declared field or carries one its catalogue entry does not declare."""


@dataclass(frozen=True)
class EventType:
    """One type of event: ``payload`` the fields always present, ``optional`` those only some events carry."""

    name: str
    summary: str
    payload: Mapping[str, str]
    optional: Mapping[str, str] = field(default_factory=dict)
    audience: str = SEARCH_ROOM
    timeline: bool = True   # shown in the console's timeline and the report (False: only on demand)

    def __post_init__(self):
        object.__setattr__(self, "payload", MappingProxyType(dict(self.payload)))
        object.__setattr__(self, "optional", MappingProxyType(dict(self.optional)))
        if self.audience not in AUDIENCES:
            raise ValueError(f"event type {self.name}: audience must be one of {', '.join(AUDIENCES)}")

    def problems(self, payload: dict) -> list[str]:
        """What is wrong with a payload of this type: missing declared fields, undeclared ones ([] when none)."""
        keys = set(payload)
        out = [f"missing {k}" for k in self.payload if k not in keys]
        out += [f"undeclared {k}" for k in sorted(keys - set(self.payload) - set(self.optional))]
        return out

    def as_json(self) -> dict:
        return {"summary": self.summary, "payload": dict(self.payload), "optional": dict(self.optional),
                "audience": self.audience, "timeline": self.timeline}


_CHANGED = {"changes": "list of field names changed (or {field: new value})",
            "previous": "{field: value before}", "version_checked": "bool: the edit sent the version it started from"}

_TYPES = (
    # --- the search ---
    EventType("search.opened", "a search is opened", {"search": "search view"},
              {"segments_proposed": "{segments: int, cell_m: float or null, reach_m: float or null}: the grid it got"
                                    " at once (services/segment_edits.propose_grid; 0 segments if none could be made)"}),
    EventType("search.updated", "the subject, last known point, risk or notes changed (also by a confirmed sighting)",
              {"changes": "{field: new value}", "search": "search view"},
              {"previous": _CHANGED["previous"], "version_checked": _CHANGED["version_checked"]}),
    EventType("search.status_changed", "suspended, reopened or closed",
              {"from": "status before", "to": "status after", "reason": "text or null"}),
    EventType("search.found", "the subject is found (a FOUND broadcast follows)",
              {"found": "{time, location, condition, notes, reported_by}", "from": "status before"}),
    EventType("member.added", "a user joins the search", {"user": "user view"}),
    EventType("member.removed", "a user leaves the search (their sockets are evicted)", {"user_id": "int"}),
    # --- teams and assignments ---
    EventType("team.created", "a team is formed", {"team": "team view"}),
    EventType("team.updated", "a team's name, kind or members changed", {"team": "team view", **_CHANGED}),
    EventType("assignment.created", "a task is given", {"assignment": "assignment view"}),
    EventType("assignment.updated", "a task's details changed", {"assignment": "assignment view", **_CHANGED}),
    EventType("assignment.status_changed", "a task is started, done, abandoned...",
              {"assignment": "assignment view", "from": "status before", "to": "status after"}),
    # --- the field ---
    EventType("track.points", "a batch of a phone's fixes",
              {"user_id": "int", "device": "text", "count": "int: fixes stored", "rejected": "int",
               "clock_offset_s": "float or null: the phone's clock as measured", "points": "[[lon, lat, t, acc, key]]",
               "coverage": "{segment id: coverage}"},
              {"rejected_fixes": "[{index, reason}]",
               "rekeyed": "[[t, key]]: fixes sent before whose track key this batch changed"},
              audience=FIELD_COALESCED, timeline=False),
    EventType("track.imported", "a GPX/KML file's track was imported for a unit",
              {"unit": "{id, name}", "team_id": "int or null", "format": "gpx|kml|...", "filename": "text",
               "sha256": "hex", "points_in_file": "int", "stored": "int", "counts": "{reason: int}",
               "track_seq": "int: the track.points event"}),
    EventType("track.retracted", "a dispatcher took back a batch or a time range of a user's fixes",
              {"reason": "text", "user_id": "int or [int]", "device": "text or null", "from": "ISO time",
               "to": "ISO time", "event_seq": "int or null: the batch", "count": "int"}),
    EventType("clue.reported", "a clue or witness sighting is reported", {"clue": "clue view"}),
    EventType("clue.updated", "a clue changed (e.g. its photo arrived)", {"clue": "clue view", "changes": "[field]"}),
    EventType("clue.retracted", "a dispatcher took back a clue", {"clue_id": "int", "reason": "text"}),
    EventType("area.searched", "an area is marked searched", {"area": "searched area view",
                                                              "coverage": "{segment id: coverage}"}),
    EventType("area.retracted", "a dispatcher took back a searched area", {"area_id": "int", "reason": "text"}),
    EventType("streets.covered", "tracks passed street blocks (coverage per block, issue 14)",
              {"layer_id": "int", "mode": "foot|vehicle|door_to_door", "user_id": "int or null (a recount)",
               "blocks": "[[block, share passed, status not|partly|searched, POD]]"},
              {"recount": "bool: every block counted again from the stored tracks"}, timeline=False),
    EventType("door.checked", "a door of a door-to-door list was ticked (issue 14)",
              {"assignment_id": "int", "address_id": "int", "address": "text: street and number",
               "outcome": "spoken|no_answer|searched_consent|refused", "notes": "text or null"}),
    EventType("help.requested", "an officer asked for help with one tap (where they are, if the phone knew)",
              {"user_id": "int", "location": "Point or null", "accuracy_m": "float or null", "note": "text or null",
               "at": "ISO time"}),
    EventType("join.link_created", "a QR code / link to join this search was made (role, team, expiry, uses)",
              {"link": "join link view (no token)"}),
    EventType("join.link_revoked", "a join link was revoked; the accounts it made ended",
              {"link": "join link view", "ended": "[user id]"}),
    EventType("join.requested", "a newcomer joined by a link (pending, or approved at once)",
              {"user": "user view", "link_id": "int", "auto_approve": "bool"}),
    EventType("join.decided", "a dispatcher approved or refused a newcomer",
              {"user_id": "int", "decision": "approve|refuse"}),
    # --- urgency (the strip) ---
    EventType("urgency.weather", "the temperature now and tonight's low were entered",
              {"weather": "{temperature_c, low_tonight_c, at, source}"}),
    EventType("urgency.prompt", "an escalation prompt was ticked or dismissed",
              {"prompt_id": "text", "decision": "done|dismissed", "note": "text or null"}, audience=DISPATCHERS),
    # --- broadcasts ---
    EventType("broadcast.sent", "a message every unit must acknowledge (FOUND, a sighting, DISREGARD...)",
              {"broadcast": "{id, kind, text, params, sent_by, sent_at, seq}"}),
    EventType("broadcast.acked", "a unit acknowledged a broadcast",
              {"broadcast_id": "int", "user_id": "int", "at": "ISO time"}),
    # --- where to look ---
    EventType("segments.replaced", "the area is cut into new segments",
              {"segments": "[segment]", "row0": "float: rest of world", "reach_m": "float", "shape": "text",
               "cell_m": "float"}),
    EventType("segment.added", "a segment is drawn", {"segment": "segment view", "row0": "float"}),
    EventType("segment.updated", "a segment's name, outline or prior POA (an override) changed",
              {"segment": "segment view with version", "changes": "{field: new value}",
               "previous": "{field: old value}", "row0": "float", "version_checked": "bool"}),
    EventType("segment.removed", "a segment is deleted", {"segment_id": "int", "row0": "float"}),
    EventType("poa.consensus", "the team's POA estimates are combined",
              {"poa0": "{segment id: POA}", "row0": "float", "evaluators": "int"}),
    EventType("model.settings", "the model's settings changed",
              {"settings": "the settings", "version_checked": _CHANGED["version_checked"]}),
    EventType("model.recomputed", "the probability model was recomputed",
              {"segments": "[{id, poa0, coverage}]", "row0": "float", "reach_m": "float", "reason": "text",
               "seconds": "float", "track_points": "int"}),
    # --- video ---
    EventType("camera.added", "a camera is added to the registry from this search", {"camera": "camera view"}),
    EventType("video.clock_corrected", "a camera's clock offset changed; reported times moved",
              {"camera_id": "int", "code": "text", "clock_offset_s": "float", "previous_offset_s": "float",
               "intervals": "[interval id]", "sightings": "[sighting id]", "trail": "the confirmed trail"}),
    EventType("video.task_created", "a stretch of footage is given to review", {"task": "task view"}),
    EventType("video.task_updated", "a review task changed", {"task": "task view", "changes": "[field]"}),
    EventType("video.reviewed", "footage watched without seeing the subject",
              {"interval": "interval view", "overlaps": "[overlap]", "area": "searched area view or null"},
              {"task": "task view"}),
    EventType("video.sighting_logged", "a reviewer saw the subject (pending)", {"sighting": "sighting view"}),
    EventType("video.sighting_decided", "a sighting is confirmed, rejected or retracted",
              {"sighting": "sighting view", "trail": "the confirmed trail", "lkp_moved": "bool"}),
    EventType("video.blind_spot_segments", "segments made from the cameras' blind spot",
              {"created": "[segment id]", "reshaped": "[segment id]", "removed": "[segment id]",
               "segments": "[segment]", "row0": "float", "blind_spot": "blind spot view"}),
)

#: name -> EventType, in the order above.
CATALOGUE: Mapping[str, EventType] = MappingProxyType({t.name: t for t in _TYPES})
assert len(CATALOGUE) == len(_TYPES), "an event type is declared twice"


def event_type(name: str) -> EventType:
    """The catalogue entry of ``name``; UnknownEventType (naming the closest known types) if there is none."""
    try:
        return CATALOGUE[name]
    except (KeyError, TypeError):
        group = str(name).split(".")[0]
        near = [n for n in CATALOGUE if n.split(".")[0] == group] or list(CATALOGUE)[:5]
        raise UnknownEventType(f"unknown event type {name!r}: not in search_coord/core/catalogue.py "
                               f"(known: {', '.join(near)}...)") from None


def check_payload(name: str, payload: dict) -> EventType:
    """The entry of ``name`` after checking ``payload`` has exactly its declared fields (EventPayloadError if not)."""
    entry = event_type(name)
    if not isinstance(payload, dict):
        raise EventPayloadError(f"event {name}: the payload must be a dict")
    bad = entry.problems(payload)
    if bad:
        raise EventPayloadError(f"event {name}: payload {', '.join(bad)} (see search_coord/core/catalogue.py)")
    return entry


def as_json() -> dict:
    """The catalogue for the pages: {name: {summary, payload, optional, audience, timeline}}."""
    return {name: t.as_json() for name, t in CATALOGUE.items()}
