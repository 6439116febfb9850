"""Pure domain and geometry of search-coord.

Nothing here imports Flask, SQLAlchemy or Socket.IO, reads the clock or touches the network: time is always an
argument. ``tests/core/test_purity.py`` enforces it.
"""
