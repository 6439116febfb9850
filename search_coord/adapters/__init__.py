"""Adapters: the database (SQLAlchemy), the geocoder (geopy) and the real-time publisher (Socket.IO)."""
