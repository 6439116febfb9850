"""The after-action report, built from the event log and what it recorded: the timeline (dated, station time), the
map of the whole search, per team the effort (hours, km, segments, POD), the probability story (POS and ROW over
time), the video review, broadcasts and who acknowledged, FOUND and the stand-down, and the numbers at the end."""
from __future__ import annotations

from sqlalchemy import func, select

from ..adapters.models import (Assignment, Broadcast, BroadcastAck, Clue, Event, Membership, SearchedArea,
                               Segment, Team, User)
from ..core import probability, record
from ..core.geometry import area_m2
from .access import load_search, require_dispatcher
from .context import Actor, Services
from .events import dump_event, iso, naive_utc
from .basis import projection
from .exports_data import device_table, device_tracks, names_of, search_name
from .report_effort import effort_by_user, team_rows
from .report_maps import search_map
from .report_sheets import subject_view
from .report_text import say
from .report_video import video_review

#: The report's map (mm): the width of A4 less its margins.
MAP_MM = (180.0, 150.0)
#: Events read at a time for the timeline.
PAGE = 5000


def build(svc: Services, actor: Actor, search_id: int, tz, lang: str) -> dict:
    """The whole report as plain values for the page (``lang`` words the timeline). Dispatchers only."""
    require_dispatcher(actor)
    with svc.reading() as s:
        search = load_search(s, search_id, actor)
        names = names_of(s, search_id)
        devices = device_table(s, search_id)
        head = {"id": search.id, "name": search_name(search), "subject": subject_view(search),
                "status": search.status, "opened_at": record.stamp(search.opened_at, tz),
                "closed_at": record.stamp(search.closed_at, tz), "lkp_time": record.stamp(search.lkp_time, tz),
                "lkp_address": search.lkp_address, "found": search.found,
                "found_at": record.stamp((search.found or {}).get("time"), tz)}
        timeline, story, closing = _timeline(s, search_id, names, devices, tz, lang)
        tracks = device_tracks(svc, search_id, projection(search))
        svg, colours = search_map(s, search, tracks, *MAP_MM)
        segs = s.execute(select(Segment).where(Segment.search_id == search_id).order_by(Segment.name)).scalars().all()
        post, row = probability.posterior({g.id: g.poa0 for g in segs}, search.row0,
                                          {g.id: g.coverage for g in segs}) if segs else ({}, 1.0)
        if segs:   # the story ends with the segments as they stand now (coverage counted since the last recompute)
            story.append({"at": record.stamp(svc.now(), tz, seconds=False), "at_iso": iso(svc.now()),
                          "pos": sum(g.poa0 * probability.pod_from_coverage(g.coverage) for g in segs), "row": row,
                          "top_poa": max(post.values()) if post else 0.0, "reason": "now"})
        segments = [{"name": g.name, "poa0": g.poa0, "poa": post.get(g.id, 0.0), "coverage": g.coverage,
                     "pod": probability.pod_from_coverage(g.coverage)} for g in segs]
        effort = effort_by_user(tracks)
        teams = team_rows(s, search_id, effort, names, colours)
        broadcasts = _broadcasts(s, search_id, names, tz)
        video = video_review(s, search, names, tz)
        numbers = _numbers(s, search, effort, teams, video, broadcasts, timeline, row, segs)
    return {"search": head, "timeline": timeline, "map_svg": svg, "teams": teams, "segments": segments,
            "story": story, "row": row, "video": video, "broadcasts": broadcasts, "closing": closing,
            "numbers": numbers, "story_svg": story_chart(story)}


def _timeline(s, search_id: int, names, devices, tz, lang: str):
    """Every event but the track batches, worded; the probability story from each recomputation; the FOUND and
    stand-down events."""
    out, story, closing = [], [], []
    after = 0
    while True:
        rows = s.execute(select(Event, User.display_name).outerjoin(User, User.id == Event.actor_id)
                         .where(Event.search_id == search_id, Event.seq > after, Event.type != "track.points")
                         .order_by(Event.seq).limit(PAGE)).all()
        for ev_row, actor_name in rows:
            ev = dump_event(ev_row, actor_name)
            key, params = record.describe(ev, names, tz)
            dev = devices.get(((ev.get("actor") or {}).get("id"), ev.get("device")))
            line = {"seq": ev["seq"], "at": record.stamp(ev["at"], tz), "type": ev["type"],
                    "kind": record.kind_of(ev["type"]), "who": actor_name or say(lang, "rec.system"),
                    "device": _device(dev, actor_name, lang), "device_id": ev.get("device") or "",
                    "text": say(lang, key, params)}
            out.append(line)
            if ev["type"] == "model.recomputed":
                story.append(_story_point(ev, tz))
            if ev["type"] in ("search.found", "search.status_changed") or (
                    ev["type"] == "broadcast.sent" and (ev["payload"].get("broadcast") or {}).get("kind")
                    in ("found", "stand_down")):
                closing.append(line)
        if len(rows) < PAGE:
            return out, story, closing
        after = rows[-1][0].seq


def _device(dev: dict | None, user: str | None, lang: str) -> str:
    if not dev:
        return ""
    key = "rec.device.browser" if dev["kind"] == "browser" else "rec.device.phone"
    browser = say(lang, "rec.browser") if dev.get("browser") == "browser" else dev.get("browser")
    return say(lang, key, {"user": user, **dev, "browser": browser})


def _story_point(ev: dict, tz) -> dict:
    p = ev["payload"]
    segs = p.get("segments") or []
    poa0 = {x["id"]: x["poa0"] for x in segs}
    cov = {x["id"]: x["coverage"] for x in segs}
    post, row = probability.posterior(poa0, p.get("row0", 1.0), cov) if segs else ({}, 1.0)
    pos = sum(poa0[k] * probability.pod_from_coverage(cov[k]) for k in poa0)
    return {"at": record.stamp(ev["at"], tz, seconds=False), "at_iso": ev["at"], "pos": pos, "row": row,
            "top_poa": max(post.values()) if post else 0.0, "reason": p.get("reason", "")}


def story_chart(story: list[dict], width: float = 170.0, height: float = 50.0) -> str:
    """POS (cumulative) and ROW over time as a small SVG chart (mm; lines only, labels from the page)."""
    if len(story) < 2:
        return ""
    t = [record.parse_iso(p["at_iso"]).timestamp() for p in story]
    t0, span = t[0], max(t[-1] - t[0], 1.0)
    pts = lambda key: " ".join(f"{(x - t0) / span * width:.1f},{height - story[i][key] * height:.1f}"  # noqa: E731
                               for i, x in enumerate(t))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="story-chart" width="{width}mm" height="{height}mm" '
            f'viewBox="0 0 {width} {height}"><rect class="sc-frame" x="0" y="0" width="{width}" height="{height}"/>'
            f'<polyline class="sc-pos" points="{pts("pos")}"/><polyline class="sc-row" points="{pts("row")}"/></svg>')


def _broadcasts(s, search_id: int, names, tz) -> list[dict]:
    members = set(s.execute(select(Membership.user_id).where(Membership.search_id == search_id)).scalars())
    out = []
    for b in s.execute(select(Broadcast).where(Broadcast.search_id == search_id).order_by(Broadcast.id)).scalars():
        acks = s.execute(select(BroadcastAck).where(BroadcastAck.broadcast_id == b.id)
                         .order_by(BroadcastAck.acked_at)).scalars().all()
        acked = {a.user_id for a in acks}
        out.append({"id": b.id, "kind": b.kind, "text": b.text, "sent_at": record.stamp(b.sent_at, tz),
                    "sent_by": names.users.get(b.sent_by, ""),
                    "acks": [{"who": names.users.get(a.user_id, ""), "at": record.stamp(a.acked_at, tz),
                              "after_s": (a.acked_at - b.sent_at).total_seconds()} for a in acks],
                    "missing": sorted(names.users.get(u, "") for u in members - acked - {b.sent_by})})
    return out


def _numbers(s, search, effort, teams, video, broadcasts, timeline, row, segs) -> dict:
    areas = s.execute(select(SearchedArea.geometry).where(SearchedArea.search_id == search.id,
                                                          SearchedArea.retracted_at.is_(None))).scalars().all()
    assignments = dict(s.execute(select(Assignment.status, func.count()).where(Assignment.search_id == search.id)
                                 .group_by(Assignment.status)).all())
    found_at = record.parse_iso((search.found or {}).get("time")) if search.found else None
    end = search.closed_at or (naive_utc(found_at) if found_at else None)
    hours = (end - search.opened_at).total_seconds() / 3600 if end else None
    return {
        "duration_h": hours,
        "officers": len([u for u in effort.values() if u["km"] > 0]),
        "teams": s.execute(select(func.count()).select_from(Team).where(Team.search_id == search.id)).scalar(),
        "assignments": assignments, "assignments_total": sum(assignments.values()),
        "km": sum(u["km"] for u in effort.values()), "hours": sum(u["hours"] for u in effort.values()),
        "fixes": sum(u["fixes"] for u in effort.values()),
        "searched_ha": sum(area_m2(g) for g in areas) / 1e4, "areas": len(areas),
        "clues": s.execute(select(func.count()).select_from(Clue).where(Clue.search_id == search.id,
                                                                         Clue.retracted_at.is_(None))).scalar(),
        "sightings_confirmed": sum(1 for x in video["sightings"] if x["status"] == "confirmed"),
        "cameras": len(video["cameras"]), "reviewed_h": sum(c["reviewed_s"] for c in video["cameras"]) / 3600,
        "broadcasts": len(broadcasts), "events": len(timeline), "segments": len(segs),
        "pos": sum(g.poa0 * probability.pod_from_coverage(g.coverage) for g in segs), "row": row,
    }
