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
