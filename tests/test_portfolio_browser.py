"""The portfolio dashboard in a real browser: headless Chromium renders it, runs nothing, ranks the
clients critical first and keeps every severity bar inside its frame.

Where Chromium is required (`CI=true`, or `CTRLMAP_REQUIRE_BROWSER=1` as .ci/run sets) a missing
browser is a failure, not a skip.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from bench.clients import client_profiles, write_clients
from ctrlmap.load.library import Library
from tests.conftest import EXAMPLES
from tests.test_browser import browse

PROBE = """<script>
window.addEventListener("load", () => {
  const out = [];
  const within = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
  document.querySelectorAll("svg.bar").forEach((svg, i) => {
    const frame = svg.querySelector("rect.frame").getBoundingClientRect();
    const cell = svg.closest("td").getBoundingClientRect();
    if (!within(frame, cell)) out.push(`bar ${i}: frame outside its cell`);
    if (frame.width < 100) out.push(`bar ${i}: frame squeezed to ${frame.width}px`);
    let right = frame.left;
    svg.querySelectorAll("rect:not(.frame)").forEach((r, j) => {
      const box = r.getBoundingClientRect();
      if (!within(box, frame)) out.push(`bar ${i}: segment ${j} outside the frame`);
      if (box.left < right - 0.5) out.push(`bar ${i}: segment ${j} overlaps the one before`);
      right = box.right;
    });
  });
  const pre = document.createElement("pre");
  pre.id = "measured";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


@pytest.fixture(scope="module")
def dashboard(
    lib: Library, tmp_path_factory: pytest.TempPathFactory, invoke_once: Callable[..., Result]
) -> Path:
    """The dashboard of ten generated clients, the examples and one broken profile."""
    folder = tmp_path_factory.mktemp("clients")
    write_clients(folder, client_profiles(lib, 10, seed=9))
    for path in EXAMPLES.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    (folder / "broken.yaml").write_text("organization: {name: Broken Clinic}\nmodel: nope\n")
    page = folder.parent / "portfolio.html"
    result = invoke_once(
        "portfolio", str(folder), "-o", str(page), "--as-of", "2026-11-28", "--jobs", "2"
    )
    assert result.exit_code == 2, result.stderr
    return page


@pytest.fixture(scope="module")
def invoke_once() -> Callable[..., Result]:
    from click.testing import CliRunner

    from ctrlmap.cli import cli

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return run


def test_the_dashboard_ranks_critical_first_and_runs_nothing(
    chromium: str, dashboard: Path, tmp_path: Path
) -> None:
    dom = browse(chromium, tmp_path, dashboard, "--dump-dom")
    assert "<script" not in dom and "<iframe" not in dom and "<img" not in dom
    rows = re.findall(r'<tr (class="invalid" )?data-rank="(\d+)" data-critical="(\d*)"', dom)
    assert len(rows) == 18
    assert rows[0][0] and rows[0][2] == ""  # the invalid client first: nothing is known of it
    critical = [int(c) for invalid, _, c in rows[1:]]
    assert critical == sorted(critical, reverse=True) and critical[0] > 0
    assert [int(rank) for _, rank, _ in rows] == list(range(1, 19))
    assert "Invalid: not assessed." in dom and "Broken Clinic" not in dom.split("<tbody>")[0]
    assert dom.count('<svg class="bar"') == 17


def test_every_bar_stays_inside_its_frame(chromium: str, dashboard: Path, tmp_path: Path) -> None:
    text = dashboard.read_text(encoding="utf-8")
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    probe = tmp_path / "probe.html"
    probe.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    for width in ("1280,900", "800,900"):
        dom = browse(
            chromium, tmp_path, probe, f"--window-size={width}", "--virtual-time-budget=5000",
            "--dump-dom",
        )  # fmt: skip
        found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.DOTALL)
        assert found, "the measuring script did not run"
        assert json.loads(html.unescape(found.group(1))) == [], width


def test_the_dashboard_prints(chromium: str, dashboard: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "portfolio.pdf"
    browse(chromium, tmp_path, dashboard, f"--print-to-pdf={pdf}")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and re.search(rb"/Type\s*/Page(?!s)", data)
