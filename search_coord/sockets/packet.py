"""The Socket.IO packet this server sends: JSON only, never binary attachments.

python-socketio walks every outgoing payload (every event to a room, every ack) looking for ``bytes`` to split out
as binary attachments. This server never sends bytes (every event and answer is JSON made from the database), so
the walk is pure cost on the hot path (each committed track event). The library's own switch for that is the packet
class's ``uses_binary_events`` (its msgpack packet turns it off the same way), given as the ``serializer`` option.

Incoming packets are decoded as before (a client's binary event is still taken apart by the library); an outgoing
payload holding ``bytes`` would fail to encode (TypeError) instead of being sent as an attachment.
"""
from __future__ import annotations

from socketio import packet


class JsonPacket(packet.Packet):
    """The default Socket.IO packet, without the search for binary data in outgoing payloads."""

    uses_binary_events = False
