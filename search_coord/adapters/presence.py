"""Who is connected to which search (presence): which users have a live connection joined to a search's rooms.

One process keeps it in memory (``LocalPresence``). Several processes sharing a Redis message queue keep it in Redis
(``RedisPresence``), so a client joining through any process is told about users connected through every other:
one sorted set per search whose members are connections (``<user id>:<process>:<sid>``) scored by when they expire.
Each process pushes its own connections' expiry forward on a heartbeat; the entries of a process that dies without
a word age out after ``ttl_s``, and the process that removes them announces those users offline.

Both answer the same questions: is this the user's first connection to the search (announce them online), was it
their last (announce them offline), and who is online now.
"""
from __future__ import annotations

import logging
import threading
import uuid
from typing import Callable

log = logging.getLogger(__name__)


class LocalPresence:
    """Presence in this process's memory: ``{search_id: {sid: user_id}}``."""

    shared = False

    def __init__(self):
        self._lock = threading.Lock()
        self._by_search: dict[int, dict[str, int]] = {}

    def join(self, search_id: int, sid: str, user_id: int) -> tuple[bool, list[int]]:
        """Record that connection ``sid`` of ``user_id`` follows the search. Returns whether the user had no
        connection to it before (announce them online) and the users online on it now, sorted."""
        with self._lock:
            members = self._by_search.setdefault(search_id, {})
            first = user_id not in members.values()
            members[sid] = user_id
            return first, sorted(set(members.values()))

    def leave(self, search_id: int, sid: str) -> int | None:
        """Forget the connection; returns its user if that was their last connection to the search."""
        with self._lock:
            members = self._by_search.get(search_id, {})
            user_id = members.pop(sid, None)
            if not members:
                self._by_search.pop(search_id, None)
            return user_id if user_id is not None and user_id not in members.values() else None

    def searches_of(self, sid: str) -> list[int]:
        """The searches this process's connection ``sid`` follows."""
        with self._lock:
            return [search_id for search_id, members in self._by_search.items() if sid in members]

    def user_of(self, search_id: int, sid: str) -> int | None:
        with self._lock:
            return self._by_search.get(search_id, {}).get(sid)

    def snapshot(self) -> dict[int, dict[str, int]]:
        """A copy of ``{search_id: {sid: user_id}}``."""
        with self._lock:
            return {search_id: dict(members) for search_id, members in self._by_search.items() if members}

    def online(self, search_id: int) -> list[int]:
        with self._lock:
            return sorted(set(self._by_search.get(search_id, {}).values()))


# Every script reads the time from Redis itself, so processes on machines whose clocks differ agree on expiry.
_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "

_HAS_PREFIX = """
local function has_prefix(list, prefix)
  for _, m in ipairs(list) do
    if string.sub(m, 1, #prefix) == prefix then return true end
  end
  return false
end
"""

# KEYS: search set, searches set. ARGV: member, "<user id>:", ttl ms, search id, key ttl ms.
_JOIN = _HAS_PREFIX + _NOW + """
local first = has_prefix(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf'), ARGV[2]) and 0 or 1
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return {first, redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')}
"""

# KEYS: search set. Returns the live members.
_ONLINE = _NOW + "return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')"

# KEYS: search set. ARGV: member, "<user id>:". Returns 1 when it was the user's last live connection.
_LEAVE = _HAS_PREFIX + _NOW + """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
return has_prefix(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf'), ARGV[2]) and 0 or 1
"""

# KEYS: search set, searches set. ARGV: ttl ms, key ttl ms, members... (this process's live connections)
_REFRESH = _NOW + """
for i = 3, #ARGV do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
"""

# KEYS: search set, searches set. ARGV: search id. Removes the expired entries; returns {expired, still live}.
_REAP = _NOW + """
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if #gone > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) end
local live = redis.call('ZRANGE', KEYS[1], 0, -1)
if #live == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
return {gone, live}
"""


def _user_of(member: bytes | str) -> int:
    return int((member.decode() if isinstance(member, bytes) else member).split(":", 1)[0])


class RedisPresence:
    """Presence shared by every process through Redis, with this process's own connections mirrored in memory (for
    its heartbeat, for finding a closed connection's searches, and as the answer while Redis cannot be reached)."""

    shared = True

    def __init__(self, client, prefix: str, on_gone: Callable[[int, int], None], ttl_s: float = 30.0,
                 heartbeat_s: float = 10.0):
        self.redis = client
        self.prefix = prefix
        self.on_gone = on_gone              # (search_id, user_id): announce a user who aged out offline
        self.ttl_ms = int(ttl_s * 1000)
        self.key_ttl_ms = 3 * self.ttl_ms   # the sets themselves outlive their entries long enough to be reaped
        self.heartbeat_s = heartbeat_s
        self.process = uuid.uuid4().hex[:12]
        self.local = LocalPresence()
        self._lock = threading.Lock()       # this process's joins, leaves and heartbeat, one at a time
        self._join = client.register_script(_JOIN)
        self._leave = client.register_script(_LEAVE)
        self._online = client.register_script(_ONLINE)
        self._refresh = client.register_script(_REFRESH)
        self._reap = client.register_script(_REAP)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="search-coord-presence", daemon=True)
        self._thread.start()

    def _key(self, search_id: int) -> str:
        return f"{self.prefix}:presence:{search_id}"

    @property
    def _searches_key(self) -> str:
        return f"{self.prefix}:presence:searches"

    def _member(self, sid: str, user_id: int) -> str:
        return f"{user_id}:{self.process}:{sid}"

    def join(self, search_id: int, sid: str, user_id: int) -> tuple[bool, list[int]]:
        from redis.exceptions import RedisError

        with self._lock:
            local_first, local_online = self.local.join(search_id, sid, user_id)
            try:
                first, members = self._join(
                    keys=[self._key(search_id), self._searches_key],
                    args=[self._member(sid, user_id), f"{user_id}:", self.ttl_ms, search_id,
                          self.key_ttl_ms])
            except RedisError as exc:
                log.warning("presence: Redis unreachable (%s); answering with this process's connections only", exc)
                return local_first, local_online
        return bool(first), sorted({_user_of(m) for m in members})

    def leave(self, search_id: int, sid: str) -> int | None:
        from redis.exceptions import RedisError

        with self._lock:
            user_id = self.local.user_of(search_id, sid)
            local_last = self.local.leave(search_id, sid)
            if user_id is None:
                return None
            try:
                last = self._leave(keys=[self._key(search_id)], args=[self._member(sid, user_id), f"{user_id}:"])
            except RedisError as exc:
                log.warning("presence: Redis unreachable (%s); the connection will age out there", exc)
                return local_last
        return user_id if last else None

    def searches_of(self, sid: str) -> list[int]:
        return self.local.searches_of(sid)

    def online(self, search_id: int) -> list[int]:
        from redis.exceptions import RedisError

        try:
            members = self._online(keys=[self._key(search_id)])
        except RedisError as exc:
            log.warning("presence: Redis unreachable (%s); answering with this process's connections only", exc)
            return self.local.online(search_id)
        return sorted({_user_of(m) for m in members})

    # --- heartbeat ---------------------------------------------------------------------------------------------

    def beat(self) -> None:
        """Push this process's connections' expiry forward, then remove (and announce) entries that aged out."""
        with self._lock:   # no join or leave of this process in between: a closed connection is never re-added
            pipe = self.redis.pipeline(transaction=False)
            for search_id, members in self.local.snapshot().items():
                self._refresh(keys=[self._key(search_id), self._searches_key], client=pipe,
                              args=[self.ttl_ms, self.key_ttl_ms, *(self._member(s, u) for s, u in members.items())])
            pipe.execute()
        for raw in self.redis.smembers(self._searches_key):
            search_id = int(raw)
            gone, live = self._reap(keys=[self._key(search_id), self._searches_key], args=[search_id])
            for user_id in sorted({_user_of(m) for m in gone} - {_user_of(m) for m in live}):
                log.info("presence: user %s on search %s aged out (their process stopped answering)", user_id,
                         search_id)
                try:
                    self.on_gone(search_id, user_id)
                except Exception:  # noqa: BLE001 - one failed announcement must not lose the others
                    log.exception("presence: announcing user %s offline on search %s failed", user_id, search_id)

    def _beat(self) -> None:
        from redis.exceptions import RedisError

        while not self._stop.wait(self.heartbeat_s):
            try:
                self.beat()
            except RedisError as exc:   # the next beat re-adds this process's connections
                log.warning("presence heartbeat: Redis unreachable (%s)", exc)
            except Exception:  # noqa: BLE001 - the heartbeat must keep going whatever happens
                log.exception("presence heartbeat failed")

    def close(self) -> None:
        self._stop.set()


def make_presence(config, on_gone: Callable[[int, int], None]):
    """Redis presence when the Socket.IO message queue is Redis (several processes), else in this process's memory.

    ``config``: the app's config (``SOCKETIO_MESSAGE_QUEUE``, ``SOCKETIO_CHANNEL``; ``PRESENCE_TTL_S`` and
    ``PRESENCE_HEARTBEAT_S`` if set)."""
    url = config.get("SOCKETIO_MESSAGE_QUEUE")
    if not url:
        return LocalPresence()
    if not str(url).startswith(("redis://", "rediss://")):   # as Flask-SocketIO picks its Redis manager
        log.warning("presence is kept per process: the message queue %s is not Redis", url.split("@")[-1])
        return LocalPresence()
    import redis
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    # A join waits on these calls: fail over to this process's own answer quickly rather than hang while Redis is down.
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2,
                                  retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1))
    return RedisPresence(client, prefix=config.get("SOCKETIO_CHANNEL") or "search-coord",
                         on_gone=on_gone, ttl_s=float(config.get("PRESENCE_TTL_S", 30)),
                         heartbeat_s=float(config.get("PRESENCE_HEARTBEAT_S", 10)))
