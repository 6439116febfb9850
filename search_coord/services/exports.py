"""Exports of a search for other tools: tracks as GPX 1.1 (``gpxpy``) and KML 2.2, everything as GeoJSON, the event
log as CSV; per search, per team or per officer (``exports_data.Scope``). Each is produced as it is sent (text
chunks from a generator, one device's track at a time) so a large search never sits whole in memory."""
from __future__ import annotations

import csv
import io
import json
from datetime import timezone
from typing import Iterator
from xml.sax.saxutils import escape

import gpxpy.gpx
from gpxpy import gpxfield
from sqlalchemy import select

from ..adapters.models import Assignment, Clue, Event, Search, SearchedArea, Segment, User
from ..adapters.video_models import Camera, ReviewedInterval, Sighting
from ..core import probability, record
from ..core.errors import ValidationError
from . import video
from .events import dump_event, iso
from .exports_data import Scope, device_table, names_of, runs, track_fixes, track_owners
from .context import Services

FORMATS = {"gpx": "application/gpx+xml", "kml": "application/vnd.google-earth.kml+xml",
           "geojson": "application/geo+json", "csv": "text/csv; charset=utf-8"}
#: Events read at a time while the log is streamed as CSV.
EVENT_PAGE = 2000
CSV_COLUMNS = ("seq", "time_utc", "time_local", "type", "actor", "device", "device_id", "summary_en", "summary_zh",
               "payload")


def check_format(fmt: str) -> str:
    """The media type of an export format; ValidationError {"format"} for an unknown one."""
    if fmt not in FORMATS:
        raise ValidationError({"format": "must be one of " + ", ".join(FORMATS)})
    return FORMATS[fmt]


def chunks(svc: Services, scope: Scope, fmt: str, tz, messages: dict) -> Iterator[str]:
    """The export's text, a chunk at a time (``check_format`` first). ``messages`` {lang: i18n dict} word the
    CSV's summaries; ``tz`` the station's zone for its local times."""
    if fmt == "gpx":
        return gpx_chunks(svc, scope)
    if fmt == "kml":
        return kml_chunks(svc, scope)
    if fmt == "geojson":
        return geojson_chunks(svc, scope, tz)
    return csv_chunks(svc, scope, tz, messages)


def _utc(t):
    return t.replace(tzinfo=timezone.utc)


def _head(svc: Services, scope: Scope) -> tuple[object, list]:
    """The search's last known point and clues (the waypoints) read once."""
    with svc.reading() as s:
        from_search = s.execute(select(Clue).where(Clue.search_id == scope.search_id, Clue.retracted_at.is_(None))
                                .order_by(Clue.time)).scalars().all()
        clues = [(c.location["coordinates"], c.time, c.kind, c.text) for c in from_search
                 if scope.user_ids is None or c.reported_by in scope.user_ids]
        search = s.get(Search, scope.search_id)
        return (search.lkp["coordinates"], search.lkp_time, (search.subject or {}).get("name", "")), clues


def gpx_chunks(svc: Services, scope: Scope) -> Iterator[str]:
    """GPX 1.1: the last known point and the clues as waypoints, then one ``trk`` per officer's device with one
    ``trkseg`` per run of its phone (times in UTC), every stored fix that was not retracted."""
    lkp, clues = _head(svc, scope)
    doc = gpxpy.gpx.GPX()
    doc.creator = "search-coord"
    doc.name = " ".join(p for p in (scope.title, scope.label) if p)
    doc.description = "tracks of the search (every fix stored and not retracted)"
    doc.waypoints.append(gpxpy.gpx.GPXWaypoint(lkp[0][1], lkp[0][0], time=_utc(lkp[1]), name="LKP",
                                               description=lkp[2], symbol="Flag"))
    for (lon, lat), t, kind, text in clues:
        doc.waypoints.append(gpxpy.gpx.GPXWaypoint(lat, lon, time=_utc(t), name=kind, description=text))
    head, _, tail = doc.to_xml(version="1.1").rpartition("</gpx>")
    yield head
    for uid, device, name in track_owners(svc, scope):
        trk = gpxpy.gpx.GPXTrack(name=name, description=f"device {device}" if device else None)
        for run in runs(track_fixes(svc, scope.search_id, uid, device)):
            seg = gpxpy.gpx.GPXTrackSegment()
            seg.points.extend(gpxpy.gpx.GPXTrackPoint(lat, lon, time=_utc(t)) for t, lon, lat, _acc, _r in run)
            trk.segments.append(seg)
        yield gpxfield.gpx_fields_to_xml(trk, "trk", version="1.1", indent="  ")
    yield "</gpx>" + tail


def kml_chunks(svc: Services, scope: Scope) -> Iterator[str]:
    """KML 2.2: the last known point and clues as placemarks, then one placemark per officer's device with a
    MultiGeometry of its runs and the time span it covers."""
    lkp, clues = _head(svc, scope)
    title = " ".join(p for p in (scope.title, scope.label) if p)
    yield ('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
           f"<name>{escape(title)}</name>"
           '<Style id="track"><LineStyle><color>ff0000ff</color><width>3</width></LineStyle></Style>'
           f"<Placemark><name>LKP</name><description>{escape(lkp[2])}</description>"
           f"<TimeStamp><when>{iso(lkp[1])}</when></TimeStamp>"
           f"<Point><coordinates>{lkp[0][0]},{lkp[0][1]}</coordinates></Point></Placemark>")
    for (lon, lat), t, kind, text in clues:
        yield (f"<Placemark><name>{escape(kind)}</name><description>{escape(text)}</description>"
               f"<TimeStamp><when>{iso(t)}</when></TimeStamp><Point><coordinates>{lon},{lat}</coordinates></Point>"
               "</Placemark>")
    for uid, device, name in track_owners(svc, scope):
        lines, first, last = [], None, None
        for run in runs(track_fixes(svc, scope.search_id, uid, device)):
            first = first or run[0][0]
            last = run[-1][0]
            if len(run) > 1:
                lines.append("<LineString><coordinates>" + " ".join(f"{lon},{lat}" for _t, lon, lat, _a, _r in run)
                             + "</coordinates></LineString>")
        if not lines:
            continue
        yield (f"<Placemark><name>{escape(name)}</name><description>{escape('device ' + device)}</description>"
               f"<TimeSpan><begin>{iso(first)}</begin><end>{iso(last)}</end></TimeSpan><styleUrl>#track</styleUrl>"
               f"<MultiGeometry>{''.join(lines)}</MultiGeometry></Placemark>")
    yield "</Document></kml>"


def _feature(geometry, **props) -> str:
    return json.dumps({"type": "Feature", "geometry": geometry, "properties": props}, ensure_ascii=False)


def geojson_chunks(svc: Services, scope: Scope, tz) -> Iterator[str]:
    """A FeatureCollection of everything (WGS84 lon/lat), each feature's ``kind`` saying what it is: ``lkp``,
    ``segment`` (POA0, POA now, coverage, POD, POS), ``assignment``, ``searched_area`` (POD), ``clue``, ``sighting``
    (at its camera), ``trail``, ``camera`` (the windows reviewed on it), ``found``, and ``track`` (a MultiLineString
    per officer's device with the time of each vertex). A team's or officer's file keeps the search's context (LKP,
    segments, trail) and only that team's or officer's assignments, areas, clues and tracks."""
    yield '{"type": "FeatureCollection", "name": ' + json.dumps(scope.title, ensure_ascii=False) + ', "features": ['
    first = True
    for feature in _static_features(svc, scope, tz):
        yield ("" if first else ",\n") + feature
        first = False
    for uid, device, name in track_owners(svc, scope):
        lines, times = [], []
        for run in runs(track_fixes(svc, scope.search_id, uid, device)):
            lines.append([[lon, lat] for _t, lon, lat, _a, _r in run])
            times.append([iso(t) for t, *_ in run])
        yield ("" if first else ",\n") + _feature({"type": "MultiLineString", "coordinates": lines}, kind="track",
                                                  user_id=uid, user=name, device=device, times=times,
                                                  start=times[0][0], end=times[-1][-1])
        first = False
    yield "]}"


def _static_features(svc: Services, scope: Scope, tz) -> Iterator[str]:
    mine = (lambda uid: True) if scope.user_ids is None else (lambda uid: uid in scope.user_ids)  # noqa: E731
    with svc.reading() as s:
        search = s.get(Search, scope.search_id)
        names = names_of(s, scope.search_id)
        yield _feature(search.lkp, kind="lkp", time=iso(search.lkp_time), address=search.lkp_address,
                       subject=(search.subject or {}).get("name"))
        segs = s.execute(select(Segment).where(Segment.search_id == scope.search_id).order_by(Segment.id)).scalars().all()
        post, _row = probability.posterior({g.id: g.poa0 for g in segs}, search.row0,
                                           {g.id: g.coverage for g in segs}) if segs else ({}, 1.0)
        for g in segs:
            pod = probability.pod_from_coverage(g.coverage)
            yield _feature(g.geometry, kind="segment", id=g.id, name=g.name, area_m2=round(g.area_m2, 1),
                           poa0=g.poa0, poa=post.get(g.id, 0.0), coverage=g.coverage, pod=pod, pos=g.poa0 * pod)
        for a in s.execute(select(Assignment).where(Assignment.search_id == scope.search_id)
                           .order_by(Assignment.id)).scalars():
            if scope.team_id is None and scope.user_ids is not None:
                continue
            if scope.team_id is not None and a.team_id != scope.team_id:
                continue
            yield _feature(a.geometry, kind="assignment", id=a.id, title=a.title, team=names.teams.get(a.team_id),
                           status=a.status, task=a.kind, instructions=a.instructions,
                           segment=names.segments.get(a.segment_id), created_at=iso(a.created_at))
        for a in s.execute(select(SearchedArea).where(SearchedArea.search_id == scope.search_id,
                                                      SearchedArea.retracted_at.is_(None))
                           .order_by(SearchedArea.id)).scalars():
            if (scope.team_id is not None and a.team_id != scope.team_id) or (
                    scope.team_id is None and not mine(a.marked_by)):
                continue
            yield _feature(a.geometry, kind="searched_area", id=a.id, pod=a.pod, team=names.teams.get(a.team_id),
                           marked_by=names.users.get(a.marked_by), marked_at=iso(a.marked_at), notes=a.notes)
        for c in s.execute(select(Clue).where(Clue.search_id == scope.search_id, Clue.retracted_at.is_(None))
                           .order_by(Clue.time)).scalars():
            if mine(c.reported_by):
                yield _feature(c.location, kind="clue", id=c.id, type=c.kind, text=c.text, time=iso(c.time),
                               local_time=record.stamp(c.time, tz), reported_by=names.users.get(c.reported_by))
        yield from _video_features(s, search, scope, names, tz)
        if search.found and search.found.get("location"):
            yield _feature(search.found["location"], kind="found", time=search.found.get("time"),
                           condition=search.found.get("condition"), notes=search.found.get("notes"))


def _video_features(s, search, scope: Scope, names: record.Names, tz) -> Iterator[str]:
    trail = video.trail_of(s, search)
    if trail["line"]:
        yield _feature(trail["line"], kind="trail", points=len(trail["points"]))
    for x, cam in s.execute(select(Sighting, Camera).join(Camera, Camera.id == Sighting.camera_id)
                            .where(Sighting.search_id == search.id).order_by(Sighting.time)).all():
        yield _feature({"type": "Point", "coordinates": [cam.lon, cam.lat]}, kind="sighting", id=x.id,
                       camera=cam.code, time=iso(x.time), local_time=record.stamp(x.time, tz), status=x.status,
                       confidence=x.confidence, reported_by=names.users.get(x.reported_by),
                       decided_by=names.users.get(x.decided_by), notes=x.notes)
    reviewed: dict[int, list] = {}
    cams = {}
    for iv, cam in s.execute(select(ReviewedInterval, Camera).join(Camera, Camera.id == ReviewedInterval.camera_id)
                             .where(ReviewedInterval.search_id == search.id).order_by(ReviewedInterval.start)).all():
        if scope.user_ids is None or iv.reviewer_id in scope.user_ids:
            cams[cam.id] = cam
            reviewed.setdefault(cam.id, []).append({"start": iso(iv.start), "end": iso(iv.end),
                                                    "reviewer": names.users.get(iv.reviewer_id)})
    for cid, windows in reviewed.items():
        cam = cams[cid]
        yield _feature({"type": "Point", "coordinates": [cam.lon, cam.lat]}, kind="camera", code=cam.code,
                       name=cam.name, reviewed=windows,
                       reviewed_s=sum((record.parse_iso(w["end"]) - record.parse_iso(w["start"])).total_seconds()
                                      for w in windows))


def csv_chunks(svc: Services, scope: Scope, tz, messages: dict) -> Iterator[str]:
    """The event log as CSV (UTF-8 with a byte-order mark for spreadsheets), one row per event in order: its
    number, UTC and station times, type, who, the device named and its raw id, the sentence in English and Chinese,
    and the payload as JSON. A team's or officer's file keeps the events by or about them (``record.matches``);
    text cells that a spreadsheet would run as a formula are quoted with a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    with svc.reading() as s:
        names = names_of(s, scope.search_id)
        devices = device_table(s, scope.search_id)
    after = 0
    while True:
        with svc.reading() as s:
            rows = s.execute(select(Event, User.display_name).outerjoin(User, User.id == Event.actor_id)
                             .where(Event.search_id == scope.search_id, Event.seq > after)
                             .order_by(Event.seq).limit(EVENT_PAGE)).all()
        for ev_row, actor_name in rows:
            ev = dump_event(ev_row, actor_name)
            if scope.user_ids is not None and not record.matches(
                    ev, user_id=scope.user_id, team_members=scope.user_ids if scope.team_id else None,
                    team_id=scope.team_id):
                continue
            writer.writerow(_csv_row(ev, names, devices, tz, messages))
        if rows:
            after = rows[-1][0].seq
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        if len(rows) < EVENT_PAGE:
            break
    yield out.getvalue()


def _guard(text) -> str:
    text = "" if text is None else str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_row(ev: dict, names, devices: dict, tz, messages: dict) -> list:
    actor = ev.get("actor") or {}
    dev = devices.get((actor.get("id"), ev.get("device")))
    key_, params = record.describe(ev, names, tz)
    en = record.word(messages["en"].get(key_, key_), params)
    zh = record.word(messages["zh-CN"].get(key_, key_), params)
    return [ev["seq"], ev["at"], record.stamp(ev["at"], tz), ev["type"], _guard(actor.get("name") or ""),
            _guard(device_text(dev, actor.get("name"), messages["en"])), _guard(ev.get("device") or ""),
            _guard(en), _guard(zh), json.dumps(ev["payload"], ensure_ascii=False)]


def device_text(dev: dict | None, user: str | None, msgs: dict) -> str:
    """A device as people name it: "Off1's phone 2", "Disp — Chrome / Windows" (``msgs`` words it)."""
    if not dev:
        return ""
    if dev["kind"] == "browser":
        browser = msgs.get("rec.browser", "browser") if dev["browser"] == "browser" else dev["browser"]
        return record.word(msgs.get("rec.device.browser", "{user} — {browser}"), {"user": user, **dev, "browser": browser})
    return record.word(msgs.get("rec.device.phone", "{user}'s phone {n}"), {"user": user, **dev})
