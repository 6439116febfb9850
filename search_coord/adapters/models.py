"""SQLAlchemy 2.x models. Times are stored as naive UTC; GeoJSON geometry as JSON text (WGS84, lon/lat).

The video-review tables (cameras, review tasks and intervals, sightings) are in ``video_models.py``; they are
imported at the end of this module so that every table is on ``Base.metadata`` and can be imported from here."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, LargeBinary,
                        String, Text, UniqueConstraint)
from sqlalchemy import false as sa_false, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(40))
    unit: Mapped[str | None] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Stored in the session cookie at login; bumped (logout, deactivation, password or role change) to end every
    # session and socket of the user at once.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set by an administrator: until the user has changed their password, they may do nothing else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())


class Photo(Base):
    __tablename__ = "photos"
    __table_args__ = (UniqueConstraint("uploaded_by", "client_id", name="uq_photos_client_id"),
                      Index("ix_photos_uploaded_by_sha256", "uploaded_by", "sha256"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int | None] = mapped_column(ForeignKey("searches.id"), index=True)
    mime: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)
    # A phone's retry of an upload whose answer was lost is recognised by this id and stored once.
    client_id: Mapped[str | None] = mapped_column(String(64))
    # The uploaded file's type, and its bytes only when they could not be converted (an undecodable HEIC).
    original_mime: Mapped[str | None] = mapped_column(String(40))
    original: Mapped[bytes | None] = mapped_column(LargeBinary)


class Search(Base):
    __tablename__ = "searches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default="open")
    subject: Mapped[dict] = mapped_column(JSON)
    lkp: Mapped[dict] = mapped_column(JSON)
    lkp_time: Mapped[datetime] = mapped_column(DateTime)
    lkp_address: Mapped[str | None] = mapped_column(String(300))
    terrain: Mapped[str | None] = mapped_column(String(40))
    risk: Mapped[str] = mapped_column(String(10))
    risk_reasons: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    found: Mapped[dict | None] = mapped_column(JSON)
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    opened_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # Where-to-look model: per-search settings (sweep widths, speeds), ROW's prior share, how POA was set,
    # the reach used for it, and a version bumped whenever segments change (caches key on it).
    settings: Mapped[dict | None] = mapped_column(JSON)
    row0: Mapped[float] = mapped_column(Float, default=1.0, server_default="1.0")
    poa_basis: Mapped[str] = mapped_column(String(20), default="rings", server_default="rings")
    model_reach_m: Mapped[float | None] = mapped_column(Float)
    model_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    model_computed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The direction the subject was last seen heading (compass degrees), which tilts the ring model, and the earlier
    # last known points this one replaced (each {lkp, lkp_time, source}).
    heading_deg: Mapped[float | None] = mapped_column(Float)
    lkp_history: Mapped[list | None] = mapped_column(JSON)
    # Bumped by every edit; an edit that names an older one is refused (services/versions.py).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("search_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    callsign: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    disbanded: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped by every edit; an edit that names an older one is refused (services/versions.py).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class TeamMember(Base):
    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)


class Assignment(Base):
    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    geometry: Mapped[dict] = mapped_column(JSON)
    places: Mapped[list] = mapped_column(JSON, default=list)
    instructions: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    debrief: Mapped[str | None] = mapped_column(Text)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id", ondelete="SET NULL", name="fk_assignments_segment_id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # Bumped by every edit; an edit that names an older one is refused (services/versions.py).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class TrackPoint(Base):
    __tablename__ = "track_points"
    # The last vertex of a device's piece (services/tracks.py, the state a batch continues from) found at once,
    # however long the officer has stood still since: a partial index on the vertices only (migration 0017).
    __table_args__ = (Index("ix_track_points_search_user_t", "search_id", "user_id", "t"),
                      Index("ix_track_points_vertices", "search_id", "user_id", "device", "piece", "t",
                            sqlite_where=text("vertex = 1"), postgresql_where=text("vertex = true")))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    t: Mapped[datetime] = mapped_column(DateTime)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    acc: Mapped[float | None] = mapped_column(Float)
    # The phone numbers its tracking runs: a new run after every pause (page hidden, no fix, permission lost).
    # A line is never drawn, nor ground counted, between two runs.
    run: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    event_seq: Mapped[int] = mapped_column(BigInteger)
    # Which of the user's devices sent it (two phones on one account are two tracks); "" before it was told.
    device: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # Where the fix stands in the counted track (core/tracks.py): the start time (µs since the epoch) of the piece
    # it belongs to, or NULL when it counts for nothing (too coarse for the sweep width); and whether it is a
    # vertex of the counted line (moved beyond the GPS error from the previous vertex).
    piece: Mapped[int | None] = mapped_column(BigInteger)
    vertex: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Retracted by a dispatcher (entered by mistake): kept, but left out of every map and count (migration 0010);
    # the reason is in the retraction event, number ``retracted_seq``.
    retracted_at: Mapped[datetime | None] = mapped_column(DateTime)
    retracted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    retracted_seq: Mapped[int | None] = mapped_column(BigInteger)


class DeviceClock(Base):
    """A phone's clock against the server's: measured on each batch from the time the phone stamped it as sent."""

    __tablename__ = "device_clocks"
    __table_args__ = (UniqueConstraint("search_id", "user_id", "device", name="uq_device_clocks"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    device: Mapped[str] = mapped_column(String(64))
    offset_s: Mapped[float] = mapped_column(Float)      # phone clock minus server clock (s); + = phone fast
    measured_at: Mapped[datetime] = mapped_column(DateTime)


class Clue(Base):
    __tablename__ = "clues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    time: Mapped[datetime] = mapped_column(DateTime)
    location: Mapped[dict] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    direction: Mapped[str | None] = mapped_column(String(40))
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id"))
    reported_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(DateTime)
    # Retracted by a dispatcher (entered by mistake): kept, but left out of every map and count (migration 0010);
    # the reason is in the retraction event, number ``retracted_seq``.
    retracted_at: Mapped[datetime | None] = mapped_column(DateTime)
    retracted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    retracted_seq: Mapped[int | None] = mapped_column(BigInteger)


class Event(Base):
    """The append-only log: one row per change, numbered per search, written in the change's transaction."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("search_id", "seq", name="uq_events_search_seq"),
        # a client-made id is the sender's own: unique per search, sender and kind of change (migration 0010)
        UniqueConstraint("search_id", "actor_id", "type", "client_id", name="uq_events_search_actor_type_client_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    device: Mapped[str | None] = mapped_column(String(200))
    client_id: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)
    payload: Mapped[dict] = mapped_column(JSON)


class Segment(Base):
    """A piece of the search area with its prior POA and the cumulative coverage searched in it so far."""

    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("search_id", "name", name="uq_segments_search_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    geometry: Mapped[dict] = mapped_column(JSON)
    area_m2: Mapped[float] = mapped_column(Float)
    poa0: Mapped[float] = mapped_column(Float)
    coverage: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Bumped by every edit; an edit that names an older one is refused (services/versions.py).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class SearchedArea(Base):
    """A polygon a team marked as searched, with the POD it states."""

    __tablename__ = "searched_areas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    geometry: Mapped[dict] = mapped_column(JSON)
    pod: Mapped[float] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    marked_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime] = mapped_column(DateTime)
    # Retracted by a dispatcher (entered by mistake): kept, but left out of every map and count (migration 0010);
    # the reason is in the retraction event, number ``retracted_seq``.
    retracted_at: Mapped[datetime | None] = mapped_column(DateTime)
    retracted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    retracted_seq: Mapped[int | None] = mapped_column(BigInteger)


class Broadcast(Base):
    """A dispatcher's message to every unit on the search that each must acknowledge."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    #: A server-made alert's parameters (core/alerts.py), worded by each page from ``alert.<kind>``; None for a
    #: dispatcher's own text and for rows older than migration 0012 (their text is "English\nChinese").
    params: Mapped[dict | None] = mapped_column(JSON)
    sent_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime] = mapped_column(DateTime)
    event_seq: Mapped[int] = mapped_column(BigInteger)


class BroadcastAck(Base):
    __tablename__ = "broadcast_acks"
    __table_args__ = (UniqueConstraint("broadcast_id", "user_id", name="uq_broadcast_acks"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    acked_at: Mapped[datetime] = mapped_column(DateTime)
    device: Mapped[str | None] = mapped_column(String(200))


class TrackImport(Base):
    """A track file (GPX, KML) a dispatcher imported as a unit's track on a search; one per file's sha256."""

    __tablename__ = "track_imports"
    __table_args__ = (UniqueConstraint("search_id", "sha256", name="uq_track_imports_search_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(10))
    # The unit's track is stored under an account-less user (role "unit", never able to log in).
    unit_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    points_in_file: Mapped[int] = mapped_column(Integer)
    stored: Mapped[int] = mapped_column(Integer)
    report: Mapped[dict] = mapped_column(JSON)     # the answer given at import, repeated to a duplicate
    event_seq: Mapped[int] = mapped_column(BigInteger)
    imported_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(DateTime)


from .video_models import Camera, ReviewedInterval, ReviewTask, Sighting  # noqa: E402,F401  (every table on Base)
from .night_models import GuestAccount, JoinLink, PromptDecision, WeatherReading  # noqa: E402,F401
from .street_models import (DoorCheck, StreetAddress, StreetAssignment, StreetCoverage,  # noqa: E402,F401
                            StreetLayer, StreetWay)
