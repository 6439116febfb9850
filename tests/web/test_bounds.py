"""Issue 10 §4 -- one account cannot wreck a search: a marked searched area is bounded (the search's region; an
officer's team assignment plus 50 m, or 20 ha without one; a dispatcher's area over 1 km² confirmed)."""
from __future__ import annotations

from support import LKP, square


def _mark(c, sid, geometry, **over):
    return c.post(f"/api/v1/searches/{sid}/searched-areas", {"geometry": geometry, "pod": 0.99, **over})


def _areas(c, sid):
    return c.get(f"/api/v1/searches/{sid}/state").get_json()["searched_areas"]


def _with_grid(disp, sid):
    r = disp.post(f"/api/v1/searches/{sid}/segments/grid", {"cell_m": 2000, "shape": "square"})
    assert r.status_code in (200, 201), r.get_json()


def test_an_officer_without_an_assignment_marks_at_most_20_ha(login, opened):
    sid, disp = opened
    off1 = login("off1")
    assert _mark(off1, sid, square(d=0.001)).status_code == 201            # about 4 ha
    r = _mark(off1, sid, square(d=0.004))                                   # about 60 ha
    assert r.status_code == 400 and "20.0 ha" in r.get_json()["errors"]["geometry"]
    assert len(_areas(disp, sid)) == 1


def test_the_0_4_degree_box_at_pod_0_99_is_refused_and_the_suggestions_stay(login, opened):
    sid, disp = opened
    off1 = login("off1")
    _with_grid(disp, sid)
    before = disp.get(f"/api/v1/searches/{sid}/model").get_json()
    r = _mark(off1, sid, square(d=0.2))
    assert r.status_code == 400 and "geometry" in r.get_json()["errors"]
    after = disp.get(f"/api/v1/searches/{sid}/model").get_json()
    assert [g["coverage"] for g in after["segments"]] == [g["coverage"] for g in before["segments"]]
    assert after["row"] == before["row"]


def test_an_officer_with_an_assignment_marks_within_it_plus_50_m(login, opened):
    sid, disp = opened
    off1 = login("off1")
    team = disp.post(f"/api/v1/searches/{sid}/teams", {"name": "T1", "kind": "foot_patrol",
                                                         "member_ids": [off1.user["id"]]}).get_json()
    r = disp.post(f"/api/v1/searches/{sid}/assignments", {"title": "A", "kind": "area", "team_id": team["id"],
                                                           "geometry": square(d=0.003)})
    assert r.status_code == 201, r.get_json()
    assert _mark(off1, sid, square(d=0.003)).status_code == 201
    assert _mark(off1, sid, square(d=0.0033)).status_code == 201          # ~30 m beyond: GPS and drawing
    r = _mark(off1, sid, square(lon=LKP[0] + 0.01, d=0.001))                # a small area elsewhere
    assert r.status_code == 400 and "assignment" in r.get_json()["errors"]["geometry"]


def test_a_dispatchers_large_area_is_confirmed_and_the_world_refused(login, opened):
    sid, disp = opened
    big = square(d=0.01)                                                    # about 3.8 km²
    r = _mark(disp, sid, big)
    assert r.status_code == 400 and "km²" in r.get_json()["errors"]["confirm_large"]
    assert _mark(disp, sid, big, confirm_large="yes").status_code == 400
    assert _mark(disp, sid, big, confirm_large=True).status_code == 201
    world = {"type": "Polygon", "coordinates": [[[-179, -89], [179, -89], [179, 89], [-179, 89], [-179, -89]]]}
    r = _mark(disp, sid, world, confirm_large=True)
    assert r.status_code == 400 and "region" in r.get_json()["errors"]["geometry"]
    r = _mark(disp, sid, square(lon=LKP[0] + 3, d=0.001), confirm_large=True)   # 250 km away
    assert r.status_code == 400 and "region" in r.get_json()["errors"]["geometry"]
    assert len(_areas(disp, sid)) == 1


def test_an_officers_areas_without_an_assignment_count_together(login, opened):
    sid, disp = opened
    off1, off2 = login("off1"), login("off2")
    assert disp.post(f"/api/v1/searches/{sid}/members", {"user_id": off2.user["id"]}).status_code == 201
    areas = [square(lon=LKP[0] + 0.004 * i, d=0.0015) for i in range(-2, 3)]   # about 8.5 ha each, apart
    first = _mark(off1, sid, areas[0])
    assert first.status_code == 201 and _mark(off1, sid, areas[1]).status_code == 201      # 17 ha in all
    r = _mark(off1, sid, areas[2])                                                          # 25.6 ha: refused
    assert r.status_code == 400
    message = r.get_json()["errors"]["geometry"]
    assert "already marked 17.1 ha" in message and "20.0 ha" in message and "dispatcher" in message
    assert len(_areas(disp, sid)) == 2
    assert _mark(off2, sid, areas[2]).status_code == 201              # another officer's total is their own
    assert _mark(disp, sid, areas[3]).status_code == 201              # a dispatcher marks it
    r = disp.post(f"/api/v1/searches/{sid}/searched-areas/{first.get_json()['area']['id']}/retract",
                  {"reason": "drawn on the wrong street"})
    assert r.status_code in (200, 201), r.get_json()
    assert _mark(off1, sid, areas[4]).status_code == 201              # a retracted area no longer counts
    assert _mark(off1, sid, square(lon=LKP[0] + 0.02, d=0.0015)).status_code == 400
