"""Error pages speak the reader's language: each common status has its own line in English and in Chinese, and a
page in Chinese shows no English (neither Werkzeug's descriptions nor the server's own messages); an English page
still gives the server's words below its line."""
import re

import pytest

WERKZEUG_404 = "The requested URL was not found on the server"


def section(response) -> str:
    """The visible text of the error page's card."""
    html = response.get_data(as_text=True)
    card = re.search(r'<section class="card narrow error-page">(.*?)</section>', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", card).split())


def in_chinese(client):
    client.set_cookie("lang", "zh-CN")
    return client


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_an_unknown_address(app, lang):
    c = app.test_client()
    c.set_cookie("lang", lang)
    r = c.get("/no-such-page")
    text = section(r)
    assert r.status_code == 404
    if lang == "en":
        assert "This page does not exist." in text and WERKZEUG_404 in text
    else:
        assert "页面不存在" in text and not re.search(r"[A-Za-z]{2,}", text), text


def test_a_method_a_page_does_not_take(app, login):
    disp = login("disp")
    r = in_chinese(disp.client).post("/", headers={"X-CSRF-Token": disp.token})
    assert r.status_code == 405
    text = section(r)
    assert "不能以这种方式打开此页面" in text and not re.search(r"[A-Za-z]{2,}", text), text


def test_the_servers_own_refusal(app, opened):
    sid, disp = opened
    english = disp.get("/searches/999")
    assert english.status_code == 404 and "search 999" in section(english)
    chinese = in_chinese(disp.client).get("/searches/999")
    text = section(chinese)
    assert chinese.status_code == 404 and "页面不存在" in text and not re.search(r"[A-Za-z]{2,}", text), text


def test_an_unexpected_error(app, login, monkeypatch):
    disp = login("disp")

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")
    monkeypatch.setitem(app.view_functions, "pages.index", broken)
    r = in_chinese(disp.client).get("/")
    text = section(r)
    assert r.status_code == 500 and "服务器出错" in text and not re.search(r"[A-Za-z]{2,}", text), text
    disp.client.set_cookie("lang", "en")
    assert "Server error: nothing was saved." in section(disp.get("/"))


@pytest.mark.parametrize("lang, line", [("en", "The page is out of date — reload it and try again"),
                                        ("zh-CN", "页面已过期，请刷新后重试")])
def test_a_form_sent_without_its_token_says_to_reload(app, lang, line):
    """An out-of-date form (no CSRF token): the page says to reload it, not that the request was not understood."""
    c = app.test_client()
    c.set_cookie("lang", lang)
    c.get("/login")
    r = c.post("/login", data={"username": "off1", "password": "x"})
    text = section(r)
    assert r.status_code == 400 and line in text and "X-CSRF-Token" not in text, text
