"""UI text in English and Chinese (zh-CN): the language follows the browser and can be switched (a cookie)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import current_app, g, request

LANGUAGES = ("en", "zh-CN")
_DIR = Path(__file__).resolve().parent.parent / "i18n"


@lru_cache(maxsize=None)
def messages(lang: str) -> dict[str, str]:
    return json.loads((_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def current_language() -> str:
    if "lang" not in g:
        chosen = request.cookies.get("lang")
        if chosen not in LANGUAGES:
            best = request.accept_languages.best_match(["en", "zh-CN", "zh"], default=None)
            chosen = "zh-CN" if best in ("zh-CN", "zh") else (best or current_app.config["DEFAULT_LANGUAGE"])
        g.lang = chosen
    return g.lang


def translate(key: str, **values) -> str:
    lang = current_language()
    text = messages(lang).get(key) or messages("en").get(key) or key
    return text.format(**values) if values else text


def register(app) -> None:
    @app.context_processor
    def _inject():
        lang = current_language()
        return {"_": translate, "lang": lang, "languages": LANGUAGES, "i18n_messages": messages(lang)}
