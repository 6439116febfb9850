"""Streets (issue 14): street layers per region (load, list), a search's streets (network reach, blocks with POA
and coverage), street assignments, and recounting coverage per block."""
from __future__ import annotations

from flask import request

from ...core.errors import ValidationError
from ...identity import current_actor, services
from ...services.streets import assignments, coverage, doors, layers, search_view
from .common import body, bp

#: The largest street file accepted over HTTP (a city district's .osm.pbf is a few MB; a .osm XML ten times that).
MAX_LAYER_BYTES = 200 * 1024 * 1024


@bp.get("/streets/layers")
def street_layers_list():
    """Active layers, newest first (?all=1: replaced ones too)."""
    return {"layers": layers.list_layers(services(), current_actor(), request.args.get("all") == "1")}


@bp.post("/streets/layers")
def street_layers_load():
    """Load a layer: multipart ``file`` (or the raw body), ?name=, ?replace=<layer id>."""
    request.max_content_length = MAX_LAYER_BYTES
    upload = request.files.get("file")
    raw = upload.read() if upload is not None else request.get_data()
    replace = request.args.get("replace") or request.form.get("replace")
    if replace is not None and (not replace.isascii() or not replace.isdigit() or len(replace) > 15):
        raise ValidationError({"replace": "must be a layer id"})
    name = request.args.get("name") or request.form.get("name") or None
    view = layers.load_layer(services(), current_actor(), raw, name=name,
                             filename=upload.filename if upload is not None else request.args.get("filename"),
                             replace=int(replace) if replace else None)
    return view, 200 if view["duplicate"] else 201


@bp.get("/searches/<int:search_id>/streets")
def search_streets(search_id):
    return search_view.street_state(services(), current_actor(), search_id)


@bp.post("/searches/<int:search_id>/streets/assignments")
def search_street_assignment(search_id):
    return assignments.create_street_assignment(services(), current_actor(), search_id, body()), 201


@bp.post("/searches/<int:search_id>/streets/path")
def search_street_path(search_id):
    """The route along the streets through the dispatcher's taps (a preview: nothing is stored)."""
    return assignments.preview_path(services(), current_actor(), search_id, body())


@bp.post("/searches/<int:search_id>/streets/recount")
def search_streets_recount(search_id):
    return coverage.recount(services(), current_actor(), search_id)


@bp.get("/searches/<int:search_id>/assignments/<int:assignment_id>/doors")
def assignment_doors(search_id, assignment_id):
    return doors.door_list(services(), current_actor(), search_id, assignment_id)


@bp.post("/searches/<int:search_id>/assignments/<int:assignment_id>/doors")
def assignment_door_check(search_id, assignment_id):
    return doors.check_door(services(), current_actor(), search_id, assignment_id, body()), 201


@bp.post("/streets/layers/<int:layer_id>/addresses")
def street_layer_addresses(layer_id):
    """Add a station's addresses (CSV: lon, lat, street, housenumber, unit) to a layer, for door-to-door lists."""
    upload = request.files.get("file")
    raw = upload.read() if upload is not None else request.get_data()
    return layers.import_addresses(services(), current_actor(), layer_id, raw), 201
