"""Changing the segments of a search and what their prior POA rests on: generated cells, drawn segments and routes,
deletion, POA by consensus, the model settings. Each change bumps the model version (a recompute running meanwhile
starts again) and schedules a recompute."""
from __future__ import annotations

from shapely.geometry import mapping, shape
from sqlalchemy import delete, select, update

from ..adapters.models import Assignment, Search, Segment
from ..core import probability, rings, schemas, segments as segmentation
from ..core.errors import GeometryError, NotFound, ValidationError
from ..core.fields import split_version
from ..core.geometry import repair_answer
from . import events, versions
from .access import load_search, require_dispatcher
from .basis import heading_of, projection, reach_cap, reach_now, rings_of, settings_of
from .context import Actor, Services
from .events import naive_utc
from .recompute import schedule_recompute


def bump_model_version(search: Search, session) -> None:
    """Count a change of the segments or settings, so that a recompute running meanwhile starts again."""
    session.execute(update(Search).where(Search.id == search.id).values(model_version=Search.model_version + 1))
    session.refresh(search)


def segments_payload(segs) -> list[dict]:
    return [{"id": g.id, "name": g.name, "source": g.source, "geometry": g.geometry, "area_m2": g.area_m2,
             "poa0": g.poa0, "coverage": g.coverage} for g in segs]


def ring_poa_all(session, search: Search, reach: float) -> None:
    """Set every segment's prior POA from the ring model at ``reach``, and ROW."""
    proj = projection(search)
    segs = session.execute(select(Segment).where(Segment.search_id == search.id)).scalars().all()
    poa, row = rings.ring_poa({g.id: proj.project(shape(g.geometry)) for g in segs}, rings_of(search), reach,
                              *heading_of(search))
    for g in segs:
        g.poa0 = poa[g.id]
    search.row0 = row
    search.poa_basis = "rings"
    search.model_reach_m = reach


def generate_segments(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """Split the 95 % ring within reach into square or hexagonal cells (replacing earlier generated cells; drawn
    segments stay and are cut out). POA from the ring model; coverage is recomputed from the tracks in the
    background."""
    require_dispatcher(actor)
    clean = schemas.clean_segment_grid(data)
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        reach = reach_now(search, now)
        count = _replace_grid(s, search, actor, rings.search_region(rings_of(search), reach), clean, reach, now)
    schedule_recompute(svc, search_id, "segments generated")
    return {"segments": count, "reach_m": reach}


def propose_grid(s, search: Search, now) -> dict:
    """The grid a new search gets when it is opened, before anyone asks (inside the opening's transaction; the
    ``search.opened`` event carries the answer): square cells over the 95 % ring (as far as reach can ever grow:
    ``basis.reach_cap``), sized to about ``segments.PROPOSED_CELLS`` cells (``segments.proposed_cell_m``), with POA
    from the ring model at today's reach (cells reach has not got to yet hold none until it grows: the recompute
    moves the probability out). Returns {"segments", "cell_m", "reach_m"}. Raises ``ValidationError`` if no grid can
    be made (nothing is added then)."""
    region = rings.search_region(rings_of(search), reach_cap(search))
    try:
        cell = segmentation.proposed_cell_m(region.area)
    except GeometryError as exc:
        raise ValidationError({"cell_m": exc.message}) from None
    reach = reach_now(search, now)
    count = _replace_grid(s, search, None, region, {"shape": "square", "cell_m": cell}, reach, now, log=False)
    return {"segments": count, "cell_m": cell, "reach_m": reach}


def _replace_grid(s, search: Search, actor: Actor | None, region, clean: dict, reach: float, now, log=True) -> int:
    """Replace the search's generated cells by a grid over ``region`` (metres) less the drawn segments; POA from the
    rings at ``reach``; logged as ``segments.replaced`` (unless ``log`` is false). Returns how many segments the
    search has now."""
    search_id = search.id
    proj = projection(search)
    s.execute(update(Assignment).where(Assignment.segment_id.in_(
        select(Segment.id).where(Segment.search_id == search_id, Segment.source == "grid"))).values(segment_id=None))
    s.execute(delete(Segment).where(Segment.search_id == search_id, Segment.source == "grid"))
    drawn = s.execute(select(Segment).where(Segment.search_id == search_id)).scalars().all()
    for g in drawn:
        region = region.difference(proj.project(shape(g.geometry)))
    try:
        cells = segmentation.grid(region, clean["cell_m"], clean["shape"])
    except GeometryError as exc:
        raise ValidationError({"cell_m": exc.message}) from None
    for c in cells:
        s.add(Segment(search_id=search_id, name=c.name, source="grid", created_at=naive_utc(now),
                      geometry=mapping(proj.unproject(c.polygon)), area_m2=c.polygon.area, poa0=0.0, coverage=0.0))
    s.flush()
    ring_poa_all(s, search, reach)
    search.model_computed_at = naive_utc(now)
    bump_model_version(search, s)
    segs = s.execute(select(Segment).where(Segment.search_id == search_id).order_by(Segment.id)).scalars().all()
    if log:
        events.record(s, search_id, "segments.replaced", actor,
                      {"segments": segments_payload(segs), "row0": search.row0, "reach_m": reach,
                       "shape": clean["shape"], "cell_m": clean["cell_m"]}, now)
    return len(segs)


def add_segment(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """A segment drawn by the dispatcher: a polygon, or a route buffered to a corridor. It is cut so that it does not
    overlap existing segments (probability is never counted twice)."""
    require_dispatcher(actor)
    clean = schemas.clean_drawn_segment(data)
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        proj = projection(search)
        geom = proj.project(shape(clean["geometry"]))
        source = "drawn"
        if geom.geom_type == "LineString":
            geom, source = segmentation.corridor(geom, clean["width_m"]), "route"
        existing = s.execute(select(Segment).where(Segment.search_id == search_id)).scalars().all()
        for g in existing:   # drawn segments stay as they are; generated cells give way (as a new grid does)
            if g.source != "grid":
                geom = geom.difference(proj.project(shape(g.geometry)))
        if geom.is_empty or geom.area < 1:
            raise ValidationError({"geometry": "lies entirely inside existing segments"})
        names = {g.name for g in existing}
        name = clean.get("name") or segmentation.next_free_name(names, "R" if source == "route" else "D")
        if name in names:
            raise ValidationError({"name": f"{name} is already used"})
        reach = search.model_reach_m or reach_now(search, now)
        taken = cut_cells(s, search, proj, [g for g in existing if g.source == "grid"], geom)
        poa, _ = rings.ring_poa({0: geom}, rings_of(search), reach, *heading_of(search))
        poa0 = min(poa[0], search.row0 + taken)
        seg = Segment(search_id=search_id, name=name, source=source, geometry=mapping(proj.unproject(geom)),
                      area_m2=geom.area, poa0=poa0, coverage=0.0, created_at=naive_utc(now))
        s.add(seg)
        search.row0 = max(0.0, search.row0 + taken - poa0)
        s.flush()
        if search.poa_basis == "rings":   # the cells that gave way: every prior again from the rings
            ring_poa_all(s, search, reach)
        bump_model_version(search, s)
        # a drawn outline that had to be repaired says so in the answer and in the log
        view = {**segments_payload([seg])[0], **repair_answer(clean.repairs.get("geometry"))}
        events.record(s, search_id, "segment.added", actor, {"segment": view, "row0": search.row0}, now)
    schedule_recompute(svc, search_id, f"segment {name} added")
    return view


def cut_cells(s, search: Search, proj, cells: list, geom) -> float:
    """Cut ``geom`` (metres) out of the generated ``cells`` (inside the caller's transaction): each keeps the POA of
    the part it keeps (uniform density inside a cell), a cell left with under 1 m² is deleted (its assignments keep
    their outline, without the segment). Returns the prior POA the cells gave up."""
    taken = 0.0
    for g in cells:
        poly = proj.project(shape(g.geometry))
        if not poly.intersects(geom):
            continue
        rest = poly.difference(geom)
        share = rest.area / poly.area if poly.area > 0 else 0.0
        taken += g.poa0 * (1.0 - share)
        if rest.is_empty or rest.area < 1:
            s.execute(update(Assignment).where(Assignment.segment_id == g.id).values(segment_id=None))
            s.delete(g)
            continue
        g.geometry, g.area_m2, g.poa0 = mapping(proj.unproject(rest)), rest.area, g.poa0 * share
    s.flush()
    return taken


def writable_segment(s, actor: Actor, search_id: int, segment_id: int) -> tuple:
    """(search, segment) for a dispatcher's change in session ``s``. Raises Forbidden, NotFound (the search, or a
    segment not on it) or Conflict (the search is not writable)."""
    search = load_search(s, search_id, actor, dispatcher_only=True)
    schemas.check_search_writable(search.status)
    seg = s.get(Segment, segment_id)
    if seg is None or seg.search_id != search_id:
        raise NotFound(f"segment {segment_id} not found on search {search_id}")
    return search, seg


def delete_segment(svc: Services, actor: Actor, search_id: int, segment_id: int) -> None:
    now = svc.now()
    with svc.transaction() as s:
        search, seg = writable_segment(s, actor, search_id, segment_id)
        search.row0 = min(1.0, search.row0 + seg.poa0)
        s.execute(update(Assignment).where(Assignment.segment_id == segment_id).values(segment_id=None))
        s.delete(seg)
        s.flush()
        bump_model_version(search, s)
        events.record(s, search_id, "segment.removed", actor, {"segment_id": segment_id, "row0": search.row0}, now)


def set_consensus(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """POA by consensus (Mattson): each evaluator spreads 100 points over segment names and ROW; the mean is used."""
    evaluations = data.get("evaluations") if isinstance(data, dict) else None
    if not isinstance(evaluations, list) or not evaluations or len(evaluations) > 50:
        raise ValidationError({"evaluations": "must be a list of 1 to 50 evaluations ({segment name: points})"})
    try:
        poa = probability.mattson(evaluations)
    except probability.ProbabilityError as exc:
        raise ValidationError({"evaluations": exc.message}) from None
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        segs = s.execute(select(Segment).where(Segment.search_id == search_id)).scalars().all()
        by_name = {g.name: g for g in segs}
        unknown = [k for k in poa if k != probability.ROW and k not in by_name]
        if unknown:
            raise ValidationError({"evaluations": f"no such segment: {', '.join(sorted(unknown))}"})
        for g in segs:
            g.poa0 = poa.get(g.name, 0.0)
        search.row0 = poa[probability.ROW]
        search.poa_basis = "consensus"
        s.flush()
        s.execute(update(Segment).where(Segment.search_id == search_id).values(version=Segment.version + 1))
        payload = {"poa0": {g.id: g.poa0 for g in segs}, "row0": search.row0, "evaluators": len(evaluations)}
        events.record(s, search_id, "poa.consensus", actor, payload, now)
    return payload


def update_settings(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """Change walking speed, sweep widths, search speeds or gap limits; the search is recomputed in the background.

    ``data``: ``schemas.clean_model_settings`` fields and ``"version"``, the settings' version the edit started from
    (kept in the settings, apart from the search's own version; ``services/versions.py``; optional). Returns the
    settings with their ``version``; values equal to the stored ones change nothing. Raises ``ValidationError``
    (400), ``Conflict`` (409: not writable, or a stale version with ``extra["current"]``: the current settings)."""
    expected, data = split_version(data)
    clean = schemas.clean_model_settings(data)
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        s.refresh(search, with_for_update=True)   # edits of the settings one at a time (PostgreSQL)
        version = (search.settings or {}).get("version", 1)
        current = {**settings_of(search), "version": version}
        versions.check(version, expected, lambda: current, "the model settings")
        merged = dict(search.settings or {})
        for key, value in clean.items():
            if isinstance(value, dict):
                merged[key] = {**merged.get(key, {}), **value}
            elif value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        if merged == (search.settings or {}):   # nothing differs from what is stored: nothing to store or log
            return current
        merged["version"] = version + 1
        search.settings = merged
        s.flush()
        bump_model_version(search, s)
        result = {**settings_of(search), "version": version + 1}
        events.record(s, search_id, "model.settings", actor,
                      {"settings": result, "version_checked": expected is not None}, now)
    schedule_recompute(svc, search_id, "settings changed")
    return result
