"""The HTML report in a real browser: headless Chromium renders it, runs nothing, prints pages.

In CI (`CTRLMAP_REQUIRE_BROWSER=1`, set by .ci/run after installing Debian's chromium) a missing
browser is a failure, not a skip.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import DATA, EXAMPLES, SECTIONS

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-pdf-header-footer",
]


def browse(chromium: str, tmp_path: Path, page: Path, *args: str) -> str:
    profile = tmp_path / "chromium-profile"
    done = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def write_report(invoke: Callable[..., Result], source: Path, target: Path) -> Path:
    result = invoke("report", str(source), "-o", str(target), "--as-of", "2026-11-28")
    assert result.exit_code == 0, result.stderr
    return target


def test_the_report_renders_with_every_section(
    chromium: str, invoke: Callable[..., Result], tmp_path: Path
) -> None:
    page = write_report(invoke, EXAMPLES / "clinic.yaml", tmp_path / "clinic.html")
    dom = browse(chromium, tmp_path, page, "--dump-dom")
    for section in SECTIONS:
        assert f'<section id="{section}"' in dom
    assert "Riverside Family Clinic" in dom and "<svg" in dom
    shot = tmp_path / "shot.png"
    browse(chromium, tmp_path, page, f"--screenshot={shot}", "--window-size=1280,2000")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_injected_payloads_show_as_text_and_run_nothing(
    chromium: str, invoke: Callable[..., Result], tmp_path: Path
) -> None:
    page = write_report(invoke, DATA / "good" / "injection.yaml", tmp_path / "injection.html")
    dom = browse(chromium, tmp_path, page, "--dump-dom")
    title = re.search(r"<title>(.*?)</title>", dom, re.DOTALL)
    assert title and title.group(1).startswith("Accountability assessment: Evil &lt;script&gt;")
    assert "pwned" not in title.group(1).split("&lt;script&gt;")[0]
    assert dom.count("<script") == 1  # only the inert JSON snapshot
    assert "<img" not in dom and "<iframe" not in dom and "<svg onload" not in dom
    assert not re.search(r'href="\s*javascript:', dom, re.IGNORECASE)
    for payload in ("pwned-person", "pwned-role", "pwned-reason", "pwned-split", "pwned-evidence"):
        assert payload in dom  # shown as text
    assert "&lt;img src=x onerror=" in dom


def test_the_report_prints_to_several_pages(
    chromium: str, invoke: Callable[..., Result], tmp_path: Path
) -> None:
    page = write_report(invoke, EXAMPLES / "clinic.yaml", tmp_path / "clinic.html")
    pdf = tmp_path / "clinic.pdf"
    browse(chromium, tmp_path, page, f"--print-to-pdf={pdf}")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert pages > 1


A4_PAGES = {"clinic": 20, "mortgage-lender": 60}
"""The most printed A4 pages each example's report may take (issue 14)."""

OUT_OF_SCOPE = re.compile(r"GLBA|Gramm|NYDFS|NYCRR|16 CFR 314|PCI|ABA\b|Model Rules|NCUA|201 CMR")
"""What a reader of a HIPAA-only report must not see named."""

MEASURE = """<script>
window.addEventListener("load", () => {
  const out = [];
  const inside = (b, w, h) => b.x >= -0.5 && b.y >= -0.5 && b.x + b.width <= w + 0.5 && b.y + b.height <= h + 0.5;
  const overlap = (a, b) => a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;
  document.querySelectorAll("svg[viewBox]").forEach((svg, i) => {
    const [, , w, h] = svg.getAttribute("viewBox").split(/\\s+/).map(Number);
    const page = svg.getBoundingClientRect();
    if (page.right > document.documentElement.clientWidth + 0.5) out.push(`svg ${i} wider than the page`);
    const texts = [...svg.querySelectorAll("text")];
    svg.querySelectorAll("text, rect, path:not(marker path)").forEach((el) => {
      if (!inside(el.getBBox(), w, h)) out.push(`svg ${i}: ${el.tagName} ${el.textContent.slice(0, 40)} outside its viewBox (${["x", "y", "width", "height"].map((k) => Math.round(el.getBBox()[k])).join(" ")} in ${w}x${h})`);
    });
    texts.forEach((a, j) => texts.slice(j + 1).forEach((b) => {
      if (overlap(a.getBBox(), b.getBBox())) out.push(`svg ${i}: "${a.textContent}" overlaps "${b.textContent}"`);
    }));
  });
  const pre = document.createElement("pre");
  pre.id = "measured";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def measured(chromium: str, tmp_path: Path, page: Path) -> list[str]:
    """The figure problems a script finds in a copy of the page (the report itself runs none)."""
    text = page.read_text(encoding="utf-8")
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    probe = tmp_path / f"probe-{page.name}"
    probe.write_text(text.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = browse(
        chromium,
        tmp_path,
        probe,
        "--window-size=760,1000",
        "--virtual-time-budget=5000",
        "--dump-dom",
    )
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.DOTALL)
    assert found, "the measuring script did not run"
    import html
    import json

    problems: list[str] = json.loads(html.unescape(found.group(1)))
    return problems


def printed_pages(chromium: str, tmp_path: Path, page: Path) -> int:
    pdf = tmp_path / f"{page.stem}.pdf"
    browse(chromium, tmp_path, page, f"--print-to-pdf={pdf}")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


def visible_text(dom: str) -> str:
    import html

    for element in ("script", "style", "title"):
        dom = re.sub(rf"<{element}\b.*?</{element}>", " ", dom, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", dom))


@pytest.mark.parametrize("example", ["clinic", "dental-group"])
def test_the_executive_summary_is_printed_page_one(
    chromium: str, invoke: Callable[..., Result], tmp_path: Path, example: str
) -> None:
    page = write_report(invoke, EXAMPLES / f"{example}.yaml", tmp_path / f"{example}.html")
    text = page.read_text(encoding="utf-8")
    first = re.findall(r'<section id="([a-z]+)"( class="[^"]*")?', text)
    assert first[0] == ("executive", ' class="first"') and "page" in first[1][1]
    # the header and the summary alone print on one page; the next section starts a new one
    alone = tmp_path / f"{example}-summary.html"
    start, end = text.index('<section id="scope"'), text.index("</main>")
    alone.write_text(text[:start] + text[end:], encoding="utf-8")
    assert printed_pages(chromium, tmp_path, alone) == 1


@pytest.mark.parametrize("example", sorted(A4_PAGES))
def test_the_report_prints_within_its_page_budget(
    chromium: str, invoke: Callable[..., Result], tmp_path: Path, example: str
) -> None:
    page = write_report(invoke, EXAMPLES / f"{example}.yaml", tmp_path / f"{example}.html")
    assert 1 < printed_pages(chromium, tmp_path, page) <= A4_PAGES[example]


def test_figures_fit_with_six_providers(
    chromium: str, invoke: Callable[..., Result], tmp_path: Path
) -> None:
    page = write_report(invoke, DATA / "good" / "six-providers.yaml", tmp_path / "six.html")
    assert page.read_text(encoding="utf-8").count("<svg") >= 3
    assert measured(chromium, tmp_path, page) == []


def test_a_hipaa_only_report_names_no_other_framework(
    chromium: str, invoke: Callable[..., Result], tmp_path: Path
) -> None:
    page = write_report(invoke, EXAMPLES / "clinic.yaml", tmp_path / "clinic.html")
    shown = visible_text(browse(chromium, tmp_path, page, "--dump-dom"))
    assert "HIPAA" in shown
    assert not OUT_OF_SCOPE.findall(shown), OUT_OF_SCOPE.findall(shown)
