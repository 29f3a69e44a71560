"""The "Sources & alerts" panel in real chromium (Playwright, Debian chromium): lists followed
sources and alerts, follows / unfollows a URL and adds / deletes an alert with the write token."""

from __future__ import annotations

import httpx
import pytest
from test_ui_browser import TOKEN, browser, page, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def _status(pg, prefix: str) -> str:
    pg.wait_for_function(
        "p => document.getElementById('manage-status').textContent.startsWith(p)", arg=prefix)
    return pg.text_content("#manage-status")


def test_sources_and_alerts_panel(page, server):  # noqa: F811
    page.click("#manage-open")
    page.wait_for_selector("#manage-sources p")
    assert "No sources followed." in page.text_content("#manage-sources")
    page.fill("#manage-token", "wrong")
    page.fill("#manage-source-url", "https://news.example/world/rss.xml")
    page.click("#manage-source-add")
    assert "wrong token" in _status(page, "Error")
    page.fill("#manage-token", TOKEN)
    page.click("#manage-source-add")
    _status(page, "Following.")
    page.wait_for_selector('#manage-sources tr[data-url="https://news.example/world/rss.xml"]')
    assert [s["url"] for s in httpx.get(server + "/api/sources").json()["sources"]] == [
        "https://news.example/world/rss.xml"]
    page.fill("#manage-alert-name", "ui-assaults")
    page.fill("#manage-alert-type", "ASSAULT")
    page.fill("#manage-alert-country", "SYR")
    page.fill("#manage-alert-webhook", "https://hooks.example/x")
    page.click("#manage-alert-add")
    _status(page, "Alert saved.")
    row = page.wait_for_selector('#manage-alerts tr[data-alert="ui-assaults"]')
    text = row.text_content()
    assert "types=ASSAULT country=SYR" in text and "webhook https://hooks.example/x" in text
    page.fill("#manage-alert-name", "bad name")
    page.click("#manage-alert-add")
    assert "bad alert name" in _status(page, "Error")
    page.click('#manage-alerts tr[data-alert="ui-assaults"] button.manage-delete')
    page.wait_for_selector("#manage-alerts p")
    page.click('#manage-sources tr[data-url="https://news.example/world/rss.xml"] button.manage-delete')
    page.wait_for_selector("#manage-sources p")
    assert httpx.get(server + "/api/alerts").json()["alerts"] == []
    assert httpx.get(server + "/api/sources").json()["sources"] == []
    assert page.errors == []
