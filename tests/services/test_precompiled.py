"""adapters.db.Precompiled: a batch's reads run as text compiled once per dialect give exactly the rows the Core
statement gives (values and their Python types: JSON, dates, booleans), on SQLite and PostgreSQL; and looking up the
compiled form no longer walks the statement's whole structure."""
from datetime import datetime

from search_coord.adapters.db import Precompiled
from search_coord.services import field
from support import walk_east


def rows_both_ways(svc, precompiled, params):
    with svc.reading() as s:
        dialect = s.get_bind().dialect
        core = [tuple(r) for r in s.execute(precompiled.statement, params).all()]
        text = [tuple(r) for r in s.execute(precompiled.on(dialect), params).all()]
        keys = list(s.execute(precompiled.on(dialect), params).keys())
    return core, text, keys


def test_the_batch_reads_match_the_core_statement(svc, people, svc_search):
    sid, off1 = svc_search, people["off1"]
    field.add_track_batch(svc, off1, sid, {"client_id": "pre-000001", "points": walk_east(0, 6), "device": "p1"})
    for device, cid in (("p1", "pre-000001"), ("p1", "never-sent"), ("other", "x")):   # stored track, none, new
        params = {"sid": sid, "uid": off1.user_id, "dev": device, "cid": cid}
        for reads in (field._READS_WITH_SEARCH, field._READS):
            core, text, keys = rows_both_ways(svc, reads, params)
            assert core and text == core, (device, cid)
            assert [type(v) for v in text[0]] == [type(v) for v in core[0]]
            assert keys == [c.name for c in reads.statement.selected_columns]
    core, _, keys = rows_both_ways(svc, field._READS_WITH_SEARCH, {"sid": sid, "uid": off1.user_id, "dev": "p1",
                                                                   "cid": "pre-000001"})
    rows = [dict(zip(keys, r)) for r in core]
    head = [r for r in rows if r["t_kind"] is None]
    state = [r for r in rows if r["t_kind"] is not None]
    assert len(head) == 1 and sorted(r["t_kind"] for r in state) == [0, 1, 2]
    row = head[0]
    assert isinstance(row["s_lkp"], dict) and isinstance(row["s_opened_at"], datetime)   # converted, not text
    assert row["active"] is True and row["sent"] is not None
    assert all(r["s_lkp"] is None and r["member"] is None for r in state)   # the search is not repeated
    assert all(isinstance(r["t_at"], datetime) for r in state)


def test_a_missing_search_reads_as_nothing_both_ways(svc, people):
    params = {"sid": 987654, "uid": people["off1"].user_id, "dev": "p1", "cid": "x"}
    core, text, _ = rows_both_ways(svc, field._READS_WITH_SEARCH, params)
    assert text == core and len(text) == 1


def test_its_cache_key_is_small(svc):
    with svc.reading() as s:
        dialect = s.get_bind().dialect
    big = len(str(field._READS_WITH_SEARCH.statement._generate_cache_key().key))
    small = len(str(field._READS_WITH_SEARCH.on(dialect)._generate_cache_key().key))
    assert small * 5 < big, (small, big)
    assert field._READS_WITH_SEARCH.on(dialect) is field._READS_WITH_SEARCH.on(dialect)   # compiled once


def test_a_statement_with_a_fixed_literal_keeps_it(svc, people, svc_search):
    from sqlalchemy import literal, select
    from search_coord.adapters.models import Event
    ev = Event.__table__
    q = Precompiled(select(ev.c.seq, literal("track.points").label("kind"))
                    .where(ev.c.search_id == field.bindparam("sid"), ev.c.type == "search.opened"))
    with svc.reading() as s:
        got = s.execute(q.on(s.get_bind().dialect), {"sid": svc_search}).all()
    assert [tuple(r)[1] for r in got] == ["track.points"] and len(got) == 1


def test_a_statement_with_an_expanding_list_is_refused_when_compiled(svc):
    import pytest
    from sqlalchemy import select
    from search_coord.adapters.models import Event
    ev = Event.__table__
    q = Precompiled(select(ev.c.seq).where(ev.c.type.in_(field.bindparam("types", expanding=True))))
    with svc.reading() as s:
        with pytest.raises(ValueError, match="expanding"):
            q.on(s.get_bind().dialect)
