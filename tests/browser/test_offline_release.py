"""In Chromium, on a phone: a release with a changed script reaches a phone that has the app, without losing what
waits in its outbox. The app runs from a copy of the code; the phone has it (service worker, precache) and a clue
waiting (the server cannot be reached for clues); a script of the copy changes (the release); the page finds the new
service worker, says "New version — reload when safe" with the waiting item, and reloads only when asked; after the
reload the new script runs, the clue still waits, and it reaches the desk once when it can."""
from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import CHROME_ARGS, CHROMIUM, ROOT, api_client, app_server, phone_page
from offline_support import code_copy, wait_cached

pytestmark = pytest.mark.browser

MARK = "\nexport const RELEASE_MARK = \"release-2\"; // added by test_offline_release\n"


def _abort(route):
    route.abort()


def test_a_release_reaches_the_phone_and_the_waiting_items_stay(tmp_path, pw):
    code = code_copy(tmp_path)
    env = {"SEARCH_COORD_NODE_MODULES": str(ROOT / "node_modules")}
    problems: list[str] = []
    with app_server(tmp_path, env, cwd=code) as base:
        disp = api_client(base, "dispatch")
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        try:
            phone, field = phone_page(browser, base, problems)
            field.goto(base + "/field/1")
            field.wait_for_function("() => SC.debug.state && navigator.serviceWorker.controller && document.body.dataset.swVersion",
                                    timeout=20000)
            wait_cached(field, "/field/1")
            first = field.evaluate("document.body.dataset.swVersion")
            assert field.evaluate("import('/static/js/field/units.js').then(m => m.RELEASE_MARK || null)") is None

            # a clue that cannot reach the server yet
            phone.route("**/api/v1/searches/*/clues", _abort)
            field.locator("#clue-btn").tap()
            field.fill("#clue-dialog-text", "Glove at the stairwell B door (kept over the release)")
            field.locator("#clue-dialog button[type=submit]").tap()
            field.wait_for_selector("#clue-dialog", state="hidden", timeout=8000)
            field.wait_for_function("() => document.body.dataset.outboxWaiting === '1'")

            # the release: one script changes
            with open(code / "static/js/field/units.js", "a", encoding="utf-8") as f:
                f.write(MARK)
            field.evaluate("SC.debug.pwa.registration.update()")
            field.wait_for_function("() => document.body.dataset.swUpdate === 'ready'", timeout=20000)
            bar = field.inner_text("#sw-update")
            assert "New version" in bar and "reload when safe" in bar and "1" in bar, bar
            assert field.evaluate("document.body.dataset.swVersion") == first   # nothing reloaded by itself
            # the outbox changes every few fixes: the bar's button stays the same element under the officer's
            # finger (a button redrawn between touchstart and touchend loses the tap), and its count follows
            field.evaluate("window.__reloadBtn = document.getElementById('sw-reload')")
            field.evaluate("SC.debug.outbox.changed(false); SC.debug.outbox.changed(false)")
            assert field.evaluate("window.__reloadBtn.isConnected && window.__reloadBtn === document.getElementById('sw-reload')")
            Path("/tmp/shots/offline").mkdir(parents=True, exist_ok=True)
            field.screenshot(path="/tmp/shots/offline/update-bar-en.png")

            with field.expect_navigation(timeout=20000):
                field.locator("#sw-reload").tap()
            field.wait_for_function("() => SC.debug.state && document.body.dataset.swVersion", timeout=20000)
            assert field.evaluate("document.body.dataset.swVersion") != first
            assert field.evaluate("import('/static/js/field/units.js').then(m => m.RELEASE_MARK || null)") == "release-2"
            field.wait_for_function("() => SC.debug.outbox.items.some(i => i.kind === 'clue' && i.state !== 'failed')")

            phone.unroute("**/api/v1/searches/*/clues", _abort)
            field.evaluate("SC.debug.outbox.kick(true)")
            field.wait_for_function("() => SC.debug.outbox.items.length === 0", timeout=20000)
            texts = [c["text"] for c in disp("GET", "/api/v1/searches/1/clues")]
            assert texts.count("Glove at the stairwell B door (kept over the release)") == 1
            assert not problems, problems
        finally:
            browser.close()
