"""The outbox's view (static/js/reports/outbox_view.js) redraws only when what it shows changes, so its buttons are
not replaced under a finger at every fix; what it shows includes the "since" time's wording, which changes to date
and time once the oldest item has waited 12 hours."""
from browser_helpers import desk_page

VIEW = """async () => {
  const { outboxView } = await import("/static/js/reports/outbox_view.js");
  const created = new Date(Date.now() - 11.9 * 3600e3).toISOString();
  const fake = { items: [{ key: 1, kind: "clue", state: "waiting", created }], listeners: [], lastSentAt: null,
    on(fn) { this.listeners.push(fn); }, kick() {},
    summary() { return { waiting: 1, since: created, failed: [], offline: false, authProblem: false, passwordChange: false }; },
    changed() { for (const f of this.listeners) f(this.summary()); } };
  const box = document.createElement("div");
  document.body.append(box);
  outboxView(box, fake, { searchId: 1 });
  const button = box.querySelector(".outbox-retry");
  const before = box.textContent;
  fake.changed();
  const kept = button.isConnected;
  const realNow = Date.now;
  Date.now = () => realNow() + 3600e3;   // an hour later: 12.9 h waiting
  try { fake.changed(); } finally { Date.now = realNow; }
  return { before, kept, after: box.textContent, replaced: !button.isConnected };
}"""


def test_the_outbox_view_keeps_its_buttons_and_follows_the_since_time(server, browser):
    problems = []
    ctx, page = desk_page(browser, server, problems)
    page.goto(server + "/")
    out = page.evaluate(VIEW)
    assert out["kept"], out
    assert out["before"] != out["after"] and out["replaced"], out
    ctx.close()
    assert not problems, problems
