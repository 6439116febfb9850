"""The Socket.IO server's hot-path settings: a message is handled on its own connection's reader thread (no thread
per message), so a slow message holds up only its sender; a socket batch waits for its commit well under the ping
timeout; outgoing packets are JSON without a search for binary data."""
import threading
import time

import socketio as sio
from socketio import packet
from werkzeug.serving import make_server

from procs import HttpUser, free_port
from support import PASSWORD

from search_coord.extensions import socketio
from search_coord.services import field
from search_coord.services.ingest import TrackWriter
from search_coord.sockets.packet import JsonPacket
from test_track_socket import connect, fixes, track


def served(app):
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{port}"


def client(url, user, events=None):
    c = sio.Client(reconnection=False)
    if events is not None:
        c.on("event", events.append, namespace="/live")
    c.connect(url, headers={"Cookie": user.cookie_header()}, namespaces=["/live"], transports=["websocket"])
    return c


def test_a_slow_message_holds_up_only_its_own_connection(app, opened, monkeypatch):
    sid, _ = opened
    release, started = threading.Event(), threading.Event()
    store = field.add_track_batch

    def slow_for_one(svc, actor, search_id, data, **kw):
        if data["client_id"] == "slow-batch-1":
            started.set()
            assert release.wait(10)
        return store(svc, actor, search_id, data, **kw)

    monkeypatch.setattr(field, "add_track_batch", slow_for_one)
    server, url = served(app)
    try:
        events = []
        console = client(url, HttpUser(url, "disp", PASSWORD), events)
        assert console.call("join", {"search_id": sid, "after": 0}, namespace="/live", timeout=5)["ok"]
        off1 = HttpUser(url, "off1", PASSWORD)
        slow, fast = client(url, off1), client(url, off1)
        answers = []
        slow.emit("track", {"search_id": sid, "client_id": "slow-batch-1", "points": fixes(0, 2)}, namespace="/live",
                  callback=lambda a: answers.append(("track", a)))
        assert started.wait(5)
        slow.emit("leave", {"search_id": 999}, namespace="/live", callback=lambda a: answers.append(("leave", a)))
        for i in range(3):   # another connection is answered (and the console sees the events) meanwhile
            ack = fast.call("track", {"search_id": sid, "client_id": f"fast-batch-{i}", "points": fixes(10 + 2 * i, 2)},
                            namespace="/live", timeout=5)
            assert ack["ok"] and ack["accepted"] == 2
        deadline = time.monotonic() + 5
        while len(events) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [e["client_id"] for e in events if e["type"] == "track.points"] == [f"fast-batch-{i}" for i in range(3)]
        assert answers == []   # the slow connection's next message waits behind its first, in order
        release.set()
        deadline = time.monotonic() + 5
        while len(answers) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [name for name, _ in answers] == ["track", "leave"] and answers[0][1]["ok"]
        assert slow.connected and fast.connected and console.connected
        closing = [threading.Thread(target=c.disconnect) for c in (console, slow, fast)]   # ~3 s each: at once
        for t in closing:
            t.start()
        for t in closing:
            t.join(10)
    finally:
        release.set()
        server.shutdown()


def test_a_socket_batch_waits_for_its_commit_at_most_half_the_ping_timeout(app, login, opened, monkeypatch):
    sid, _ = opened
    svc = app.extensions["search_coord"]
    stalled = TrackWriter(svc)                       # a group is being written, and the writer never answers
    monkeypatch.setattr(stalled, "_writing", 1)
    monkeypatch.setattr(stalled, "_ensure_thread", lambda: None)
    monkeypatch.setattr(svc, "track_writer", stalled)
    monkeypatch.setattr(socketio.server.eio, "ping_timeout", 2)
    phone = connect(app, login("off1"))
    t0 = time.monotonic()
    ack = track(phone, sid, "sock-wait-1", fixes(0, 2))
    waited = time.monotonic() - t0
    assert ack["ok"] is False and ack["error"] == "unavailable" and ack["status"] == 503
    assert 0.9 < waited < 1.9


def test_the_server_sends_json_packets_without_searching_them_for_binary(app, monkeypatch):
    assert socketio.server.packet_class is JsonPacket and socketio.server.async_handlers is False
    searched = []
    monkeypatch.setattr(packet.Packet, "data_is_binary", classmethod(lambda cls, data: searched.append(data)))
    data = ["event", {"seq": 7, "payload": {"points": [[116.1, 39.7, 1.0, 5, 0]]}, "note": "文字"}]
    sent = JsonPacket(packet.EVENT, namespace="/live", data=data)
    assert searched == [] and sent.packet_type == packet.EVENT
    assert sent.encode() == packet.Packet(packet.EVENT, namespace="/live", data=data, binary=False).encode()
    assert packet.Packet(encoded_packet=sent.encode()).data == data
