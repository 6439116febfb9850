"""Publishes committed events to the search's Socket.IO room."""
from __future__ import annotations

NAMESPACE = "/live"


def room_for(search_id: int) -> str:
    return f"search:{search_id}"


class SocketIOPublisher:
    def __init__(self, socketio):
        self.socketio = socketio

    def publish(self, search_id: int, event: dict) -> None:
        self.socketio.emit("event", event, to=room_for(search_id), namespace=NAMESPACE)
