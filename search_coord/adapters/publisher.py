"""Publishes committed events to the search's Socket.IO rooms.

Dispatchers (room ``search:<id>``) get every event as it is committed: track points arrive in the phones' own
batches, at most about a second old. Phones (room ``search:<id>:field``) get other units' positions at a lower rate:
track events are coalesced into one ``positions`` message per search every ``field_interval_s`` (the latest fix of
each officer and the sequence numbers it stands for), always sent before the next other event so the order holds.
"""
from __future__ import annotations

import threading

NAMESPACE = "/live"


def room_for(search_id: int) -> str:
    return f"search:{search_id}"


def field_room_for(search_id: int) -> str:
    return f"search:{search_id}:field"


def user_room(user_id: int) -> str:
    """Every connection of a user is also in this room, so the server can find them (e.g. to evict)."""
    return f"user:{user_id}"


class SocketIOPublisher:
    def __init__(self, socketio, field_interval_s: float = 5.0):
        self.socketio = socketio
        self.field_interval_s = field_interval_s
        self._lock = threading.Lock()
        self._pending: dict[int, dict] = {}   # search_id -> {"seqs": [...], "positions": {user_id: [lon, lat, t]}}
        self._timers: dict[int, threading.Timer] = {}

    def publish(self, search_id: int, event: dict) -> None:
        self.socketio.emit("event", event, to=room_for(search_id), namespace=NAMESPACE)
        if event["type"] == "track.points":
            self._coalesce(search_id, event)
        else:
            self.flush(search_id)
            self.socketio.emit("event", event, to=field_room_for(search_id), namespace=NAMESPACE)
        if event["type"] == "member.removed":
            self.evict(search_id, event["payload"]["user_id"])

    def _coalesce(self, search_id: int, event: dict) -> None:
        points = event["payload"].get("points") or []
        with self._lock:
            pending = self._pending.setdefault(search_id, {"seqs": [], "positions": {}})
            pending["seqs"].append(event["seq"])
            if points:
                pending["positions"][str(event["payload"]["user_id"])] = points[-1][:3] + [points[-1][4]
                                                                                         if len(points[-1]) > 4 else 0]
            if search_id not in self._timers:
                timer = threading.Timer(self.field_interval_s, self.flush, args=(search_id,))
                timer.daemon = True
                self._timers[search_id] = timer
                timer.start()

    def flush(self, search_id: int) -> None:
        """Send the coalesced positions of a search now (also called before any other event, to keep order)."""
        with self._lock:
            pending = self._pending.pop(search_id, None)
            timer = self._timers.pop(search_id, None)
        if timer is not None:
            timer.cancel()
        if pending:
            self.socketio.emit("positions", {"search_id": search_id, **pending}, to=field_room_for(search_id),
                               namespace=NAMESPACE)

    def evict(self, search_id: int, user_id: int) -> None:
        """Take a removed member's connections out of the search's rooms: they get nothing more from it.

        (Connections held by other processes are evicted when the Redis manager relays ``leave_room``; a client
        that rejoins is refused, since it is no longer a member.)"""
        server = self.socketio.server
        if server is None:
            return
        for sid, _eio in list(server.manager.get_participants(NAMESPACE, user_room(user_id))):
            for room in (room_for(search_id), field_room_for(search_id)):
                server.leave_room(sid, room, namespace=NAMESPACE)
