"""The report's video review: each camera reviewed (the windows watched, by whom, how long) and every sighting
(who logged it, who confirmed or rejected it, when)."""
from __future__ import annotations

from sqlalchemy import select

from ..adapters.models import Search
from ..adapters.video_models import Camera, ReviewedInterval, Sighting
from ..core import record


def video_review(s, search: Search, names, tz) -> dict:
    """{"cameras": [{code, name, windows: [{start, end, reviewer}], reviewed_s}], "sightings": [...]}"""
    cams: dict[int, dict] = {}
    for iv, cam in s.execute(select(ReviewedInterval, Camera).join(Camera, Camera.id == ReviewedInterval.camera_id)
                             .where(ReviewedInterval.search_id == search.id)
                             .order_by(Camera.code, ReviewedInterval.start)).all():
        row = cams.setdefault(cam.id, {"code": cam.code, "name": cam.name, "windows": [], "reviewed_s": 0.0})
        row["windows"].append({"start": record.stamp(iv.start, tz, seconds=False),
                               "end": record.stamp(iv.end, tz, seconds=False),
                               "reviewer": names.users.get(iv.reviewer_id, "")})
        row["reviewed_s"] += (iv.end - iv.start).total_seconds()
    sightings = []
    for x, cam in s.execute(select(Sighting, Camera).join(Camera, Camera.id == Sighting.camera_id)
                            .where(Sighting.search_id == search.id).order_by(Sighting.time)).all():
        sightings.append({"code": cam.code, "time": record.stamp(x.time, tz), "status": x.status,
                          "confidence": x.confidence, "logged_by": names.users.get(x.reported_by, ""),
                          "decided_by": names.users.get(x.decided_by, "") if x.decided_by else "",
                          "decided_at": record.stamp(x.decided_at, tz), "note": x.decision_note or ""})
    return {"cameras": list(cams.values()), "sightings": sightings}
