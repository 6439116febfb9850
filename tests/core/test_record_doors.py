"""The record of a door-to-door tick (issue 14): the log/CSV sentence names the door and what happened there, in
English and Chinese, from ``core/record.py`` and the i18n files."""
import json
from pathlib import Path

import pytest

from search_coord.core import record

I18N = Path(__file__).resolve().parents[2] / "search_coord" / "i18n"
TZ = record.zone("Asia/Shanghai")
MESSAGES = {lang: json.loads((I18N / f"{lang}.json").read_text(encoding="utf-8")) for lang in ("en", "zh-CN")}


def _door(outcome, notes=None):
    return {"seq": 7, "type": "door.checked", "at": "2026-11-28T13:00:00+00:00",
            "payload": {"assignment_id": 3, "address_id": 41, "address": "京良路 12号", "outcome": outcome,
                        "notes": notes}}


@pytest.mark.parametrize("outcome, en, zh", [
    ("spoken", "spoken to", "已当面询问"), ("no_answer", "no answer", "无人应答"),
    ("searched_consent", "searched with consent", "经同意已搜查"), ("refused", "refused", "拒绝")])
def test_door_checked_names_the_door_and_the_outcome_in_both_languages(outcome, en, zh):
    key, params = record.describe(_door(outcome, "dog barking"), record.Names(), TZ)
    english = record.word(MESSAGES["en"][key], params)
    chinese = record.word(MESSAGES["zh-CN"][key], params)
    assert "京良路 12号" in english and en in english and "dog barking" in english
    assert "京良路 12号" in chinese and zh in chinese and "dog barking" in chinese
    assert "{" not in english + chinese


def test_door_checked_with_an_unknown_outcome_still_names_the_door():
    key, params = record.describe(_door("<b>odd</b>"), record.Names(), TZ)
    assert key in MESSAGES["en"] and key in MESSAGES["zh-CN"]
    assert "京良路 12号" in record.word(MESSAGES["en"][key], params)
