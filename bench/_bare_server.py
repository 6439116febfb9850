"""The baseline for bench/fanout.py: bare python-socketio (threading mode, simple-websocket, Werkzeug), with one
HTTP endpoint that broadcasts the posted payload to every connected client of namespace /live, and the same as a
socket message ('emit', acknowledged) from a client that connected as the sender."""
import json
import sys

import socketio
from werkzeug.serving import run_simple
from werkzeug.wrappers import Request, Response

sio = socketio.Server(async_mode="threading")


@sio.on("connect", namespace="/live")
def _connect(sid, environ, auth=None):
    if not (isinstance(auth, dict) and auth.get("sender")):   # the sender (socket transport) is not a receiver
        sio.enter_room(sid, "all", namespace="/live")


@sio.on("emit", namespace="/live")
def _emit(sid, data):
    """The socket transport's trigger: broadcast the message, then acknowledge it (as the app acks a track batch)."""
    sio.emit("event", data, to="all", namespace="/live")
    return {"ok": True}


def app(environ, start_response):
    req = Request(environ)
    if req.path == "/emit" and req.method == "POST":
        sio.emit("event", json.loads(req.get_data()), to="all", namespace="/live")
        return Response("ok")(environ, start_response)
    return Response("bare", status=200)(environ, start_response)


if __name__ == "__main__":
    run_simple("127.0.0.1", int(sys.argv[1]), socketio.WSGIApp(sio, app), threaded=True)
