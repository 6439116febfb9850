"""The dispatcher's night tables (issue 15): the weather the dispatcher entered, the escalation prompts ticked or
dismissed, and the join links that let officers without accounts join one search by a QR code. Times are naive
UTC."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class WeatherReading(Base):
    """The temperature now and tonight's low at the search, entered by a dispatcher or read by the weather adapter;
    the newest one is shown."""

    __tablename__ = "weather_readings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    temperature_c: Mapped[float | None] = mapped_column(Float)
    low_tonight_c: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(40))          # "dispatcher" or the adapter's name
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PromptDecision(Base):
    """An escalation prompt of the checklist, ticked (done) or dismissed on a search, once."""

    __tablename__ = "prompt_decisions"
    __table_args__ = (UniqueConstraint("search_id", "prompt_id", name="uq_prompt_decisions_search_prompt"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    prompt_id: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(String(12))        # done | dismissed
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime)


class JoinLink(Base):
    """A QR code / link for one search, scoped to a role and maybe a team, expiring, revocable, limited in uses.
    Only the token's SHA-256 is kept."""

    __tablename__ = "join_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))            # patrol | video_review
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    max_uses: Mapped[int] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    auto_approve: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class GuestAccount(Base):
    """An account made by a join link: it may see its one search only, waits for a dispatcher's approval (unless the
    link approves at once) and ends when the search closes or the link is revoked."""

    __tablename__ = "guest_accounts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id"), index=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("join_links.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))          # pending | approved | refused | ended
    joined_at: Mapped[datetime] = mapped_column(DateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
