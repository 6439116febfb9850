"""Socket.IO namespace /live: a login is required to connect; a client follows a search by joining its room."""
from __future__ import annotations

import logging
import threading
import time

from functools import wraps

from flask import current_app, request, session
from flask_socketio import Namespace, disconnect, emit, join_room, leave_room

from ..adapters.presence import make_presence
from ..adapters.publisher import field_room_for, room_for, user_room
from ..core.errors import NotAuthenticated, SearchCoordError, ValidationError
from ..core.fields import MAX_ID, MAX_SAFE_INT
from ..extensions import socketio
from ..services import broadcasts, field, searches
from ..identity import current_actor, current_user, services
from .sessions import ENDED

log = logging.getLogger(__name__)

# Who is connected to which search (kept per app, made on first use): in this process's memory, or in Redis shared
# by every process when the message queue is Redis. Presence changes go to the search's rooms as ``presence``
# messages (not logged events); a user is announced online with their first connection to a search and offline when
# their last one closes (or, with Redis, when the entries of a process that died age out).
_PRESENCE_INIT = threading.Lock()


def _presence():
    registry = current_app.extensions.get("search_coord_presence")
    if registry is None:
        with _PRESENCE_INIT:
            registry = current_app.extensions.get("search_coord_presence")
            if registry is None:
                registry = make_presence(current_app.config, on_gone=lambda search_id, user_id:
                                         _announce(search_id, user_id, False))
                current_app.extensions["search_coord_presence"] = registry
    return registry


def online_users(search_id: int) -> list[int]:
    return _presence().online(search_id)


def _announce(search_id: int, user_id: int, online: bool) -> None:
    """To the search's rooms on every process (also from the presence heartbeat, outside any request)."""
    msg = {"search_id": search_id, "user_id": user_id, "online": online}
    socketio.emit("presence", msg, to=room_for(search_id), namespace="/live")
    socketio.emit("presence", msg, to=field_room_for(search_id), namespace="/live")


#: Messages a connection may send: a burst of this many, refilled at this many per second.
RATE_BURST = 30
RATE_PER_S = 10.0


class _Bucket:
    """A token bucket per connection, so one flooding client cannot starve the others."""

    def __init__(self):
        self.tokens = float(RATE_BURST)
        self.at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(RATE_BURST, self.tokens + (now - self.at) * RATE_PER_S)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


_BUCKETS: dict[str, _Bucket] = {}


def _session_sockets():
    """This app's registry of /live connections and their session versions (``sockets.sessions``)."""
    return current_app.extensions["search_coord_session_sockets"]


def live_session(handler):
    """Each socket message is checked against the session first (as each HTTP request is): once the user's sessions
    have ended (logout, deactivation, a password or role change), or the user must change their password first,
    the message is refused and the socket cut."""
    @wraps(handler)
    def checked(self, *args):
        user = current_user()
        if user is None or user.get("must_change_password"):
            _session_sockets().remove(request.sid)
            disconnect()
            return {"ok": False, **ENDED}
        return handler(self, *args)
    return checked


class LiveNamespace(Namespace):
    def trigger_event(self, event, *args):
        """Every message passes the rate limit first; the connect/disconnect handshakes are not counted."""
        if event not in ("connect", "disconnect"):
            sid = args[0] if args else None
            bucket = _BUCKETS.setdefault(sid, _Bucket())
            if not bucket.take():
                log.warning("socket %s is flooding (%s); message refused", sid, event)
                return {"ok": False, "error": "rate_limited", "message": "too many messages; slow down"}
            if event == "track":
                return self._track_message(*args)
        elif event == "disconnect" and args:
            _BUCKETS.pop(args[0], None)
        return super().trigger_event(event, *args)

    def on_connect(self, auth=None):
        actor = current_actor(required=False)
        if actor is None:
            log.info("socket connection refused: not logged in (%s)", request.remote_addr)
            return False  # refused (an exception would be swallowed by the namespace's error handler)
        if current_user().get("must_change_password"):
            log.info("socket connection refused: user %s must change their password first", actor.user_id)
            return False
        join_room(user_room(actor.user_id))
        _session_sockets().add(request.sid, actor.user_id, session.get("sv"), actor)
        return None

    def _track_message(self, sid, data=None):
        """'track' runs in an app context only, not Flask-SocketIO's request context: pushing that opens the cookie
        session on every message (its signature checked again: about a third of the socket path's CPU a batch), and
        this handler needs none of it (the connection's account is in the session registry)."""
        environ = self.socketio.server.get_environ(sid, namespace=self.namespace)
        if not environ:
            return {"ok": False, **ENDED}
        with environ["flask.app"].app_context():
            try:
                return self.track(sid, data)
            except Exception:  # noqa: BLE001 - as handle_error: logged, the sender told, nobody else affected
                log.exception("socket track message failed")
                return {"ok": False, "error": "internal", "message": "the server could not handle that message"}

    def _track_wait_s(self) -> float:
        """Handlers run on the connection's reader thread (``async_handlers=False``), so while a batch waits for its
        commit the client's pong is not read: the wait stays well under the ping timeout (half of it), after which
        the phone is told the server is busy (its retry, by the same client id, is stored once)."""
        return max(1.0, self.socketio.server.eio.ping_timeout / 2)

    def _cut(self, sid) -> None:
        _session_sockets().remove(sid)
        self.socketio.server.disconnect(sid, namespace=self.namespace)

    def track(self, sid, data=None):
        """A phone's batch of fixes over its open socket: ``{"search_id", "client_id", "points", "sent_at"?,
        "device"?}``, answered (the ack) with POST .../tracks's answer plus ``ok``, once the batch is committed.

        The same service, client ids and exactly-once rule as the HTTP route; what it saves is the request itself
        (a new connection, headers, the session cookie and its account look-up: ~3 ms a batch on this server). The
        session is checked in the batch's own transaction instead (``session_version``): an ended session is
        refused there and the socket cut."""
        known = _session_sockets().actor_of(sid)
        if known is None:
            self._cut(sid)
            return {"ok": False, **ENDED}
        actor, version = known
        if isinstance(version, bool) or not isinstance(version, int):   # a session from before versions: log in again
            self._cut(sid)
            return {"ok": False, **ENDED}
        if not isinstance(data, dict) or isinstance(data.get("search_id"), bool) \
                or not isinstance(data.get("search_id"), int) or not 1 <= data["search_id"] <= MAX_ID:
            return {"ok": False, "error": "invalid", "message": "send {search_id, client_id, points, sent_at?}"}
        batch = {k: v for k, v in data.items() if k != "search_id"}
        try:
            return {"ok": True, **field.add_track_batch(services(), actor, data["search_id"], batch,
                                                        session_version=version, wait_s=self._track_wait_s())}
        except NotAuthenticated:
            self._cut(sid)
            return {"ok": False, **ENDED}
        except SearchCoordError as exc:
            return {"ok": False, "error": exc.code, "message": exc.message, "status": exc.status,
                    **({"errors": exc.errors} if isinstance(exc, ValidationError) else {})}

    @live_session
    def on_join(self, data=None):
        """``{"search_id", "after", "view"?}`` -> join the room, then the events after ``after`` (the client drops
        repeats). ``view: "field"`` (the phone page) gets other units' positions coalesced (``positions`` messages).

        Joining first and reading second means nothing committed in between can be missed.
        """
        try:
            actor = current_actor()
            if not isinstance(data, dict) or isinstance(data.get("search_id"), bool) \
                    or not isinstance(data.get("search_id"), int) or not 1 <= data["search_id"] <= MAX_ID:
                return {"ok": False, "error": "invalid", "message": "send {search_id: <id>, after: <seq>}"}
            after = data.get("after", 0)
            if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after <= MAX_SAFE_INT:
                return {"ok": False, "error": "invalid", "message": "after must be a sequence number (0 or more)"}
            search_id = data["search_id"]
            # Check access before joining: a non-member must never be in the room, even briefly.
            searches.get_search(services(), actor, search_id)
            join_room(field_room_for(search_id) if data.get("view") == "field" else room_for(search_id))
            first, online = _presence().join(search_id, request.sid, actor.user_id)
            if first:
                _announce(search_id, actor.user_id, True)
            result = searches.list_events(services(), actor, search_id, after)
            # Broadcasts this unit has not acknowledged are alerted again on every (re)connect.
            return {"ok": True, **result, "unacknowledged": broadcasts.unacknowledged(services(), actor, search_id),
                    "online": online}
        except SearchCoordError as exc:
            log.info("join refused for sid %s: %s", request.sid, exc.message)
            return {"ok": False, "error": exc.code, "message": exc.message}

    @live_session
    def on_leave(self, data=None):
        if isinstance(data, dict) and isinstance(data.get("search_id"), int):
            leave_room(room_for(data["search_id"]))
            leave_room(field_room_for(data["search_id"]))
            self._gone(data["search_id"])
        return {"ok": True}

    def on_disconnect(self, *args):
        _session_sockets().remove(request.sid)
        for search_id in _presence().searches_of(request.sid):
            self._gone(search_id)

    @staticmethod
    def _gone(search_id: int) -> None:
        user_id = _presence().leave(search_id, request.sid)
        if user_id is not None:
            _announce(search_id, user_id, False)


def handle_error(exc):
    """Any handler failure: logged, the sender gets an error event, everyone else is unaffected."""
    log.exception("socket handler failed: %s", exc)
    emit("error", {"error": "internal", "message": "the server could not handle that message"})
