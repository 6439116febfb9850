"""The video panel's read: everything it shows of a search in one transaction."""
from __future__ import annotations

import math

from sqlalchemy import select

from ...adapters.models import ReviewTask, Sighting
from ...core.geometry import distance_m
from .. import basis
from ..access import load_search
from ..context import Actor, Services
from .cameras import camera_view, cones_lonlat, for_viewer
from .proposals import proposals, route_proposals
from .region import cameras_by_id, region_sites, stored_chain
from .sightings import sighting_view, trail_of, with_implied
from .tasks import interval_view, intervals_by_camera, open_tasks, task_view


def get_video(svc: Services, actor: Actor, search_id: int) -> dict:
    """What the video panel needs in one read: the proposals (ahead, at most ``core.review.MAX_PROPOSALS``, and on
    the route), tasks, reviewed intervals, sightings, trail, and ``cameras``: the views (with cones and
    ``distance_m`` from the last known point) of only the cameras these name, in code order. How many active
    cameras the region holds is ``cameras_in_region``; the map reads the rest by its view (``GET /cameras/area``)."""
    now = svc.now()
    with svc.reading() as s:
        search = load_search(s, search_id, actor)
        sites, dist, xy = region_sites(s, search, now)   # the region's cameras, through the spatial index
        tasks = s.execute(select(ReviewTask).where(ReviewTask.search_id == search_id)
                          .order_by(ReviewTask.id)).scalars().all()
        sightings = s.execute(select(Sighting).where(Sighting.search_id == search_id)
                              .order_by(Sighting.time, Sighting.id)).scalars().all()
        reviewed = intervals_by_camera(s, search_id)
        held = open_tasks(s, search_id)
        ahead, rows = proposals(s, search, now, sites, dist, held, reviewed, xy)
        route, more = route_proposals(s, search, now, sites, dist, held, reviewed)
        # the cameras the panel names: proposed, tasked, reviewed or seen on (even if now outside the region)
        wanted = ({p["camera_id"] for p in ahead} | {p["camera_id"] for p in route} | {t.camera_id for t in tasks}
                  | {x.camera_id for x in sightings} | set(reviewed))
        by_id = {k: c for k, c in {**rows, **more}.items() if k in wanted}
        by_id.update(cameras_by_id(s, wanted - set(by_id)))
        proj = basis.projection(search)
        lkp = stored_chain(search)[-1]
        ordered = sorted(by_id.values(), key=lambda c: c.code)
        xs, ys = proj.to_xy([c.lon for c in ordered], [c.lat for c in ordered]) if ordered else ([], [])
        camera_list = []
        # all cones unprojected at once; distances from the last known point, the projection's centre, where an
        # azimuthal equidistant projection keeps them true (docs/science.md §4)
        centred = (lkp.lon, lkp.lat) == tuple(search.lkp["coordinates"][:2])
        for cam, cone, x, y in zip(ordered, cones_lonlat(ordered, proj), xs, ys):
            v = for_viewer(camera_view(cam, cone=cone), actor)
            v["distance_m"] = round(math.hypot(x, y) if centred else distance_m(lkp.lon, lkp.lat, cam.lon, cam.lat), 1)
            camera_list.append(v)
        return {"cameras": camera_list,
                "cameras_in_region": len(sites.ids),
                "proposals": ahead,
                "route_proposals": route,
                "tasks": [task_view(t, by_id[t.camera_id], reviewed.get(t.camera_id, []), now) for t in tasks],
                "intervals": [interval_view(iv, by_id[cid]) for cid, ivs in reviewed.items() for iv in ivs],
                "sightings": [with_implied(sighting_view(x, by_id[x.camera_id]), x, by_id[x.camera_id], search,
                                           sightings, by_id) for x in sightings],
                "trail": trail_of(s, search),
                "heading_deg": search.heading_deg,
                "lkp_history": search.lkp_history or [],
                "last_seq": search.last_seq}
