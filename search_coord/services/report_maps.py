"""Maps for paper, drawn from the search's own data (the tile server may be unreachable or may not allow printing):
the geometry projected to metres on the search's local projection and handed to ``core.paper.svg_map``."""
from __future__ import annotations

import numpy as np
from shapely.geometry import LineString, Point, shape
from sqlalchemy import select

from ..adapters.models import Assignment, Clue, Search, SearchedArea, Segment, Team, TeamMember
from ..core import paper
from . import video
from .basis import projection
from .exports_data import DeviceTrack
from .report_streets import street_layers

#: Team colours on the report's map, in team order (print well in colour and stay apart in grey).
PALETTE = ("#1d4ed8", "#b91c1c", "#047857", "#7c3aed", "#c2410c", "#0e7490", "#a16207", "#be185d", "#4d7c0f",
           "#334155")
#: Tracks are thinned to vertices at least this far apart (m) before they are drawn on paper.
TRACK_TOLERANCE_M = 4.0


def team_colours(s, search_id: int) -> dict[int, str]:
    """team id -> colour, in the order the teams were formed."""
    ids = s.execute(select(Team.id).where(Team.search_id == search_id).order_by(Team.id)).scalars().all()
    return {tid: PALETTE[i % len(PALETTE)] for i, tid in enumerate(ids)}


def user_teams(s, search_id: int) -> dict[int, int]:
    """user id -> the first team they belong to (members, then leaders)."""
    out: dict[int, int] = {}
    for uid, tid in s.execute(select(TeamMember.user_id, TeamMember.team_id).join(Team, Team.id == TeamMember.team_id)
                              .where(Team.search_id == search_id).order_by(Team.id)).all():
        out.setdefault(uid, tid)
    for tid, leader in s.execute(select(Team.id, Team.leader_id).where(Team.search_id == search_id)).all():
        if leader:
            out.setdefault(leader, tid)
    return out


def context_layers(s, search: Search, proj) -> list[paper.Layer]:
    """What every paper map shows beneath its subject: the segments (named), searched areas, the trail and
    sightings, clues, the last known point and where the person was found."""
    layers = []
    for name, geom in s.execute(select(Segment.name, Segment.geometry).where(Segment.search_id == search.id)).all():
        layers.append(paper.Layer(proj.project(shape(geom)), "pm-segment", name))
    for (geom,) in s.execute(select(SearchedArea.geometry).where(SearchedArea.search_id == search.id,
                                                                 SearchedArea.retracted_at.is_(None))).all():
        layers.append(paper.Layer(proj.project(shape(geom)), "pm-searched"))
    trail = video.trail_of(s, search)
    if trail["line"]:
        layers.append(paper.Layer(proj.project(shape(trail["line"])), "pm-trail"))
    for p in trail["points"]:
        layers.append(paper.Layer(proj.project(shape(p["location"])), "pm-sighting", p["code"]))
    for kind, loc in s.execute(select(Clue.kind, Clue.location).where(Clue.search_id == search.id,
                                                                     Clue.retracted_at.is_(None))).all():
        layers.append(paper.Layer(proj.project(shape(loc)), "pm-clue"))
    layers.append(paper.Layer(Point(proj.to_xy(*search.lkp["coordinates"])), "pm-lkp", "LKP"))
    if search.found and search.found.get("location"):
        layers.append(paper.Layer(proj.project(shape(search.found["location"])), "pm-found", "FOUND"))
    return layers


def track_layers(tracks: list[DeviceTrack], colours: dict[int, str], teams_of: dict[int, int]) -> list[paper.Layer]:
    """Every device track (``exports_data.device_tracks``, metres) as thinned lines coloured by the officer's team."""
    out = []
    for trk in tracks:
        colour = colours.get(teams_of.get(trk.user_id), "#475569")
        for _t, xs, ys in trk.pieces:
            if len(xs) < 2:
                continue
            out.append(paper.Layer(LineString(np.column_stack((xs, ys))).simplify(TRACK_TOLERANCE_M), "pm-track",
                                   None, colour))
    return out


def assignment_map(s, search: Search, assignment: Assignment, width_mm: float, height_mm: float) -> str:
    """The briefing sheet's map: the assignment's area or route bold over the search's context, framed on it (and
    on the last known point when that is near), with the nearby clues, the trail, a scale bar and north arrow."""
    proj = projection(search)
    geom = proj.project(shape(assignment.geometry))
    lkp = Point(proj.to_xy(*search.lkp["coordinates"]))
    focus = geom.buffer(120)
    if focus.distance(lkp) < 1500:
        focus = focus.union(lkp.buffer(60))
    layers = [lay for lay in context_layers(s, search, proj) if lay.cls != "pm-clue" or lay.geom.distance(geom) < 1000]
    layers.insert(len(layers) - 1, paper.Layer(geom, "pm-assignment", assignment.title))
    layers[0:0] = street_layers(s, proj, focus.envelope.buffer(focus.envelope.length / 8))   # beneath everything
    return paper.svg_map(layers, width_mm, height_mm, focus=focus, title=assignment.title)


def search_map(s, search: Search, tracks: list[DeviceTrack], width_mm: float,
               height_mm: float) -> tuple[str, dict[int, str]]:
    """The report's map of the whole search: every track coloured by team, segments, searched areas, clues,
    sightings and the trail, the LKP and where found. Returns (svg, team colours)."""
    proj = projection(search)
    colours = team_colours(s, search.id)
    lines = track_layers(tracks, colours, user_teams(s, search.id))
    assignments = [paper.Layer(proj.project(shape(a.geometry)), "pm-assignment-all", None, colours.get(a.team_id, "#64748b"))
                   for a in s.execute(select(Assignment).where(Assignment.search_id == search.id)).scalars()]
    context = context_layers(s, search, proj)
    layers = [lay for lay in context if lay.cls in ("pm-segment", "pm-searched")] + assignments + lines + \
        [lay for lay in context if lay.cls not in ("pm-segment", "pm-searched")]
    focus_geoms = [lay.geom for lay in lines + assignments] + [Point(proj.to_xy(*search.lkp["coordinates"]))]
    focus = focus_geoms[0]
    for g in focus_geoms[1:]:
        focus = focus.union(g.envelope)
    focus = focus.envelope.buffer(100)
    layers[0:0] = street_layers(s, proj, focus.envelope.buffer(focus.envelope.length / 8))
    return paper.svg_map(layers, width_mm, height_mm, focus=focus), colours
