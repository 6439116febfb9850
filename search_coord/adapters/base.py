"""The declarative base every table of the app is declared on (``models.py``, ``video_models.py``)."""
from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
