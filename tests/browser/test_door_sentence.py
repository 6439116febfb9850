"""The timeline's sentence of a door-to-door tick (issue 14) names the door (its address) and the outcome, in the
page's language (static/js/lib/events.js)."""
from browser_helpers import desk_page

SENTENCE = """async () => {
  const { eventSentence } = await import("/static/js/lib/events.js");
  return eventSentence({ type: "door.checked", payload: { assignment_id: 3, address_id: 41,
    address: "京良路 12号 <b>", outcome: "no_answer", notes: "lights on" } }, { members: [], teams: [] });
}"""


def test_door_checked_sentence_names_the_address_and_the_outcome(server, browser):
    problems = []
    ctx, page = desk_page(browser, server, problems)
    page.goto(server + "/")
    text = page.evaluate(SENTENCE)
    assert "京良路 12号 <b>" in text and "No answer" in text and "lights on" in text, text
    page.goto(f"{server}/lang/zh-CN?next=/")
    page.wait_for_url(server + "/")
    text = page.evaluate(SENTENCE)
    assert "京良路 12号 <b>" in text and "无人应答" in text and "No answer" not in text, text
    ctx.close()
    assert not problems, problems
