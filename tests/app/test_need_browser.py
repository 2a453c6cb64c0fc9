"""What you need a month in a real browser, at a phone's width and a desktop's (issue 24)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from .conftest import Server
from .test_app_browser import browser as browser  # a fixture, used by name
from .test_app_browser import open_page, screenshot


@pytest.mark.parametrize("width", [390, 1280])
def test_a_need_brings_its_sentence_and_curve(browser: Browser, server: Server,
                                              tmp_path: Path, width: int) -> None:
    page, console = open_page(browser, server, width=width, height=844)
    assert page.query_selector("#need-answer") is None  # empty at first: nothing about a need
    page.fill("#need", "800")
    page.locator("#need").press("Tab")
    page.wait_for_selector("img[data-figure='exceedance']")
    text = page.inner_text("#need-answer")
    assert "As a main income: $800 a month (what you need) is reached in" in text
    chart = page.locator("img[data-figure='exceedance']")
    assert page.evaluate("e => e.complete && e.naturalWidth > 0 && !!e.alt",
                         chart.element_handle())
    box = chart.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    chart.scroll_into_view_if_needed()
    screenshot(page, tmp_path, f"app-need-{width}px")
    page.fill("#need", "-5")
    page.locator("#need").press("Tab")
    page.wait_for_function("() => document.body.innerText.includes('What you need a month:"
                           " must be from 0')")
    assert console.errors == []
    page.close()
