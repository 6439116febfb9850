"""The camera registry as files and pages: import a CSV or GeoJSON file (all or nothing), export it as either, and
list it a page at a time for the console's Cameras page. Reading the files is ``core.camera_table``'s."""
from __future__ import annotations

import csv
import io
import json
from types import SimpleNamespace
from typing import Callable, Iterator

from sqlalchemy import and_, func, insert, or_, select, update

from ..adapters.models import Camera
from ..core import camera_table
from ..core.errors import ValidationError
from .access import require_dispatcher
from .context import Actor, Services
from .events import iso, naive_utc
from .video import apply_camera, camera_view

#: The largest file taken (bytes) unless the app's ``CAMERA_IMPORT_MAX_BYTES`` says otherwise: a district's own
#: export with every column is some 150 bytes a camera, 64 MB some 400,000 cameras.
MAX_IMPORT_BYTES = 64 * 1024 * 1024
#: Rows written at a time by an import (one bulk insert and one bulk update each, all in one transaction).
IMPORT_CHUNK = 2000
#: What a camera new to the registry holds where its row says nothing.
_NEW_CAMERA = {"owner": None, "contact": None, "direction_deg": None, "fov_deg": None, "range_m": None,
               "retention_days": None, "clock_offset_s": 0.0, "offset_measured_at": None, "covers_exit": False,
               "notes": None, "active": True, "version": 1}
#: The longest page of the registry listed at once.
MAX_PAGE = 200
#: Cameras read from the database at a time while an export is streamed: its memory stays flat whatever the size.
EXPORT_PAGE = 2000
_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def export_cameras(svc: Services, actor: Actor, fmt: str) -> tuple[Iterator[str], str]:
    """The whole registry (inactive cameras too), in code order, as ``(text chunks, media type)``: the text is
    produced as it is sent, ``EXPORT_PAGE`` cameras read at a time. ``fmt`` "csv" (UTF-8 with a byte-order mark, so
    that spreadsheet programs read the Chinese names right; columns ``camera_table.COLUMNS``, text cells guarded
    against formulas by ``camera_table.export_row``) or "geojson" (a FeatureCollection of Points, lon/lat WGS84, the
    same properties plus ``active``). Dispatchers and admins only (``Forbidden``, raised at once, as is
    ``ValidationError`` {"format"} for another ``fmt``)."""
    require_dispatcher(actor)
    if fmt not in ("csv", "geojson"):
        raise ValidationError({"format": "must be csv or geojson"})
    if fmt == "geojson":
        return _geojson_chunks(svc), "application/geo+json"
    return _csv_chunks(svc), "text/csv; charset=utf-8"


def _export_pages(svc: Services) -> Iterator[list[dict]]:
    """Every camera's fields by column name (and ``active``), in (code, id) order, ``EXPORT_PAGE`` at a time, each
    page read in its own short transaction (a page starts after the last camera of the one before)."""
    after = None
    while True:
        q = select(Camera).order_by(Camera.code, Camera.id).limit(EXPORT_PAGE)
        if after is not None:
            q = q.where(or_(Camera.code > after[0], and_(Camera.code == after[0], Camera.id > after[1])))
        with svc.reading() as s:
            cams = list(s.execute(q).scalars())
            page = [{**{k: getattr(c, k) for k in camera_table.COLUMNS},
                     "offset_measured_at": iso(c.offset_measured_at), "active": c.active} for c in cams]
            last = (cams[-1].code, cams[-1].id) if cams else None
        if page:
            yield page
        if len(page) < EXPORT_PAGE:
            return
        after = last


def _csv_chunks(svc: Services) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(camera_table.COLUMNS)
    for page in _export_pages(svc):
        for fields in page:
            writer.writerow(camera_table.export_row(fields))
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _geojson_chunks(svc: Services) -> Iterator[str]:
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    for page in _export_pages(svc):
        features = [json.dumps({"type": "Feature", "geometry": {"type": "Point", "coordinates": [f["lon"], f["lat"]]},
                                "properties": {k: v for k, v in f.items() if k not in ("lon", "lat")}},
                               ensure_ascii=False) for f in page]
        yield ("" if first else ", ") + ", ".join(features)
        first = False
    yield "]}"


def _row_columns(clean: dict) -> dict:
    """A cleaned camera (``clean_camera``'s dict) as the registry's column values (``apply_camera``'s rules)."""
    row = SimpleNamespace()
    apply_camera(row, {k: v for k, v in clean.items() if k != "_row"})
    return vars(row)


def check_import(actor: Actor, fmt: str, size: int, max_bytes: int = MAX_IMPORT_BYTES) -> None:
    """What ``import_cameras`` checks before reading a byte: a dispatcher or admin (``Forbidden``), the format and
    the size (``ValidationError``)."""
    require_dispatcher(actor)
    if fmt not in ("csv", "geojson"):
        raise ValidationError({"format": "must be csv or geojson"})
    if size > max_bytes:
        raise ValidationError({"_body": f"the file is larger than {max_bytes // (1024 * 1024)} MB"})


def import_cameras(svc: Services, actor: Actor, raw: bytes, fmt: str, max_bytes: int = MAX_IMPORT_BYTES,
                   progress: Callable[[str, int, int], None] | None = None) -> dict:
    """Import a camera file, all or nothing: every row is checked first and nothing is stored unless all are valid;
    a row whose ``code`` is in the registry updates that camera (columns the file leaves out or empty are kept, its
    version goes up). The rows are then written ``IMPORT_CHUNK`` at a time (bulk inserts and updates) in ONE
    transaction: an error while storing stores nothing. The spatial index follows (migration 0013's triggers).

    ``fmt``: "csv" (any dialect ``core.camera_table`` reads) or "geojson"; at most ``max_bytes``.
    ``progress(stage, done, total)``, if given, is called as the work goes: "reading" (0, 0), "checking" (rows
    checked of the rows), "storing" (rows stored of the rows). Returns ``{created, updated, skipped_rows (blank
    rows), encoding, separator ("comma"|"semicolon"|"tab"|null for GeoJSON), warnings {"row N.clock_offset_s":
    text}}``. Raises ``ValidationError`` naming every bad value as ``"row N.column"`` (N as the spreadsheet numbers
    rows, the header being row 1), or ``_body`` / ``_header`` / ``format``; ``Forbidden`` unless a dispatcher or
    admin."""
    check_import(actor, fmt, len(raw), max_bytes)
    report = progress or (lambda stage, done, total: None)
    now = svc.now()
    encoding, separator, skipped = None, None, 0
    report("reading", 0, 0)
    checking = lambda done, total: report("checking", done, total)  # noqa: E731
    if fmt == "csv":
        table = camera_table.read_table(raw)
        encoding, separator, skipped = table.encoding, _SEPARATOR_NAMES[table.delimiter], table.skipped
        parsed = camera_table.parse_table(table, now, checking)
    else:
        encoding = camera_table.decode(raw)[1]
        parsed = camera_table.parse_geojson(raw, now, checking)
    total = len(parsed.cameras)
    created = updated = 0
    stamp = naive_utc(now)
    with svc.transaction() as s:
        for start in range(0, total, IMPORT_CHUNK):
            chunk = parsed.cameras[start:start + IMPORT_CHUNK]
            known = {code: (cid, version) for code, cid, version in s.execute(
                select(Camera.code, Camera.id, Camera.version).where(Camera.code.in_([c["code"] for c in chunk])))}
            new, changed = [], []
            for clean in chunk:
                columns = _row_columns(clean)
                if clean["code"] in known:
                    cid, version = known[clean["code"]]
                    # an edit an open camera form must not undo (services/versions.py)
                    changed.append({**columns, "id": cid, "version": version + 1, "updated_at": stamp})
                else:
                    new.append({**_NEW_CAMERA, **columns, "created_by": actor.user_id, "created_at": stamp,
                                "updated_at": stamp})
            if new:
                s.execute(insert(Camera.__table__), new)      # a Core executemany: no ORM bookkeeping per row
            if changed:
                s.execute(update(Camera), changed)
            created, updated = created + len(new), updated + len(changed)
            report("storing", created + updated, total)
    return {"created": created, "updated": updated, "skipped_rows": skipped, "encoding": encoding,
            "separator": separator, "warnings": dict(parsed.warnings)}


def page_cameras(svc: Services, actor: Actor, q: str | None = None, offset: int = 0, limit: int = 50,
                 include_inactive: bool = True) -> dict:
    """A page of the registry in code order, for a table: cameras whose code or name holds ``q`` (any case), from
    ``offset``, at most ``limit`` (1-200). Returns ``{total, offset, limit, cameras: [camera view]}`` (``total``
    counts every match). Dispatchers and admins only. Bad paging raises ``ValidationError``."""
    require_dispatcher(actor)
    errors = {}
    if not 1 <= limit <= MAX_PAGE:
        errors["limit"] = f"must be between 1 and {MAX_PAGE}"
    if offset < 0:
        errors["offset"] = "may not be negative"
    if q is not None and len(q) > 120:
        errors["q"] = "must be at most 120 characters"
    if errors:
        raise ValidationError(errors)
    where = []
    if q and q.strip():
        pattern = "%" + q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(or_(func.lower(Camera.code).like(pattern, escape="\\"),
                         func.lower(Camera.name).like(pattern, escape="\\")))
    if not include_inactive:
        where.append(Camera.active.is_(True))
    with svc.reading() as s:
        total = s.execute(select(func.count(Camera.id)).where(*where)).scalar_one()
        cams = list(s.execute(select(Camera).where(*where).order_by(Camera.code).offset(offset).limit(limit))
                    .scalars())
        views = [camera_view(c) for c in cams]
    return {"total": total, "offset": offset, "limit": limit, "cameras": views}
