"""Accounts: the password policy at create, reset and change; user-name look-alikes; one answer for every failed
login; the login throttle (429 with Retry-After, in the page's language); "change your password first"."""
import json
import re
import uuid
from pathlib import Path

import pytest
from support import FAST_HASH, PASSWORD, ApiClient, port_open

from search_coord import create_app
from search_coord.services import users
from search_coord.web.account import storage_uri


def new_user(**over):
    data = {"username": "new.officer", "display_name": "New", "role": "officer", "password": "granite-harbour-19"}
    data.update(over)
    return data


def user_names(adm):
    return sorted(u["username"] for u in adm.get("/api/v1/users").get_json())


@pytest.mark.parametrize("password, why", [
    ("short-pw", "at least 10"),
    ("1234567890", "most common"),
    ("Password2026!", "most common"),
    ("qwertyuiop", "most common"),
    ("new.officer-pass", "user name"),
    ("aaaaabbbbb", "different characters"),
])
def test_weak_passwords_are_refused_at_create_and_nothing_is_created(login, password, why):
    adm = login("adm")
    before = user_names(adm)
    r = adm.post("/api/v1/users", new_user(password=password))
    assert r.status_code == 400 and why in r.get_json()["errors"]["password"]
    assert user_names(adm) == before


def test_weak_password_refused_when_an_admin_sets_one(login):
    adm, off1 = login("adm"), login("off1")
    r = adm.patch(f"/api/v1/users/{off1.user['id']}", {"password": "off1-secret-word"})
    assert r.status_code == 400 and "user name" in r.get_json()["errors"]["password"]
    assert off1.get("/api/v1/searches").status_code == 200     # nothing changed: the session goes on


def test_passwords_are_kept_as_sent_never_trimmed(app, login):
    adm = login("adm")
    assert adm.post("/api/v1/users", new_user(password=" granite harbour ")).status_code == 201
    c = ApiClient(app, None)
    assert c.post("/api/v1/session", {"username": "new.officer", "password": "granite harbour"}).status_code == 401
    assert c.post("/api/v1/session", {"username": "new.officer", "password": " granite harbour "}).status_code == 200


@pytest.mark.parametrize("name", ["DISP", "Disp", "ｄｉｓｐ", "ԁisp", "ԁіѕр"])
def test_look_alikes_of_an_existing_name_are_refused(login, name):
    adm = login("adm")
    r = adm.post("/api/v1/users", new_user(username=name))
    assert r.status_code == 400 and re.search("taken|look-alike", r.get_json()["errors"]["username"])


@pytest.mark.parametrize("name", ["dıspatch", "dispɑtch", "dispatcħ", "dïspatch", "ԁіѕраtсh", "dispatcĥ",
                                  "DİSPATCH"])
def test_single_script_look_alikes_of_an_existing_name_are_refused(login, name):
    adm = login("adm")
    assert adm.post("/api/v1/users", new_user(username="dispatch", password="granite-harbour-19")).status_code == 201
    r = adm.post("/api/v1/users", new_user(username=name))
    assert r.status_code == 400 and "look" in r.get_json()["errors"]["username"], r.get_json()
    assert "dispatch" in user_names(adm) and name not in user_names(adm)


def test_the_user_name_rule_is_worded_for_any_account_not_only_your_own():
    """The same text is shown when an administrator sets someone else's password (admin_users.js)."""
    root = Path(__file__).resolve().parents[2] / "search_coord" / "i18n"
    en = json.loads((root / "en.json").read_text(encoding="utf-8"))["acct.err_username"]
    zh = json.loads((root / "zh-CN.json").read_text(encoding="utf-8"))["acct.err_username"]
    assert "your" not in en.lower() and "user name" in en
    assert "您" not in zh and "你" not in zh and "用户名" in zh


def test_a_mixed_script_name_is_refused_even_without_an_existing_twin(login):
    r = login("adm").post("/api/v1/users", new_user(username="раtrol7"))     # Cyrillic "ра" + Latin "trol7"
    assert r.status_code == 400 and "look-alike" in r.get_json()["errors"]["username"]


def test_names_are_stored_nfkc_and_logins_compare_case_folded(app, login):
    adm = login("adm")
    r = adm.post("/api/v1/users", new_user(username="Ｗａｎｇ.Ｌｉ"))
    assert r.status_code == 201 and r.get_json()["username"] == "Wang.Li"
    for typed in ("wang.li", "WANG.LI", "Ｗａｎｇ.Ｌｉ"):
        c = ApiClient(app, None)
        assert c.post("/api/v1/session", {"username": typed, "password": "granite-harbour-19"}).status_code == 200


def test_every_failed_login_gets_the_same_answer(app, login):
    adm = login("adm")
    adm.patch(f"/api/v1/users/{login('off2').user['id']}", {"active": False})
    answers = set()
    for name, password in (("nobody", PASSWORD), ("off1", "wrong-password-1"), ("off2", PASSWORD)):
        c = ApiClient(app, None)
        r = c.post("/api/v1/session", {"username": name, "password": password})
        answers.add((r.status_code, r.get_json()["error"], r.get_json()["message"]))
        page = app.test_client()
        token = page.get("/api/v1/session").get_json()["csrf_token"]
        r = page.post("/login", data={"username": name, "password": password, "csrf_token": token})
        body = r.get_data(as_text=True).replace(name, "NAME")
        answers.add((r.status_code, re.search(r'role="alert">([^<]*)<', body).group(1)))
    assert len(answers) == 2, answers       # one for the API, one for the page


def test_the_dummy_hash_for_an_unknown_name_is_built_once(app, monkeypatch):
    svc = app.extensions["search_coord"]
    svc.password_method = "pbkdf2:sha256:1003"     # a method no test used yet: nothing cached for it
    made = []
    real = users.generate_password_hash
    monkeypatch.setattr(users, "generate_password_hash", lambda *a, **k: made.append(a) or real(*a, **k))
    for _ in range(3):
        assert users.authenticate(svc, "nobody", "whatever-it-is") is None
    assert len(made) == 1


# --- throttle --------------------------------------------------------------------------------------------------

def throttled_app(tmp_path, **config):
    app = create_app({"INSTANCE_PATH": str(tmp_path / f"i-{uuid.uuid4().hex[:6]}"), "TESTING": True, "TILE_URL": "",
                      "PASSWORD_HASH_METHOD": FAST_HASH, "SECRET_KEY": "test-secret", "RECOMPUTE_INLINE": True,
                      "LOGIN_LIMIT_PER_ACCOUNT": "3 per minute", "LOGIN_LIMIT_PER_ADDRESS": "6 per minute",
                      **config})
    return app


def make_users(app):
    svc = app.extensions["search_coord"]
    for name in ("disp", "off1", "off2", "off3"):
        users.create_user(svc, None, {"username": name, "display_name": name, "role": "officer",
                                      "password": PASSWORD})


def attempt(app, name, password, client=None):
    c = client or ApiClient(app, None)
    return c.post("/api/v1/session", {"username": name, "password": password})


def test_failed_logins_per_account_are_throttled_with_retry_after(tmp_path):
    app = throttled_app(tmp_path)
    make_users(app)
    for _ in range(3):
        assert attempt(app, "off1", "wrong-password-1").status_code == 401
    r = attempt(app, "OFF1", PASSWORD)          # even the right password, and the name in another case
    assert r.status_code == 429
    wait = int(r.headers["Retry-After"])
    assert 1 <= wait <= 61 and r.get_json()["retry_after_s"] == wait
    assert r.get_json()["error"] == "rate_limited" and f"try again in {wait} s" in r.get_json()["message"]
    assert attempt(app, "off2", PASSWORD).status_code == 200      # another account is not locked


def test_successful_logins_do_not_count(tmp_path):
    app = throttled_app(tmp_path)
    make_users(app)
    for _ in range(8):
        assert attempt(app, "off1", PASSWORD).status_code == 200


def test_failed_logins_per_address_are_throttled_across_names(tmp_path):
    app = throttled_app(tmp_path)
    make_users(app)
    for i in range(6):
        assert attempt(app, f"nobody{i}", "wrong-password-1").status_code == 401
    assert attempt(app, "off3", PASSWORD).status_code == 429
    other = app.test_client()
    token = other.get("/api/v1/session", environ_base={"REMOTE_ADDR": "10.0.0.9"}).get_json()["csrf_token"]
    r = other.post("/api/v1/session", json={"username": "off3", "password": PASSWORD},
                   headers={"X-CSRF-Token": token}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert r.status_code == 200


def attempt_from(app, address, name, password, forwarded_for=None):
    """A login from the connection address ``address``, through a proxy that says ``X-Forwarded-For``."""
    c = app.test_client()
    env = {"REMOTE_ADDR": address}
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    token = c.get("/api/v1/session", environ_base=env, headers=headers).get_json()["csrf_token"]
    return c.post("/api/v1/session", json={"username": name, "password": password}, environ_base=env,
                  headers={"X-CSRF-Token": token, **headers})


def test_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(tmp_path):
    app = throttled_app(tmp_path)
    make_users(app)
    for _ in range(3):
        assert attempt_from(app, "10.0.0.66", "off1", "wrong-password-1").status_code == 401
    assert attempt_from(app, "10.0.0.66", "off1", PASSWORD).status_code == 429     # the guesser is stopped
    assert attempt_from(app, "10.0.0.9", "OFF1", PASSWORD).status_code == 200      # the owner is not
    assert attempt_from(app, "10.0.0.10", "off1", "wrong-password-1").status_code == 401   # counted afresh there


def test_without_proxy_fix_x_forwarded_for_is_ignored(tmp_path):
    app = throttled_app(tmp_path)
    make_users(app)
    for i in range(6):
        assert attempt_from(app, "10.0.0.1", f"nobody{i}", "wrong-password-1",
                            forwarded_for=f"198.51.100.{i}").status_code == 401
    # a forged header does not escape the limit of the connection's address
    assert attempt_from(app, "10.0.0.1", "off3", PASSWORD, forwarded_for="198.51.100.77").status_code == 429


def test_behind_a_proxy_proxy_fix_counts_each_client_on_its_own(tmp_path):
    app = throttled_app(tmp_path, PROXY_FIX=1)
    make_users(app)
    proxy = "127.0.0.1"     # every request reaches the app from nginx
    for i in range(6):
        assert attempt_from(app, proxy, f"nobody{i}", "wrong-password-1",
                            forwarded_for="1.2.3.4, 203.0.113.5").status_code == 401
    assert attempt_from(app, proxy, "off3", PASSWORD, forwarded_for="203.0.113.5").status_code == 429
    # another client behind the same proxy logs in (only the last hop, the one nginx appended, is trusted)
    assert attempt_from(app, proxy, "off3", PASSWORD, forwarded_for="203.0.113.5, 203.0.113.9").status_code == 200


def test_proxy_fix_comes_from_the_environment_and_must_be_a_count(tmp_path, monkeypatch):
    monkeypatch.setenv("SEARCH_COORD_PROXY_FIX", "1")
    assert throttled_app(tmp_path).config["PROXY_FIX"] == 1
    monkeypatch.setenv("SEARCH_COORD_PROXY_FIX", "yes")
    with pytest.raises(ValueError, match="PROXY_FIX"):
        throttled_app(tmp_path)


@pytest.mark.parametrize("lang, text", [("en", "Too many attempts. Try again in"), ("zh-CN", "尝试次数过多")])
def test_the_login_page_says_when_to_try_again_in_its_language(tmp_path, lang, text):
    app = throttled_app(tmp_path)
    make_users(app)
    page = app.test_client()
    page.set_cookie("lang", lang)
    token = page.get("/api/v1/session").get_json()["csrf_token"]
    for _ in range(3):       # page and API share the counters
        attempt(app, "off1", "wrong-password-1")
    r = page.post("/login", data={"username": "off1", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    body = r.get_data(as_text=True)
    assert text in body and re.search(r"\d+", body[body.index(text):body.index(text) + 40])


def test_counters_are_shared_through_redis_by_every_process(tmp_path):
    if not port_open("127.0.0.1", 6379):
        pytest.skip("Redis unreachable")
    prefix = "sc-test-" + uuid.uuid4().hex[:8]
    config = {"SOCKETIO_CHANNEL": prefix, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}
    a, b = throttled_app(tmp_path, **config), throttled_app(tmp_path, **config)
    assert a.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    make_users(b)
    for app in (a, b, a):
        assert attempt(app, "off1", "wrong-password-1").status_code == 401
    assert attempt(b, "off1", PASSWORD).status_code == 429


def test_redis_message_queue_means_redis_counters():
    # (no app with a message queue is built in this process: it would rebind the shared Socket.IO server)
    assert storage_uri({"SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0"}) == "redis://127.0.0.1:6379/0"
    assert storage_uri({"SOCKETIO_MESSAGE_QUEUE": "redis://q:6379/0",
                        "RATELIMIT_STORAGE_URI": "redis://limits:6379/1"}) == "redis://limits:6379/1"
    assert storage_uri({}) == "memory://"


# --- change password first -----------------------------------------------------------------------------------

def test_an_account_made_with_must_change_password_can_only_change_it(app, login):
    adm = login("adm")
    r = adm.post("/api/v1/users", new_user(must_change_password=True))
    assert r.status_code == 201 and r.get_json()["must_change_password"] is True
    c = ApiClient(app, None)
    r = c.post("/api/v1/session", {"username": "new.officer", "password": "granite-harbour-19"})
    assert r.status_code == 200 and r.get_json()["user"]["must_change_password"] is True
    c.token = r.get_json()["csrf_token"]
    r = c.get("/api/v1/searches")
    assert r.status_code == 403 and r.get_json()["error"] == "password_change_required"
    assert c.get("/api/v1/session").status_code == 200
    page = c.get("/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/password")
    assert c.get("/password").status_code == 200
    r = c.post("/api/v1/account/password", {"old_password": "granite-harbour-19",
                                            "new_password": "my-own-choice-42"})
    assert r.status_code == 200 and r.get_json()["user"]["must_change_password"] is False
    assert c.get("/api/v1/searches").status_code == 200 and c.get("/").status_code == 200


def test_an_admin_can_require_a_change_with_a_reset(app, login):
    adm, off1 = login("adm"), login("off1")
    r = adm.patch(f"/api/v1/users/{off1.user['id']}", {"password": "given-by-admin-7", "must_change_password": True})
    assert r.status_code == 200 and r.get_json()["must_change_password"] is True
    c = ApiClient(app, None)
    r = c.post("/api/v1/session", {"username": "off1", "password": "given-by-admin-7"})
    c.token = r.get_json()["csrf_token"]
    assert c.get("/api/v1/searches").status_code == 403
    assert c.delete("/api/v1/session").status_code == 200     # logging out is allowed


@pytest.mark.parametrize("body, field, why", [
    ({"old_password": "not-my-password", "new_password": "my-own-choice-42"}, "old_password", "is wrong"),
    ({"old_password": PASSWORD, "new_password": "1234567890"}, "new_password", "most common"),
    ({"old_password": PASSWORD, "new_password": "off1-and-more"}, "new_password", "user name"),
    ({"old_password": PASSWORD, "new_password": PASSWORD}, "new_password", "differ"),
    ({"new_password": "my-own-choice-42"}, "old_password", "required"),
    ({"old_password": PASSWORD, "new_password": "\ud800-lone-surrogate"}, "new_password", "text"),
    ({"old_password": "\ud800-lone-surrogate", "new_password": "my-own-choice-42"}, "old_password", "required"),
])
def test_change_password_errors_name_the_field_and_change_nothing(app, login, body, field, why):
    off1 = login("off1")
    r = off1.post("/api/v1/account/password", body)
    assert r.status_code == 400 and why in r.get_json()["errors"][field]
    assert off1.get("/api/v1/searches").status_code == 200
    assert ApiClient(app, "off1").user["username"] == "off1"     # the old password still works


def test_wrong_old_passwords_are_throttled(tmp_path):
    app = throttled_app(tmp_path)
    make_users(app)
    c = ApiClient(app, "off1")
    for _ in range(3):
        assert c.post("/api/v1/account/password", {"old_password": "guess-number-x",
                                                   "new_password": "my-own-choice-42"}).status_code == 400
    r = c.post("/api/v1/account/password", {"old_password": PASSWORD, "new_password": "my-own-choice-42"})
    assert r.status_code == 429 and "Retry-After" in r.headers
