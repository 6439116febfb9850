"""Publishes committed events to the search's Socket.IO room."""
from __future__ import annotations

NAMESPACE = "/live"


def room_for(search_id: int) -> str:
    return f"search:{search_id}"


def user_room(user_id: int) -> str:
    """Every connection of a user is also in this room, so the server can find them (e.g. to evict)."""
    return f"user:{user_id}"


class SocketIOPublisher:
    def __init__(self, socketio):
        self.socketio = socketio

    def publish(self, search_id: int, event: dict) -> None:
        self.socketio.emit("event", event, to=room_for(search_id), namespace=NAMESPACE)
        if event["type"] == "member.removed":
            self.evict(search_id, event["payload"]["user_id"])

    def evict(self, search_id: int, user_id: int) -> None:
        """Take a removed member's connections out of the search's room: they get nothing more from it.

        (Connections held by other processes are evicted when the Redis manager relays ``leave_room``; a client
        that rejoins is refused, since it is no longer a member.)"""
        server = self.socketio.server
        if server is None:
            return
        for sid, _eio in list(server.manager.get_participants(NAMESPACE, user_room(user_id))):
            server.leave_room(sid, room_for(search_id), namespace=NAMESPACE)
