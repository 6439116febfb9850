"""The event catalogue: one entry per event type, every type the services record is in it and every entry is
recorded somewhere (found by reading the service modules' source: string literals passed to events.begin/record)."""
import ast
import pathlib

import pytest

from search_coord.core import catalogue
from search_coord.core.catalogue import (CATALOGUE, EventPayloadError, EventType, UnknownEventType, check_payload,
                                         event_type)

SERVICES = pathlib.Path(__file__).resolve().parents[2] / "search_coord" / "services"
#: The functions of services/events.py that take an event type, and where: (position, keyword).
TYPED = {"begin": (2, "type_"), "record": (2, "type_"), "replayed": (None, "type_"),
         "event_by_client_id": (4, "type_")}


def _arg(call: ast.Call, pos, kw):
    for k in call.keywords:
        if k.arg == kw:
            return k.value
    if pos is not None and len(call.args) > pos:
        return call.args[pos]
    return None


def _called_name(call: ast.Call) -> str | None:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def _event_calls(tree):
    """(call, position, keyword) for every call of events.<begin|record|replayed|event_by_client_id>."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in TYPED \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "events":
            yield node, *TYPED[node.func.attr]


def _enclosing_functions(tree):
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    return parents


def recorded_types() -> tuple[dict[str, list[str]], list[str]]:
    """{type: [where]} of every event type the service modules pass to the event log, and what could not be read.

    A type passed through a parameter of a helper (``begin_report(..., "video.reviewed")``) is followed to the
    helper's callers, in any service module."""
    modules = []
    for path in sorted(SERVICES.rglob("*.py")):
        if path.name != "events.py":
            tree = ast.parse(path.read_text(encoding="utf-8"))
            modules.append((str(path.relative_to(SERVICES.parent)), tree, _enclosing_functions(tree)))
    calls_of: dict[str, list[tuple[str, ast.Call]]] = {}
    for name, tree, _ in modules:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called_name(node):
                calls_of.setdefault(_called_name(node), []).append((name, node))
    found: dict[str, list[str]] = {}
    unreadable: list[str] = []
    todo = [(name, parents, c, pos, kw) for name, tree, parents in modules for c, pos, kw in _event_calls(tree)]
    parents_of = {name: parents for name, _, parents in modules}
    seen = set()
    while todo:
        name, parents, call, pos, kw = todo.pop()
        value = _arg(call, pos, kw)
        where = f"{name}:{call.lineno}"
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            found.setdefault(value.value, []).append(where)
            continue
        fn = parents.get(call)
        while fn is not None and not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            fn = parents.get(fn)
        params = [a.arg for a in fn.args.args] if fn is not None else []
        if not isinstance(value, ast.Name) or value.id not in params:
            unreadable.append(where)
            continue
        if (name, fn.name, value.id) in seen:
            continue
        seen.add((name, fn.name, value.id))
        callers = calls_of.get(fn.name, [])
        if not callers:
            unreadable.append(where)
        todo += [(m, parents_of[m], c, params.index(value.id), value.id) for m, c in callers]
    return found, unreadable


def test_every_type_the_services_record_is_in_the_catalogue_and_every_entry_is_recorded():
    found, unreadable = recorded_types()
    assert not unreadable, f"event types that are not string literals (or a helper's parameter): {unreadable}"
    unknown = {name: where for name, where in found.items() if name not in CATALOGUE}
    assert not unknown, f"recorded but not in core/catalogue.py: {unknown}"
    unused = sorted(set(CATALOGUE) - set(found))
    assert not unused, f"in core/catalogue.py but never recorded by a service: {unused}"
    assert len(CATALOGUE) >= 29


def test_the_scan_follows_a_type_passed_through_a_helper():
    found, _ = recorded_types()
    assert "video.reviewed" in found and "video.sighting_logged" in found   # via the reviewer's report helper
    assert "search.found" in found and "broadcast.sent" in found


def test_lookup_and_a_clear_error_for_an_unknown_name():
    assert event_type("track.points").audience == catalogue.FIELD_COALESCED
    assert event_type("track.points").timeline is False
    assert event_type("broadcast.sent").audience == catalogue.SEARCH_ROOM
    with pytest.raises(UnknownEventType, match=r"unknown event type 'track.pointz'.*track.points"):
        event_type("track.pointz")
    with pytest.raises(UnknownEventType):
        event_type(None)


@pytest.mark.parametrize("payload, problem", [
    ({"area_id": 1}, "missing reason"),
    ({"area_id": 1, "reason": "x", "extra": 2}, "undeclared extra"),
    ([1, 2], "must be a dict"),
])
def test_a_payload_must_have_exactly_the_declared_fields(payload, problem):
    with pytest.raises(EventPayloadError, match=problem):
        check_payload("area.retracted", payload)


def test_optional_fields_may_be_left_out_or_given():
    check_payload("search.updated", {"changes": {}, "search": {}})
    check_payload("search.updated", {"changes": {}, "search": {}, "previous": {}, "version_checked": True})


def test_entries_are_frozen_values_and_the_json_for_the_pages_has_every_one():
    entry = event_type("member.removed")
    with pytest.raises(AttributeError):
        entry.name = "x"
    with pytest.raises(TypeError):
        entry.payload["x"] = "y"
    with pytest.raises(ValueError):
        EventType("x.y", "bad audience", {}, audience="everyone")
    data = catalogue.as_json()
    assert list(data) == list(CATALOGUE)
    assert data["member.removed"] == {"summary": entry.summary, "payload": {"user_id": "int"}, "optional": {},
                                      "audience": "search", "timeline": True}
    for name, item in data.items():
        assert name.count(".") == 1 and item["summary"] and item["audience"] in catalogue.AUDIENCES
