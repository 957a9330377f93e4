"""SafeLinks: a Markdown cell's links and images keep only http(s), mailto, # and attached images,
judged on the HTML nbconvert renders, as the Formgrader and the feedback show it."""
import glob
from html.parser import HTMLParser

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_notebook

from ninja_autograde.course import REPO
from ninja_autograde.preprocessors.safelinks import SHOWN_AS_TEXT, SafeLinks, render

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

HOSTILE = [
    "[derivation](javascript:fetch('/api/contents/x',{method:'PUT'}))",
    "![plot](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox)", "[x](file:///etc/passwd)",
    "[x](/api/contents/gradebook.db)", "[x](../../../api/contents)", "[x](api/contents)", "[x](//evil.example)",
    "[x](http:/api/contents)",   # http without // is a path on an http page
    "<javascript:alert(1)>", "<JaVaScRiPt:alert(1)>",
    "[x](JaVaScRiPt:alert(1))", "[x](java&#x09;script:alert(1))", "[x](&#106;avascript:alert(1))",
    "[x](java&Tab;script:alert(1))", "[x](<javascript:alert(1)>)", "[x](  javascript:alert(1)  'title')",
    "[x](javascript:alert\\(1\\))", "[x](\\javascript:alert(1))",
    "[x][ref]\n\n[ref]: javascript:alert(1)", "[x][ref]\n\n[ref]:\n  <javascript:alert(1)> \"t\"",
    "> [x][q]\n>\n> [q]: javascript:alert(1)", "- a [x](javascript:alert(1))\n- b ![y](javascript:alert(2))",
    "| a |\n|---|\n| [x](javascript:alert(1)) |",
    '<a href="javascript:alert(1)">x</a>', "<a href='&#x6A;avascript:alert(1)'>x</a>", "<a href=javascript:alert(1)>x</a>",
    '<img src="javascript:alert(1)">', "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>", "<iframe src=x>",
    "![gone](attachment:missing.png)",   # nbconvert fails on a missing attachment: the Formgrader's page would too
]


class Urls(HTMLParser):
    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.urls, self.tags = [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.urls += [(tag, n, v or "") for n, v in attrs if n in ("href", "src") or n.startswith("on")]


def made_safe(source, attachments=None):
    cell = new_markdown_cell(source)
    if attachments:
        cell.attachments = attachments
    nb, _ = SafeLinks().preprocess(new_notebook(cells=[cell]), {})
    return nb.cells[0]


def allowed(tag, name, value):
    value = "".join(value.split()).lower()
    return (value.startswith(("#", "http://", "https://", "mailto:"))
            or tag == "img" and name == "src" and value.startswith("data:image/png;base64,"))


@pytest.mark.parametrize("source", HOSTILE)
def test_every_url_of_a_hostile_cell_as_rendered_is_safe(source):
    cell = made_safe(source)
    assert cell.source != source
    page = render(cell.source, cell.get("attachments", {}))
    parsed = Urls(page)
    assert not [u for u in parsed.urls if not allowed(*u)], (source, page)
    assert not {"script", "svg", "iframe"} & set(parsed.tags), page


def test_a_rewritten_cell_keeps_its_words_and_its_safe_links():
    source = ("See [the lesson](https://example.org/backprop), [my derivation](javascript:alert(1)), "
              "[section 2](#2.-The-loss) or [mail me](mailto:ada@example.org).")
    cell = made_safe(source)
    assert cell.source == source.replace("javascript:alert(1)", "#")


def test_an_attached_png_stays_and_a_link_to_a_missing_attachment_goes():
    cell = made_safe("![mine](attachment:plot.png) ![gone](attachment:other.png)", {"plot.png": {"image/png": PNG}})
    assert cell.source == "![mine](attachment:plot.png) ![gone](#)"
    assert f'src="data:image/png;base64,{PNG}"' in render(cell.source, cell.attachments)


def test_what_the_rewrite_cannot_fix_is_shown_as_its_text():
    source = "<img src=x onerror=alert(1)> and ``` fences"
    cell = made_safe(source)
    assert cell.source.startswith(SHOWN_AS_TEXT) and source in cell.source
    assert "<img" not in render(cell.source, {}).replace("&lt;img", "")


def test_the_lessons_own_markdown_is_left_exactly_as_written():
    cells = [c for p in sorted(glob.glob(str(REPO / "release" / "*" / "*.ipynb"))) + sorted(glob.glob(str(REPO / "notebooks" / "*.ipynb")))
             for c in nbformat.read(p, as_version=4).cells if c.cell_type == "markdown"]
    assert len(cells) > 50
    links = "[ok](https://example.org) ![p](attachment:p.png) <https://example.org> [top](#top) `a[0](x)` $x_{i}$"
    for cell in [*cells, made_safe(links, {"p.png": {"image/png": PNG}})]:
        assert made_safe(cell.source, cell.get("attachments")).source == cell.source


def test_a_grading_comment_quoting_an_exception_is_made_inert():
    """nbgrader's feedback page renders each cell's comment as Markdown; the course's comment quotes exception messages."""
    cell = new_markdown_cell("My answer.", metadata={"nbgrader": {"comment": "test_x: raised <img src=x onerror=alert(1)>"}})
    nb, _ = SafeLinks().preprocess(new_notebook(cells=[cell]), {})
    comment = nb.cells[0].metadata.nbgrader.comment
    assert comment.startswith(SHOWN_AS_TEXT) and not [u for u in Urls(render(comment, {})).urls if u[1] == "onerror"]
