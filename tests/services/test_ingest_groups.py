"""What a group of phones' batches pays once (services/ingest.py): the search's sequence numbers taken by one UPDATE
for the whole group, the street layer looked up once per transaction; the answers, events and their order as if
each batch had been written alone."""

import pytest
from sqlalchemy import event

from search_coord.services.ingest import Batch, TrackWriter
from support import LKP, walk_east


@pytest.fixture
def statements(svc):
    seen: list[str] = []

    def note(conn, cursor, statement, params, context, executemany):
        seen.append(" ".join(statement.split()).lower())
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
    assert sum("from street_layers" in s for s in statements) == 1
