"""What a group of phones' batches pays once (services/ingest.py): the search's sequence numbers taken by one UPDATE
for the whole group, the street layer looked up once per transaction; the answers, events and their order as if
each batch had been written alone."""
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from search_coord.adapters.models import DeviceClock, Segment
from search_coord.adapters.precompiled import Precompiled
from search_coord.core.errors import NotFound
from search_coord.services import field, searches, segment_edits
from search_coord.services.ingest import Batch, TrackWriter
from support import LKP, T0, search_payload, square, walk_east


@pytest.fixture
def statements(svc, monkeypatch):
    """Every statement sent to the database, lower case on one line: through SQLAlchemy, and the batch's own
    statements run on the driver (``adapters.precompiled``: one entry an executemany, as SQLAlchemy's event)."""
    seen: list[str] = []

    def note(conn, cursor, statement, params, context, executemany):
        seen.append(" ".join(statement.split()).lower())
    rows, run_many = Precompiled.rows, Precompiled.run_many

    def sql(self, where):   # where: a session or a connection
        return self.compiled(where.get_bind().dialect if isinstance(where, Session) else where.dialect).sql

    def noted_rows(self, where, params):
        note(None, None, sql(self, where), params, None, False)
        return rows(self, where, params)

    def noted_many(self, where, many):
        if many:
            note(None, None, sql(self, where), many, None, True)
        return run_many(self, where, many)
    monkeypatch.setattr(Precompiled, "rows", noted_rows)
    monkeypatch.setattr(Precompiled, "run_many", noted_many)
    event.listen(svc.engine, "before_cursor_execute", note)
    yield seen
    event.remove(svc.engine, "before_cursor_execute", note)


def answers(group):
    return [b.future.exception(0) or b.future.result(0) for b in group]


def test_a_group_takes_its_sequence_numbers_in_one_update_and_publishes_in_order(svc, people, svc_search, statements):
    sid = svc_search
    group = [Batch(people["off1" if i % 2 else "off2"], sid,
                   {"client_id": f"grp-{i:06d}", "device": f"d{i}", "points": walk_east(0, 3, LKP[0] + 1e-4 * i)}, None)
             for i in range(6)]
    before = len(svc.publisher.events)
    statements.clear()
    TrackWriter(svc).write(group)
    got = answers(group)
    assert all(isinstance(a, dict) and a["accepted"] == 3 for a in got), got
    seqs = [a["seq"] for a in got]
    assert seqs == list(range(seqs[0], seqs[0] + 6))           # in the group's order, no gaps
    assert sum(s.startswith("update searches set last_seq") for s in statements) == 1
    published = [e["seq"] for _, e in svc.publisher.events[before:]]
    assert published == seqs


def test_a_devices_second_batch_in_a_group_reads_what_the_first_wrote(svc, people, svc_search):
    """Two batches of one device in one group (a retry over the other transport, a phone catching up): both stored,
    in order, each with its own event; the same client id twice is stored once."""
    sid = svc_search
    off1 = people["off1"]
    group = [Batch(off1, sid, {"client_id": "dev-0000001", "points": walk_east(0, 4)}, None),
             Batch(off1, sid, {"client_id": "dev-0000002", "points": walk_east(4, 4)}, None),
             Batch(off1, sid, {"client_id": "dev-0000001", "points": walk_east(0, 4)}, None)]
    TrackWriter(svc).write(group)
    got = answers(group)
    assert [a["accepted"] for a in got] == [4, 4, 4]
    assert [a["duplicate"] for a in got] == [False, False, True]
    assert got[1]["seq"] == got[0]["seq"] + 1 and got[2]["seq"] == got[0]["seq"]


def test_the_street_layer_is_looked_up_once_per_group(svc, people, svc_search, statements):
    sid = svc_search
    group = [Batch(people["off1" if i % 2 else "off2"], sid,
                   {"client_id": f"st-{i:07d}", "device": f"s{i}", "points": walk_east(0, 3, LKP[0] + 1e-4 * i)}, None)
             for i in range(5)]
    statements.clear()
    TrackWriter(svc).write(group)
    assert all(isinstance(a, dict) for a in answers(group))
    layer_reads = [s for s in statements if "from street_layers" in s]
    assert len(layer_reads) == 1
    assert "from memberships" in layer_reads[0]   # with the first batch's checks and search: no statement of its own


def test_a_group_writes_every_fix_in_one_insert_and_every_event_in_another(svc, people, svc_search, statements):
    sid = svc_search
    group = [Batch(people["off1" if i % 2 else "off2"], sid,
                   {"client_id": f"one-{i:06d}", "device": f"o{i}", "points": walk_east(0, 3, LKP[0] + 1e-4 * i)}, None)
             for i in range(6)]
    statements.clear()
    TrackWriter(svc).write(group)
    assert all(isinstance(a, dict) and a["accepted"] == 3 for a in answers(group))
    assert sum(s.startswith("insert into track_points") for s in statements) == 1
    assert sum(s.startswith("insert into events") for s in statements) == 1
    assert sum(s.startswith("update segments") for s in statements) <= 1   # one increment a segment, not a batch
    assert not any("events.seq <=" in s for s in statements)   # nothing committed meanwhile: no look for it


def _segment_walks(svc, people, tag: str):
    """A search with one segment over the walks of four devices (two per officer); the segment's id and batches."""
    sid = searches.open_search(svc, people["disp"], search_payload())["id"]
    for name in ("off1", "off2"):
        searches.add_member(svc, people["disp"], sid, people[name].user_id)
    seg = segment_edits.add_segment(svc, people["disp"], sid, {"geometry": square(d=0.003), "name": "S1"})
    batches = [(people["off1" if i % 2 else "off2"],
                {"client_id": f"{tag}-{i:06d}", "device": f"w{i}", "points": walk_east(0, 12, LKP[0] + 2e-4 * i)})
               for i in range(4)]
    return sid, seg["id"], batches


def test_a_groups_coverage_figures_are_those_of_its_batches_written_one_after_the_other(svc, people):
    """The group raises the segment's coverage once by what all its batches add; each batch's event still gives the
    segment's coverage after that batch, as if written alone in sequence order, and the last one is what is stored."""
    sid, seg_id, batches = _segment_walks(svc, people, "alone")
    alone = [field.add_track_batch(svc, actor, sid, data) for actor, data in batches]
    sid2, seg2, batches2 = _segment_walks(svc, people, "group")
    group = [Batch(actor, sid2, data, None) for actor, data in batches2]
    before = len(svc.publisher.events)
    TrackWriter(svc).write(group)
    assert all(isinstance(a, dict) for a in answers(group))
    figures = {}
    for search_id, seg, published in ((sid, seg_id, None), (sid2, seg2, svc.publisher.events[before:])):
        with svc.reading() as s:
            stored = s.execute(select(Segment.coverage).where(Segment.id == seg)).scalar()
        if published is None:
            published = [(i, e) for i, e in svc.publisher.events if i == search_id and e["type"] == "track.points"]
        figures[search_id] = ([e["payload"]["coverage"][str(seg)] for _, e in published], stored)
    (one_by_one, stored_alone), (grouped, stored_grouped) = figures[sid], figures[sid2]
    assert len(grouped) == 4 and one_by_one == sorted(one_by_one) and one_by_one[0] > 0
    assert grouped == pytest.approx(one_by_one, rel=1e-12)
    assert grouped[-1] == stored_grouped and stored_grouped == pytest.approx(stored_alone, rel=1e-12)
    assert [a["seq"] for a in alone] == sorted(a["seq"] for a in alone)


def test_the_search_is_read_with_the_first_batchs_checks(svc, people, svc_search, statements):
    """No statement of its own for the search row: the first batch of a transaction reads it with its checks, the
    others use that read; a search that does not exist is still refused."""
    sid = svc_search
    group = [Batch(people["off1" if i % 2 else "off2"], sid,
                   {"client_id": f"sr-{i:07d}", "device": f"r{i}", "points": walk_east(0, 3, LKP[0] + 1e-4 * i)}, None)
             for i in range(3)] + [Batch(people["off1"], sid + 1000, {"client_id": "sr-nosearch", "points": walk_east(0, 3)},
                                         None)]
    statements.clear()
    TrackWriter(svc).write(group)
    got = answers(group)
    assert all(isinstance(a, dict) and a["accepted"] == 3 for a in got[:3]), got
    assert isinstance(got[3], NotFound)
    assert not any(s.startswith("select searches.") for s in statements)
    assert sum(" join searches on " in s for s in statements) == 2   # the first batch, and the other search's


def test_a_clock_first_measured_in_a_group_is_stored_once(svc, people, svc_search):
    """Two batches of one phone whose clock is 2 minutes fast, in one group, its offset not stored before: the
    second pass reads the offset the first pass added (the session is flushed before the reads), so both batches
    are stored and there is one clock row; before, the group failed whole on the clocks' unique key."""
    fast = 120
    sent = (svc.now() + timedelta(seconds=fast)).isoformat()
    off1 = replace(people["off1"], name="Off1")   # a named actor: nothing else of the batch flushes the session
    group = [Batch(off1, svc_search, {"client_id": f"clk-000000{i}", "device": "p1", "sent_at": sent,
                                      "points": walk_east(3 * i, 3, t0=T0 + timedelta(minutes=5, seconds=fast))},
                   None) for i in range(2)]
    TrackWriter(svc).write(group)
    got = answers(group)
    assert all(isinstance(a, dict) and a["accepted"] == 3 for a in got), got
    assert got[0]["clock_offset_s"] == pytest.approx(fast, abs=1)
    with svc.reading() as s:
        clocks = s.execute(select(DeviceClock.device, DeviceClock.offset_s)).all()
    assert [c.device for c in clocks] == ["p1"] and clocks[0].offset_s == pytest.approx(fast, abs=1)
