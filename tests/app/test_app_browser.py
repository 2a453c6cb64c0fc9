"""The page in a real browser: Playwright drives headless Chromium against `gigsim app`.

The server is started for real on 127.0.0.1 (``conftest.server``) and stopped after the
module. Every wait is bounded (:data:`TIMEOUT_MS`). Screenshots go to each test's
``tmp_path`` (and to ``GIGSIM_SCREENSHOTS``, a folder, when it is set).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _chromium import FLAGS, chromium_or_skip, unavailable

from gigsim.app.answer import FIGURE_DPI
from gigsim.app.inputs import FIRST_REPLICATIONS, MAX_MONTHS, MAX_PROJECTS_AT_ONCE
from gigsim.presentation.report import NARROW_DPI_FACTOR
from gigsim.scenario import load_scenario

from .conftest import Server

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None

TIMEOUT_MS = 60_000  # a bound on every wait; an answer takes a second or two
SETTLED = "() => !!document.querySelector('#verdict') && !document.querySelector('.gigsim-stale')"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_or_skip()
    if sync_playwright is None:
        unavailable("playwright is not installed: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=list(FLAGS),
                                              timeout=TIMEOUT_MS)
        yield launched
        launched.close()


class Console:
    """Every console error and uncaught exception of a page."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))


def open_page(browser: Browser, server: Server, width: int = 1200,
              height: int = 900) -> tuple[Page, Console]:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(TIMEOUT_MS)
    console = Console(page)
    page.goto(server.url)
    page.wait_for_function(SETTLED)
    return page, console


def screenshot(page: Page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("GIGSIM_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)
    return path


def settle_after(page: Page, action: Any, before: str) -> str:
    """Do ``action``, then wait for a verdict other than ``before``, no longer dimmed."""
    action()
    page.wait_for_function(
        f"b => ({SETTLED})() && document.querySelector('#verdict').innerText !== b",
        arg=before)
    return page.inner_text("#verdict")


def figures(page: Page) -> list[str]:
    """The figures' sources, once drawn (they come after the numbers)."""
    page.wait_for_function("() => document.querySelectorAll('img[data-figure]').length === 3")
    return page.eval_on_selector_all("img[data-figure]", "els => els.map(e => e.src)")


def test_the_page_loads_with_an_answer_and_no_console_errors(
        browser: Browser, server: Server, tmp_path: Path) -> None:
    page, console = open_page(browser, server)
    verdict = page.inner_text("#verdict")
    assert verdict.startswith("As a side income, 10 h a week here earns")
    assert "$15/h job" in verdict
    assert len(figures(page)) == 3
    assert page.query_selector(".gigsim-drawing") is None
    assert page.get_attribute(".gigsim-answer", "data-replications") == str(FIRST_REPLICATIONS)
    # every figure decoded, with words for those who cannot see it
    assert page.eval_on_selector_all(
        "img[data-figure]", "els => els.every(e => e.complete && e.naturalWidth > 0 && e.alt)")
    screenshot(page, tmp_path, "app-loaded")
    assert console.errors == []
    page.close()


def test_every_control_has_a_label(browser: Browser, server: Server) -> None:
    page, console = open_page(browser, server)
    unlabelled = page.evaluate("""() => Array.from(
        document.querySelectorAll('input, select, button, textarea')).filter(el =>
          !((el.labels && el.labels.length && el.labels[0].textContent.trim()) ||
            el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.innerText.trim()))
        ).map(el => el.id || el.outerHTML.slice(0, 80))""")
    assert unlabelled == []
    assert page.evaluate("document.documentElement.lang") == "en"
    assert console.errors == []
    page.close()


def test_moving_the_hours_slider_changes_the_verdict_and_the_figures(
        browser: Browser, server: Server, tmp_path: Path) -> None:
    page, console = open_page(browser, server)
    before, drawn = page.inner_text("#verdict"), figures(page)
    after = settle_after(page, lambda: page.fill("#hours", "30"), before)
    assert after.startswith("As a side income, 30 h a week here earns")
    assert page.inner_text("#hours-value") == "30"
    assert "30 h a week, followed for 12 month(s)" in page.inner_text(".gigsim-question")
    now = figures(page)
    # income by month follows the hours; droughts do not (the same projects come, whatever the
    # hours: common random numbers, and the policy does not read hours). Months with nothing
    # may: a first project's unpaid training spans more of a month at fewer hours a week.
    assert now[0] != drawn[0] and now[2] == drawn[2]
    screenshot(page, tmp_path, "app-30h")
    # more projects a week: shorter droughts, fewer months with nothing
    page.click("details.gigsim-platform summary")
    settle_after(page, lambda: (page.fill("#launches", "1"), page.press("#launches", "Tab")),
                 after)
    busier = figures(page)
    assert all(a != b for a, b in zip(now, busier, strict=True))
    assert "(with 1 project launches a week)" in page.inner_text(".gigsim-question")
    assert console.errors == []
    page.close()


def test_the_keyboard_alone_reaches_and_moves_the_slider(browser: Browser,
                                                         server: Server) -> None:
    page, console = open_page(browser, server)
    before = page.inner_text("#verdict")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "role"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "hours"
    after = settle_after(page, lambda: page.keyboard.press("ArrowRight"), before)
    assert after.startswith("As a side income, 11 h a week here earns")
    assert console.errors == []
    page.close()


def test_an_out_of_range_value_gets_a_message_not_a_traceback(
        browser: Browser, server: Server, tmp_path: Path) -> None:
    page, console = open_page(browser, server)
    alert = "[role=alert]"
    page.fill("#months", str(MAX_MONTHS + 6))
    page.press("#months", "Tab")
    page.wait_for_function("() => document.querySelector('.gigsim-message')")
    message = page.inner_text(alert)
    assert f"Months: must be a whole number from 1 to {MAX_MONTHS}, got {MAX_MONTHS + 6}" \
        in message
    assert "Traceback" not in page.content()
    # the answer on show stays, dimmed, and says which question it answers
    assert page.query_selector(".gigsim-stale") is not None
    screenshot(page, tmp_path, "app-out-of-range")
    # values the page's controls cannot send are refused on the server too
    page.fill("#months", "12")
    page.press("#months", "Tab")
    page.wait_for_function("() => !document.querySelector('.gigsim-message')")
    page.wait_for_function(SETTLED)
    assert len(figures(page)) == 3  # the answer is whole again, figures and all
    for script, expected in [
        ("Shiny.setInputValue('hours', 500)", "Hours a week: must be more than 0 and at"
                                              " most 168"),
        ("Shiny.setInputValue('hours', 10); Shiny.setInputValue('role', '../../etc/passwd')",
         "Role: choose one of the roles listed"),
        ("Shiny.setInputValue('role', 'generalist.toml/generalists');"
         " Shiny.setInputValue('reference', -5)", "Reference wage: must be from 0"),
    ]:
        page.evaluate(script)
        page.wait_for_function("e => document.querySelector('[role=alert]').innerText"
                               ".includes(e)", arg=expected)
    assert console.errors == []
    page.close()


# each chart as shown: its width (CSS px), the width of the PNG chosen, and which one it is
CHARTS = """els => els.map(e => ({shown: e.clientWidth, drawn: e.naturalWidth,
                                  narrow: e.currentSrc !== e.src}))"""


def chart_text_px(chart: dict[str, Any]) -> float:
    """CSS pixels that 10 pt of a chart's text takes as shown (its text is 10 pt or more)."""
    dpi = FIGURE_DPI * (NARROW_DPI_FACTOR if chart["narrow"] else 1)
    return 10 / 72 * chart["shown"] / (chart["drawn"] / dpi)


@pytest.mark.parametrize("width", [390, 1000, 1280])
def test_chart_text_is_readable_at_every_width(browser: Browser, server: Server,
                                               tmp_path: Path, width: int) -> None:
    page, console = open_page(browser, server, width=width, height=844)
    figures(page)
    charts = page.eval_on_selector_all("img[data-figure]", CHARTS)
    assert len(charts) == 3
    for chart in charts:
        assert chart["narrow"] == (width < 600), chart  # drawn for a phone on a phone
        assert chart_text_px(chart) >= 10, (width, chart)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, tmp_path, f"app-{width}px")
    assert console.errors == []
    page.close()


def test_a_phone_width_gets_the_answer_first_and_keeps_it_in_sight(
        browser: Browser, server: Server, tmp_path: Path) -> None:
    page, console = open_page(browser, server, width=390, height=844)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate("document.body.scrollWidth") <= 390
    question = page.locator(".gigsim-inputs").bounding_box()
    answer = page.locator(".gigsim-results").bounding_box()
    verdict = page.locator("#verdict").bounding_box()
    assert question is not None and answer is not None and verdict is not None
    assert question["y"] >= answer["y"] + answer["height"], "not one column, answer first"
    assert verdict["y"] + verdict["height"] <= 844, "the verdict is below the fold"
    assert answer["x"] + answer["width"] <= 390 and question["x"] + question["width"] <= 390
    widest = page.eval_on_selector_all(
        "img[data-figure]", "els => Math.max(...els.map(e => e.getBoundingClientRect().right))")
    assert widest <= 390
    assert not page.locator(".gigsim-pinned").is_visible()  # the verdict itself is in sight
    screenshot(page, tmp_path, "app-390px")
    # down at the inputs, a change is seen as it lands: the verdict is kept in a bar
    page.click(".gigsim-jump a")
    page.wait_for_function("() => document.querySelector('#verdict')"
                           ".getBoundingClientRect().bottom < 0")
    before = page.inner_text("#verdict")
    after = settle_after(page, lambda: page.fill("#hours", "25"), before)
    bar = page.locator(".gigsim-pinned")
    assert bar.is_visible()
    assert bar.locator(".gigsim-pinned-verdict").inner_text().strip() == after
    box = bar.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844 + 1  # at the bottom of the screen
    assert page.locator("#hours").is_visible()
    screenshot(page, tmp_path, "app-390px-pinned")
    assert console.errors == []
    page.close()


def test_more_replications_narrow_the_answer(browser: Browser, server: Server) -> None:
    page, console = open_page(browser, server)
    page.click("#more")
    page.wait_for_function(
        f"() => ({SETTLED})() && document.querySelector('.gigsim-answer')"
        f".dataset.replications === '{2 * FIRST_REPLICATIONS}'")
    assert f"{2 * FIRST_REPLICATIONS} replication(s)" in page.inner_text(".gigsim-based-on")
    assert page.inner_text("#more") == f"More replications ({4 * FIRST_REPLICATIONS})"
    assert console.errors == []
    page.close()


def test_two_tabs_at_once_each_get_their_own_answer(browser: Browser, server: Server) -> None:
    first, first_console = open_page(browser, server)
    second, second_console = open_page(browser, server)
    before = first.inner_text("#verdict")
    first.fill("#hours", "17")
    second.fill("#hours", "19")
    for page, hours in ((first, 17), (second, 19)):
        page.wait_for_function(
            f"b => ({SETTLED})() && document.querySelector('#verdict').innerText !== b",
            arg=before)
        assert page.inner_text("#verdict").startswith(f"As a side income, {hours} h a week")
    assert first_console.errors == [] and second_console.errors == []
    first.close()
    second.close()


def _launches(file: str) -> float:
    """The project launch rate a bundled scenario sets (the page's default for its role)."""
    scenario = load_scenario(Path(__file__).parents[2] / "scenarios" / file)
    return float(sum(p.arrivals_per_week for p in scenario.projects))


def test_changing_the_role_brings_its_own_platform_defaults(browser: Browser,
                                                            server: Server) -> None:
    page, console = open_page(browser, server)
    page.click("details.gigsim-platform summary")
    assert float(page.input_value("#launches")) == _launches("generalist.toml")
    before = page.inner_text("#verdict")
    settle_after(page, lambda: page.select_option("#role", "specialist.toml/specialists"),
                 before)
    page.wait_for_function("v => Number(document.querySelector('#launches').value) === v",
                           arg=_launches("specialist.toml"))
    assert page.input_value("#notice") == "20"
    assert page.inner_text(".gigsim-heading").startswith(
        "Verdict for 10 h a week in the specialists group")
    # the new role's defaults are its scenario's own: the question names no change
    assert "(with" not in page.inner_text(".gigsim-question")
    assert console.errors == []
    page.close()


@pytest.mark.parametrize("width", [390, 1000, 1280])
def test_projects_at_once_change_the_verdict_and_a_bad_value_gets_a_message(
        browser: Browser, server: Server, tmp_path: Path, width: int) -> None:
    page, console = open_page(browser, server, width=width, height=844)
    assert page.input_value("#projects") == "1"  # the role's own max_projects
    assert page.locator("#projects").is_visible()
    before = page.inner_text("#verdict")
    after = settle_after(page, lambda: (page.fill("#projects", "2"),
                                        page.press("#projects", "Tab")), before)
    assert after.startswith("As a side income, 10 h a week on up to 2 projects at once here")
    assert page.inner_text(".gigsim-heading").startswith(
        "Verdict for 10 h a week on up to 2 projects at once in the generalists group")
    assert "10 h a week on up to 2 projects at once, followed for 12 month(s)" in \
        page.inner_text(".gigsim-question")
    assert len(figures(page)) == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, tmp_path, f"app-projects-{width}px")
    for typed, expected in [("", "Projects at once: enter a number"), ("0", "got 0"),
                            ("1.5", "Projects at once: must be a whole number from 1 to"
                                    f" {MAX_PROJECTS_AT_ONCE}, got 1.5")]:
        page.fill("#projects", typed)
        page.press("#projects", "Tab")
        page.wait_for_function("e => document.querySelector('[role=alert]').innerText"
                               ".includes(e)", arg=expected)
        assert page.query_selector(".gigsim-stale") is not None  # the answer on show, dimmed
    message = page.inner_text("[role=alert]")
    assert len(message.strip().splitlines()) == 1
    screenshot(page, tmp_path, f"app-projects-bad-{width}px")
    # another role brings its own value back, and the message goes
    page.select_option("#role", "specialist.toml/specialists")
    page.wait_for_function("() => document.querySelector('#projects').value === '1'"
                           " && !document.querySelector('.gigsim-message')")
    page.wait_for_function(SETTLED)
    assert page.inner_text(".gigsim-heading").startswith(
        "Verdict for 10 h a week in the specialists group")
    assert console.errors == []
    page.close()


def test_a_role_with_several_platforms_offers_which_to_join_and_what_the_second_changed(
        browser: Browser, server: Server, tmp_path: Path) -> None:
    # Before: the page offered no choice of platforms and said nothing of a second one.
    for width in (390, 1000, 1280):
        page, console = open_page(browser, server, width=width)
        assert page.locator("#platforms").count() == 0  # the generalist profile: one platform
        before = page.inner_text("#verdict")
        settle_after(page, lambda p=page: p.select_option("#role", "two_platforms.toml/raters"),
                     before)
        boxes = page.locator("#platforms input[type=checkbox]")
        boxes.first.wait_for()
        assert [boxes.nth(i).get_attribute("value") for i in range(boxes.count())] == [
            "rating", "annotation"]
        assert page.is_checked("#platforms input[value=rating]")
        assert not page.is_checked("#platforms input[value=annotation]")
        assert page.locator("#platforms-change").count() == 0  # one platform joined
        before = page.inner_text("#verdict")
        settle_after(page, lambda p=page: p.check("#platforms input[value=annotation]"), before)
        change = page.locator("#platforms-change")
        change.wait_for()
        text = change.inner_text()
        assert text.startswith("What joining annotation as well changed\n\nAgainst the same"
                               " cohort joining rating only")
        assert "Months with no income once onboarded" in text
        assert "Days from applying to the first payment" in text
        question = page.inner_text(".gigsim-question")
        assert question.endswith("from applying, joining rating and annotation.")  # no notice
        # share of the page's own rounding taken for a change (was: "(with 5% of project ends
        # with notice)", the role's 4.6% rounded to 4.62% counted as asked)
        screenshot(page, tmp_path, f"two-platforms-{width}")
        assert console.errors == []
        page.close()
