import subprocess
import sys


def test_core_imports_no_framework_database_or_socket_library():
    code = (
        "import sys, search_coord.core.geometry, search_coord.core.model, search_coord.core.behaviour, "
        "search_coord.core.photos, search_coord.core.fields, search_coord.core.errors\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'socketio', 'flask_socketio', "
        "'engineio', 'werkzeug', 'requests', 'geopy')]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"core imported {out}"
