"""The course site, as a visitor sees it: built by one command, served on localhost, opened
in headless Debian Chromium.

    .venv/bin/pytest tests/browser/test_site.py

Pages load without console errors, every figure is drawn, the math is typeset by MathJax,
every link resolves (pages, anchors, downloads), the downloads are what they claim to be,
and no page shows a solution or a hidden test. Screenshots go to
build/artifacts/test_site/<test>/.
"""

from __future__ import annotations

import functools
import io
import json
import threading
import urllib.request
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

from autograder import site
from autograder.assignments import REPO, built_assignments
from tests.truth import (
    figure_titles,
    figures,
    hidden_lines,
    markdown_tex,
    solution_lines,
    squash,
)

pytestmark = pytest.mark.slow
ASSIGNMENTS = built_assignments()
IDS = [a.id for a in ASSIGNMENTS]
MATHJAX_TIMEOUT = 60_000  # ms


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def served():
    """Build the site with its command, then serve build/site/ on 127.0.0.1."""
    assert site.main([]) == 0
    handler = functools.partial(_QuietHandler, directory=str(site.SITE))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def fetch(url: str) -> tuple[int, bytes]:
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with direct.open(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and failed requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on(
        "console",
        lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"),
    )
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"request failed: {r.url}"))
    page.on(
        "response",
        lambda r: r.status >= 400 and page.problems.append(f"HTTP {r.status}: {r.url}"),
    )
    yield page
    context.close()


def open_page(page, url: str) -> None:
    """Go to ``url`` and wait until it has loaded and MathJax has typeset it."""
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url
    page.wait_for_function(
        "document.documentElement.getAttribute('data-mathjax') === 'done'",
        timeout=MATHJAX_TIMEOUT,
    )


def test_landing_page_shows_the_sequence_and_objectives(served, page, artifacts):
    """Does the landing page list the notebooks in order, with objectives and downloads?"""
    open_page(page, served)
    page.screenshot(path=str(artifacts / "01-landing.png"), full_page=True)
    rows = page.locator("table.itlm-sequence tbody tr")
    assert rows.count() == len(ASSIGNMENTS)
    for i, assignment in enumerate(ASSIGNMENTS):
        row = rows.nth(i)
        assert assignment.id in row.inner_text()
        assert row.locator(f'a[href="notebooks/{assignment.id}.html"]').count() == 1
        assert row.locator(f'a[href="downloads/{assignment.id}.ipynb"]').count() == 1
        assert row.locator(f'a[href="handouts/{assignment.id}.pdf"]').count() == 1
    text = page.locator("main").inner_text()
    assert "Learning objectives" in text
    for assignment in ASSIGNMENTS:
        source = assignment.source_path.read_text()
        assert "Learning objectives" in source
        assert assignment.title in text
    # one objectives list per notebook, each as long as the notebook's own list
    for assignment in ASSIGNMENTS:
        first = json.loads(assignment.source_path.read_text())["cells"][0]["source"]
        first = "".join(first)
        listing = first.split("**Learning objectives.**")[1].split("**Prerequisites.**")[0]
        expected = sum(1 for line in listing.splitlines() if line.startswith("- "))
        heading = page.locator("section h3", has_text=assignment.title)
        items = heading.locator("xpath=..").locator("ul > li")
        assert items.count() == expected, assignment.id
    assert not page.problems, page.problems


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=IDS)
def test_notebook_page_draws_figures_and_math(served, page, artifacts, assignment):
    """Does each notebook page load cleanly, with every figure drawn and the math typeset?"""
    open_page(page, f"{served}notebooks/{assignment.id}.html")
    page.screenshot(path=str(artifacts / "page-top.png"))
    images = page.locator("main img")
    assert images.count() >= figures(assignment)
    broken = page.evaluate(
        "[...document.querySelectorAll('main img')]"
        ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))"
    )
    assert not broken, broken
    alts = [
        " ".join(alt.split())
        for alt in page.evaluate("[...document.querySelectorAll('main img')].map(i => i.alt)")
    ]
    assert sum(alt.startswith("Figure") for alt in alts) >= figures(assignment), alts
    titles = [" ".join(title.split()) for title in figure_titles(assignment)]
    undescribed = [title for title in titles if not any(title in alt for alt in alts)]
    assert not undescribed, f"{assignment.id}: figures without their title in alt: {undescribed}"
    math = page.locator("main .MathJax, main .MathJax_Display")
    assert math.count() >= 5, f"{assignment.id}: {math.count()} formulas typeset"
    assert page.locator(".MathJax_Error, merror").count() == 0
    page.locator("main .MathJax_Display:visible, main .MathJax:visible").nth(
        3
    ).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "page-math.png"))
    page.locator("main img:visible").first.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "page-figure.png"))
    shown = squash(page.locator("main").inner_text())
    untypeset = [tex for tex in markdown_tex(assignment) if squash(tex) in shown]
    assert not untypeset, f"{assignment.id}: untypeset formulas {untypeset[:3]}"
    assert not page.problems, page.problems


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=IDS)
def test_no_page_shows_a_solution_or_hidden_test(served, assignment):
    """Is every page (and the HTML handout) free of reference solutions and hidden tests?"""
    for path in (f"notebooks/{assignment.id}.html", f"handouts/{assignment.id}.html"):
        status, body = fetch(served + path)
        assert status == 200, path
        text = squash(body.decode())
        for exercise, lines in solution_lines(assignment).items():
            assert not [line for line in lines if squash(line) in text], (path, exercise)
        assert not [line for line in hidden_lines(assignment) if squash(line) in text], path
        assert "autograder" not in body.decode(), path


def test_every_link_resolves(served, page, artifacts):
    """Does every link on every page lead somewhere: pages, anchors within them, downloads?"""
    origin = urlparse(served).netloc
    to_visit, visited, checked = [served], set(), {}
    anchors: dict[str, set[str]] = {}  # page URL -> ids on it
    wanted: list[tuple[str, str, str]] = []  # (from page, target page, fragment)
    while to_visit:
        url = to_visit.pop()
        if url in visited:
            continue
        visited.add(url)
        page.goto(url, wait_until="load")
        anchors[url] = set(page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)"))
        hrefs = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
        for href in hrefs:
            target, fragment = urldefrag(href)
            parsed = urlparse(target)
            if parsed.scheme not in ("http", "https") or parsed.netloc != origin:
                continue  # mailto:, javascript: and the outside web are not ours to check
            if target not in checked:
                checked[target] = fetch(target)[0]
            if fragment:
                wanted.append((url, target, fragment))
            if target.endswith((".html", "/")) and target not in visited:
                to_visit.append(target)
    broken = sorted(t for t, status in checked.items() if status != 200)
    assert not broken, broken
    assert len(visited) >= 1 + len(ASSIGNMENTS)
    missing = [
        (source, target, fragment)
        for source, target, fragment in wanted
        if target in anchors and fragment not in anchors[target]
    ]
    assert not missing, missing[:5]
    downloads = [t for t in checked if "/downloads/" in t or "/handouts/" in t]
    assert len(downloads) >= 4 * len(ASSIGNMENTS) + 1  # ipynb, 2 PDFs, HTML each; the bundle
    (artifacts / "links.json").write_text(json.dumps(sorted(checked), indent=1))


def test_downloads_are_the_student_files(served):
    """Are the downloads the release notebooks, the student bundle and the handout PDFs?"""
    for assignment in ASSIGNMENTS:
        status, body = fetch(f"{served}downloads/{assignment.notebook}")
        release = REPO / "release" / assignment.id / assignment.notebook
        assert status == 200 and body == release.read_bytes()
        for name in (f"{assignment.id}.pdf", f"{assignment.id}-letter.pdf"):
            status, body = fetch(f"{served}handouts/{name}")
            assert status == 200 and body[:5] == b"%PDF-", name
    status, body = fetch(f"{served}downloads/{site.BUNDLE}")
    assert status == 200
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    for assignment in ASSIGNMENTS:
        assert any(n.endswith(f"release/{assignment.id}/{assignment.notebook}") for n in names)
    assert any("/course/" in f"/{n}" for n in names)
    assert not [n for n in names if {"solutions", "autograder", "source"} & set(Path(n).parts)]
