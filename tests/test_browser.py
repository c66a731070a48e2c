"""The HTML report in a real browser: headless Chromium renders it, runs nothing, prints pages.

In CI (`CTRLMAP_REQUIRE_BROWSER=1`, set by .ci/run after installing Debian's chromium) a missing
browser is a failure, not a skip.
"""

from __future__ import annotations

import os
import re
import shutil
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


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CTRLMAP_REQUIRE_BROWSER"):
        pytest.fail("Chromium is required here (CTRLMAP_REQUIRE_BROWSER is set) but was not found")
    pytest.skip("Chromium not installed; .ci/run installs it and makes these tests mandatory")


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
