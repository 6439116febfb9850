"""Ids a database cannot hold (beyond PostgreSQL's integer, 2^31 - 1) are refused at the edge: a path id matches no
route (404), a body id is a 400 naming it, a socket's search id is invalid."""
from search_coord.core.fields import MAX_ID
from support import open_test_search


def test_a_path_id_beyond_max_id_matches_no_route(app, login):
    disp = login("disp")
    assert disp.get(f"/api/v1/searches/{MAX_ID + 1}").status_code == 404
    assert disp.get(f"/api/v1/searches/{2**53}").status_code == 404
    assert disp.get(f"/api/v1/searches/{MAX_ID}").status_code == 404   # a well-formed id that names nothing


def test_a_body_id_beyond_max_id_is_a_400_naming_it(app, login):
    sid, disp = open_test_search(login)
    r = disp.post(f"/api/v1/searches/{sid}/members", {"user_id": MAX_ID + 1})
    assert r.status_code == 400 and "user_id" in r.get_json()["errors"], r.get_json()
