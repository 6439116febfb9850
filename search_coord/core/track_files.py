"""Track files from other devices (handheld GPS, vehicle trackers, other apps): GPX and KML read into timed fixes.

Reading (``parse_track_file``), pure: bytes in, a frozen ``TrackFile`` out.

* GPX 1.0/1.1 through ``gpxpy``: every ``trk``/``trkseg`` (each segment is its own run: never joined to the next),
  and ``rte``/``rtept`` routes (usually without times). Waypoints are places, not a track: ignored.
* KML 2.2 through ``fastkml``: ``gx:Track`` (``when`` + ``gx:coord``), ``gx:MultiTrack``, and ``LineString`` (a line
  without times), also inside ``MultiGeometry``; a KMZ (zipped KML) is opened. Each placemark's track is a run.
* Safety: every file is first parsed by ``defusedxml`` with DTDs forbidden, so entity expansion ("billion laughs")
  and external entities (XXE) are refused before either library sees the file. A KMZ's KML may not unpack to more
  than ``MAX_FILE_BYTES``.
* Times without a zone are taken as UTC (GPX's rule). Elevation is read but not used.

Planning what to store (``plan_fixes``), pure: which points become fixes, and a note per point that does not
become one as it was. In a run, a point without a time between two timed points gets a time interpolated by
distance along the track between them (``interpolated``); one without a timed neighbour on either side is dropped
(``no_time``). A point repeating the previous one (same time and place) is dropped (``repeated``); one whose time
goes back is dropped (``out_of_order``); a point before the person went missing is reported and not stored
(``before_missing``), as is one in the future (``in_future``) or at an impossible position (``bad_position``:
outside the globe, or 0, 0). A file with no times at all (a route, a KML LineString) cannot show when ground was
searched: it is refused (``NoTimes``) rather than stored as evidence it is not.
"""
from __future__ import annotations

import io
import math
import warnings
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import gpxpy
import gpxpy.gpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

with warnings.catch_warnings():
    warnings.simplefilter("ignore")   # fastkml warns that lxml is missing: it then uses the standard library's parser
    from fastkml import KML, Placemark
    from fastkml import geometry as kml_geometry
    from fastkml import gx
    from fastkml.utils import find_all

from .errors import ValidationError

#: Largest track file accepted, in bytes (a day of 1 s fixes in GPX is about 5 MB).
MAX_FILE_BYTES = 8 * 1024 * 1024
#: Most points read from one file.
MAX_POINTS = 100_000
#: A point this far ahead of the server's clock is in the future (a device clock a little fast is not).
FUTURE_SLACK = timedelta(minutes=2)
#: At most this many per-point notes are listed in an answer (the counts cover all).
MAX_NOTES = 500

_EARTH_M = 6_371_008.8


class FileTooLarge(ValidationError):
    """The track file is too large (answered 413)."""

    code = "too_large"
    status = 413


@dataclass(frozen=True)
class FilePoint:
    """A point as read: ``index`` its position in the file (0-based, over all tracks), WGS84 degrees, elevation in
    metres or None, aware UTC time or None, and its run (one per track segment / placemark)."""

    index: int
    lon: float
    lat: float
    ele: float | None
    t: datetime | None
    run: int


@dataclass(frozen=True)
class TrackFile:
    """A parsed file: ``format`` "gpx" or "kml", the track's name in the file (or None), points in file order."""

    format: str
    name: str | None
    points: tuple[FilePoint, ...]


@dataclass(frozen=True)
class PointNote:
    """What became of one point that was not stored as read: ``status`` one of interpolated, no_time, repeated,
    out_of_order, before_missing, in_future, bad_position; ``t`` the time used or read (None when it had none)."""

    index: int
    lon: float
    lat: float
    t: datetime | None
    status: str
    reason: str


@dataclass(frozen=True)
class Plan:
    """Fixes to store (``{"t", "lon", "lat", "acc": None, "run", "index"}`` dicts in time order), notes on the
    other points, and the count of each status (``read``, ``taken`` and every note status)."""

    fixes: tuple[dict, ...]
    notes: tuple[PointNote, ...]
    counts: dict


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def parse_track_file(data: bytes, filename: str | None = None) -> TrackFile:
    """Read a GPX, KML or KMZ file (by content; ``filename`` only words the errors).

    Raises ``FileTooLarge`` (413) over ``MAX_FILE_BYTES`` / ``MAX_POINTS``; ``ValidationError`` (400, ``file``) for
    an empty, unsafe (DTD, entities), malformed or foreign file, or one with no track or route in it.
    """
    if not data:
        raise _refuse("is empty")
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLarge({"file": f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"})
    if data.startswith(b"PK\x03\x04"):
        data = _unzip_kml(data)
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise _refuse("declares a DTD or entities, which track files never need: refused for safety") from None
    except (ParseError, ValueError, UnicodeError) as exc:
        raise _refuse(f"is not a GPX or KML file (not well-formed XML: {exc})") from None
    tag = root.tag.rsplit("}", 1)[-1].lower()
    if tag == "gpx":
        track = _read_gpx(data)
    elif tag == "kml":
        track = _read_kml(data)
    else:
        raise _refuse(f"is XML but neither GPX nor KML (its root element is <{tag}>)")
    if not track.points:
        raise _refuse("has no track, route or line in it")
    if len(track.points) > MAX_POINTS:
        raise FileTooLarge({"file": f"has more than {MAX_POINTS} points"})
    return track


def _unzip_kml(data: bytes) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = [i for i in z.infolist() if i.filename.lower().endswith(".kml")]
            if not names:
                raise _refuse("is a zip file without a .kml in it")
            info = min(names, key=lambda i: (i.filename.lower() != "doc.kml", i.filename))
            if info.file_size > MAX_FILE_BYTES:
                raise FileTooLarge({"file": f"unpacks to more than {MAX_FILE_BYTES // (1024 * 1024)} MB"})
            with z.open(info) as f:
                out = f.read(MAX_FILE_BYTES + 1)
    except zipfile.BadZipFile:
        raise _refuse("is not a readable zip (KMZ) file") from None
    if len(out) > MAX_FILE_BYTES:
        raise FileTooLarge({"file": f"unpacks to more than {MAX_FILE_BYTES // (1024 * 1024)} MB"})
    return out


def _utc(t: datetime | None) -> datetime | None:
    if t is None:
        return None
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)


def _read_gpx(data: bytes) -> TrackFile:
    try:
        gpx = gpxpy.parse(data.decode("utf-8-sig"))
    except (gpxpy.gpx.GPXException, UnicodeError, ValueError) as exc:
        raise _refuse(f"is not a readable GPX file ({exc})") from None
    points: list[FilePoint] = []
    run = 0
    name = None
    for trk in gpx.tracks:
        name = name or trk.name
        for seg in trk.segments:
            for p in seg.points:
                points.append(FilePoint(len(points), p.longitude, p.latitude, p.elevation, _utc(p.time), run))
            run += 1
    for rte in gpx.routes:
        name = name or rte.name
        for p in rte.points:
            points.append(FilePoint(len(points), p.longitude, p.latitude, p.elevation, _utc(p.time), run))
        run += 1
    return TrackFile("gpx", name or gpx.name, tuple(points))


def _read_kml(data: bytes) -> TrackFile:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc = KML.from_string(data)
            placemarks = list(find_all(doc, of_type=Placemark))
    except Exception as exc:   # fastkml raises many kinds on a malformed document
        raise _refuse(f"is not a readable KML file ({type(exc).__name__})") from None
    points: list[FilePoint] = []
    run = 0
    name = None
    for pm in placemarks:
        for part in _kml_parts(pm.kml_geometry):
            if not part:
                continue
            name = name or pm.name
            for lon, lat, ele, t in part:
                points.append(FilePoint(len(points), lon, lat, ele, t, run))
            run += 1
    return TrackFile("kml", name, tuple(points))


def _kml_parts(geom) -> list[list[tuple]]:
    """Each track or line of a KML geometry as [(lon, lat, ele, t)]."""
    if geom is None:
        return []
    if isinstance(geom, gx.Track):
        out = []
        for item in geom.track_items or []:
            c = item.coord.coords[0] if item.coord is not None else None
            if c is None:
                continue
            when = item.when.dt if item.when is not None else None
            if isinstance(when, datetime):
                when = _utc(when)
            else:
                when = None    # a date without a time of day says nothing about when ground was searched
            out.append((c[0], c[1], c[2] if len(c) > 2 else None, when))
        return [out]
    if isinstance(geom, gx.MultiTrack):
        return [part for track in geom.tracks or [] for part in _kml_parts(track)]
    if isinstance(geom, kml_geometry.LineString):
        coords = geom.geometry.coords if geom.geometry is not None else []
        return [[(c[0], c[1], c[2] if len(c) > 2 else None, None) for c in coords]]
    if isinstance(geom, kml_geometry.MultiGeometry):
        return [part for g in geom.kml_geometries or [] for part in _kml_parts(g)]
    return []    # points and polygons are not tracks


def _metres(a: FilePoint, b: FilePoint) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_M * math.asin(min(1.0, math.sqrt(h)))


def _bad_position(p: FilePoint) -> bool:
    return (not (-180 <= p.lon <= 180 and -90 <= p.lat <= 90) or math.isnan(p.lon) or math.isnan(p.lat)
            or (abs(p.lon) < 1e-6 and abs(p.lat) < 1e-6))


def _with_times(run: list[FilePoint]) -> tuple[list[tuple[FilePoint, datetime]], list[PointNote]]:
    """The run's points each with a time (read, or interpolated by distance between timed neighbours)."""
    out, notes = [], []
    timed = [i for i, p in enumerate(run) if p.t is not None]
    for i, p in enumerate(run):
        if p.t is not None:
            out.append((p, p.t))
            continue
        before = max((j for j in timed if j < i), default=None)
        after = min((j for j in timed if j > i), default=None)
        if before is None or after is None:
            notes.append(PointNote(p.index, p.lon, p.lat, None, "no_time",
                                   "no time, and no timed point on both sides to take one from: dropped"))
            continue
        legs = [_metres(run[k], run[k + 1]) for k in range(before, after)]
        done, total = sum(legs[:i - before]), sum(legs)
        share = done / total if total > 0 else (i - before) / (after - before)
        t = run[before].t + (run[after].t - run[before].t) * share
        t = t.replace(microsecond=t.microsecond // 1000 * 1000)
        out.append((p, t))
        notes.append(PointNote(p.index, p.lon, p.lat, t, "interpolated",
                               f"no time: {t.isoformat()} taken by distance between points "
                               f"{run[before].index} and {run[after].index}"))
    return out, notes


def plan_fixes(track: TrackFile, missing_since: datetime, now: datetime) -> Plan:
    """The fixes to store from a parsed file and a note on every point not stored as read (see the module's doc).

    ``missing_since`` and ``now`` are aware datetimes. Raises ``ValidationError`` (``file``) when the file has no
    times at all, or when no point is left to store (the message gives the counts).
    """
    if all(p.t is None for p in track.points):
        raise _refuse("has no times (a route or a line drawn without times): it cannot show when ground was "
                      "searched, so it is not imported as a track; send a recorded track (GPX <trk> with <time>, "
                      "KML gx:Track with <when>)")
    notes: list[PointNote] = []
    fixes: list[dict] = []
    runs: dict[int, list[FilePoint]] = {}
    for p in track.points:
        if _bad_position(p):
            notes.append(PointNote(p.index, p.lon, p.lat, p.t, "bad_position", "not a position on Earth: dropped"))
        else:
            runs.setdefault(p.run, []).append(p)
    for run_no, run in runs.items():
        timed, run_notes = _with_times(run)
        notes.extend(run_notes)
        last = None
        for p, t in timed:
            if last is not None and t == last[1] and (p.lon, p.lat) == (last[0].lon, last[0].lat):
                notes.append(PointNote(p.index, p.lon, p.lat, t, "repeated", f"repeats point {last[0].index}: dropped"))
                continue
            if last is not None and t <= last[1]:
                notes.append(PointNote(p.index, p.lon, p.lat, t, "out_of_order",
                                       f"its time is not after point {last[0].index}'s: dropped"))
                continue
            if t < missing_since:
                notes.append(PointNote(p.index, p.lon, p.lat, t, "before_missing",
                                       "before the person went missing: not stored"))
                continue
            if t > now + FUTURE_SLACK:
                notes.append(PointNote(p.index, p.lon, p.lat, t, "in_future",
                                       "later than the server's clock: not stored"))
                continue
            last = (p, t)
            fixes.append({"t": t, "lon": p.lon, "lat": p.lat, "acc": None, "run": run_no, "index": p.index})
    counts = {"read": len(track.points), "taken": len(fixes)}
    for n in notes:
        counts[n.status] = counts.get(n.status, 0) + 1
    if not fixes:
        detail = ", ".join(f"{k} {v}" for k, v in counts.items() if k not in ("read", "taken"))
        raise _refuse(f"has no point to store ({counts['read']} read: {detail})")
    notes.sort(key=lambda n: n.index)
    return Plan(tuple(sorted(fixes, key=lambda f: (f["t"], f["index"]))), tuple(notes), counts)
