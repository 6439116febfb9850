"""In Chromium, on the phone: a 48-megapixel photo (~9.5 MB, taken with the phone on its side) attached to a clue is
shrunk on the phone before upload (at most 2560 px, at most 3 MB, turned upright), and the clue's text never waits for
its photo: it is sent first, and the photo is attached to it when it arrives. When the photo is refused (413), the
clue is on the server all the same and the outbox says the photo could not be sent."""
from __future__ import annotations

import base64
import io
import time
from datetime import datetime, timedelta, timezone

import pytest
from browser_helpers import START, api_client, iso, phone_page

pytestmark = pytest.mark.browser

LKP = (START[1], START[0])


@pytest.fixture(scope="module")
def big_photo(tmp_path_factory):
    """An 8000 x 6000 JPEG of about 9.5 MB whose EXIF says 'rotate 90° to view' (a phone held upright)."""
    from PIL import Image

    img = Image.blend(Image.effect_noise((8000, 6000), 24).convert("RGB"),
                      Image.linear_gradient("L").resize((8000, 6000)).convert("RGB"), 0.5)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path_factory.mktemp("photos") / "IMG_4032.jpg"
    img.save(path, "JPEG", quality=72, exif=exif.tobytes())
    size = path.stat().st_size
    assert 8.5e6 < size < 11e6, size
    return path


def _setup(base):
    disp = api_client(base, "dispatch")
    officer = {u["username"]: u for u in disp("GET", "/api/v1/users")}["patrol1"]
    sid = disp("POST", "/api/v1/searches", {
        "subject": {"name": "Photo Test", "age": 9, "sex": "male", "category": "child_7_9"},
        "lkp": {"type": "Point", "coordinates": list(LKP)},
        "lkp_time": iso(datetime.now(timezone.utc) - timedelta(minutes=30)), "risk": "high"})["id"]
    disp("POST", f"/api/v1/searches/{sid}/members", {"user_id": officer["id"]})
    return disp, sid


def _report(phone, field, photo, text):
    field.locator("#share-btn").tap()
    phone.set_geolocation({"latitude": START[0] + 0.0002, "longitude": START[1], "accuracy": 8})
    field.wait_for_function("() => !!SC.debug.tracker.last", timeout=8000)
    field.locator("#share-btn").tap()
    field.locator("#clue-btn").tap()
    field.fill("#clue-dialog-text", text)
    field.set_input_files("#clue-dialog-photo", str(photo))
    field.locator("#clue-dialog button[type=submit]").tap()
    field.wait_for_selector("#clue-dialog", state="hidden", timeout=8000)


# What the page uploads (Playwright does not hand out multipart bodies with files): each photo's bytes, as base64.
RECORD_UPLOADS = """(() => {
    window.__uploads = [];
    const real = window.fetch;
    window.fetch = async (url, opts) => {
        const body = opts && opts.body;
        if (body instanceof FormData && body.get("photo")) {
            const buf = new Uint8Array(await body.get("photo").arrayBuffer());
            let s = "";
            for (let i = 0; i < buf.length; i += 32768) s += String.fromCharCode.apply(null, buf.subarray(i, i + 32768));
            window.__uploads.push(btoa(s));
        }
        return real(url, opts);
    };
})();"""


def test_a_48_mp_photo_is_shrunk_on_the_phone_and_follows_its_clue(server, big_photo, browser):  # noqa: F811
    from PIL import Image

    base = server
    disp, sid = _setup(base)
    problems: list[str] = []
    order: list[str] = []
    phone, field = phone_page(browser, base, problems)
    phone.add_init_script(RECORD_UPLOADS)

    def seen(req):
        if req.method != "POST":
            return
        if req.url.endswith("/api/v1/photos"):
            order.append("photo")
        elif req.url.endswith(f"/searches/{sid}/clues"):
            order.append("clue")
        elif "/clues/" in req.url and req.url.endswith("/photo"):
            order.append("attach")

    field.on("request", seen)
    field.goto(f"{base}/field/{sid}")
    field.wait_for_function("() => document.body.dataset.live === 'on'")
    started = time.monotonic()
    _report(phone, field, big_photo, "Cap like his in the hedge")
    # the clue's text is on the server at once; the photo follows and is attached
    clue = [c for c in disp("GET", f"/api/v1/searches/{sid}/clues") if c["text"] == "Cap like his in the hedge"]
    assert len(clue) == 1
    field.wait_for_function("() => SC.debug.state.clues.some(c => c.text === 'Cap like his in the hedge' && c.photo_id)",
                            timeout=30000)
    print(f"photo attached {time.monotonic() - started:.1f} s after the report")
    assert order[:3] == ["clue", "photo", "attach"], order
    uploads = [base64.b64decode(u) for u in field.evaluate("window.__uploads")]
    assert len(uploads) == 1
    sent = uploads[0]
    print(f"uploaded {len(sent) / 1e6:.2f} MB instead of {big_photo.stat().st_size / 1e6:.2f} MB")
    assert len(sent) <= 3 * 1024 * 1024, len(sent)
    img = Image.open(io.BytesIO(sent))
    assert max(img.size) <= 2560 and max(img.size) >= 2000, img.size
    assert img.size[1] > img.size[0], f"not turned upright: {img.size}"
    field.wait_for_function("() => document.body.dataset.outboxWaiting === '0'", timeout=5000)
    assert field.evaluate("document.body.dataset.outboxFailed") == "0"
    # the dispatcher's API has the photo on the clue
    clue = [c for c in disp("GET", f"/api/v1/searches/{sid}/clues") if c["text"] == "Cap like his in the hedge"][0]
    assert clue["photo_id"]
    phone.close()
    assert not problems, problems


def test_a_refused_photo_never_holds_back_its_clue(server, big_photo, browser):  # noqa: F811
    base = server
    disp, sid = _setup(base)
    problems: list[str] = []
    phone, field = phone_page(browser, base, problems)
    phone.route("**/api/v1/photos", lambda route: route.fulfill(
        status=413, content_type="application/json",
        body='{"error": "payload_too_large", "message": "the photo is too large"}'))
    field.goto(f"{base}/field/{sid}")
    field.wait_for_function("() => document.body.dataset.live === 'on'")
    _report(phone, field, big_photo, "Boot print by the gate")
    clues = [c for c in disp("GET", f"/api/v1/searches/{sid}/clues") if c["text"] == "Boot print by the gate"]
    assert len(clues) == 1 and clues[0]["photo_id"] is None
    field.wait_for_function("() => document.body.dataset.outboxFailed === '1'", timeout=30000)
    box = field.inner_text("#outbox-box")
    assert "Photo could not be sent: the file is too large" in box, box
    assert field.evaluate("document.body.dataset.outboxWaiting") == "0"
    field.wait_for_function("() => SC.debug.state.clues.some(c => c.text === 'Boot print by the gate')")
    field.screenshot(path="/tmp/shots/phone/photo-refused-en.png")
    phone.close()
    assert not problems, problems
