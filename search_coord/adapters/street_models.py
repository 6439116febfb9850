"""Street layers (issue 14): a region's street network loaded once and shared by every search in it, and what
searches do on it (street assignments, coverage per block, door-to-door checks). Geometry as lon/lat (WGS84).

A layer is never edited: loading a new network for the region makes a new layer and marks the old one replaced,
so assignments and coverage that name an old layer's blocks keep their meaning."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class StreetLayer(Base):
    """One region's street network: where it came from, its bounding box, counts and how long loading took."""

    __tablename__ = "street_layers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(20))          # osm | geojson
    filename: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    counts: Mapped[dict] = mapped_column(JSON)                # ways, walkable, drivable, blocks, named, km...
    load_seconds: Mapped[float] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    replaced_by: Mapped[int | None] = mapped_column(ForeignKey("street_layers.id"))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class StreetWay(Base):
    """One street centreline of a layer, in the order read (the order the layer's blocks are numbered by)."""

    __tablename__ = "street_ways"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    layer_id: Mapped[int] = mapped_column(ForeignKey("street_layers.id"), index=True)
    way_id: Mapped[int] = mapped_column(BigInteger)           # the OSM way id, or the line's number in a GeoJSON
    nodes: Mapped[list] = mapped_column(JSON)                 # node ids of its vertices (shared ids: a junction)
    coords: Mapped[list] = mapped_column(JSON)                # [[lon, lat], ...]
    highway: Mapped[str] = mapped_column(String(40))
    walk: Mapped[bool] = mapped_column(Boolean)
    drive: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str | None] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))


class StreetAddress(Base):
    """An address of a layer (OSM addr:* on a node or building, or a station's CSV row) for door-to-door lists."""

    __tablename__ = "street_addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    layer_id: Mapped[int] = mapped_column(ForeignKey("street_layers.id"), index=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    street: Mapped[str | None] = mapped_column(String(200))
    housenumber: Mapped[str | None] = mapped_column(String(40))
    unit: Mapped[str | None] = mapped_column(String(200))     # a building's or business's name, a flat
    building: Mapped[bool] = mapped_column(Boolean, default=False)


class StreetAssignment(Base):
    """The named blocks of an assignment (the assignment row holds the route's geometry and the blocks' names)."""

    __tablename__ = "street_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    layer_id: Mapped[int] = mapped_column(ForeignKey("street_layers.id"))
    mode: Mapped[str] = mapped_column(String(20))
    blocks: Mapped[list] = mapped_column(JSON)                # block indices in the order to search them
    reverse: Mapped[list] = mapped_column(JSON)
    length_m: Mapped[float] = mapped_column(Float)
    transit_m: Mapped[float] = mapped_column(Float)


class StreetCoverage(Base):
    """Which bins (10 m) of one block a search's tracks of one mode have passed: a '0'/'1' string."""

    __tablename__ = "street_coverage"
    __table_args__ = (UniqueConstraint("search_id", "layer_id", "block", "mode", name="uq_street_coverage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    layer_id: Mapped[int] = mapped_column(ForeignKey("street_layers.id"))
    block: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(20))
    bins: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class DoorCheck(Base):
    """The latest answer at one address of a door-to-door assignment (every answer is also in the event log)."""

    __tablename__ = "door_checks"
    __table_args__ = (UniqueConstraint("assignment_id", "address_id", name="uq_door_checks"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    address_id: Mapped[int] = mapped_column(ForeignKey("street_addresses.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    checked_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime] = mapped_column(DateTime)
