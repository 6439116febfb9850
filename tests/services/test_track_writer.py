"""Group commit of track batches (services/ingest.py) on SQLite and PostgreSQL: each batch of a group keeps its own
event, answer and errors; a failed commit acknowledges nothing; the counted track does not depend on grouping."""
import threading

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from search_coord.adapters.db import make_engine
from search_coord.adapters.models import Event, Segment, TrackPoint
from search_coord.core.errors import Conflict, Forbidden, NotAuthenticated, Unavailable, ValidationError
from search_coord.services import events, field, searches, segment_edits, users
from search_coord.services import tracks as tracks_service
from search_coord.services.ingest import Batch, TrackWriter
from support import LKP, migrated_sqlite, search_payload, square, walk_east



def count(svc, model, **where):
    with svc.reading() as s:
        return s.execute(select(func.count()).select_from(model).filter_by(**where)).scalar()


def answers(group):
    out = []
    for b in group:
        exc = b.future.exception(0)
        out.append(exc if exc is not None else b.future.result(0))
    return out


def test_each_batch_of_a_group_has_its_own_event_answer_and_errors(svc, people, svc_search):
    sid = svc_search
    off1, off2, outsider = people["off1"], people["off2"], people["outsider"]
    first = field.add_track_batch(svc, off1, sid, {"client_id": "walk-000001", "points": walk_east(0, 5)})
    before = count(svc, Event, search_id=sid)
    group = [Batch(off1, sid, {"client_id": "walk-000002", "points": walk_east(5, 5)}, None),
             Batch(off1, sid, {"client_id": "walk-000001", "points": walk_east(0, 5)}, None),       # a retry
             Batch(off2, sid, {"client_id": "empty-00001", "points": []}, None),               # malformed
             Batch(outsider, sid, {"client_id": "other-00001", "points": walk_east(0, 3)}, None),   # not on the search
             Batch(off2, sid, {"client_id": "walk2-00001", "points": walk_east(0, 4, lon0=LKP[0] - 0.001)}, None),
             Batch(off2, sid, {"client_id": "walk2-00001", "points": walk_east(0, 4, lon0=LKP[0] - 0.001)}, None)]
    TrackWriter(svc).write(group)
    got = answers(group)
    assert got[0]["accepted"] == 5 and not got[0]["duplicate"]
    assert got[1] == {**first, "duplicate": True}
    assert isinstance(got[2], ValidationError) and "points" in got[2].errors
    assert isinstance(got[3], Forbidden)
    assert got[4]["accepted"] == 4 and not got[4]["duplicate"]
    assert got[5]["duplicate"] and got[5]["seq"] == got[4]["seq"]      # the same id twice in one group: stored once
    assert count(svc, Event, search_id=sid) == before + 2
    assert sorted({got[0]["seq"], got[4]["seq"]}) == [before + 1, before + 2]
    assert count(svc, TrackPoint, search_id=sid) == 5 + 5 + 4
    published = [e for _, e in svc.publisher.events if e["type"] == "track.points"]
    assert [e["seq"] for e in published][-2:] == [got[0]["seq"], got[4]["seq"]]   # only what was stored, in order


def test_a_failed_commit_acknowledges_nothing_and_the_retry_is_stored_once(svc, people, svc_search, monkeypatch):
    sid = svc_search
    before = count(svc, Event, search_id=sid)
    make = svc.write

    def failing():
        s = make()

        def commit():
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))
        s.commit = commit
        return s
    monkeypatch.setattr(svc, "write", failing)
    group = [Batch(people["off1"], sid, {"client_id": f"lost-{i:06d}", "points": walk_east(i * 3, 3)}, None)
             for i in range(3)]
    TrackWriter(svc).write(group)
    assert all(isinstance(a, Unavailable) for a in answers(group))
    monkeypatch.setattr(svc, "write", make)
    assert count(svc, Event, search_id=sid) == before and count(svc, TrackPoint, search_id=sid) == 0
    again = field.add_track_batch(svc, people["off1"], sid, {"client_id": "lost-000000", "points": walk_east(0, 3)})
    assert again["accepted"] == 3 and not again["duplicate"]


def test_a_closed_search_and_an_ended_session_are_refused_per_batch(svc, people, svc_search):
    sid = svc_search
    off1 = people["off1"]
    assert users.session_user(svc, off1.user_id, 0) is not None   # a fresh account's sessions are version 0
    group = [Batch(off1, sid, {"client_id": "sess-000001", "points": walk_east(0, 3)}, 0),
             Batch(off1, sid, {"client_id": "sess-000002", "points": walk_east(3, 3)}, 7)]   # an older session
    TrackWriter(svc).write(group)
    got = answers(group)
    assert got[0]["accepted"] == 3 and isinstance(got[1], NotAuthenticated)
    searches.change_status(svc, people["disp"], sid, "closed", "found at home")
    group = [Batch(off1, sid, {"client_id": "late-000001", "points": walk_east(6, 3)}, None)]
    TrackWriter(svc).write(group)
    assert isinstance(answers(group)[0], Conflict)


def test_coverage_does_not_depend_on_how_batches_are_grouped(svc, people):
    """The same walk sent in order one batch at a time, and in one group in reverse order (each later batch recounts
    what the earlier ones of the same uncommitted transaction stored): the same fixes, keys and coverage."""
    results = []
    for how in ("inline", "grouped reversed"):
        sid = searches.open_search(svc, people["disp"], search_payload())["id"]
        searches.add_member(svc, people["disp"], sid, people["off1"].user_id)
        seg = segment_edits.add_segment(svc, people["disp"], sid, {"geometry": square(d=0.003), "name": "S1"})
        batches = [{"client_id": f"order-{k:06d}", "points": walk_east(10 * k, 10)} for k in range(6)]
        if how == "inline":
            for b in batches:
                field.add_track_batch(svc, people["off1"], sid, b)
        else:
            group = [Batch(people["off1"], sid, b, None) for b in reversed(batches)]
            TrackWriter(svc).write(group)
            assert all(isinstance(a, dict) for a in answers(group))
        with svc.reading() as s:
            cov = s.execute(select(Segment.coverage).where(Segment.id == seg["id"])).scalar()
            pieces = s.execute(select(TrackPoint.t, TrackPoint.piece, TrackPoint.vertex)
                               .where(TrackPoint.search_id == sid).order_by(TrackPoint.t)).all()
        results.append((round(cov, 9), [tuple(p) for p in pieces]))
    assert results[0][0] > 0
    assert results[0] == results[1]


def test_batches_from_many_threads_are_each_answered(svc, people, svc_search):
    sid = svc_search
    writer = TrackWriter(svc)
    got, errors = {}, []

    def send(i):
        actor = people["off1"] if i % 2 else people["off2"]
        try:
            got[i] = writer.submit(actor, sid, {"client_id": f"thr-{i:06d}", "device": f"d{i}",
                                                "points": walk_east(0, 3, lon0=LKP[0] + 1e-4 * i)})
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
    threads = [threading.Thread(target=send, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(got) == 24
    assert len({r["seq"] for r in got.values()}) == 24 and all(r["accepted"] == 3 for r in got.values())
    assert writer.batches == 24 and 1 <= writer.groups <= 24


def test_a_batch_that_fails_while_writing_fails_alone(svc, people, svc_search, monkeypatch):
    """A failure after a batch began writing rolls the group back; the group is written again with a savepoint a
    batch, so only that batch is refused and the others are stored once, with their events in order."""
    sid = svc_search
    real = tracks_service.write_planned

    def broken(session, plans, seqs):
        if any(row["device"] == "broken" for plan in plans for row in plan.rows):
            raise RuntimeError("a bug in one batch")
        return real(session, plans, seqs)
    monkeypatch.setattr(tracks_service, "write_planned", broken)
    before = count(svc, Event, search_id=sid)
    group = [Batch(people["off1"], sid, {"client_id": "fine-000001", "points": walk_east(0, 3)}, None),
             Batch(people["off2"], sid, {"client_id": "bug-0000001", "device": "broken", "points": walk_east(0, 3)}, None),
             Batch(people["off2"], sid, {"client_id": "fine-000002", "points": walk_east(3, 3)}, None)]
    writer = TrackWriter(svc)
    writer.write(group)
    got = answers(group)
    assert got[0]["accepted"] == 3 and got[2]["accepted"] == 3
    assert isinstance(got[1], RuntimeError)
    assert count(svc, Event, search_id=sid) == before + 2 and count(svc, TrackPoint, search_id=sid) == 6
    assert [got[0]["seq"], got[2]["seq"]] == [before + 1, before + 2]
    assert writer.groups == 1 and writer.batches == 3


def test_a_batch_planned_before_another_of_its_device_was_stored_is_planned_again(svc, people, svc_search):
    """A batch's track is read before the search's sequence numbers are taken; when another transaction (another
    process) stores the same device's fixes in between, the batch is planned again from the track as stored: one walk
    sent as two batches stays one piece, whichever transaction read first."""
    sid, off1 = svc_search, people["off1"]
    first = {"client_id": "stale-000001", "points": walk_east(0, 10)}
    second = {"client_id": "stale-000002", "points": walk_east(10, 10)}
    with svc.transaction() as s:
        prepared = field.prepare_track_batch(s, off1, sid, second, svc.now())   # read before the first is stored
    field.add_track_batch(svc, off1, sid, first)
    with svc.transaction() as s:
        seq = events.take_seqs(s, sid, 1)
        field.apply_track_batches(s, [(off1, sid, prepared, seq)], svc.now())
    with svc.reading() as s:
        pieces = s.execute(select(TrackPoint.piece).where(TrackPoint.search_id == sid)
                           .order_by(TrackPoint.t)).scalars().all()
    assert len(pieces) == 20 and len(set(pieces)) == 1


def test_the_last_vertex_of_a_piece_is_found_on_the_vertices_index(tmp_path):
    """However long an officer has stood still (fixes but no new vertex), a batch finds the last vertex of its piece
    on ix_track_points_vertices (migration 0017), not by reading back over every fix since. (The plan is SQLite's
    EXPLAIN QUERY PLAN; PostgreSQL's planner picks by the table's statistics.)"""
    migrated_sqlite(tmp_path / "plan.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    plans = {}
    with engine.connect() as conn:   # the batch's reads (the state with its checks), and the state alone (a re-plan)
        for name, statement in (("first reads", field._READS_WITH_SEARCH.statement),
                                ("reads", field._READS.statement), ("state", tracks_service.DEVICE_STATE)):
            sql = str(statement.params(sid=1, uid=2, dev="phone", cid="x")
                      .compile(conn, compile_kwargs={"literal_binds": True}))
            plans[name] = " ".join(str(r) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    engine.dispose()
    for name, plan in plans.items():
        assert "USING INDEX ix_track_points_vertices (search_id=? AND user_id=? AND device=? AND piece=?)" in plan, name
