"""What a group of phones' batches pays once (services/ingest.py): the search's sequence numbers taken by one UPDATE
for the whole group, the street layer looked up once per transaction; the answers, events and their order as if
each batch had been written alone."""
from datetime import timedelta

import pytest
from sqlalchemy import event

from search_coord.services import searches
from search_coord.services.ingest import Batch, TrackWriter
from support import LKP, T0, search_payload


def walk(n0, n, lon0=LKP[0]):
    t0 = T0 + timedelta(minutes=5)
    return [{"t": (t0 + timedelta(seconds=2 * i)).isoformat(), "lon": lon0 + 3.5e-5 * i, "lat": LKP[1], "acc": 5}
            for i in range(n0, n0 + n)]


@pytest.fixture
def opened(svc, people):
    sid = searches.open_search(svc, people["disp"], search_payload())["id"]
    for name in ("off1", "off2"):
        searches.add_member(svc, people["disp"], sid, people[name].user_id)
    return sid


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


def test_a_group_takes_its_sequence_numbers_in_one_update_and_publishes_in_order(svc, people, opened, statements):
    sid = opened
    group = [Batch(people["off1" if i % 2 else "off2"], sid,
                   {"client_id": f"grp-{i:06d}", "device": f"d{i}", "points": walk(0, 3, LKP[0] + 1e-4 * i)}, None)
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


def test_a_devices_second_batch_in_a_group_reads_what_the_first_wrote(svc, people, opened):
    """Two batches of one device in one group (a retry over the other transport, a phone catching up): both stored,
    in order, each with its own event; the same client id twice is stored once."""
    sid = opened
    off1 = people["off1"]
    group = [Batch(off1, sid, {"client_id": "dev-0000001", "points": walk(0, 4)}, None),
             Batch(off1, sid, {"client_id": "dev-0000002", "points": walk(4, 4)}, None),
             Batch(off1, sid, {"client_id": "dev-0000001", "points": walk(0, 4)}, None)]
    TrackWriter(svc).write(group)
    got = answers(group)
    assert [a["accepted"] for a in got] == [4, 4, 4]
    assert [a["duplicate"] for a in got] == [False, False, True]
    assert got[1]["seq"] == got[0]["seq"] + 1 and got[2]["seq"] == got[0]["seq"]


def test_the_street_layer_is_looked_up_once_per_group(svc, people, opened, statements):
    sid = opened
    group = [Batch(people["off1" if i % 2 else "off2"], sid,
                   {"client_id": f"st-{i:07d}", "device": f"s{i}", "points": walk(0, 3, LKP[0] + 1e-4 * i)}, None)
             for i in range(5)]
    statements.clear()
    TrackWriter(svc).write(group)
    assert all(isinstance(a, dict) for a in answers(group))
    assert sum("from street_layers" in s for s in statements) == 1
