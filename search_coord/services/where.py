"""Where to look, live: a facade that re-exports the public names of the modules that hold the use cases, so that
callers written against ``services.where`` keep working while issue 11 lands; new code imports the modules directly.

- ``basis``: settings, projection, rings, reach, the segment index cache;
- ``model_read``: the model as the map shows it (``get_model``, ``segment_view``, ``swept``);
- ``segment_edits``: generating, drawing and deleting segments, consensus POA, the model settings;
- ``recompute``: recomputing coverage and prior POA from scratch;
- ``searched_areas``: areas marked searched, suggestions turned into assignments.
"""
from __future__ import annotations

from .basis import heading_of, projection, reach_cap, reach_now, rings_of, segment_index, settings_of
from .model_read import get_model, segment_view, swept
from .recompute import recompute, request_recompute, schedule_recompute
from .searched_areas import accept_suggestion, add_searched_area, mark_searched
from .segment_edits import (add_segment, bump_model_version, delete_segment, generate_segments, ring_poa_all,
                            segments_payload, set_consensus, update_settings)

__all__ = [
    "heading_of", "projection", "reach_cap", "reach_now", "rings_of", "segment_index", "settings_of",
    "get_model", "segment_view", "swept",
    "recompute", "request_recompute", "schedule_recompute",
    "accept_suggestion", "add_searched_area", "mark_searched",
    "add_segment", "bump_model_version", "delete_segment", "generate_segments", "ring_poa_all", "segments_payload",
    "set_consensus", "update_settings",
]
