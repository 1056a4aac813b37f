"""Nothing a student writes runs in the browser of whoever opens a feedback page."""

import base64
import hashlib
import io
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import nbgrader
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from traitlets.config import Config

from autograder.feedback import SCRIPT_HOSTS, FeedbackHTMLExporter

ALERT = "alert(document.cookie)"
HOSTILE_HTML = [
    f"<script>{ALERT}</script>",
    f'<img src="x" onerror="{ALERT}">',
    f'<a href="javascript:{ALERT}">click</a>',
    f'<iframe src="javascript:{ALERT}"></iframe>',
    f'<svg onload="{ALERT}"><script>{ALERT}</script></svg>',
    f'<div style="background:url(javascript:{ALERT})" onmouseover="{ALERT}">x</div>',
    f'<object data="data:text/html,<script>{ALERT}</script>"></object>',
    f'<form action="javascript:{ALERT}"><input type="submit"></form>',
    f'<a href="data:text/html;base64,{base64.b64encode(b"<script>x</script>").decode()}">x</a>',
    f"<math><mtext><table><mglyph><style><img src=x onerror={ALERT}>",
    '<img src="https://tracker.example/pixel.png?student=1">',
]


def _png() -> str:
    fig = Figure(figsize=(1, 1))
    fig.add_subplot().plot([0, 1])
    buffer = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buffer)
    return base64.b64encode(buffer.getvalue()).decode()


PNG = _png()


def _output(data: dict) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data=data)


def hostile_notebook() -> nbformat.NotebookNode:
    outputs = [_output({"text/html": h, "text/plain": "x"}) for h in HOSTILE_HTML]
    outputs += [
        _output({"text/markdown": f"[x](javascript:{ALERT}) <script>{ALERT}</script>"}),
        _output({"image/svg+xml": f'<svg xmlns="http://www.w3.org/2000/svg" onload="{ALERT}"/>'}),
        _output({"application/javascript": ALERT, "text/plain": "js"}),
        _output({"text/vnd.mermaid": f"graph TD\n</pre><script>{ALERT}</script>"}),
        _output({"text/latex": f"$\\href{{javascript:{ALERT}}}{{x}}$"}),
        _output({"image/png": PNG, "text/plain": "<Figure>"}),
        nbformat.v4.new_output("stream", name=f'"><script>{ALERT}</script>', text="hi"),
    ]
    code = nbformat.v4.new_code_cell("display(HTML(...))", outputs=outputs)
    markdown = nbformat.v4.new_markdown_cell(
        "My answer, **in bold**.\n\n"
        + "\n\n".join(HOSTILE_HTML)
        + f"\n\n[link](javascript:{ALERT})"
    )
    raw = nbformat.v4.new_raw_cell(f"<script>{ALERT}</script>", metadata={"format": "text/html"})
    raw.metadata["raw_mimetype"] = "text/html"
    nb = nbformat.v4.new_notebook(cells=[markdown, code, raw])
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"x": f"</script><script>{ALERT}</script>"}
    }
    return nb


class _Page(HTMLParser):
    """Every element of a page, with its attributes and, for scripts, their text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag == "script":
            self._in_script = attrs
            self.scripts.append((attrs, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def nbgrader_feedback_exporter() -> tuple[FeedbackHTMLExporter, dict]:
    """The exporter as ``nbgrader generate_feedback`` sets it up (its own template)."""
    root = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
    config = Config()
    config.HTMLExporter.template_name = "feedback"
    config.HTMLExporter.extra_template_basedirs = [str(root / "templates")]
    css = root / "static" / "node_modules" / "bootstrap" / "dist" / "css"
    config.HTMLExporter.extra_template_paths = [str(css)]
    info = {"notebook": "01-entropy", "score": 3, "max_score": 15, "late_penalty": 0}
    return FeedbackHTMLExporter(config=config), {"nbgrader": info}


@pytest.fixture(scope="module", params=["nbgrader feedback template", "lab template"])
def page(request) -> tuple[str, _Page]:
    if request.param == "lab template":
        exporter, resources = FeedbackHTMLExporter(), {}
    else:
        exporter, resources = nbgrader_feedback_exporter()
    html, _ = exporter.from_notebook_node(hostile_notebook(), resources)
    parsed = _Page()
    parsed.feed(html)
    return html, parsed


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_no_student_script_survives(page):
    """Is every script on the page the template's own (from MathJax's host, or inline and
    allowed by the policy), with none of the student's code in it?"""
    html, parsed = page
    (policy,) = [
        a["content"]
        for tag, a in parsed.elements
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    for attrs, text in parsed.scripts:
        assert ALERT not in text
        if "src" in attrs:
            assert attrs["src"].startswith(SCRIPT_HOSTS), attrs
        else:
            assert _hash(text) in policy, text[:80]


def test_no_handler_link_or_frame_survives(page):
    """Are event handlers, ``javascript:`` and ``data:`` links, frames, objects, forms,
    inline SVG and images from elsewhere all gone?"""
    _, parsed = page
    for tag, attrs in parsed.elements:
        assert tag not in {"iframe", "object", "embed", "form", "svg", "math", "base"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            value = (value or "").strip().lower()
            if name in {"href", "src", "action", "data", "xlink:href"}:
                assert not value.startswith("javascript:"), (tag, name, value)
                assert not value.startswith("data:") or value.startswith(
                    ("data:image/png", "data:image/jpeg", "data:image/svg+xml")
                ), (tag, name, value[:40])
                if value.startswith("data:image/svg+xml"):
                    assert tag == "img"  # an SVG image runs no script
        if tag == "img":  # embedded images only: nothing is fetched from elsewhere
            assert attrs.get("src", "data:image/").startswith("data:image/"), attrs


def test_policy_forbids_inline_script(page):
    """Does the page's Content-Security-Policy forbid inline scripts and handlers?"""
    _, parsed = page
    (policy,) = [
        a["content"]
        for tag, a in parsed.elements
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["default-src"] == "'none'"
    assert parsed.elements.index(
        next(e for e in parsed.elements if e[1].get("http-equiv") == "Content-Security-Policy")
    ) < parsed.elements.index(next(e for e in parsed.elements if e[0] == "script"))


def test_figures_and_the_students_text_are_kept(page):
    """Are the student's figure (PNG), Markdown formatting and plain text still shown?"""
    html, parsed = page
    assert any(a.get("src", "") == f"data:image/png;base64,{PNG}" for t, a in parsed.elements)
    assert "<strong>in bold</strong>" in html
    assert "&lt;script&gt;" in html  # shown as text, so the reader sees what was there
