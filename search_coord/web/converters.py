"""URL converters: ids in paths are ASCII digits that fit a database integer."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

from ..core.fields import MAX_ID


class IdConverter(IntegerConverter):
    """``<int:...>`` for ids: ASCII digits only (werkzeug's ``\\d`` also matches '١٢٣'), at most ``MAX_ID``; anything
    else matches no route (404), so no id a database cannot hold ever reaches a query."""

    regex = r"[0-9]{1,16}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 0, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)
