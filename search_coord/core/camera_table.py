"""Camera registry files, the pure part: the bytes a spreadsheet program (or a GIS) saved in, camera rows and every
error out. Nothing here reads a clock, a file or a database; ``now`` is passed in.

CSV as spreadsheets write it: UTF-8 with or without a byte-order mark, GBK/GB18030 (Chinese Excel's "CSV"),
UTF-16 LE/BE with a BOM (Excel's "Unicode text", TAB separated); comma, semicolon or TAB separators; decimal commas in
numbers ("116,3012"); blank rows (only separators and spaces) skipped; trailing empty columns ignored; header names
trimmed and read case-insensitively. The encoding is told by the BOM when there is one, else by charset-normalizer
among the encodings spreadsheets here save in (``ENCODINGS``); the separator by the standard ``csv.Sniffer``.

Spreadsheet formulas: the export writes a text cell that a spreadsheet program would run as a formula (beginning
with ``FORMULA_STARTS``) behind a single quote (``guard_cell``, OWASP's advice on CSV injection); the import takes that
quote off again (``unguard_cell``), so a file exported and imported back holds the same text.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Callable, Mapping

from charset_normalizer import from_bytes

from .errors import ValidationError
from .fields import check_json
from .video import CAMERA_FIELDS, clean_camera, clock_warning

#: The CSV columns, in the order the export writes them.
COLUMNS = ("code", "name", "lon", "lat", "kind", "owner", "contact", "direction_deg", "fov_deg", "range_m",
           "retention_days", "clock_offset_s", "offset_measured_at", "covers_exit", "notes")
REQUIRED = ("code", "name", "lon", "lat", "kind")
NUMBERS = ("lon", "lat", "direction_deg", "fov_deg", "range_m", "retention_days", "clock_offset_s")
#: The columns holding text (not numbers, times or yes/no): guarded against spreadsheet formulas.
TEXT_COLUMNS = ("code", "name", "kind", "owner", "contact", "notes")
#: A text cell beginning with one of these is run as a formula by spreadsheet programs (=, +, -, @, TAB, CR); a
#: leading quote is guarded too, so that the import's removal of the added quote gives back every text exactly.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
YES = ("yes", "y", "true", "1", "是", "x")
NO = ("no", "n", "false", "0", "否")
#: Without a BOM, the file is read in one of these (charset-normalizer picks the one that reads cleanly): UTF-8,
#: GB18030 (a superset of GBK, what Chinese Excel writes) and Windows-1252 (a Western Excel's "CSV").
ENCODINGS = ("utf_8", "gb18030", "cp1252")
SEPARATORS = ",;\t"
#: At most this many errors are listed; the rest are counted under ``_more``.
MAX_ERRORS = 1000

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_SEP_LINE = re.compile(r"^\s*sep=(.)\s*$", re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_SNIFF_LINES = 50


@dataclass(frozen=True)
class Row:
    """A data row: ``number`` as the spreadsheet numbers it (the header is row 1); ``values`` maps each named column
    (lower case) to its trimmed text ('' when empty)."""

    number: int
    values: Mapping[str, str]


@dataclass(frozen=True)
class Table:
    """A CSV file read: the encoding and separator found, the header's names (lower case, in file order, '' for a
    column without a name), the data rows, and how many blank rows were skipped."""

    encoding: str
    delimiter: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    skipped: int


@dataclass(frozen=True)
class Parsed:
    """A camera file checked: the cleaned cameras (``clean_camera``'s dicts, in file order, each with the row it
    came from as ``_row``) and warnings by ``"row N.column"``."""

    cameras: tuple[Mapping, ...]
    warnings: Mapping[str, str]


def column_letter(index: int) -> str:
    """The spreadsheet's name of the 0-based column ``index``: 0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def decode(raw: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read in. A byte-order mark decides (UTF-8, UTF-16 LE/BE, UTF-32);
    without one, charset-normalizer picks among ``ENCODINGS``. Raises ``ValidationError`` ({"_body": ...}) when the
    bytes read cleanly in none of them."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(encoding), encoding
            except UnicodeDecodeError:
                raise ValidationError({"_body": f"the file starts with a {encoding} byte-order mark but is not "
                                                f"{encoding} text"}) from None
    if not raw.strip():
        return "", "ascii"
    best = from_bytes(raw, cp_isolation=list(ENCODINGS)).best()
    if best is None:
        raise ValidationError({"_body": "the file's text encoding could not be told; save it as CSV UTF-8 "
                                        "(or Unicode text)"})
    return str(best).lstrip("\ufeff"), best.encoding


def guard_cell(text: str) -> str:
    """A text cell as the export writes it: behind a single quote when it begins with ``FORMULA_STARTS``."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unguard_cell(text: str) -> str:
    """A text cell as the import reads it: without the quote ``guard_cell`` added (a quote followed by one of
    ``FORMULA_STARTS``); any other text as it is."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def export_row(camera: Mapping) -> list:
    """A camera's CSV cells in ``COLUMNS`` order, from its fields by column name (``covers_exit`` true or false,
    ``offset_measured_at`` ISO text): None is an empty cell, ``covers_exit`` "yes" or empty, text cells guarded
    (``guard_cell``); numbers as they are."""
    cells = []
    for key in COLUMNS:
        value = camera.get(key)
        if value is None:
            cells.append("")
        elif key == "covers_exit":
            cells.append("yes" if value else "")
        elif key in TEXT_COLUMNS:
            cells.append(guard_cell(str(value)))
        else:
            cells.append(value)
    return cells


def _sniff(lines: list[str]) -> csv.Dialect | type[csv.Dialect]:
    sample = "\n".join(lines[:_SNIFF_LINES])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=SEPARATORS)
    except csv.Error:
        first = lines[0] if lines else ""
        counts = {sep: first.count(sep) for sep in SEPARATORS}
        sep = max(counts, key=counts.get)
        if counts[sep] == 0:
            raise ValidationError({"_body": "the file's separator could not be told (comma, semicolon or TAB)"}) \
                from None
        # Too few lines for the sniffer to weigh (a header and one row, say): the separator the header uses most.
        return type("HeaderDialect", (csv.excel,), {"delimiter": sep})
    return dialect


def read_table(raw: bytes) -> Table:
    """Decode and split a CSV file into its header and data rows (blank rows skipped). Raises ``ValidationError``
    with ``_body`` (unreadable text, no separator) or ``_header`` (missing, unknown or repeated columns)."""
    text, encoding = decode(raw)
    lines = text.splitlines()
    forced = None
    if lines and _SEP_LINE.match(lines[0]):  # Excel's "sep=;" first line: not shown as a row in the spreadsheet
        forced = _SEP_LINE.match(lines[0]).group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
        lines = lines[1:]
    content = [ln for ln in lines if ln.strip(SEPARATORS + " \"")]
    if not content:
        raise ValidationError({"_body": "the file holds no cameras"})
    dialect = type("Forced", (csv.excel,), {"delimiter": forced}) if forced else _sniff(content)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        raise ValidationError({"_body": f"the file is not readable CSV: {exc}"}) from None
    header_at = next(i for i, rec in enumerate(records) if any(v.strip() for v in rec))
    columns = [v.strip().lstrip("\ufeff").strip().lower() for v in records[header_at]]
    while columns and not columns[-1]:
        columns.pop()
    _check_header(columns, header_at + 1)
    rows, skipped = [], 0
    for i, rec in enumerate(records[header_at + 1:], start=header_at + 2):
        cells = [v.strip() for v in rec]
        if not any(cells):
            skipped += 1
            continue
        values = {name: (cells[j] if j < len(cells) else "") for j, name in enumerate(columns) if name}
        extra = [j for j in range(len(columns), len(cells)) if cells[j]]
        unnamed = [j for j, name in enumerate(columns) if not name and j < len(cells) and cells[j]]
        if extra or unnamed:
            values["_extra"] = ",".join(column_letter(j) for j in unnamed + extra)
        rows.append(Row(i, MappingProxyType(values)))
    return Table(encoding, dialect.delimiter, tuple(columns), tuple(rows), skipped)


def _check_header(columns: list[str], number: int) -> None:
    errors = {}
    named = [c for c in columns if c]
    missing = [c for c in REQUIRED if c not in named]
    if missing:
        errors["_header"] = f"missing columns: {', '.join(missing)} (row {number})"
    unknown = [f"{c} (column {column_letter(j)})" for j, c in enumerate(columns) if c and c not in COLUMNS]
    if unknown:
        errors["_header_unknown"] = f"unknown columns: {', '.join(unknown)}; the columns are {', '.join(COLUMNS)}"
    repeated = sorted({c for c in named if named.count(c) > 1})
    if repeated:
        errors["_header_repeated"] = f"columns named twice: {', '.join(repeated)}"
    if errors:
        raise ValidationError(errors)


def parse_number(text: str) -> float:
    """A number as a spreadsheet writes it: '116.3012', or with a decimal comma '116,3012'. Raises ValueError."""
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    if _DECIMAL_COMMA.match(value):
        value = value.replace(",", ".")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def _row_data(row: Row) -> tuple[dict, dict[str, str]]:
    """A row's text as the typed fields ``clean_camera`` takes, and the errors of the values that are not."""
    data: dict = {}
    errors: dict[str, str] = {}
    for key, value in row.values.items():
        if key == "_extra":
            errors["_row"] = f"has values under no named column (column {value})"
        elif value == "" or key in ("lon", "lat"):
            continue
        elif key in NUMBERS:
            try:
                data[key] = parse_number(value)
            except ValueError:
                errors[key] = "must be a number"
        elif key == "covers_exit":
            if value.lower() not in YES + NO:
                errors[key] = "must be yes or no"
            data[key] = value.lower() in YES
        else:
            data[key] = unguard_cell(value) if key in TEXT_COLUMNS else value
    lonlat = []
    for key, bound in (("lon", 180.0), ("lat", 90.0)):
        value = row.values.get(key, "")
        try:
            number = parse_number(value)
        except ValueError:
            errors[key] = "is required" if value == "" else "must be a number"
            continue
        if abs(number) > bound:
            errors[key] = f"must be between -{bound:g} and {bound:g}"
        lonlat.append(number)
    if len(lonlat) == 2 and "lon" not in errors and "lat" not in errors:
        data["location"] = lonlat
    return data, errors


def _clean_row(row: Row, columns: tuple[str, ...], now: datetime) -> dict:
    data, errors = _row_data(row)
    try:
        clean = clean_camera({k: v for k, v in data.items() if k not in errors}, now)
    except ValidationError as exc:
        found = {("lon" if k == "location" else k): v for k, v in exc.errors.items()
                 if not (k == "location" and ({"lon", "lat"} & errors.keys()))}
        errors = {**found, **errors}
    if errors:
        raise ValidationError({key: (f"{msg} (column {column_letter(columns.index(key))})" if key in columns
                                     else msg) for key, msg in errors.items()})
    return clean


#: A long file's check reports its progress every this many rows.
PROGRESS_EVERY = 2000


def _collect(items, clean_one, total: int = 0, progress: Callable[[int, int], None] | None = None) -> Parsed:
    """Clean every (row number, item); duplicates of a code are errors; all errors raised at once. ``progress(done,
    total)`` is called every ``PROGRESS_EVERY`` rows and at the end."""
    cameras, errors, warnings, codes = [], {}, {}, {}
    more = 0
    for done, (number, item) in enumerate(items, start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
        try:
            clean = clean_one(item)
            if clean["code"] in codes:
                raise ValidationError({"code": f"{clean['code']} is already on row {codes[clean['code']]}"})
        except ValidationError as exc:
            for key, msg in exc.errors.items():
                if len(errors) < MAX_ERRORS:
                    errors[f"row {number}.{key}"] = msg
                else:
                    more += 1
            continue
        codes[clean["code"]] = number
        warning = clock_warning(clean.get("clock_offset_s"))
        if warning:
            warnings[f"row {number}.clock_offset_s"] = warning
        cameras.append({**clean, "_row": number})
    if progress is not None:
        progress(total, total)
    if more:
        errors["_more"] = f"and {more} more errors"
    if errors:
        raise ValidationError(errors)
    if not cameras:
        raise ValidationError({"_body": "the file holds no cameras"})
    return Parsed(tuple(cameras), MappingProxyType(warnings))


def parse_csv(raw: bytes, now: datetime) -> Parsed:
    """Every camera of a CSV file, checked (see the module's docstring for the dialects read). Raises
    ``ValidationError`` naming every bad value as ``"row N.column"`` (N as the spreadsheet numbers the row, the header
    being row 1; the message ends with the column's letter), or ``_body`` / ``_header`` for the file as a whole."""
    return parse_table(read_table(raw), now)


def parse_table(table: Table, now: datetime, progress: Callable[[int, int], None] | None = None) -> Parsed:
    """``parse_csv`` for a file already read by ``read_table``; ``progress(rows checked, rows)`` as it goes."""
    return _collect(((row.number, row) for row in table.rows), lambda row: _clean_row(row, table.columns, now),
                    len(table.rows), progress)


def _clean_feature(feature, now: datetime) -> dict:
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        raise ValidationError({"_feature": "must be a Feature with properties"})
    check_json(feature)   # nesting, numbers beyond 2^53, lone surrogates: as a JSON body
    data = {k: v for k, v in feature["properties"].items() if k in CAMERA_FIELDS}
    data["location"] = feature.get("geometry")
    return clean_camera(data, now)


def parse_geojson(raw: bytes, now: datetime, progress: Callable[[int, int], None] | None = None) -> Parsed:
    """Every camera of a GeoJSON FeatureCollection of Point features (properties named as the CSV columns; the
    export's ``active`` too), checked; errors are named ``"row N.field"``, N counting the features from 1. The text may
    be in any encoding ``decode`` reads. Text that is not JSON, or nests too deep to read, raises ``ValidationError``
    (``_body``); a feature's value no JSON body could hold (``core.fields.check_json``) is named by its row.
    ``progress(features checked, features)`` as it goes."""
    text, _ = decode(raw)
    try:
        doc = json.loads(text)
    except ValueError:
        raise ValidationError({"_body": "is not valid JSON"}) from None
    except RecursionError:
        raise ValidationError({"_body": "nests too deep to be GeoJSON"}) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise ValidationError({"_body": "must be a GeoJSON FeatureCollection of Point features"})
    return _collect(enumerate(doc["features"], start=1), lambda f: _clean_feature(f, now), len(doc["features"]),
                    progress)
