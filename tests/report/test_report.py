"""gigsim report and run --report: one self-contained HTML page per results folder."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from click.testing import CliRunner, Result

from gigsim.cli import main
from gigsim.presentation.report import FIGURE_CAPTIONS, PHONE_MEDIA, build_report

from .conftest import ROOT

PNG = b"\x89PNG\r\n\x1a\n"


def _invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def _assert_self_contained(page: str) -> None:
    # nothing to fetch: every src and href is inline data or a fragment, never a URL
    links = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", page, flags=re.I)
    assert links, "the report should embed its figures"
    for link in links:
        assert link.startswith(("data:", "#")), link
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, flags=re.I)
    assert "<script" not in page.lower() and "@import" not in page and "url(" not in page


def _images(page: str) -> list[bytes]:
    """The figures drawn for a wide screen (``<img src>``)."""
    return [base64.b64decode(data) for data in
            re.findall(r' src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


def _narrow_images(page: str) -> list[bytes]:
    """The figures drawn for a phone (``<source srcset>``)."""
    return [base64.b64decode(data) for data in
            re.findall(r' srcset="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


def test_run_report_writes_a_self_contained_page(csv_folder: Path) -> None:
    page = (csv_folder / "report.html").read_text(encoding="utf-8")
    _assert_self_contained(page)
    images = _images(page)
    assert len(images) == len(FIGURE_CAPTIONS)
    assert all(image.startswith(PNG) and len(image) > 5000 for image in images)
    for text in ("gigsim report: generalist", "Mean monthly income", "95% interval",
                 "Glossary", "Scenario as run", "Manifest", "[[workers]]", "gigsim_version"):
        assert text in page, text
    # the summary's intervals are shown under a plain label: the mean and both bounds, ≥ 0
    assert re.search(r"<td>Mean monthly income</td><td class=\"num\"[^>]*>\$[\d,]+</td>"
                     r"<td class=\"num\"[^>]*>\$[\d,]+ – \$[\d,]+</td>", page)
    # code names appear only in the glossary, which maps each label to its column
    table, glossary = page.split("<h2>Glossary</h2>")[0], page.split("<h2>Glossary</h2>")[1]
    assert "income_p10_usd" not in table and "latency_mean_h" not in table
    assert re.search(r"<td>Monthly income, 10th percentile</td><td[^>]*><code>income_p10_usd"
                     r"</code>", glossary)
    # durations in days, never hours
    assert re.search(r"<td>Wait for the next project, median</td><td class=\"num\"[^>]*>"
                     r"[\d.,]+ days</td>", page)
    assert not re.search(r"\d h</td>", table)
    assert not any(p.name.startswith(".") for p in csv_folder.iterdir())  # no staging left
    # each figure is drawn twice: for a wide screen, and narrow for a phone (<source>)
    narrow = _narrow_images(page)
    assert len(narrow) == len(images) and all(n.startswith(PNG) for n in narrow)
    assert page.count(f'<source media="{PHONE_MEDIA}"') == len(images)
    # on a phone the table's rows stack, each number named by its column
    assert 'data-label="95% interval"' in page and "table.stack" in page


def test_report_command_on_csv_and_parquet_folders(csv_folder: Path, parquet_folder: Path,
                                                   tmp_path: Path) -> None:
    for folder in (csv_folder, parquet_folder):
        out = tmp_path / f"{folder.parent.name}.html"
        result = _invoke("report", folder, "--out", out)
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == str(out)
        page = out.read_text(encoding="utf-8")
        _assert_self_contained(page)
        assert len(_images(page)) == len(FIGURE_CAPTIONS)
    result = _invoke("report", parquet_folder)
    assert result.exit_code == 0 and (parquet_folder / "report.html").is_file()


def test_csv_and_parquet_give_the_same_summary(csv_folder: Path, parquet_folder: Path) -> None:
    def table(page: str) -> str:
        return page[page.index("<tbody>"):page.index("</tbody>")]

    assert table(build_report(csv_folder)) == table(build_report(parquet_folder))


def test_not_a_results_folder_is_one_line_exit_2(tmp_path: Path) -> None:
    cases = [tmp_path / "missing", tmp_path, ROOT / "scenarios"]
    compare = tmp_path / "cmp"
    compare.mkdir()
    (compare / "comparison.csv").write_text("variant\n", encoding="utf-8")
    cases.append(compare)
    for folder in cases:
        result = _invoke("report", folder)
        assert result.exit_code == 2, (folder, result.output)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and "not a" in lines[0] and "results folder" in lines[0], lines
        assert str(folder) in lines[0]
        assert "Traceback" not in result.output


def test_cli_run_with_report(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = _invoke("run", ROOT / "scenarios" / "generalist.toml",
                     "--set", "workers.generalists.count=200",
                     "--set", "workers.generalists.arrivals_per_week=10",
                     "--set", 'simulation.horizon="6w"', "--set", 'simulation.warmup="2w"',
                     "-r", "1", "--out", out, "--report", "--quiet")
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file()
    assert '"report": "report.html"' in (out / "manifest.json").read_text(encoding="utf-8")
