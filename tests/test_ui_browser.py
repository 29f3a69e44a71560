"""Browser tests of the web page: headless Debian Chromium driven by Playwright against a real uvicorn
server on 127.0.0.1. Runs by default when /usr/bin/chromium (or $WIREWATCH_CHROMIUM) exists; with
WIREWATCH_REQUIRE_BROWSER=1 a missing browser is a failure, not a skip."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from wirewatch.records import Actor, Article, Place
from wirewatch.store import Store

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("WIREWATCH_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test-output"
TOKEN = "browser-test-token"

# Every payload sets a window flag if it ever runs; the page must show it as literal text instead.
XSS_TITLE = '<img src=x onerror="window.__xss_title=1">'
XSS_TEXT = (
    "<script>window.__xss_script=1</script> Rebel fighters shelled the "
    '<img src=x onerror="window.__xss_img=1"> village of Tal Abyad on March 3.\n'
    "Local officials said the rebels later killed four civilians in Tal Abyad."
)
XSS_ACTOR = Actor("XSS_ACTOR", '<b onmouseover="window.__xss_actor=1">Rebel fighters</b>', "SYR", "REB")
XSS_PLACE = Place(None, '<svg onload="window.__xss_place=1">', "SYR", None, 36.7, 38.95, "PPL", "city")
FLAGS = ("__xss_title", "__xss_script", "__xss_img", "__xss_actor", "__xss_place", "__xss_url")


def _xss_analyzed() -> Any:
    from test_api import build_analyzed

    article = Article("t_xss_article", XSS_TEXT, url="javascript:window.__xss_url=1", title=XSS_TITLE,
                      source="<i>evil</i>", published=date(2015, 3, 5))
    return build_analyzed(article, [{
        "type": "ASSAULT", "trigger": ("shelled", 0), "modality": "asserted", "confidence": 0.8,
        "source": [("Rebel fighters", 0, XSS_ACTOR)],
        "location": ('<img src=x onerror="window.__xss_img=1">', 0, XSS_PLACE),
        "date": ("March 3", 0, "2015-03-03", "day"),
    }, {
        "type": "ASSAULT", "trigger": ("killed", 0), "modality": "claimed", "confidence": 0.6,
        "source": [("rebels", 0, XSS_ACTOR)], "location": ("Tal Abyad", 1, XSS_PLACE),
        "attribution": [("Local officials", 0, "claimant", None)],
    }])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, kobani_text) -> Iterator[str]:
    """A uvicorn server over a fresh store: the XSS article stored directly, the Kobani example
    ingested through ``POST /api/articles`` (the real pipeline)."""
    import uvicorn

    from wirewatch.api import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp('ui') / 'ui.db'}"
    with Store.open(url) as store:
        store.add_analyzed(_xss_analyzed())
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(url, write_token=TOKEN), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    resp = httpx.post(f"{base}/api/articles", timeout=120, headers={"Authorization": f"Bearer {TOKEN}"},
                      json={"text": kobani_text, "published": "2015-02-13", "title": "Kobani warning"})
    assert resp.status_code == 201, resp.text
    try:
        yield base
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("WIREWATCH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"WIREWATCH_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
        ])
        yield b
        b.close()


@pytest.fixture()
def page(browser, server):
    """A fresh page that records console messages, page errors and every request it makes."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = ctx.new_page()
    pg.console_log, pg.errors, pg.requests = [], [], []
    pg.on("console", lambda m: pg.console_log.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.goto(server + "/")
    pg.wait_for_selector("body[data-loaded]")
    yield pg
    ctx.close()


def _rows(page) -> list[dict[str, str]]:
    return page.eval_on_selector_all("#events tbody tr[data-event-id]", """rows => rows.map(r => ({
        id: r.dataset.eventId, date: r.cells[0].textContent, type: r.cells[1].textContent,
        modality: r.cells[2].textContent, trigger: r.cells[5].textContent}))""")


def _wait_reload(page, before: str) -> None:
    page.wait_for_function("b => document.body.dataset.loaded !== b && !document.body.dataset.busy",
                           arg=before)


def test_page_renders_map_timeline_table_offline(page, server):
    total = httpx.get(server + "/api/events").json()["total"]
    assert total > 5
    markers = page.locator("path.ev-marker")
    located = len(httpx.get(server + "/api/events.geojson").json()["features"])
    assert markers.count() == located > 0
    assert page.locator("#map path.leaflet-interactive").count() >= located  # basemap is drawn too
    assert page.locator("#legend input[data-type]").count() == 16
    days = httpx.get(server + "/api/aggregate?by=day").json()["buckets"]
    assert page.locator("rect.tl-bar").count() == len(days)
    assert len(_rows(page)) == min(total, 50)
    assert f"of {total} events" in page.text_content("#page-info")
    # claims/possible events are hollow and dashed; asserted ones are filled and solid
    claimed = page.locator("path.ev-claimed, path.ev-possible").first
    assert claimed.get_attribute("fill-opacity") == "0" and claimed.get_attribute("stroke-dasharray")
    asserted = page.locator("path.ev-asserted.ev-point").first
    assert float(asserted.get_attribute("fill-opacity")) > 0.5
    assert not asserted.get_attribute("stroke-dasharray")
    assert page.locator("#events .badge-claimed, #events .badge-possible").count() > 0
    # nothing left the machine, nothing broke, and the strict CSP blocked nothing
    assert all(u.startswith(server) or u.startswith("data:") for u in page.requests), page.requests
    assert not page.errors, page.errors
    bad = ("Content Security Policy", "Refused", "Failed")
    assert not [m for m in page.console_log if any(b in m for b in bad)], page.console_log


def _richest_kobani_event(server: str) -> dict[str, Any]:
    """The pipeline's Kobani event with the most kinds of evidence span (trigger, actors, place...)."""
    events = httpx.get(server + "/api/events", params={"limit": 1000}).json()["events"]
    details = [httpx.get(f"{server}/api/events/{e['id']}").json()["event"]
               for e in events if e["article"]["title"] == "Kobani warning"]
    assert details, "the pipeline found no event in the Kobani example"
    return max(details, key=lambda d: (len({s["role"] for s in d["evidence"]["spans"]}), d["confidence"]))


def test_clicking_an_event_highlights_its_evidence(page, server, kobani_text):
    ev = _richest_kobani_event(server)
    row = page.locator(f"#events tbody tr[data-event-id='{ev['id']}']")
    row.click()
    panel = page.locator("#panel")
    panel.locator(".article-text mark.hl-trigger").first.wait_for()
    body = panel.locator(".article-text")
    assert body.text_content() == kobani_text  # the whole article, verbatim, nothing added
    assert panel.locator(".article-text .ev-sentence").text_content() == ev["evidence"]["sentence_text"]
    triggers = [t.strip() for t in body.locator("mark.hl-trigger").all_text_contents()]
    assert ev["trigger"]["text"] in triggers
    roles = set()
    for span in ev["evidence"]["spans"]:
        role = span["role"]
        if role == "attribution":
            kind = next(a["role"] for a in ev["attribution"] if a["start"] == span["start"])
            role = "reporter" if kind == "reporter" else "claimant"
        roles.add(role)
        assert body.locator(f"mark.hl-{role}").count() >= 1, role
    assert "selected" in (row.get_attribute("class") or "")
    colors = {page.eval_on_selector(f"#panel .article-text mark.hl-{r}",
                                    "e => getComputedStyle(e).backgroundColor") for r in roles}
    assert len(colors) == len(roles) >= 2  # one distinct colour per role
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "ui.png"), full_page=True)
    assert (OUT / "ui.png").stat().st_size > 10_000


def test_claims_are_marked_as_claims(page):
    page.locator("#events tbody tr", has_text="killed").first.click()
    page.locator("#panel .claim-note").wait_for()
    assert page.locator("#panel .panel-head .badge-claimed").count() == 1
    assert page.locator("#panel .article-text mark.hl-claimant", has_text="Local officials").count() == 1
    marker = page.locator("path.ev-claimed").first
    assert marker.get_attribute("fill-opacity") == "0" and marker.get_attribute("stroke-dasharray")


def test_clicking_a_marker_opens_the_event(page):
    # a real mouse click on a marker that is not covered by another marker or the legend
    hit = page.evaluate("""() => {
        for (const m of document.querySelectorAll("path.ev-marker")) {
            const b = m.getBoundingClientRect();
            const x = b.left + b.width / 2, y = b.top + b.height / 2;
            if (document.elementFromPoint(x, y) === m) return {id: m.dataset.eventId, x: x, y: y};
        }
        return null;
    }""")
    assert hit, "no clickable marker"
    eid = hit["id"]
    page.mouse.click(hit["x"], hit["y"])
    page.wait_for_function("id => (document.querySelector('#panel code') || {}).textContent === id", arg=eid)
    assert page.locator("#panel .article-text mark.hl-trigger").count() >= 1


def test_timeline_brush_filters_by_date(page):
    bar = page.locator("rect.tl-bar[data-day='2015-03-03']")
    box = bar.bounding_box()
    before = page.evaluate("document.body.dataset.loaded")
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] - 2, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, y, steps=3)
    page.mouse.move(box["x"] + box["width"] + 2, y, steps=3)
    page.mouse.up()
    _wait_reload(page, before)
    rows = _rows(page)
    assert rows and {r["date"] for r in rows} == {"2015-03-03"}
    assert "2015-03-03 → 2015-03-03" in page.text_content("#f-dates")
    assert "date_from=2015-03-03" in page.evaluate("location.hash")
    before = page.evaluate("document.body.dataset.loaded")
    page.click("#t-clear")
    _wait_reload(page, before)
    assert len({r["date"] for r in _rows(page)}) > 1


def test_filters_update_map_and_table(page, server):
    before = page.evaluate("document.body.dataset.loaded")
    page.select_option("#f-modality", "possible")
    _wait_reload(page, before)
    rows = _rows(page)
    assert rows and {r["modality"] for r in rows} == {"possible"}
    n_possible = httpx.get(server + "/api/events.geojson?modality=possible").json()["features"]
    assert page.locator("path.ev-marker").count() == len(n_possible)
    before = page.evaluate("document.body.dataset.loaded")
    page.click("#f-reset")
    _wait_reload(page, before)
    # legend (collapsed at first): unchecking a type hides it; double-click shows only that type
    page.click("#legend-toggle")
    before = page.evaluate("document.body.dataset.loaded")
    page.uncheck("#legend input[data-type='ASSAULT']")
    _wait_reload(page, before)
    assert "ASSAULT" not in {r["type"] for r in _rows(page)}
    page.dblclick("#legend label.legend-item:has(input[data-type='ASSAULT'])")
    page.wait_for_function("""() => {
        const types = [...document.querySelectorAll("#events tbody tr[data-event-id] td:nth-child(2)")]
            .map((td) => td.textContent);
        return types.length > 0 && types.every((t) => t === "ASSAULT") && !document.body.dataset.busy;
    }""")
    assert {r["type"] for r in _rows(page)} == {"ASSAULT"}
    assert page.locator("#legend input[data-type]:checked").count() == 1
    before = page.evaluate("document.body.dataset.loaded")
    page.click("#f-reset")
    _wait_reload(page, before)
    before = page.evaluate("document.body.dataset.loaded")
    page.fill("#f-country", "TUR")
    _wait_reload(page, before)
    expected = httpx.get(server + "/api/events?country=TUR").json()["total"]
    assert f"of {expected} events" in page.text_content("#page-info")


def test_untrusted_article_text_never_runs(page, server):
    page.locator("#events tbody tr", has_text="shelled").first.click()
    panel = page.locator("#panel")
    panel.locator(".article-text mark.hl-trigger", has_text="shelled").wait_for()
    panel.locator("details.siblings").wait_for()  # the sibling list renders actor names too
    page.locator("path.ev-marker[data-event-id]").first.hover(force=True)  # and so do tooltips
    page.wait_for_timeout(300)
    for flag in FLAGS:
        assert page.evaluate(f"typeof window.{flag}") == "undefined", flag
    text = panel.locator(".article-text").text_content()
    assert "<script>window.__xss_script=1</script>" in text
    assert '<img src=x onerror="window.__xss_img=1">' in text
    assert XSS_TITLE in panel.text_content()
    assert XSS_ACTOR.name in panel.text_content() and XSS_ACTOR.name in page.text_content("#events")
    assert page.locator("#panel a[href^='javascript']").count() == 0
    assert page.locator("img[src='x'], #panel script, #panel svg[onload], #events b").count() == 0
    assert not page.errors, page.errors


def test_docs_page_works_offline(browser, server):
    ctx = browser.new_context()
    pg = ctx.new_page()
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.goto(server + "/docs")
    pg.wait_for_selector(".opblock", timeout=15_000)
    assert pg.locator(".opblock").count() >= 9
    assert all(u.startswith(server) or u.startswith("data:") for u in requests), requests
    ctx.close()


def test_overview_lists_top_actors_and_filters_by_one(page, server):
    buttons = page.locator("#panel ol.actors li button")
    top = httpx.get(server + "/api/actors", params={"limit": 25}).json()["actors"]
    assert buttons.count() == len(top) > 0
    name = buttons.first.text_content()
    assert name == top[0]["name"]
    before = page.evaluate("document.body.dataset.loaded")
    buttons.first.click()
    _wait_reload(page, before)
    assert page.input_value("#f-actor") == name
    expected = httpx.get(server + "/api/events", params={"actor": name}).json()["total"]
    assert f"of {expected} events" in page.text_content("#page-info")
    # open an event, then close it: back to the overview, and the URL no longer names the event
    page.locator("#events tbody tr[data-event-id]").first.click()
    page.locator("#panel .panel-head .close").click()
    page.locator("#panel ol.actors").wait_for()
    assert "event=" not in page.evaluate("location.hash")


def test_add_article_dialog_posts_with_the_token(page, server):
    n_before = httpx.get(server + "/api/articles").json()["total"]
    page.click("#add-open")
    page.fill("#add-token", "wrong-token")
    page.fill("#add-text", "Syrian government forces shelled Idlib on Monday, killing three people.")
    page.fill("#add-title", "<b>Idlib</b> shelling")
    page.fill("#add-published", "2015-03-10")
    page.click("#add-submit")
    page.wait_for_function("() => document.getElementById('add-status').textContent.startsWith('Error')")
    assert "wrong token" in page.text_content("#add-status")
    assert httpx.get(server + "/api/articles").json()["total"] == n_before
    page.fill("#add-token", TOKEN)
    page.click("#add-submit")
    page.wait_for_function("() => document.getElementById('add-status').textContent.startsWith('Stored')",
                           timeout=60_000)
    arts = httpx.get(server + "/api/articles").json()
    assert arts["total"] == n_before + 1
    assert arts["articles"][0]["title"] == "<b>Idlib</b> shelling"
    assert arts["articles"][0]["published"] == "2015-03-10"
    assert page.locator("b").count() == 0


def test_sorting_export_links_and_article_siblings(page, server):
    before = page.evaluate("document.body.dataset.loaded")
    page.click("#events button.sort[data-order='confidence']")
    _wait_reload(page, before)
    confs = [float(c) for c in page.locator("#events tbody td.num").all_text_contents()]
    assert confs == sorted(confs, reverse=True) and len(confs) > 3
    assert "order=-confidence" in page.evaluate("location.hash")
    before = page.evaluate("document.body.dataset.loaded")
    page.select_option("#f-modality", "asserted")
    _wait_reload(page, before)
    href = page.get_attribute("#export-geojson", "href")
    assert "modality=asserted" in href
    exported = httpx.get(server + href).json()
    assert exported["type"] == "FeatureCollection"
    assert {f["properties"]["modality"] for f in exported["features"]} == {"asserted"}
    # the event panel lists every event of the same article
    row = page.locator("#events tbody tr[data-event-id]").first
    eid = row.get_attribute("data-event-id")
    row.click()
    page.locator("#panel details.siblings").wait_for()
    article_id = httpx.get(f"{server}/api/events/{eid}").json()["event"]["article"]["id"]
    n_events = len(httpx.get(f"{server}/api/articles/{article_id}").json()["events"])
    assert page.locator("#panel details.siblings li").count() == n_events
    assert not page.locator("#legend").is_visible()  # the legend starts collapsed
    page.click("#legend-toggle")
    assert page.locator("#legend").is_visible()
    page.click("#legend-toggle")
    assert not page.locator("#legend").is_visible()


def test_a_shared_link_reopens_the_same_view(browser, server):
    ev = _richest_kobani_event(server)
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = ctx.new_page()
    pg.goto(f"{server}/#modality={ev['modality']}&event={ev['id']}")
    pg.locator("#panel .article-text mark.hl-trigger").first.wait_for()
    assert pg.text_content("#panel code") == ev["id"]
    assert pg.input_value("#f-modality") == ev["modality"]
    shown = pg.locator("#events tbody td:nth-child(3)").all_text_contents()
    assert {m.strip() for m in shown} == {ev["modality"]}
    ctx.close()
