"""Changing one segment from the console: its name, its outline, or its prior POA set by hand (an override), with
the version it started from (``services/versions.py``: a stale edit is refused with the current values)."""
from __future__ import annotations

from shapely.geometry import mapping, shape
from sqlalchemy import select, update

from ..adapters.models import Segment
from ..core.errors import ValidationError
from ..core.fields import Form, split_version
from ..core.geometry import repair_answer
from . import events, versions
from .access import require_dispatcher
from .basis import projection, reach_now
from .context import Actor, Services
from .recompute import schedule_recompute
from .segment_edits import bump_model_version, cut_cells, ring_poa_all, segments_payload, writable_segment

EDITABLE = ("name", "geometry", "poa0")


def clean_segment_edit(data) -> dict:
    """``name`` (text, 20), ``geometry`` (Polygon or MultiPolygon, repaired like a drawn one), ``poa0`` (0 to 1)."""
    form = Form(data, partial=True)
    form.unknown(EDITABLE)
    form.text("name", max_len=20)
    form.geometry("geometry", ("Polygon", "MultiPolygon"))
    form.number("poa0", 0, 1)
    out = form.result()
    if not out:
        raise ValidationError({"_body": "send name, geometry or poa0 to change"})
    return out


def edit_view(seg: Segment) -> dict:
    return {**segments_payload([seg])[0], "version": seg.version}


def update_segment(svc: Services, actor: Actor, search_id: int, segment_id: int, data: dict) -> dict:
    """A dispatcher changes a segment: ``name`` (unique in the search), ``geometry`` (cut so that it overlaps no
    other drawn segment; generated cells give way as they do to a drawn one) and/or ``poa0``, a prior POA set by hand
    (the other segments and ROW are scaled by (1 − new) / (1 − old) so that all still add up to 1, and the search's
    POA basis becomes ``manual``: a recompute no longer replaces priors by the ring model's); ``"version"``, the
    segment's version the edit started from (optional). Only changed fields are stored; the ``segment.updated`` event
    carries ``changes`` and ``previous``. Returns the segment's view with its ``version``.
    Raises ``ValidationError`` (400), ``NotFound`` (404), ``Conflict`` (409: not writable, or a stale version with
    ``extra["current"]``)."""
    require_dispatcher(actor)
    expected, data = split_version(data)
    clean = clean_segment_edit(data)
    now = svc.now()
    with svc.transaction() as s:
        search, seg = writable_segment(s, actor, search_id, segment_id)
        before = edit_view(seg)
        what = f"segment {seg.name}"
        versions.check(seg.version, expected, lambda: before, what)
        others = s.execute(select(Segment).where(Segment.search_id == search_id, Segment.id != seg.id)).scalars().all()
        wanted, proj, geom = {}, projection(search), None
        if "name" in clean and clean["name"] != seg.name:
            if clean["name"] in {g.name for g in others}:
                raise ValidationError({"name": f"{clean['name']} is already used"})
            wanted["name"] = clean["name"]
        if "geometry" in clean and clean["geometry"] != seg.geometry:
            geom = proj.project(shape(clean["geometry"]))
            for g in others:
                if g.source != "grid":
                    geom = geom.difference(proj.project(shape(g.geometry)))
            if geom.is_empty or geom.area < 1:
                raise ValidationError({"geometry": "lies entirely inside other segments"})
            wanted["geometry"] = mapping(proj.unproject(geom))
        if "poa0" in clean and abs(clean["poa0"] - seg.poa0) > 1e-9:
            wanted["poa0"] = clean["poa0"]
        changed = versions.diff(before, wanted)
        if not changed:   # the values sent are the stored ones: nothing to store or log
            return before
        versions.bump(s, seg, expected, lambda: edit_view(seg), what, actor.name)
        if "name" in wanted:
            seg.name = wanted["name"]
        if geom is not None:
            taken = cut_cells(s, search, proj, [g for g in others if g.source == "grid"], geom)
            search.row0 = min(1.0, search.row0 + taken)
            seg.geometry, seg.area_m2 = wanted["geometry"], geom.area
        if "poa0" in wanted:
            _override_poa(s, search, seg, others, wanted["poa0"])
        elif geom is not None and search.poa_basis == "rings":
            ring_poa_all(s, search, search.model_reach_m or reach_now(search, now))
        s.flush()
        if geom is not None or "poa0" in wanted:
            bump_model_version(search, s)
        view = edit_view(seg)
        events.record(s, search_id, "segment.updated", actor,
                      {"segment": view, "changes": {k: v["to"] for k, v in changed.items()},
                       "previous": {k: v["from"] for k, v in changed.items()}, "row0": search.row0,
                       "version_checked": expected is not None}, now)
    if geom is not None:
        schedule_recompute(svc, search_id, f"segment {view['name']} changed")
    return {**view, **repair_answer(clean.repairs.get("geometry"))}


def _override_poa(s, search, seg: Segment, others: list, poa0: float) -> None:
    """Set ``seg``'s prior POA by hand; the others and ROW keep their proportions in what is left."""
    left = 1.0 - seg.poa0
    factor = (1.0 - poa0) / left if left > 1e-12 else 0.0
    for g in [g for g in others if g in s]:
        g.poa0 *= factor
    search.row0 = search.row0 * factor if left > 1e-12 else 1.0 - poa0
    seg.poa0 = poa0
    search.poa_basis = "manual"
    s.flush()
    s.execute(update(Segment).where(Segment.search_id == search.id, Segment.id != seg.id)
              .values(version=Segment.version + 1))   # their priors changed too
