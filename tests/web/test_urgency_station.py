"""The station's own escalation checklist (a JSON file named by ESCALATION_CHECKLIST) and a weather adapter
(WEATHER_ADAPTER) feed the urgency strip; a wrong checklist file stops the start, named."""
from __future__ import annotations

import json

import pytest

from support import FAST_HASH, PASSWORD, ApiClient, search_payload


class FakeWeather:
    name = "test-weather"

    def now(self, lon, lat):
        return {"temperature_c": -4.5, "low_tonight_c": -11.0}


def _app(tmp_path, **cfg):
    from search_coord import create_app
    from search_coord.services import users

    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True, "TILE_URL": "",
                      "RECOMPUTE_INLINE": True, "PASSWORD_HASH_METHOD": FAST_HASH, "SECRET_KEY": "t", **cfg})
    users.create_user(app.extensions["search_coord"], None, {"username": "disp", "display_name": "Disp",
                                                              "role": "dispatcher", "password": PASSWORD})
    return app


def test_station_checklist_and_weather_adapter(tmp_path):
    path = tmp_path / "checklist.json"
    path.write_text(json.dumps([{"id": "call_k9_unit", "after_min": 0,
                                 "text": {"en": "Call the K9 unit at Fangshan", "zh-CN": "呼叫房山警犬队"}}]),
                    encoding="utf-8")
    app = _app(tmp_path, ESCALATION_CHECKLIST=str(path), WEATHER_ADAPTER=FakeWeather())
    disp = ApiClient(app, "disp")
    sid = disp.post("/api/v1/searches", search_payload()).get_json()["id"]
    strip = disp.get(f"/api/v1/searches/{sid}/urgency").get_json()
    assert [p["id"] for p in strip["prompts"]] == ["call_k9_unit"]
    assert strip["prompts"][0]["text"]["zh-CN"] == "呼叫房山警犬队"
    assert strip["weather"]["source"] == "test-weather" and strip["weather"]["low_tonight_c"] == -11.0
    assert strip["facts"]["cold"] is True
    # what a dispatcher enters wins over the adapter
    disp.post(f"/api/v1/searches/{sid}/weather", {"temperature_c": 2})
    assert disp.get(f"/api/v1/searches/{sid}/urgency").get_json()["weather"]["source"] == "dispatcher"
    app.extensions["search_coord_engine"].dispose()


def test_a_wrong_checklist_file_is_named(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[{"id": "Bad Id"}]', encoding="utf-8")
    with pytest.raises(ValueError, match="bad.json.*prompt 1"):   # at start-up, not on the night
        _app(tmp_path, ESCALATION_CHECKLIST=str(path))
