"""The alerts the server itself sends to every unit (FOUND, a confirmed sighting, DISREGARD a retracted one) as
values: a ``kind`` and its ``params``, which each page words in its own language (i18n keys ``alert.<kind>``,
times in the page's time zone); plus the English and Chinese lines kept as the broadcast's text for any reader that
does not know the kind (the report, an older page)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any, Mapping

#: The alert kinds and their parameters (all JSON: times as ISO 8601 UTC with 'Z').
KINDS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "found": ("condition",),
    "sighting": ("time", "code", "camera", "heading"),
    "disregard": ("time", "code", "camera"),
})

_CONDITION_ZH = {"well": "状况良好", "injured": "受伤", "ill": "身体不适", "deceased": "已死亡", "unknown": "状况不明"}
_EN_DIR = {"N": "north", "NE": "north-east", "E": "east", "SE": "south-east", "S": "south", "SW": "south-west",
           "W": "west", "NW": "north-west"}
_ZH_DIR = {"N": "北", "NE": "东北", "E": "东", "SE": "东南", "S": "南", "SW": "西南", "W": "西", "NW": "西北"}


@dataclass(frozen=True)
class Alert:
    """``kind`` one of KINDS; ``params`` its parameters; ``text`` the English line, a line break, the Chinese line."""

    kind: str
    params: Mapping[str, Any]
    text: str = field(default="")

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown alert kind {self.kind!r}")
        if set(self.params) != set(KINDS[self.kind]):
            raise ValueError(f"alert {self.kind}: params must be {', '.join(KINDS[self.kind])}")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def params_json(self) -> dict:
        return dict(self.params)


def _utc(t: datetime) -> datetime:
    """A naive datetime is UTC; an aware one is converted."""
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)


def iso_z(t: datetime) -> str:
    """``t`` as ISO 8601 UTC with milliseconds and 'Z' (as the event log writes times)."""
    return _utc(t).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _hhmm(t: datetime, tz_offset_min: int) -> str:
    return (_utc(t) + timedelta(minutes=tz_offset_min)).strftime("%H:%M")


def found(condition: str) -> Alert:
    """The stand-down when the subject is found, in ``condition`` (well, injured, ill, deceased, unknown)."""
    text = f"FOUND ({condition}). Stand down.\n已找到（{_CONDITION_ZH.get(condition, condition)}），全体收队。"
    return Alert("found", {"condition": condition}, text)


def sighting(time: datetime, code: str, camera: str, heading: str | None, tz_offset_min: int = 0) -> Alert:
    """A confirmed sighting that moved the last known point: ``time`` when seen (UTC), the camera's code and name,
    ``heading`` a compass label (N, NE, ... NW) or None; ``tz_offset_min`` (minutes east of UTC) only words the
    fallback text, the params carry the instant."""
    hhmm = _hhmm(time, tz_offset_min)
    heading = heading if heading in _EN_DIR else None
    en = f"Seen {hhmm} at camera {code} ({camera})" + (f", heading {_EN_DIR[heading]}" if heading else "") + "."
    zh = f"{hhmm} 在摄像头 {code}（{camera}）发现" + (f"，向{_ZH_DIR[heading]}方向行走" if heading else "") + "。"
    return Alert("sighting", {"time": iso_z(time), "code": code, "camera": camera, "heading": heading},
                 f"{en}\n{zh}")  # one line per language (a camera's name may hold a slash)


def disregard(time: datetime, code: str, camera: str, tz_offset_min: int = 0) -> Alert:
    """A confirmed sighting the units were alerted of was retracted: it was not the person."""
    hhmm = _hhmm(time, tz_offset_min)
    text = (f"DISREGARD the sighting at {hhmm} at camera {code} ({camera}): it was not the "
            f"person.\n撤销：{hhmm} 在摄像头 {code}（{camera}）的目击有误，不是此人。")
    return Alert("disregard", {"time": iso_z(time), "code": code, "camera": camera}, text)
