"""Socket messages with junk get a clear {"ok": false, "error"} answer, never a handler failure: a ``join`` with no
payload or a non-dict one, huge or odd numbers, lone surrogates; generated junk at every message the namespace has."""
import logging

from hypothesis import HealthCheck, given, settings, strategies as st

from search_coord.extensions import socketio
from search_coord.sockets import LiveNamespace

BIG = 2**64


def connect(app, api_client):
    return socketio.test_client(app, namespace="/live", flask_test_client=api_client.client)


def _failures(sock, caplog):
    """Error events the server sent and handler failures it logged."""
    errors = [m for m in sock.get_received("/live") if m["name"] == "error"]
    return errors + [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_join_without_a_payload_or_with_a_bad_one(app, login, opened, caplog):
    sid, _ = opened
    sock = connect(app, login("off1"))
    ack = sock.emit("join", namespace="/live", callback=True)
    assert ack["ok"] is False and ack["error"] == "invalid"
    for bad in ("x", 7, [sid], None, True, {"search_id": BIG}, {"search_id": -BIG}, {"search_id": "١٢٣"},
                {"search_id": 0}, {"search_id": sid, "after": BIG}, {"search_id": sid, "after": "²"},
                {"search_id": sid, "after": -1}, {"search_id": sid, "after": 1.5}, {"search_id": "\ud800"}):
        ack = sock.emit("join", bad, namespace="/live", callback=True)
        assert ack["ok"] is False and ack["error"] == "invalid", (bad, ack)
    assert sock.emit("leave", namespace="/live", callback=True) == {"ok": True}
    assert sock.emit("leave", {"search_id": BIG}, namespace="/live", callback=True) == {"ok": True}
    assert sock.emit("join", {"search_id": sid, "after": 0}, namespace="/live", callback=True)["ok"] is True
    assert _failures(sock, caplog) == []


junk = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.sampled_from([BIG, -BIG, 2**53])
                    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=10)
                    | st.sampled_from(["١٢٣", "²", "\ud800", "view", "field"]),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(["search_id", "after", "view"]) | st.text(max_size=4), inner,
                                      max_size=4), max_leaves=8)
MESSAGES = sorted(name[3:] for name in dir(LiveNamespace) if name.startswith("on_")
                  and name not in ("on_connect", "on_disconnect")) + ["nonsense"]


def test_generated_junk_at_every_socket_message(app, login, opened, caplog):
    sid, _ = opened
    assert {"join", "leave"} <= set(MESSAGES)
    off1 = login("off1")
    for message in MESSAGES:
        @settings(max_examples=25, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(payload=junk)
        def fire(payload):
            each = connect(app, off1)   # a connection of its own: a fresh rate-limit bucket
            ack = each.emit(message, payload, namespace="/live", callback=True)
            if message == "nonsense":   # no such message: no handler, an empty answer
                assert ack in (None, []), ack
            else:
                assert isinstance(ack, dict) and ack.get("ok") in (True, False), (message, payload, ack)
                assert ack.get("error") != "rate_limited"
            assert _failures(each, caplog) == [], (message, payload)
            each.disconnect(namespace="/live")

        fire()
    sock = connect(app, off1)
    assert sock.emit("join", {"search_id": sid, "after": 0}, namespace="/live", callback=True)["ok"] is True
