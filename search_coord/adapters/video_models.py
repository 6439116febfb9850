"""The video-review tables: the camera registry, review tasks, reviewed intervals of footage and sightings.
Times are stored as naive UTC; locations as GeoJSON (WGS84, lon/lat)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, Float, ForeignKey, Integer, MetaData, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Camera(Base):
    """A camera in the station's registry, shared by every search."""

    __tablename__ = "cameras"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # Indexed for reads by area: B-trees on both (migration 0013); on SQLite an R*Tree too (``camera_rtree``).
    lon: Mapped[float] = mapped_column(Float, index=True)
    lat: Mapped[float] = mapped_column(Float, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str | None] = mapped_column(String(120))
    contact: Mapped[str | None] = mapped_column(String(120))
    direction_deg: Mapped[float | None] = mapped_column(Float)
    fov_deg: Mapped[float | None] = mapped_column(Float)
    range_m: Mapped[float | None] = mapped_column(Float)
    retention_days: Mapped[float | None] = mapped_column(Float)
    # Recorder clock minus true time, in seconds (positive: the recorder runs fast), and when it was measured.
    clock_offset_s: Mapped[float] = mapped_column(Float, default=0.0)
    offset_measured_at: Mapped[datetime | None] = mapped_column(DateTime)
    covers_exit: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # Bumped by every edit; an edit that names an older one is refused (services/versions.py).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


#: SQLite's R*Tree over the active cameras (migration 0013: a virtual table kept current by triggers on ``cameras``;
#: boxes in 32-bit floats, the exact lon/lat and the view in auxiliary columns). On its own metadata: the app never
#: creates it from the models, and PostgreSQL has none (``services/video/spatial.py``).
camera_rtree = Table("cameras_rtree", MetaData(), Column("id", Integer, primary_key=True),
                     Column("min_lon", Float), Column("max_lon", Float), Column("min_lat", Float),
                     Column("max_lat", Float), Column("lon", Float), Column("lat", Float),
                     Column("direction_deg", Float), Column("fov_deg", Float), Column("range_m", Float))


class ReviewTask(Base):
    """Footage of one camera over one window (true time) to review, for a team or a named reviewer."""

    __tablename__ = "review_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"), index=True)
    start: Mapped[datetime] = mapped_column(DateTime)
    end: Mapped[datetime] = mapped_column(DateTime)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    footage: Mapped[str] = mapped_column(String(20), default="not_requested")
    status: Mapped[str] = mapped_column(String(20), default="open")
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewedInterval(Base):
    """A stretch of one camera's footage (true time) a reviewer watched without seeing the subject."""

    __tablename__ = "reviewed_intervals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("review_tasks.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    start: Mapped[datetime] = mapped_column(DateTime)
    end: Mapped[datetime] = mapped_column(DateTime)
    notes: Mapped[str | None] = mapped_column(Text)
    searched_area_id: Mapped[int | None] = mapped_column(ForeignKey("searched_areas.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # As read off the recorder (clock "recorder"), so that a re-measured clock offset corrects them again;
    # null when the reviewer entered true time.
    recorder_start: Mapped[datetime | None] = mapped_column(DateTime)
    recorder_end: Mapped[datetime | None] = mapped_column(DateTime)


class Sighting(Base):
    """The subject seen on a camera's footage: pending until a dispatcher confirms or rejects it."""

    __tablename__ = "sightings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"))
    time: Mapped[datetime] = mapped_column(DateTime)
    recorder_time: Mapped[datetime] = mapped_column(DateTime)
    # "recorder" when the time was read off the footage (a re-measured offset corrects it again), "true" otherwise
    clock: Mapped[str] = mapped_column(String(10), default="recorder", server_default="recorder")
    direction_deg: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[str] = mapped_column(String(20))
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    reported_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(DateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
