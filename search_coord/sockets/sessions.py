"""Ending a user's sockets when their sessions end (logout, deactivation, a password or role change).

Each process keeps its own /live connections with the user and the session version each was opened with
(``SessionSockets``, one per app). When a service of this process ends a user's sessions
(``Services.on_sessions_ended``), their connections here are told (``session_ended``) and disconnected at once, and
a ``session_ended`` message goes to the user's room on every process (through the message queue), so honest
clients elsewhere stop too. With a message queue (several processes), each process also sweeps its own connections
every ``SESSION_CHECK_INTERVAL_S`` against the database's session versions (an account that must change its
password first counts as ended) and disconnects the stale ones, so a client that ignores the message is cut within
that interval whichever process ended the session (or the command line did). Every socket message is also checked against the session (``LiveNamespace``), so a stale connection can
do nothing even before it is cut.
"""
from __future__ import annotations

import logging
import threading

from ..adapters.publisher import NAMESPACE, user_room
from ..services import users

log = logging.getLogger(__name__)

ENDED = {"error": "session_ended", "message": "your session has ended; log in again"}


class SessionSockets:
    """This process's /live connections: ``{sid: (user_id, session_version)}``, and the sweep over them."""

    def __init__(self, socketio, services, interval_s: float, sweep: bool):
        self.socketio = socketio
        self.services = services
        self.interval_s = interval_s
        self.sweep = sweep
        self._lock = threading.Lock()
        self._conns: dict[str, tuple[int, int]] = {}
        self._actors: dict[str, object] = {}   # sid -> the Actor it connected as (its role, name and device)
        self._sweeping = False

    def add(self, sid: str, user_id: int, version: int, actor=None) -> None:
        with self._lock:
            self._conns[sid] = (user_id, version)
            if actor is not None:
                self._actors[sid] = actor
            start = self.sweep and not self._sweeping
            self._sweeping = self._sweeping or start
        if start:
            self.socketio.start_background_task(self._sweep_loop)

    def remove(self, sid: str) -> None:
        with self._lock:
            self._conns.pop(sid, None)
            self._actors.pop(sid, None)

    def actor_of(self, sid: str):
        """(the Actor a connection was opened as, its session version), or None once it is gone. A role or password
        change bumps the session version, so an actor whose version still holds is still who it was."""
        with self._lock:
            conn, actor = self._conns.get(sid), self._actors.get(sid)
        return None if conn is None or actor is None else (actor, conn[1])

    def snapshot(self) -> dict[str, tuple[int, int]]:
        with self._lock:
            return dict(self._conns)

    def _cut(self, sids: list[str]) -> None:
        server = self.socketio.server
        for sid in sids:
            self.remove(sid)
            try:
                self.socketio.emit("session_ended", ENDED, to=sid, namespace=NAMESPACE)
                server.disconnect(sid, namespace=NAMESPACE)
            except Exception:  # noqa: BLE001 - one failed socket must not keep the others connected
                log.exception("could not disconnect socket %s", sid)

    def end_user(self, user_id: int) -> None:
        """Every session of ``user_id`` has ended: disconnect their sockets here now, tell the others everywhere."""
        sids = [sid for sid, (uid, _) in self.snapshot().items() if uid == user_id]
        self._cut(sids)
        if self.socketio.server is not None:
            self.socketio.emit("session_ended", ENDED, to=user_room(user_id), namespace=NAMESPACE)
        if sids:
            log.info("sessions of user %s ended: %d socket(s) disconnected", user_id, len(sids))

    def sweep_once(self) -> int:
        """Disconnect this process's sockets whose session has ended; returns how many."""
        conns = self.snapshot()
        if not conns:
            return 0
        current = users.session_versions(self.services, [uid for uid, _ in conns.values()])
        stale = [sid for sid, (uid, version) in conns.items() if current.get(uid) != version]
        self._cut(stale)
        return len(stale)

    def _sweep_loop(self) -> None:
        """Runs while this process has connections; a new connection starts it again."""
        while True:
            self.socketio.sleep(self.interval_s)
            with self._lock:
                if not self._conns:
                    self._sweeping = False
                    return
            try:
                self.sweep_once()
            except Exception:  # noqa: BLE001 - a database hiccup must not stop the sweep
                log.exception("session sweep failed")
