"""Presence registries: in process memory (one process, no Redis), and in Redis shared by several processes (here two
registries on one Redis stand for two processes)."""
import time
import uuid

import pytest
from support import port_open, service_unavailable

from search_coord.adapters.presence import LocalPresence, RedisPresence, make_presence


def test_one_process_keeps_presence_in_memory_without_redis():
    assert isinstance(make_presence({"SOCKETIO_MESSAGE_QUEUE": None}, on_gone=print), LocalPresence)
    p = LocalPresence()
    assert p.join(7, "sid-a", 1) == (True, [1])
    assert p.join(7, "sid-b", 1) == (False, [1])      # a second connection of the same user
    assert p.join(7, "sid-a", 1) == (False, [1])      # the same connection joining again
    assert p.join(7, "sid-c", 2) == (True, [1, 2])
    assert p.searches_of("sid-a") == [7]
    assert p.leave(7, "sid-a") is None                # user 1 still has sid-b
    assert p.leave(7, "sid-b") == 1
    assert p.leave(7, "sid-b") is None                # already gone
    assert p.online(7) == [2]


@pytest.fixture
def two_processes():
    if not port_open("127.0.0.1", 6379):
        service_unavailable("Redis at 127.0.0.1:6379")
    import redis

    prefix = "search-coord-test-" + uuid.uuid4().hex[:8]
    gone = []
    made = [RedisPresence(redis.Redis(), prefix, on_gone=lambda s, u: gone.append((s, u)), ttl_s=0.5,
                          heartbeat_s=3600) for _ in range(2)]
    yield made[0], made[1], gone
    for p in made:
        p.close()
    client = redis.Redis()
    client.delete(*client.keys(prefix + ":*") or ["-"])


def test_processes_share_presence_through_redis(two_processes):
    a, b, _ = two_processes
    assert a.join(7, "sid-a", 1) == (True, [1])
    assert b.join(7, "sid-b", 1) == (False, [1])      # user 1 is already on through the other process
    assert b.join(7, "sid-c", 2) == (True, [1, 2])
    assert a.online(7) == b.online(7) == [1, 2]
    assert b.searches_of("sid-a") == [] and a.searches_of("sid-a") == [7]
    assert a.leave(7, "sid-a") is None                # user 1 is still on through b
    assert b.leave(7, "sid-b") == 1                   # their last connection, wherever it was
    assert a.online(7) == [2]


def test_a_dead_process_ages_out_and_is_announced_once(two_processes):
    a, b, gone = two_processes
    a.join(7, "sid-a", 1)
    a.join(7, "sid-a2", 3)
    b.join(7, "sid-b", 3)
    a.close()                                         # a stops beating: as if it had been killed
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and b.online(7) != [3]:
        b.beat()                                      # b's own entries stay fresh
        time.sleep(0.1)
    assert b.online(7) == [3]                         # user 3 is still on through b
    b.beat()
    assert gone == [(7, 1)]                           # announced offline once, by whoever removed the entries


def test_redis_unreachable_falls_back_to_this_processs_connections():
    p = make_presence({"SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:1/0", "PRESENCE_HEARTBEAT_S": 3600}, on_gone=print)
    assert isinstance(p, RedisPresence)
    try:
        assert p.join(7, "sid-a", 1) == (True, [1])
        assert p.online(7) == [1]
        assert p.leave(7, "sid-a") == 1
    finally:
        p.close()
