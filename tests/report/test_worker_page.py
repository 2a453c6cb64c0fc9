"""The worker's page (`gigsim estimate --report FILE`): verdict and figures, in a browser too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gigsim.presentation.cards import in_ten, key_cards
from gigsim.presentation.report import WORKER_DPI, WORKER_FIGURES, build_worker_page
from gigsim.presentation.verdict import BEHIND, estimate_dict, meaning, money, verdict_lines
from gigsim.studies.estimate import Estimate, estimate_profile

from .test_report import PNG, _assert_self_contained, _images, _invoke, _narrow_images
from .test_report_browser import _probe, _run, assert_fits, layout
from .test_report_browser import chromium as chromium  # a fixture, used by name


@pytest.fixture(scope="module")
def generalist() -> Estimate:
    return estimate_profile("generalist", hours_per_week=10, months=6, replications=5, seed=4)


def test_the_page_leads_with_the_verdict_and_shows_three_figures(generalist: Estimate) -> None:
    page = build_worker_page(generalist)
    _assert_self_contained(page)
    title = verdict_lines(generalist, for_page=True)[0]
    assert f"<h1>{title}</h1>" in page
    verdict = page.split('<section class="verdict" id="verdict">')[1].split("</section>")[0]
    shown = re.findall(r"<p>(.*?)</p>", verdict.replace("&#x27;", "'"))
    assert shown == [meaning(generalist)]  # what it means, first
    assert "--" not in page.split("</style>")[1]  # a page names no command-line option
    cards = page.split('<dl class="cards" id="cards">')[1].split("</dl>")[0]
    assert re.findall(r"<dt>(.*?)</dt>", cards) == [card.label for card in key_cards(generalist)]
    images = _images(page)
    assert len(images) == len(WORKER_FIGURES) == 3
    assert all(image.startswith(PNG) and len(image) > 3000 for image in images)
    assert len(_narrow_images(page)) == 3  # and the same three drawn for a phone
    for stem in WORKER_FIGURES:
        assert f'<figure id="{stem}">' in page
    assert "Chance of a month with no income" in page and "Droughts" in page
    assert len(page) < 500_000  # modest images: the page is mailed around


def test_the_cards_speak_plain_words_first_and_the_numbers_gigsim_estimate_prints(
        generalist: Estimate) -> None:
    cards = key_cards(generalist)
    lines = [line.strip() for line in verdict_lines(generalist, for_page=True)[1:-1]
             if not line.strip().startswith(f"{BEHIND}: ")]  # said with the answer's basis
    # one card a line of the verdict, in its order: what an applicant can expect first
    assert [card.label for card in cards] == [line.split(": ")[0] for line in lines]
    assert cards[0].label == "What an applicant can expect"
    statistics = re.compile(r"\bP\d0\b|CI|pooled|replication|median|interval", re.I)
    for card, line in zip(cards, lines, strict=True):
        assert card.value and card.plain, card  # a figure and plain words, first...
        assert not statistics.search(card.value + " " + card.plain), card
        # ...then the verdict's own line, statistics and all, as the detail
        assert line.endswith(card.detail[1:]) and card.detail[0].upper() == card.detail[0]
    details = " ".join(card.detail for card in cards)
    for word in ("median; P10", "95% CI", "pooled over every worker-month", "replications"):
        assert word in details
    number = re.compile(r"\d[\d,.]*\d|\d")
    printed = " ".join(verdict_lines(generalist))
    said = set(number.findall(printed))
    for card in cards:
        for found in number.findall(card.value + " " + card.detail):
            assert found in said, (found, card)
    texts = " ".join(estimate_dict(generalist)["verdict"]["text"])
    assert {n for c in cards for n in number.findall(c.value)} <= set(number.findall(texts))


def test_shares_in_words() -> None:
    assert in_ten(0.36, "months") == "about 4 in 10 months"
    assert in_ten(0.0, "months") == "no months"
    assert in_ten(0.04, "months") == "fewer than 1 in 10 months"
    assert in_ten(0.97, "applicants") == "almost all applicants"
    assert in_ten(1.0, "applicants") == "all applicants"


def test_cli_writes_the_page_and_never_overwrites_unasked(tmp_path: Path) -> None:
    out = tmp_path / "worker.html"
    args = ("estimate", "--profile", "specialist", "--hours-per-week", "10", "--months", "2",
            "-r", "3", "--report", out)
    result = _invoke(*args)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "Verdict for 10 h a week in the specialists group" in page
    assert "advertised up to $45.00/h" in page
    body = page.split("</style>")[1]  # three replications: warned, in a page's words
    assert "3 replication(s) are too few" in body and "(-r)" not in body and "--" not in body
    out.write_text("mine", encoding="utf-8")
    refused = _invoke(*args)
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert out.read_text(encoding="utf-8") == "mine"
    assert _invoke(*args, "--force").exit_code == 0
    assert out.read_text(encoding="utf-8") != "mine"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_the_page_renders_in_chromium(chromium: str, generalist: Estimate,
                                      tmp_path: Path) -> None:
    page = build_worker_page(generalist)
    seen, console = _probe(chromium, page, tmp_path)
    assert seen["images"] == seen["decoded"] == 3, seen
    assert seen["errors"] == [] and console == []
    # "Every number" wraps: nothing to scroll sideways, on a desktop or a narrow window
    for width in (1280, 1000, 600):
        seen, _ = _probe(chromium, page, tmp_path, width)
        assert seen["window_width"] == width, seen  # the window is as wide as asked
        assert seen["wider_than_their_box"] == [], (width, seen)
        assert seen["page_width"] <= width, (width, seen)  # type: ignore[operator]
    path = tmp_path / "worker.html"
    path.write_text(page, encoding="utf-8")
    shot = tmp_path / "worker.png"
    result = _run(chromium, tmp_path / "profile-shot", "--window-size=1000,2400",
                  f"--screenshot={shot}", path.as_uri())
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    from matplotlib import image

    pixels = image.imread(shot)[..., :3]
    assert float(pixels.std()) > 0.05, "the screenshot is blank"


@pytest.mark.parametrize("width", [390, 1000, 1280])
def test_the_page_fits_a_phone_and_its_figures_text_is_readable(
        chromium: str, generalist: Estimate, tmp_path: Path, width: int) -> None:
    path = tmp_path / "worker.html"
    path.write_text(build_worker_page(generalist), encoding="utf-8")
    seen = layout(chromium, path, width, tmp_path / f"worker-{width}.png")
    assert_fits(seen, width, figures=3, dpi=WORKER_DPI)


def test_the_onboarding_card_says_what_a_paid_assessment_pays() -> None:
    est = estimate_profile("specialist", hours_per_week=10, months=2, replications=2, seed=4,
                           overrides={"workers.specialists.assessment.paid": True,
                                      "workers.specialists.assessment.pay_per_hour": 20})
    card = next(c for c in key_cards(est) if c.label == "Chance of failing onboarding")
    assert est.failed_applicants > 0
    paid = money(est.failed_income_usd, cents=True)
    assert f"are paid for it ({paid}) and nothing after" in card.plain
    assert "unpaid" not in card.plain and f"who are paid {paid}" in card.detail
