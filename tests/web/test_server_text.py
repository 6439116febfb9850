"""A page in Chinese shows the server's English messages through ``static/js/lib/server_text.js`` (patterns naming
"srv.*" i18n keys). Every message the street features can send to a page (``core/streets``, ``services/streets``,
``web/api/streets.py``) and the common checks on their way (the request body, logins and access, a search's state,
fields, geometry, the error handlers) must be known to that table: this test reads the messages out of those
modules' source (every ``raise`` of a domain error, every ``errors[...] = ...``), renders each with sample values,
and runs the real ``serverText`` under Node with the Chinese strings. A new message without a pattern fails here.

Messages built at run time from something other than literal text must be listed in ``DYNAMIC`` with examples."""
from __future__ import annotations

import ast
import importlib
import inspect
import json
import pathlib
import re
import shutil
import subprocess

from werkzeug.exceptions import RequestEntityTooLarge

from search_coord.core import errors as core_errors
from support import service_unavailable

ROOT = pathlib.Path(__file__).resolve().parents[2]
HARNESS = pathlib.Path(__file__).with_name("server_text_check.mjs")
I18N = ROOT / "search_coord" / "i18n"

#: (module, only these functions or None for the whole module)
MODULES = [
    *[(f"search_coord.core.streets.{p.stem}", None) for p in sorted((ROOT / "search_coord/core/streets").glob("*.py"))],
    *[(f"search_coord.services.streets.{p.stem}", None)
      for p in sorted((ROOT / "search_coord/services/streets").glob("*.py"))],
    ("search_coord.web.api.streets", None),
    ("search_coord.web.api.common", None),      # the request body, query arguments
    ("search_coord.web.errors", None),          # the error handlers' own texts
    ("search_coord.identity", None),            # not logged in
    ("search_coord.services.access", None),     # the search, dispatcher only
    ("search_coord.core.schemas", {"check_search_writable"}),
    ("search_coord.core.fields", None),         # field checks (ValueErrors there become field messages)
    ("search_coord.core.geometry", None),       # a drawn area (polygon)
]
#: Functions whose messages never reach a page: {(module, function)} (the command line's account for a load).
NOT_ON_A_PAGE = {("search_coord.services.streets.layers", "station_actor")}
#: Modules whose ``ValueError`` texts reach a page (``core.fields``: turned into field messages by ``str(exc)``).
VALUE_ERRORS = {"search_coord.core.fields"}
#: Internal ValueErrors (a programming error, a 500 with the generic message) in the modules above.
INTERNAL = {"on_street_share must be between 0 and 1", "way 7: needs as many node ids as points, at least two"}

#: Sample values for the parts of an f-string that are not module constants, by their source text; anything else
#: is a number (7) in the part's format.
SAMPLES = {
    "_what(mode)": "walkable", "mode": "vehicle", "exc": "Expecting value: line 1 column 1 (char 0)",
    "username or ''": "ops", "name": "latitude", "gtype": "Point",
    "explain_validity(geom)": "Self-intersection[24.94 60.17]", "', '.join(map(str, bad[:5]))": "12, 40",
    "', '.join(options)": "foot, vehicle", "', '.join(allowed)": "Polygon, MultiPolygon",
    "not_before_label or not_before.isoformat()": "when the person went missing",
}

#: Messages made at run time from something other than literal text: {source text: examples (or [] when the
#: message comes from elsewhere that this test collects too)}.
DYNAMIC = {
    "str(exc)": [],                # a GeometryError / fields.parse_* ValueError: collected from their modules
    "exc.message": [],             # a GeometryError: collected from core/geometry.py
    "message": [],                 # Form.integer(message=...): the callers' own text (schemas, not on these paths)
    "exc.description": [RequestEntityTooLarge.description],   # werkzeug's 413 (a street file over 200 MB)
    "'; '.join(bad[:20]) + (f' (and {len(bad) - 20} more)' if len(bad) > 20 else '')": [
        "line 2: lon and lat must be degrees", "line 2: lon and lat must be degrees; line 9: lon and lat must be degrees",
        "line 2: lon and lat must be degrees; line 3: lon and lat must be degrees (and 12 more)"],
    "errors": [],                  # a ValidationError built from a dict filled by ``errors[...] = ...`` (collected)
    "self.errors": [],
}
_USED: set[str] = set()

_DOMAIN = {n for n, c in vars(core_errors).items() if inspect.isclass(c) and issubclass(c, core_errors.SearchCoordError)}
_RAISED = _DOMAIN | {"RequestEntityTooLarge"}


def _render(node, env: dict, where: str) -> list[str]:
    """The texts an expression can be, with samples for its run-time parts; unknown shapes fail with ``where``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        out = ""
        for part in node.values:
            if isinstance(part, ast.Constant):
                out += part.value
                continue
            src = ast.unparse(part.value)
            spec = ast.unparse(part.format_spec)[2:-1] if part.format_spec else ""
            try:
                value = eval(src, dict(env))   # a module constant (MAX_TAPS, ', '.join(routes.MODES), ...)
            except Exception:
                value = SAMPLES.get(src, 7)
            if part.conversion == ord("r"):
                value = repr(value)
            out += format(float(value) if isinstance(value, int) and spec[-1:] in ("f", "g") else value, spec)
        return [out]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        lefts, rights = _render_or_dynamic(node.left, env, where), _render_or_dynamic(node.right, env, where)
        if lefts is not None and rights is not None:
            return [a + b for a in lefts for b in rights]
    if isinstance(node, ast.IfExp):
        return _render(node.body, env, where) + _render(node.orelse, env, where)
    if isinstance(node, ast.BoolOp):
        return [t for v in node.values for t in _render(v, env, where)]
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "strip"
            and not node.args):
        return [t.strip() for t in _render(node.func.value, env, where)]
    if isinstance(node, ast.Name) and isinstance(env.get(node.id), str):
        return [env[node.id]]
    src = ast.unparse(node)
    if src in DYNAMIC:
        _USED.add(src)
        return list(DYNAMIC[src])
    raise AssertionError(f"{where}: a message made at run time ({src}): add it to DYNAMIC with examples")


def _render_or_dynamic(node, env, where):
    try:
        return _render(node, env, where)
    except AssertionError:
        return None


def _messages_of(modname: str, only: set | None) -> dict[str, str]:
    """{message: where} for every message the module can send."""
    mod = importlib.import_module(modname)
    path = pathlib.Path(mod.__file__)
    tree = ast.parse(path.read_text())
    env = vars(mod)
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    roots = [f for f in functions if f.name in only] if only else [tree]
    skipped = {id(n) for f in functions if (modname, f.name) in NOT_ON_A_PAGE for n in ast.walk(f)}
    found: dict[str, str] = {}

    def add(node, line):
        where = f"{path.relative_to(ROOT)}:{line}"
        for text in _render(node, env, where):
            if text and text not in INTERNAL:
                found.setdefault(text, where)

    for root in roots:
        for n in ast.walk(root):
            if id(n) in skipped:
                continue
            if isinstance(n, ast.Call) and isinstance(n.func, (ast.Name, ast.Attribute)):
                fname = n.func.id if isinstance(n.func, ast.Name) else n.func.attr
                raised = fname in _RAISED or (fname == "ValueError" and modname in VALUE_ERRORS)
                if raised and n.args:
                    arg = n.args[0]
                    if isinstance(arg, ast.Dict):
                        for v in arg.values:
                            add(v, n.lineno)
                    else:
                        add(arg, n.lineno)
                elif fname == "_json" and len(n.args) >= 3:     # web/errors.py: the handlers' own messages
                    add(n.args[2], n.lineno)
            elif (isinstance(n, ast.Assign) and isinstance(n.value, ast.DictComp)
                  and any(ast.unparse(t) == "errors" for t in n.targets)):
                add(n.value.value, n.lineno)    # errors = {k: "unknown field" for k in data if ...}
            elif isinstance(n, ast.Assign) and any(
                    isinstance(t, ast.Subscript) and ast.unparse(t.value) in ("errors", "self.errors") for t in n.targets):
                add(n.value, n.lineno)
            elif (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "setdefault"
                  and ast.unparse(n.func.value) == "self.errors"):
                add(n.args[1], n.lineno)
    return found


def reachable_messages() -> dict[str, str]:
    out: dict[str, str] = {}
    for modname, only in MODULES:
        for text, where in _messages_of(modname, only).items():
            out.setdefault(text, where)
    return out


def test_the_collector_finds_the_street_messages():
    """The collector itself: known messages of each kind (a dict literal, an f-string with constants, errors[...],
    a NotFound, a tap's distance) are among those found."""
    found = reachable_messages()
    for text in ("no street layer covers this search; load one first",
                 "between 2 and 100 points along the streets, each [lon, lat]",
                 "the route's duration in minutes, more than 0 and at most 720",
                 "point 7 is 7 m from the nearest walkable street (at most 7 m)",
                 "street layer 7 not found", "the search is closed", "only a dispatcher may do this",
                 "must be one of foot, vehicle", "a JSON body may be at most 7 KiB"):
        assert text in found, (text, sorted(found))
    assert not set(DYNAMIC) - _USED, f"DYNAMIC names what no module sends any more: {set(DYNAMIC) - _USED}"


def _node_server_text(messages: list[str]) -> list[str]:
    node = shutil.which("node")
    if node is None:
        service_unavailable("node (the front end's JS)")
    run = subprocess.run([node, str(HARNESS), str(ROOT)], input=json.dumps(messages), capture_output=True,
                         text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


_CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_street_message_has_a_chinese_text():
    found = reachable_messages()
    messages = sorted(found)
    shown = _node_server_text(messages)
    missing = [f"{found[m]}: {m!r}" for m, zh in zip(messages, shown) if zh == m or not _CJK.search(zh)]
    assert not missing, "no pattern in static/js/lib/server_text.js (or no zh text) for:\n" + "\n".join(missing)
    unfilled = [zh for zh in shown if re.search(r"\{\w+\}", zh)]
    assert not unfilled, unfilled


def test_patterns_name_keys_of_both_languages():
    en, zh = (json.loads((I18N / f).read_text()) for f in ("en.json", "zh-CN.json"))
    src = (ROOT / "static/js/lib/server_text.js").read_text()
    keys = set(re.findall(r'"(srv\.[\w.]*\w)"', src))
    assert keys and not keys - set(en) and not keys - set(zh), sorted(keys - set(en) - set(zh))


#: The reasons GEOS (shapely's explain_validity) gives for a shape that is not valid.
GEOS_REASONS = ["Self-intersection", "Ring Self-intersection", "Hole lies outside shell", "Holes are nested",
                "Interior is disconnected", "Nested shells", "Duplicate Rings", "Too few points in geometry component",
                "Invalid Coordinate", "Ring is not closed", "Repeated Point", "Topology Validation Error"]


def test_why_a_drawn_shape_is_not_valid_reads_in_chinese():
    """The reason and where, as shapely words them for real shapes and for every reason GEOS has: no English left."""
    from shapely import from_wkt
    from shapely.validation import explain_validity
    real = [explain_validity(from_wkt(w)) for w in (
        "POLYGON((0 0, 2 2, 2 0, 0 2, 0 0))", "POLYGON((0 0, 4 0, 4 4, 2 0, 0 4, 0 0))",
        "POLYGON((0 0, 4 0, 4 4, 0 4, 0 0), (5 5, 6 5, 6 6, 5 6, 5 5))",
        "MULTIPOLYGON(((0 0, 4 0, 4 4, 0 4, 0 0)), ((1 1, 2 1, 2 2, 1 2, 1 1)))")]
    messages = [f"geometry is not valid: {why}" for why in real + [f"{r}[116.19 39.77]" for r in GEOS_REASONS]]
    shown = _node_server_text(messages)
    for message, zh in zip(messages, shown):
        assert _CJK.search(zh) and not re.search(r"[A-Za-z]", zh), (message, zh)
    assert "边线自相交" in shown[0] and "位置 1 1" in shown[0]


def test_a_library_s_own_words_about_a_bad_file_stay_out_of_a_chinese_page():
    """What osmium or the JSON parser said about a file that cannot be read is English only: the Chinese page says
    what is wrong in its own words (the English page keeps the detail)."""
    messages = ["the OpenStreetMap file cannot be read (Read failed: bad header in PBF blob)",
                "not JSON (Expecting value: line 1 column 1 (char 0))"]
    for message, zh in zip(messages, _node_server_text(messages)):
        assert _CJK.search(zh) and "Read failed" not in zh and "Expecting" not in zh, (message, zh)


def test_geometry_types_and_a_field_s_option_codes_read_in_chinese():
    """GeoJSON's type names and the option codes a field lists are named as the page names them; a code the page
    has no name for, or a field it does not know, stays as sent."""
    items = ["geometry type must be one of Polygon, MultiPolygon; got 'LineString'",
             ["must be one of: open, suspended, closed (use FOUND to report a find)", "status"],
             ["must be one of foot, vehicle", "mode"],
             ["must be one of: dispatcher, officer", "role"],
             ["must be one of: spoken, no_answer, bogus", "outcome"],
             ["must be one of: a, b", "no_such_field"]]
    shown = _node_server_text(items)
    assert shown[0] == "图形类型必须是以下之一：多边形、多个多边形（收到的是 线）", shown[0]
    assert "进行中" in shown[1] and "已暂停" in shown[1] and "已结束" in shown[1], shown[1]
    assert shown[2] == "必须是以下之一：步行、车辆", shown[2]
    assert shown[3] == "必须是以下之一：调度员、民警", shown[3]
    assert shown[4] == "必须是以下之一：已当面询问、无人应答、bogus", shown[4]
    assert shown[5] == "必须是以下之一：a, b", shown[5]
    geo_types = _node_server_text([f"geometry type must be one of {t}; got {t!r}" for t in (
        "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection",
        "Feature", "FeatureCollection")])
    assert all(_CJK.search(zh) and not re.search(r"[A-Za-z]", zh) for zh in geo_types), geo_types
    # the field a message is about, as the page names it (when it names it; a nested one by its last part)
    assert _node_server_text([{"field": "terrain"}, {"field": "client_id"}, {"field": "subject.sex"},
                              {"field": "__proto__"}]) == ["地形", "client_id", "性别", "__proto__"]
    odd = _node_server_text([["must be one of: clue, sighting", "kind"],
                             ["must be one of: male, female, unknown", "subject.sex"],
                             ["must be one of: patrol, video_review", "role"],
                             ["must be one of: a, b", "constructor"], ["must be one of: a, b", "__proto__"],
                             "geometry type must be one of Polygon, MultiPolygon; got 'Polygon, Point'"])
    assert odd[0] == "必须是以下之一：线索、目击", odd[0]
    assert odd[1] == "必须是以下之一：男、女、不详", odd[1]
    assert odd[2] == "必须是以下之一：巡逻、视频查看", odd[2]
    assert odd[3] == odd[4] == "必须是以下之一：a, b", odd[3:5]
    assert odd[5].endswith("（收到的是 Polygon, Point）"), odd[5]   # what was sent is one value, not a list

