"""Door to door in the browser (issue 14): the addresses along a street assignment are a checklist on the officer's
phone; each tick goes through the outbox (one made offline waits and goes out when the phone is back online) and
shows live on the desk."""
import json

from browser_helpers import HELSINKI_LKP, phone_page, street_desk


def test_door_to_door_checklist_through_the_outbox(server, browser):
    base = server
    problems = []
    call, sid, team, desk, disp = street_desk(browser, base, problems, "Doors 1", "door_to_door")
    a = call("POST", f"/api/v1/searches/{sid}/streets/assignments",
             {"mode": "foot", "length_m": 300, "team_id": team["id"]})["assignment"]
    listing = call("GET", f"/api/v1/searches/{sid}/assignments/{a['id']}/doors")
    assert len(listing["doors"]) >= 2
    first, second = listing["doors"][0], listing["doors"][1]
    disp.goto(f"{base}/searches/{sid}")
    disp.click("#tab-where")
    disp.wait_for_function(f"() => SC.debug.streets && SC.debug.streets.doors({a['id']})"
                           f" && SC.debug.streets.doors({a['id']}).doors()")

    phone, field = phone_page(browser, base, problems)
    phone.set_geolocation({"latitude": HELSINKI_LKP[1], "longitude": HELSINKI_LKP[0], "accuracy": 6})
    field.goto(f"{base}/field/{sid}")
    rows = f"#my-doors details[data-assignment='{a['id']}']"
    field.wait_for_selector(rows + ":not([hidden])")
    field.click(rows + " summary")
    field.locator(f"{rows} li[data-address='{first['id']}'] button[data-outcome='no_answer']").tap()
    field.wait_for_selector(f"{rows} li[data-address='{first['id']}'][data-outcome='no_answer']")
    # offline: the tick waits in the outbox, then goes out once the phone is back
    phone.set_offline(True)
    field.locator(f"{rows} li[data-address='{second['id']}'] button[data-outcome='spoken']").tap()
    field.wait_for_function("() => SC.debug.outbox.items.some((i) => i.kind === 'door')")
    phone.set_offline(False)
    field.evaluate("() => SC.debug.outbox.kick(true)")
    field.wait_for_function("() => !SC.debug.outbox.items.some((i) => i.kind === 'door')", timeout=20000)
    # live on the desk: both answers in the assignment's list
    disp.wait_for_function(
        """([aid, a, b]) => { const l = SC.debug.streets.doors(aid); const ds = l && l.doors();
            if (!ds) return false; const by = new Map(ds.map((d) => [d.id, d.check && d.check.outcome]));
            return by.get(a) === "no_answer" && by.get(b) === "spoken"; }""",
        arg=[a["id"], first["id"], second["id"]], timeout=15000)
    after = call("GET", f"/api/v1/searches/{sid}/assignments/{a['id']}/doors")
    outcomes = {d["id"]: d["check"]["outcome"] for d in after["doors"] if d["check"]}
    assert outcomes == {first["id"]: "no_answer", second["id"]: "spoken"}
    events = call("GET", f"/api/v1/searches/{sid}/events?after=0")
    log = [e for e in (events["events"] if isinstance(events, dict) else events) if e["type"] == "door.checked"]
    assert len(log) == 2 and json.dumps(log[0]["payload"])
    phone.close()
    desk.close()
    assert not problems, problems
