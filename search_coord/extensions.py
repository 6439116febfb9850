"""Unbound extension objects, bound in ``create_app``."""
from flask_socketio import SocketIO

socketio = SocketIO()
