"""A refused form's field errors as a toast (static/js/lib/api.js errorMessage): on a Chinese page the field's name,
its option codes and GeoJSON's type names are Chinese, with Chinese punctuation; an English page keeps the server's
words."""
from browser_helpers import desk_page

MESSAGE = """async () => {
  const { errorMessage } = await import("/static/js/lib/api.js");
  return errorMessage({ status: 400, data: { error: "validation", errors: {
    terrain: "must be one of: urban, temperate_flat",
    geometry: "geometry type must be one of Polygon, MultiPolygon; got 'Point'",
    client_id: "must be text" } } });
}"""


def test_field_errors_read_in_the_page_s_language(server, browser):
    problems = []
    ctx, page = desk_page(browser, server, problems)
    page.goto(server + "/")
    text = page.evaluate(MESSAGE)
    assert text.endswith("— terrain: must be one of: urban, temperate_flat; geometry: geometry type must be one of "
                         "Polygon, MultiPolygon; got 'Point'; client_id: must be text"), text
    page.goto(f"{server}/lang/zh-CN?next=/")
    page.wait_for_url(server + "/")
    text = page.evaluate(MESSAGE)
    assert text.endswith("— 地形：必须是以下之一：城镇、平原郊野；图形：图形类型必须是以下之一：多边形、多个多边形"
                         "（收到的是 点）；client_id：必须是文字"), text
    ctx.close()
    assert not problems, problems
