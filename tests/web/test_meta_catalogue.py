"""GET /api/v1/meta gives the pages the event catalogue and the server's alert kinds; every i18n file words every
alert kind and every compass direction an alert may carry."""
import json
import pathlib
import re

from search_coord.core import alerts
from search_coord.core.catalogue import CATALOGUE

I18N = pathlib.Path(__file__).resolve().parents[2] / "search_coord" / "i18n"


def test_meta_lists_every_event_type_and_alert_kind(login):
    r = login("off1").get("/api/v1/meta")
    assert r.status_code == 200
    meta = r.get_json()
    assert sorted(meta["event_types"]) == sorted(CATALOGUE)
    assert meta["event_types"]["track.points"]["audience"] == "field_coalesced"
    assert meta["event_types"]["broadcast.sent"]["payload"] == {"broadcast": CATALOGUE["broadcast.sent"].payload["broadcast"]}
    assert meta["alert_kinds"] == {"found": ["condition"], "sighting": ["time", "code", "camera", "heading"],
                                   "disregard": ["time", "code", "camera"]}


def test_every_language_words_every_alert_with_its_params():
    for path in sorted(I18N.glob("*.json")):
        strings = json.loads(path.read_text(encoding="utf-8"))
        for kind, params in alerts.KINDS.items():
            text = strings[f"alert.{kind}"]
            assert set(re.findall(r"\{(\w+)\}", text)) == set(params), (path.name, kind)
        assert "{dir}" in strings["alert.sighting.heading"]
        for d in ("N", "NE", "E", "SE", "S", "SW", "W", "NW"):
            assert strings[f"alert.dir.{d}"], (path.name, d)
