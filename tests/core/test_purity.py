import pkgutil
import subprocess
import sys

import search_coord.core


def test_every_core_module_imports_no_framework_database_socket_or_network_library():
    names = sorted(m.name for m in pkgutil.iter_modules(search_coord.core.__path__))
    assert "known_points" in names and "effort" in names
    code = (
        "import importlib, sys\n"
        f"for n in {names!r}: importlib.import_module('search_coord.core.' + n)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'socketio', 'flask_socketio', "
        "'engineio', 'werkzeug', 'requests', 'geopy', 'urllib3', 'psycopg', 'redis')]\n"
        "print(','.join(sorted(bad)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"core imported {out}"
