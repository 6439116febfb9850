"""What makes the first hours urgent, as values: how long the person has been missing, the light (sunset, end of
civil twilight, sunrise at the last known point, from the ``astral`` library: NOAA's solar position equations), the
cold, medication due, the risk with its reasons, and the escalation prompts of the station's checklist.

Pure: the time is an argument (``now``, aware), the station's zone a ``tzinfo``; nothing here reads a clock, a file
or the network. Times in the returned dicts are ISO 8601 UTC strings with 'Z'."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Iterable, Mapping

from astral import Observer
from astral.sun import dusk, sunrise, sunset

from .errors import ValidationError

#: Medication times kept in the subject's profile: at most this many, each "HH:MM" on the station's clock, daily.
MAX_MEDICATIONS = 12
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
#: A dose missed more than this long ago is no longer shown as overdue (the next one is).
OVERDUE_WINDOW = timedelta(hours=12)
#: Tonight's low at or below this (°C) counts as cold (hypothermia risk for the elderly, SAR guidance).
COLD_C = 5.0
PROMPT_DECISIONS = ("done", "dismissed")
CONDITIONS = ("always", "risk_high", "dark", "cold", "medication")


def _z(t: datetime | None) -> str | None:
    if t is None:
        return None
    return t.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def clean_medications(value) -> list[dict]:
    """The subject's medications: ``[{"name": text (1-120), "due": "HH:MM" (station time, daily)}]``, at most
    MAX_MEDICATIONS, sorted by time. Raises ValidationError({"medications": message})."""
    if not isinstance(value, list) or len(value) > MAX_MEDICATIONS:
        raise ValidationError({"medications": f"must be a list of at most {MAX_MEDICATIONS} {{name, due}}"})
    out = []
    for i, m in enumerate(value):
        if not isinstance(m, dict) or set(m) - {"name", "due"}:
            raise ValidationError({"medications": f"item {i + 1} must be {{name, due}}"})
        name = m.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 120:
            raise ValidationError({"medications": f"item {i + 1}: the name must be text of 1 to 120 characters"})
        due = m.get("due")
        if not isinstance(due, str) or not _HHMM.match(due.strip()):
            raise ValidationError({"medications": f"item {i + 1}: due must be a time of day such as 20:00"})
        out.append({"name": name.strip(), "due": due.strip()})
    return sorted(out, key=lambda m: m["due"])


@dataclass(frozen=True)
class Light:
    """The evening and the morning around ``now`` at a place: ``sunset`` and ``dusk`` (end of civil twilight, sun
    6° below the horizon) of the evening that starts the current night (today's, or yesterday's before sunrise),
    and the ``sunrise`` that ends it. None where the sun does not set or rise (polar day or night)."""

    sunset: datetime | None
    dusk: datetime | None
    sunrise: datetime | None

    def dark(self, now: datetime) -> bool:
        """Whether ``now`` is between the end of civil twilight and sunrise."""
        return bool(self.dusk and self.sunrise and self.dusk <= now < self.sunrise)

    def as_json(self, now: datetime) -> dict:
        return {"sunset": _z(self.sunset), "dusk": _z(self.dusk), "sunrise": _z(self.sunrise), "dark": self.dark(now)}


def _safe(fn, observer: Observer, day: date, tz: tzinfo) -> datetime | None:
    try:
        return fn(observer, date=day, tzinfo=tz)
    except ValueError:   # the sun never reaches that depression that day (polar summer or winter)
        return None


def light(lon: float, lat: float, now: datetime, tz: tzinfo) -> Light:
    """Sunset, end of civil twilight and sunrise around ``now`` (aware) at (``lon``, ``lat``), days counted in
    ``tz`` (the station's zone). Source: astral.sun (NOAA Solar Calculator equations; refraction and the sun's
    upper limb included, ±1 min at mid latitudes)."""
    obs = Observer(latitude=lat, longitude=lon, elevation=0.0)
    today = now.astimezone(tz).date()
    rise_today = _safe(sunrise, obs, today, tz)
    if rise_today is not None and now < rise_today:   # small hours: the night began yesterday evening
        evening, morning = today - timedelta(days=1), rise_today
    else:
        evening, morning = today, _safe(sunrise, obs, today + timedelta(days=1), tz)
    return Light(_safe(sunset, obs, evening, tz), _safe(dusk, obs, evening, tz), morning)


def medication_times(meds: Iterable[Mapping], now: datetime, missing_since: datetime, tz: tzinfo) -> list[dict]:
    """Each medication's next dose and whether one was missed while the person was missing: ``[{"name", "due",
    "next_at", "overdue_since"}]`` (``overdue_since``: the latest dose time after ``missing_since`` and before
    ``now``, within OVERDUE_WINDOW; else None). Sorted by the soonest concern first."""
    out = []
    local_now = now.astimezone(tz)
    for m in meds or []:
        hh, mm = (int(x) for x in str(m.get("due", "")).split(":")[:2])
        today_at = datetime.combine(local_now.date(), time(hh, mm), tzinfo=tz)
        nxt = today_at if today_at >= local_now else today_at + timedelta(days=1)
        last = nxt - timedelta(days=1)
        missed = last if missing_since <= last <= now and now - last <= OVERDUE_WINDOW else None
        out.append({"name": m.get("name", ""), "due": m.get("due"), "next_at": _z(nxt), "overdue_since": _z(missed)})
    return sorted(out, key=lambda x: (x["overdue_since"] is None, x["overdue_since"] or x["next_at"]))


def risk_view(level: str, reasons: Iterable[str], facts: Mapping[str, bool]) -> dict:
    """The risk level with its reasons, and the reasons the facts now support that are not among them
    (``suggested``: "nightfall" when dark, "weather" when cold, "medication" when a dose was missed)."""
    have = list(reasons or [])
    suggested = [r for r, on in (("nightfall", facts.get("dark")), ("weather", facts.get("cold")),
                                 ("medication", facts.get("medication"))) if on and r not in have]
    return {"level": level, "reasons": have, "suggested": suggested}


#: The default escalation checklist: ``after_min`` from when the person went missing, ``when`` the conditions that
#: must all hold, ``at`` station times of day (shift changes; the prompt is due 30 min before). Pages word the
#: default items by id (i18n ``prompt.<id>``); a station's own file gives ``text`` {"en", "zh-CN"}.
DEFAULT_CHECKLIST: tuple[dict, ...] = (
    {"id": "family_liaison", "after_min": 0, "when": ["always"]},
    {"id": "request_dog", "after_min": 30, "when": ["risk_high"]},
    {"id": "widen_area", "after_min": 60, "when": ["always"]},
    {"id": "request_drone", "after_min": 45, "when": ["dark"]},
    {"id": "medication_units", "after_min": 0, "when": ["medication"]},
    {"id": "cold_ambulance", "after_min": 60, "when": ["cold"]},
    {"id": "media_officer", "after_min": 120, "when": ["always"]},
    {"id": "shift_handover", "at": ["08:00", "20:00"], "when": ["always"]},
)


def clean_checklist(items) -> tuple[dict, ...]:
    """A station's checklist file's items checked (ids 1-24 characters, conditions known, times HH:MM); ValueError
    naming the first bad item."""
    if not isinstance(items, list) or not items:
        raise ValueError("the checklist must be a non-empty list of prompts")
    out = []
    for i, it in enumerate(items):
        if not isinstance(it, dict) or not re.match(r"^[a-z0-9_]{1,24}$", str(it.get("id", ""))):
            raise ValueError(f"prompt {i + 1}: id must be 1-24 of a-z 0-9 _")
        when = it.get("when", ["always"])
        if not isinstance(when, list) or any(c not in CONDITIONS for c in when):
            raise ValueError(f"prompt {it['id']}: when must be a list of {', '.join(CONDITIONS)}")
        at = it.get("at", [])
        if not isinstance(at, list) or any(not isinstance(x, str) or not _HHMM.match(x) for x in at):
            raise ValueError(f"prompt {it['id']}: at must be a list of times such as 20:00")
        after = it.get("after_min", 0)
        if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after <= 7 * 1440:
            raise ValueError(f"prompt {it['id']}: after_min must be whole minutes (0 to a week)")
        text = it.get("text")
        if text is not None and (not isinstance(text, dict) or not all(isinstance(v, str) for v in text.values())):
            raise ValueError(f"prompt {it['id']}: text must be {{language: text}}")
        out.append({"id": it["id"], "after_min": after, "when": when, "at": at, "text": text})
    return tuple(out)


def prompts(checklist: Iterable[Mapping], now: datetime, missing_since: datetime, facts: Mapping[str, bool],
            decisions: Mapping[str, Mapping], tz: tzinfo) -> list[dict]:
    """The checklist's prompts that are due (or decided) now: ``[{"id", "base", "due_at", "state", "text",
    "decided_by", "note"}]``, ``state`` one of due, done, dismissed. A prompt with ``at`` times is due from 30 min
    before each such time since the person went missing (its id then ends in "@YYYY-MM-DDTHH:MM")."""
    out = []
    for it in checklist:
        if not all(c == "always" or facts.get(c) for c in it.get("when", ["always"])):
            continue
        times: list[tuple[str, datetime]] = []
        if it.get("at"):
            local = now.astimezone(tz)
            for back in (1, 0):
                day = local.date() - timedelta(days=back)
                for hhmm in it["at"]:
                    hh, mm = (int(x) for x in hhmm.split(":"))
                    at = datetime.combine(day, time(hh, mm), tzinfo=tz)
                    due = at - timedelta(minutes=30)
                    if missing_since <= at and due <= now:
                        times.append((f"{it['id']}@{at.strftime('%Y-%m-%dT%H:%M')}", due))
            times = times[-1:]   # the latest shift change only
        else:
            due = missing_since + timedelta(minutes=it.get("after_min", 0))
            if due <= now:
                times.append((it["id"], due))
        for pid, due in times:
            d = decisions.get(pid)
            out.append({"id": pid, "base": it["id"], "due_at": _z(due), "state": d["decision"] if d else "due",
                        "text": it.get("text"), "decided_by": d.get("by") if d else None,
                        "note": d.get("note") if d else None})
    return sorted(out, key=lambda p: (p["state"] != "due", p["due_at"]))


def summary(*, now: datetime, missing_since: datetime, lon: float, lat: float, tz: tzinfo, risk: str,
            reasons: Iterable[str], medications: Iterable[Mapping], weather: Mapping | None,
            checklist: Iterable[Mapping], decisions: Mapping[str, Mapping]) -> dict:
    """Everything the urgency strip shows, at ``now``: ``{"now", "missing_since", "missing_for_s", "light",
    "weather", "medications", "risk", "prompts"}`` (see the functions above; ``weather`` as given or None)."""
    sun = light(lon, lat, now, tz)
    meds = medication_times(medications, now, missing_since, tz)
    low = (weather or {}).get("low_tonight_c")
    temp = (weather or {}).get("temperature_c")
    facts = {"dark": bool(sun.sunset and sun.sunrise and sun.sunset <= now < sun.sunrise),   # night has fallen
             "cold": any(v is not None and v <= COLD_C for v in (low, temp)),
             "medication": any(m["overdue_since"] for m in meds),
             "risk_high": risk == "high"}
    return {"now": _z(now), "missing_since": _z(missing_since),
            "missing_for_s": max(0, int((now - missing_since).total_seconds())),
            "light": sun.as_json(now), "weather": dict(weather) if weather else None, "medications": meds,
            "risk": risk_view(risk, reasons, facts), "facts": facts,
            "prompts": prompts(checklist, now, missing_since, facts, decisions, tz)}
