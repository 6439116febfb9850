"""The blind spot: the ground the subject most likely entered after the last camera that saw them, between it and
the reviewed cameras that did not (``core.blind_spot``), and handing it to the patrols as segments."""
from __future__ import annotations

from datetime import datetime

from shapely.geometry import mapping, shape
from sqlalchemy import select, update

from ...adapters.models import Assignment, Camera, Search, Segment, Sighting
from ...core import blind_spot as rules, rings, schemas, segments as segmentation
from ...core.cameras import site_cone
from ...core.errors import Conflict
from ...core.geometry import distance_m
from ...core.known_points import as_utc
from .. import basis, events, recompute, segment_edits
from ..access import load_search, require_dispatcher
from ..context import Actor, Services
from ..events import naive_utc
from .region import cameras_near, site, speeds
from .tasks import intervals_by_camera, reviewed_times


def blind_spot_of(s, search: Search, now: datetime) -> dict:
    last = s.execute(select(Sighting, Camera).join(Camera, Camera.id == Sighting.camera_id).where(
        Sighting.search_id == search.id, Sighting.status == "confirmed")
        .order_by(Sighting.time.desc(), Sighting.id.desc()).limit(1)).first()
    if last is None:
        return {"geometry": None, "area_m2": 0.0, "from_camera_id": None, "clear_camera_ids": [],
                "reason": "no confirmed sighting yet", "reason_code": "no_sighting"}
    x, lcam = last
    t_s = as_utc(x.time)
    sustained, fastest = speeds(search)
    reach = max(rings.MIN_REACH_M, fastest * max(0.0, (now - t_s).total_seconds()))
    proj = basis.projection(search)
    reviewed = intervals_by_camera(s, search.id)
    seen_after = set(s.execute(select(Sighting.camera_id).where(
        Sighting.search_id == search.id, Sighting.status != "rejected", Sighting.time > x.time)).scalars())
    clear, clear_xy, views, far = [], [], [], 0.0
    for cam in cameras_near(s, search, now):
        if cam.id == lcam.id or cam.id in seen_after or cam.id not in reviewed:
            continue
        d = distance_m(lcam.lon, lcam.lat, cam.lon, cam.lat)
        if d > reach or not rules.is_clear(d, t_s, now, sustained, fastest, reviewed_times(reviewed[cam.id])):
            continue
        xs, ys = proj.to_xy([cam.lon], [cam.lat])
        clear.append(cam.id)
        clear_xy.append((xs[0], ys[0]))
        views.append(site_cone(site(cam), xs[0], ys[0]))
        far = max(far, d)
    if not clear:
        return {"geometry": None, "area_m2": 0.0, "from_camera_id": lcam.id, "clear_camera_ids": [],
                "reason": "no reviewed camera around the last sighting has been cleared yet",
                "reason_code": "none_cleared"}
    lx, ly = proj.to_xy([lcam.lon], [lcam.lat])
    radius = max(rings.MIN_REACH_M, min(reach, far))
    region = rules.blind_spot((lx[0], ly[0]), x.direction_deg, clear_xy, views, radius)
    if region.is_empty or region.area < 1:
        return {"geometry": None, "area_m2": 0.0, "from_camera_id": lcam.id, "clear_camera_ids": clear,
                "reason": "the cleared cameras leave no ground between them and the last sighting",
                "reason_code": "no_ground"}
    return {"geometry": mapping(proj.unproject(region)), "area_m2": region.area, "from_camera_id": lcam.id,
            "from_sighting_id": x.id, "clear_camera_ids": clear, "radius_m": radius, "reason": None, "reason_code": None,
            "_region": region}


def get_blind_spot(svc: Services, actor: Actor, search_id: int) -> dict:
    now = svc.now()
    with svc.reading() as s:
        out = blind_spot_of(s, load_search(s, search_id, actor), now)
    out.pop("_region", None)
    return out


def blind_spot_segments(svc: Services, actor: Actor, search_id: int) -> dict:
    """Turn the blind spot into segments BS1, BS2, ... for the patrols: cut out of the segments it overlaps, POA from
    the model (the ground just beyond the last sighting, in its direction of travel, holds the most)."""
    require_dispatcher(actor)
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        spot = blind_spot_of(s, search, now)
        region = spot.pop("_region", None)
        if region is None:
            raise Conflict(f"no blind spot to hand over: {spot['reason']}")
        proj = basis.projection(search)
        existing = s.execute(select(Segment).where(Segment.search_id == search_id)).scalars().all()
        piece_m2 = rules.piece_size([g.area_m2 for g in existing if g.source != "blind"])
        reshaped, removed = [], []
        for g in existing:
            geom = proj.project(shape(g.geometry))
            if not geom.intersects(region):
                continue
            rest = rules.cut_out(geom, region)
            if rest.is_empty or rest.area < 1:
                s.execute(update(Assignment).where(Assignment.segment_id == g.id).values(segment_id=None))
                removed.append(g.id)
                s.delete(g)
            else:
                g.geometry, g.area_m2 = mapping(proj.unproject(rest)), rest.area
                reshaped.append(g.id)
        s.flush()
        names = {g.name for g in existing if g.id not in removed}
        created = []
        for poly in rules.pieces(region, piece_m2):
            name = segmentation.next_free_name(names, "BS")
            names.add(name)
            seg = Segment(search_id=search_id, name=name, source="blind", geometry=mapping(proj.unproject(poly)),
                          area_m2=poly.area, poa0=0.0, coverage=0.0, created_at=naive_utc(now))
            s.add(seg)
            created.append(seg)
        s.flush()
        if search.poa_basis == "rings":
            segment_edits.ring_poa_all(s, search, basis.reach_now(search, now))
        else:
            poa, _ = rings.ring_poa({g.id: proj.project(shape(g.geometry)) for g in created},
                                        basis.rings_of(search), search.model_reach_m or basis.reach_now(search, now),
                                        *basis.heading_of(search))
            for g in created:
                g.poa0 = min(poa[g.id], search.row0)
                search.row0 = max(0.0, search.row0 - g.poa0)
        segment_edits.bump_model_version(search, s)
        segs = s.execute(select(Segment).where(Segment.search_id == search_id).order_by(Segment.id)).scalars().all()
        payload = {"created": [g.id for g in created], "reshaped": reshaped, "removed": removed,
                   "segments": segment_edits.segments_payload(segs), "row0": search.row0, "blind_spot": spot}
        events.record(s, search_id, "video.blind_spot_segments", actor, payload, now)
        out = {"segments": [{"id": g.id, "name": g.name, "poa0": g.poa0, "area_m2": g.area_m2} for g in created],
               "reshaped": reshaped, "removed": removed}
    recompute.schedule_recompute(svc, search_id, "blind-spot segments added")
    return out
