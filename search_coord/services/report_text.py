"""The record's sentences in both languages, read from ``search_coord/i18n/<lang>.json`` (the pages' own strings),
for what the server words itself: the CSV log, the report, the sheets and the flyer image."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from ..core import record

LANGS = ("en", "zh-CN")
_DIR = Path(__file__).resolve().parent.parent / "i18n"


@lru_cache(maxsize=None)
def messages(lang: str) -> dict[str, str]:
    """Every string of ``lang`` ("en" or "zh-CN"; another falls back to "en")."""
    return json.loads((_DIR / f"{lang if lang in LANGS else 'en'}.json").read_text(encoding="utf-8"))


def both() -> dict[str, dict]:
    """{lang: strings} of both languages."""
    return {lang: messages(lang) for lang in LANGS}


def say(lang: str, key: str, params: dict | None = None) -> str:
    """The sentence ``key`` in ``lang`` with its placeholders filled (English, then the key, when missing)."""
    text = messages(lang).get(key) or messages("en").get(key) or key
    return record.word(text, params or {})
