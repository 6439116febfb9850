import ast
from pathlib import Path

import search_coord.web.openapi as openapi_module
from search_coord.web.openapi import api_routes


def test_openapi_describes_every_route(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    missing = set(api_routes(app)) - documented
    assert not missing, f"routes missing from the OpenAPI document: {sorted(missing)}"
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op["summary"] and "401" in op["responses"], (method, path)


def test_each_route_is_described_once():
    """A route written twice in DESCRIPTIONS silently keeps only the last text (three copies of the join routes, with
    different texts, once stood there)."""
    tree = ast.parse(Path(openapi_module.__file__).read_text(encoding="utf-8"))
    literal = next(n.value for n in ast.walk(tree) if isinstance(n, ast.AnnAssign | ast.Assign)
                   and isinstance(n.value, ast.Dict) and "DESCRIPTIONS" in ast.unparse(n))
    keys = [ast.literal_eval(k) for k in literal.keys]
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})
