"""Browser tests of the map, timeline, layout and incident view (issue 12's web page, issue 11's place
precision): headless Debian Chromium via Playwright against a real uvicorn server on 127.0.0.1 over a
store holding 13 years of events at city, admin1 and country precision and one incident told by three
outlets. Screenshots are checked for a drawn basemap with labels; docs/ui.png is refreshed."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_ui_browser import CHROMIUM, _free_port, browser  # noqa: F401  (the browser fixture)

from wirewatch.records import Actor, Article, Place
from wirewatch.store import Store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test-output"

ARMY = Actor("SYRMIL", "Syrian Army", "SYR", "MIL", True)
REBELS = Actor("SYRREB", "Free Syrian Army", "SYR", "REB", True)
POLICE = Actor("TURCOP", "Turkish police", "TUR", "COP", True)
ALEPPO = Place(170063, "Aleppo", "SYR", "Aleppo", 36.2, 37.16, "PPLA", "city")
IDLIB_GOV = Place(169387, "Idlib Governorate", "SYR", "Idlib", 35.83, 36.63, "ADM1", "admin1")
SYRIA = Place(163843, "Syria", "SYR", None, 35.0, 38.0, "PCLI", "country")
ANKARA = Place(323786, "Ankara", "TUR", "Ankara", 39.92, 32.85, "PPLC", "city")
ISTANBUL = Place(745044, "Istanbul", "TUR", "Istanbul", 41.01, 28.95, "PPLA", "city")
HOMS = Place(169577, "Homs", "SYR", "Homs", 34.73, 36.72, "PPLA", "city")
YEARS = range(2010, 2023)  # 13 years


def _store_events(url: str) -> None:
    from test_api import build_analyzed

    items = []
    for year in YEARS:
        for month in (2, 6, 10):
            day = date(year, month, 11)
            text = (f"The army shelled Aleppo on {day:%B} 11.\n"
                    f"Protesters marched across Syria on {day:%B} 12.\n"
                    f"Rebels attacked villages in Idlib Governorate on {day:%B} 13.")
            art = Article(f"t_map_{year}_{month}", text, title=f"Syria round-up {year}-{month:02d}",
                          source="Wire", published=day)
            items.append(build_analyzed(art, [
                {"type": "ASSAULT", "trigger": ("shelled", 0), "modality": "asserted",
                 "source": [("army", 0, ARMY)], "location": ("Aleppo", 0, ALEPPO),
                 "date": (f"{day:%B} 11", 0, day.isoformat(), "day")},
                {"type": "PROTEST", "trigger": ("marched", 0), "modality": "asserted",
                 "location": ("Syria", 0, SYRIA),
                 "date": (f"{day:%B} 12", 0, day.replace(day=12).isoformat(), "day")},
                {"type": "ASSAULT", "trigger": ("attacked", 0), "modality": "asserted",
                 "source": [("Rebels", 0, REBELS)], "location": ("Idlib Governorate", 0, IDLIB_GOV),
                 "date": (f"{day:%B} 13", 0, day.replace(day=13).isoformat(), "day")},
            ]))
    for i, (place, name) in enumerate([(ANKARA, "Ankara"), (ISTANBUL, "Istanbul")]):
        day = date(2016, 7, 15 + i)
        text = f"Police detained protesters in {name} on July {15 + i}."
        art = Article(f"t_map_tur_{i}", text, title=f"{name} arrests", source="Wire", published=day)
        items.append(build_analyzed(art, [{
            "type": "COERCE", "trigger": ("detained", 0), "modality": "asserted",
            "source": [("Police", 0, POLICE)], "location": (name, 0, place),
            "date": (f"July {15 + i}", 0, day.isoformat(), "day")}]))
    # one incident, three outlets: two state it, one passes on the army's claim
    day = date(2019, 4, 2)
    for outlet, extra, modality in [("AFP", "", "asserted"), ("Reuters", "", "asserted"),
                                    ("SANA", "The army said ", "claimed")]:
        text = f"{extra}Government troops shelled Homs on April 2, killing nine people."
        spec: dict[str, Any] = {
            "type": "ASSAULT", "trigger": ("shelled", 0), "modality": modality,
            "source": [("Government troops", 0, ARMY)], "location": ("Homs", 0, HOMS),
            "date": ("April 2", 0, day.isoformat(), "day"),
        }
        if extra:
            spec["attribution"] = [("The army", 0, "claimant", ARMY.actor_id)]
        art = Article(f"t_inc_{outlet}", text, title=f"Homs shelling ({outlet})", source=outlet,
                      url=f"https://{outlet.lower()}.example/homs", published=day)
        items.append(build_analyzed(art, [spec]))
    with Store.open(url) as store:
        for item in items:
            store.add_analyzed(item)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    import uvicorn

    from wirewatch.api import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp('uimap') / 'map.db'}"
    _store_events(url)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(url), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def _open(browser, server: str, width: int = 1400, height: int = 900, hash_: str = ""):  # noqa: F811
    ctx = browser.new_context(viewport={"width": width, "height": height})
    pg = ctx.new_page()
    pg.errors, pg.requests = [], []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.goto(server + "/" + hash_)
    pg.wait_for_selector("body[data-loaded]")
    pg.wait_for_function("() => !document.body.dataset.busy"
                         " && +document.getElementById('map').dataset.labels > 0")
    return ctx, pg


@pytest.fixture()
def page(browser, server):  # noqa: F811
    ctx, pg = _open(browser, server)
    yield pg
    assert not pg.errors, pg.errors
    assert all(u.startswith(server) for u in pg.requests), pg.requests  # offline: nothing else fetched
    ctx.close()


def _wait_reload(page, before: str) -> None:
    page.wait_for_function("b => document.body.dataset.loaded !== b && !document.body.dataset.busy",
                           arg=before)


def _loaded(page) -> str:
    return page.evaluate("document.body.dataset.loaded")


def _map_stats(page) -> dict[str, float]:
    """Pixel statistics of the map area in a screenshot: distinct colours and the grey-level spread."""
    from PIL import Image, ImageStat

    png = page.locator("#map").screenshot()
    img = Image.open(io.BytesIO(png)).convert("RGB")
    grey = img.convert("L")
    return {"colors": len(img.getcolors(1 << 20) or []), "stddev": ImageStat.Stat(grey).stddev[0],
            "width": img.width}


def _actor_row(page, name: str):
    return page.locator("#panel ol.actors li").filter(has=page.get_by_role("button", name=name, exact=True))


def _labels(page) -> list[dict[str, str]]:
    return page.eval_on_selector_all(".map-label",
                                     "ls => ls.map(l => ({kind: l.dataset.kind, text: l.textContent}))")


def _set_view(page, lat: float, lon: float, zoom: float) -> None:
    page.evaluate("([a, o, z]) => { WW.map.setView([a, o], z, {animate: false}); }", [lat, lon, zoom])
    page.wait_for_function("z => WW.map.getZoom() === z && document.querySelector('.map-labels')", arg=zoom)
    page.wait_for_timeout(150)


def test_basemap_has_labels_that_get_denser_when_zoomed(page):
    labels = _labels(page)
    kinds = {lab["kind"] for lab in labels}
    assert "country" in kinds and len(labels) >= 10, labels
    # the map region of a screenshot is drawn (land, borders, labels), not a flat grey
    stats = _map_stats(page)
    assert stats["colors"] > 50 and stats["stddev"] > 8, stats
    # zoomed in on Syria: 50m outlines, admin1 names and many more cities than in the world view
    _set_view(page, 35.5, 37.5, 3)
    cities_far = sum(lab["kind"] in ("city", "capital") for lab in _labels(page))
    _set_view(page, 35.5, 37.5, 7)
    page.wait_for_function("() => document.getElementById('map').dataset.basemap === '50m'")
    near = _labels(page)
    names = {lab["text"] for lab in near}
    assert {"Aleppo", "Homs"} <= names, names
    assert any(lab["kind"] == "admin1" for lab in near)
    assert sum(lab["kind"] in ("city", "capital") for lab in near) > max(5, cities_far)
    zoomed = _map_stats(page)
    assert zoomed["colors"] > 50 and zoomed["stddev"] > 8, zoomed  # not blank when zoomed
    # at the deepest zoom labels are still there (towns come in)
    _set_view(page, 36.2, 37.16, 10)
    assert len(_labels(page)) >= 3


def test_country_and_region_locations_are_drawn_as_areas(page, server):
    page.click("#f-count input[value='events']")
    page.wait_for_function("() => !document.body.dataset.busy && location.hash.includes('count=events')")
    feats = httpx.get(server + "/api/events.geojson", params={"count": "events"}).json()["features"]
    by_res = {f["properties"]["resolution"] for f in feats}
    assert {"city", "admin1", "country"} <= by_res
    size = page.evaluate("""() => {
        const out = {};
        for (const p of document.querySelectorAll("path.ev-marker")) {
            const r = p.dataset.resolution, w = p.getBoundingClientRect().width;
            out[r] = Math.max(out[r] || 0, w);
            if (p.classList.contains("ev-area") !== (r === "country" || r === "admin1")) return {bad: r};
        }
        return out;
    }""")
    assert "bad" not in size, size
    assert size["country"] > size["admin1"] > 1.5 * size["city"], size
    country = page.locator("path.ev-res-country").first
    assert float(country.get_attribute("fill-opacity")) < 0.25 and country.get_attribute("stroke-dasharray")
    # 39 country-level events on one centroid: one pale disc plus outlines, not an opaque blob
    rings = page.eval_on_selector_all("path.ev-res-country",
                                      "ps => ps.map(p => +p.getAttribute('fill-opacity'))")
    assert len(rings) == len(YEARS) * 3 and sum(o > 0 for o in rings) == 1, rings
    point = page.locator("path.ev-res-city").first
    assert float(point.get_attribute("fill-opacity")) > 0.5
    # area rings sit in a pane under the city dots (a dot stays clickable inside a country ring)
    assert page.evaluate("""() => {
        const z = (sel) => +getComputedStyle(document.querySelector(sel).closest(".leaflet-pane")).zIndex;
        return z("path.ev-res-country") < z("path.ev-res-city");
    }""")
    # the legend explains it, and the event panel says the place is approximate
    page.click("#legend-toggle")
    legend = page.locator("#legend .legend-precision")
    assert legend.locator(".legend-item").count() >= 3
    assert "country" in legend.text_content() and "exact place" in legend.text_content()
    page.locator("#events tbody tr", has_text="marched").first.click()
    page.locator("#panel .res-area").wait_for()
    assert "approximate" in page.text_content("#panel .res-area")


def test_timeline_bins_zoom_and_brush_over_13_years(page, server):
    svg = page.locator("#timeline")
    assert svg.get_attribute("data-unit") in ("month", "year")  # not 4,700 hairline day bars
    widths = page.eval_on_selector_all("rect.tl-bar", "rs => rs.map(r => +r.getAttribute('width'))")
    assert len(widths) >= 13 and min(widths) >= 3, widths
    assert page.locator("rect.tl-report").count() == len(widths)  # reports behind incidents
    assert "Incidents per" in page.text_content("#t-title")
    # brush over the bars of 2019: the filter is set and the timeline zooms in to finer bins
    bars = page.eval_on_selector_all("rect.tl-bar", """rs => rs.map(r => ({day: r.dataset.day,
        box: r.getBoundingClientRect().toJSON()}))""")
    in_2019 = [b for b in bars if b["day"].startswith("2019")]
    left = min(b["box"]["x"] for b in in_2019) - 1
    right = max(b["box"]["x"] + b["box"]["width"] for b in in_2019) + 1
    y = in_2019[0]["box"]["y"] + in_2019[0]["box"]["height"] - 2
    before = _loaded(page)
    page.mouse.move(left, y)
    page.mouse.down()
    page.mouse.move((left + right) / 2, y, steps=3)
    page.mouse.move(right, y, steps=3)
    page.mouse.up()
    _wait_reload(page, before)
    date_from = page.evaluate("new URLSearchParams(location.hash.slice(1)).get('date_from')")
    date_to = page.evaluate("new URLSearchParams(location.hash.slice(1)).get('date_to')")
    assert date_from.startswith("2019") and date_to.startswith("2019"), (date_from, date_to)
    dates = page.locator("#events tbody td:first-child").all_text_contents()
    assert dates and all(date_from <= d <= date_to for d in dates)
    assert svg.get_attribute("data-unit") in ("day", "week", "month")
    zoomed_days = page.eval_on_selector_all("rect.tl-bar", "rs => rs.map(r => r.dataset.day)")
    assert zoomed_days and all(d.startswith(("2018", "2019", "2020")) for d in zoomed_days)
    # "show all" zooms back out and keeps the filter
    page.click("#t-zoom")
    assert svg.get_attribute("data-unit") in ("month", "year")
    assert page.locator("rect.tl-selection").count() == 1
    assert "date_from=" in page.evaluate("location.hash")
    page.click("#t-zoom")
    assert svg.get_attribute("data-unit") != "year"
    # events mode: one series
    page.click("#f-count input[value='events']")
    page.wait_for_function("() => !document.body.dataset.busy && location.hash.includes('count=events')")
    assert page.locator("rect.tl-report").count() == 0
    assert "Events per" in page.text_content("#t-title")


def test_legend_collapses_and_the_date_chip_stays_on_one_line(browser, server):  # noqa: F811
    for width, height in [(1400, 900), (390, 844)]:
        ctx, pg = _open(browser, server, width, height, "#date_from=2015-01-01&date_to=2016-12-31")
        area = pg.locator("#map").bounding_box()
        toggle = pg.locator("#legend-toggle").bounding_box()
        assert not pg.locator("#legend").is_visible()
        assert toggle["width"] * toggle["height"] < 0.03 * area["width"] * area["height"]
        pg.click("#legend-toggle")
        assert pg.locator("#legend").is_visible()
        pg.click("#legend-toggle")
        assert not pg.locator("#legend").is_visible()
        chip = pg.locator("#f-dates")
        assert chip.text_content() == "2015-01-01 → 2016-12-31"
        line = pg.evaluate("parseFloat(getComputedStyle(document.getElementById('f-dates')).fontSize)")
        assert chip.bounding_box()["height"] < 2 * line  # one line, not wrapped
        ctx.close()


def test_panel_closes_when_the_filter_excludes_its_event(page):
    page.locator("#events tbody tr", has_text="marched").first.click()
    page.locator("#panel .article-text mark.hl-trigger").wait_for()
    assert "event=" in page.evaluate("location.hash")
    before = _loaded(page)
    page.fill("#f-country", "TUR")  # the open event is in Syria
    _wait_reload(page, before)
    page.locator("#panel ol.actors").wait_for()
    assert page.locator("#panel .article-text").count() == 0
    assert "event=" not in page.evaluate("location.hash")
    assert "does not match" in page.text_content("#map-note")
    # an event that still matches stays open
    page.locator("#events tbody tr", has_text="detained").first.click()
    page.locator("#panel .article-text mark.hl-trigger").wait_for()
    before = _loaded(page)
    page.select_option("#f-modality", "asserted")
    _wait_reload(page, before)
    assert page.locator("#panel .article-text mark.hl-trigger").count() == 1


def test_country_filter_fits_the_map_to_its_results(page, server):
    _set_view(page, 10, 0, 2)  # the whole world
    before = _loaded(page)
    page.fill("#f-country", "TUR")
    _wait_reload(page, before)
    feats = httpx.get(server + "/api/events.geojson", params={"country": "TUR"}).json()["features"]
    assert len(feats) == 2
    view = page.evaluate("""() => { const b = WW.map.getBounds();
        return {w: b.getWest(), e: b.getEast(), s: b.getSouth(), n: b.getNorth(), z: WW.map.getZoom()}; }""")
    for f in feats:
        lon, lat = f["geometry"]["coordinates"]
        assert view["w"] <= lon <= view["e"] and view["s"] <= lat <= view["n"]
    assert view["z"] >= 4 and view["e"] - view["w"] < 40, view  # zoomed to Turkey, not the world


def test_selected_row_is_scrolled_into_view(page):
    rows = page.locator("#events tbody tr[data-event-id]")
    assert rows.count() > 30
    last = rows.nth(rows.count() - 1)
    eid = last.get_attribute("data-event-id")
    wrap = page.locator(".table-wrap").bounding_box()
    assert last.bounding_box()["y"] > wrap["y"] + wrap["height"]  # below the fold at first
    # open it from the map (its marker), as an analyst would
    page.click("#f-count input[value='events']")
    page.wait_for_function("() => !document.body.dataset.busy && location.hash.includes('count=events')")
    page.locator(f"path.ev-marker[data-event-id='{eid}']").dispatch_event("click")
    page.wait_for_function("id => (document.querySelector('#panel code') || {}).textContent === id", arg=eid)
    box = page.locator(f"#events tbody tr[data-event-id='{eid}']").bounding_box()
    wrap = page.locator(".table-wrap").bounding_box()
    assert wrap["y"] <= box["y"] and box["y"] + box["height"] <= wrap["y"] + wrap["height"] + 1


def test_phone_layout_has_nothing_on_top_of_anything(browser, server):  # noqa: F811
    ctx, pg = _open(browser, server, 390, 844)
    boxes = {sel: pg.locator(sel).bounding_box() for sel in
             (".filters", ".map-wrap", ".timeline-wrap", ".table-wrap", "#panel")}
    order = list(boxes)
    for a, b in zip(order, order[1:], strict=False):
        assert boxes[a]["y"] + boxes[a]["height"] <= boxes[b]["y"] + 1, (a, b, boxes)
    heading = pg.locator("#panel h2.top-actors").bounding_box()
    assert heading["y"] >= boxes[".table-wrap"]["y"] + boxes[".table-wrap"]["height"]
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    # the top actor list is reachable and clickable below the table
    pg.locator("#panel ol.actors li button").first.scroll_into_view_if_needed()
    pg.locator("#panel ol.actors li button").first.click()
    pg.wait_for_function("() => document.getElementById('f-actor').value !== ''")
    OUT.mkdir(exist_ok=True)
    pg.screenshot(path=str(OUT / "ui-phone.png"), full_page=True)
    assert not pg.errors, pg.errors
    ctx.close()


def test_incident_view_shows_its_reports_side_by_side(page, server):
    incs = httpx.get(server + "/api/incidents", params={"order": "-reports", "limit": 1}).json()["incidents"]
    inc = incs[0]
    assert inc["n_reports"] == 3 and inc["n_outlets"] == 3, inc
    rep = inc["representative"]
    before = _loaded(page)
    page.fill("#f-text", "Homs")
    _wait_reload(page, before)
    page.locator(f"#events tbody tr[data-event-id='{rep}']").click()
    page.locator("#panel .open-incident").click()
    dialog = page.locator("#incident-view")
    page.wait_for_function("id => document.getElementById('incident-view').dataset.loaded === id",
                           arg=inc["id"])
    cards = dialog.locator(".reports article.report")
    assert cards.count() == 3
    outlets = sorted(c.strip() for c in dialog.locator(".report-outlet").all_text_contents())
    assert outlets == ["AFP", "Reuters", "SANA"]
    tops = {round(b["y"]) for b in (cards.nth(i).bounding_box() for i in range(3))}
    assert len(tops) == 1  # side by side
    assert dialog.locator(".report .badge-claimed").count() == 1
    assert dialog.locator(".report .badge-asserted").count() == 2
    for i in range(3):
        card = cards.nth(i)
        assert card.locator("mark.hl-trigger").text_content() == "shelled"
        assert card.locator("mark.hl-location").first.text_content() == "Homs"
        assert "killing nine people" in card.locator(".report-text").text_content()
    sana = dialog.locator(".report", has_text="SANA")
    assert sana.locator(".report-text mark.hl-claimant").text_content() == "The army"
    assert "according to The army (claimant)" in sana.text_content()
    assert "claimed by" in dialog.text_content().lower() and "Syrian Army" in dialog.text_content()
    assert "[object" not in dialog.text_content()
    assert "incident=" in page.evaluate("location.hash")
    dialog.screenshot(path=str(OUT / "ui-incident.png"))
    # the view reopens from a shared link, and closes back to the page
    page.click("#incident-close")
    # the dialog's "close" event (which rewrites the hash) is queued as a task after close(): wait for it
    page.wait_for_function("() => !location.hash.includes('incident=')", timeout=5000)
    assert not dialog.is_visible() and "incident=" not in page.evaluate("location.hash")


def test_count_switch_changes_map_timeline_and_top_actors(page, server):
    n_inc = httpx.get(server + "/api/events.geojson", params={"count": "incidents"}).json()["features"]
    n_ev = httpx.get(server + "/api/events.geojson", params={"count": "events"}).json()["features"]
    assert len(n_ev) == len(n_inc) + 2  # the three Homs reports are one incident
    assert page.locator("path.ev-marker").count() == len(n_inc)
    assert page.is_checked("#f-count input[value='incidents']")
    top = httpx.get(server + "/api/actors", params={"count": "incidents", "limit": 25}).json()["actors"]
    army = next(a for a in top if a["name"] == "Syrian Army")
    assert f"{army['incidents']} (" in _actor_row(page, "Syrian Army").text_content()
    before = _loaded(page)
    page.click("#f-count input[value='events']")
    _wait_reload(page, before)
    assert page.locator("path.ev-marker").count() == len(n_ev)
    assert "in " in page.text_content("#panel h2.top-actors") and "events" in page.text_content("#panel h2")
    army_ev = next(a for a in httpx.get(server + "/api/actors", params={"count": "events", "limit": 25})
                   .json()["actors"] if a["name"] == "Syrian Army")
    assert f"{army_ev['events']} (" in _actor_row(page, "Syrian Army").text_content()
    assert army_ev["events"] == army["incidents"] + 2


def test_screenshot_for_the_readme(browser, server):  # noqa: F811
    """docs/ui.png: the whole page with the incident's event open, checked for a drawn, labelled map."""
    incs = httpx.get(server + "/api/incidents", params={"order": "-reports", "limit": 1}).json()["incidents"]
    rep = incs[0]
    ctx, pg = _open(browser, server, 1400, 900, f"#event={rep['representative']}")
    pg.locator("#panel .article-text mark.hl-trigger").wait_for()
    pg.locator("#panel .open-incident").wait_for()
    pg.evaluate("() => { WW.map.setView([35.5, 37.5], 6, {animate: false}); }")
    pg.wait_for_timeout(400)
    stats = _map_stats(pg)
    assert stats["colors"] > 50 and stats["stddev"] > 8, stats
    assert len(_labels(pg)) > 10
    (ROOT / "docs").mkdir(exist_ok=True)
    pg.screenshot(path=str(ROOT / "docs" / "ui.png"))
    assert (ROOT / "docs" / "ui.png").stat().st_size > 50_000
    ctx.close()
