"""Markdown a student wrote, made inert: its links and images point only where nothing runs.

nbconvert's SanitizeHTML escapes the tags a student types into a Markdown cell, not where a Markdown
link points: `[derivation](javascript:...)` becomes a live `<a href="javascript:...">` in the
Formgrader (which renders autograded/ notebooks with nbconvert, on the Jupyter server's own origin,
as the instructor) and in the feedback. A relative link (`/api/contents/...`) reaches that server's
API the same way. `SafeLinks` keeps only these destinations: `http://`, `https://`, `mailto:`,
`#fragment` and `attachment:` (an image attached to the cell, PNG or JPEG).

The judge is nbconvert's own Markdown renderer, the one the Formgrader and the feedback use: a cell is
rendered and every URL of its HTML checked as a browser reads it (entities decoded, tabs and newlines
dropped, any case). A cell that renders safe is left exactly as written. In one that does not, each
unsafe destination of an inline link or image, a reference definition, an autolink or an HTML
attribute becomes `#`, and the cell is judged again; a cell still not safe (a link the rewrite did
not find) is shown as its source text, in a code block.
"""

import html
import re
from html.parser import HTMLParser

from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

SAFE = ("#", "http://", "https://", "mailto:")
RASTER = {"image/png", "image/jpeg"}
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "xlink:href", "poster", "background",
                  "data", "cite", "longdesc", "usemap", "ping", "lowsrc", "dynsrc", "codebase", "archive"}
ACTIVE_TAGS = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form",
               "meta", "link", "svg", "math", "template"}
SHOWN_AS_TEXT = "*(shown as text by the grader: it held a link or HTML that could not be made safe)*\n\n"

_C0_AND_SPACE = "".join(map(chr, range(33)))
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_LINK_OPEN = re.compile(r"\]\(")
_DEFINITION = re.compile(r"^[ \t>]*\[(?:[^\]\\\n]|\\.)+\]:[ \t]*\n?[ \t]*", re.M)
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>")
_ATTRIBUTE = re.compile(r"\b([a-z:]+)(\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+)", re.I)


def browser_url(url):
    """The URL as a browser acts on it: surrounding controls and spaces gone, tabs and newlines dropped
    anywhere, `\\` read as `/`, in lower case."""
    return re.sub(r"[\t\n\r]", "", url).strip(_C0_AND_SPACE).replace("\\", "/").lower()


def safe_url(url, attachments=None):
    """Whether a destination is one of SAFE; `attachment:NAME` only when the cell has that image
    (attachments None: rendered HTML, where nbconvert has embedded the attachments already)."""
    url = browser_url(url)
    if url.startswith("attachment:"):
        bundle = {} if attachments is None else attachments.get(url[len("attachment:"):].strip(), {})
        return attachments is None or bool(bundle) and set(bundle) <= RASTER
    return url == "" or url.startswith(SAFE)   # "": this very page


class _Attributes(HTMLParser):
    """Every (tag, attribute, value) of an HTML text, values with their entities decoded."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found += [(tag, name, value or "") for name, value in attrs] or [(tag, "", "")]

    handle_startendtag = handle_starttag


def safe_html(text):
    """Whether HTML holds no active element, no event handler and no URL outside SAFE (an image may
    also be a PNG or JPEG embedded as data)."""
    for tag, name, value in _Attributes(text).found:
        raster = tag == "img" and name == "src" and browser_url(value).startswith(("data:image/png;base64,",
                                                                                   "data:image/jpeg;base64,"))
        if tag in ACTIVE_TAGS or name.startswith("on") or name in URL_ATTRIBUTES and not (raster or safe_url(value)):
            return False
    return True


def render(source, attachments):
    """The cell's HTML as the Formgrader and the feedback show it, or None where nbconvert would fail
    (an image of a missing attachment)."""
    try:
        return MarkdownWithMath(renderer=IPythonRenderer(escape=False, attachments=attachments)).render(source)
    except Exception:  # noqa: BLE001 — nbconvert's InvalidNotebook, or a parser error on hostile text
        return None


def _destination_end(source, start):
    """Where the link destination starting at `start` ends: at `>` for `<...>`, else at the first space
    or unbalanced `)`."""
    if source.startswith("<", start):
        end = source.find(">", start)
        return len(source) if end < 0 else end + 1
    depth, i = 0, start
    while i < len(source) and not source[i].isspace():
        if source[i] == "\\":
            i += 1
        elif source[i] == "(":
            depth += 1
        elif source[i] == ")":
            if depth == 0:
                break
            depth -= 1
        i += 1
    return min(i, len(source))


def _destinations(source):
    """(start, end) of every link destination of an inline link or image and of a reference definition."""
    for match in _LINK_OPEN.finditer(source):
        start = match.end() + len(source[match.end():]) - len(source[match.end():].lstrip(" \t\n"))
        yield start, _destination_end(source, start)
    for match in _DEFINITION.finditer(source):
        yield match.end(), _destination_end(source, match.end())


def _decoded(destination):
    """A destination as Markdown reads it: without its `<>`, backslash escapes and character references."""
    if destination.startswith("<") and destination.endswith(">"):
        destination = destination[1:-1]
    return html.unescape(_ESCAPED.sub(r"\1", destination))


def rewrite(source, attachments):
    """The source with every unsafe destination replaced by `#`."""
    spans = sorted({(a, b) for a, b in _destinations(source) if b > a and not safe_url(_decoded(source[a:b]), attachments)})
    for start, end in reversed(spans):
        source = source[:start] + "#" + source[end:]
    source = _AUTOLINK.sub(lambda m: m.group(0) if safe_url(m.group(1)) else "\\" + m.group(0), source)

    def attribute(m):
        unsafe = m.group(1).lower() in URL_ATTRIBUTES and not safe_url(html.unescape(m.group(3).strip("\"'")), attachments)
        return f'{m.group(1)}{m.group(2)}"#"' if unsafe else m.group(0)
    return _ATTRIBUTE.sub(attribute, source)


def as_text(source):
    """The source shown as it is, in a fenced code block longer than any run of backticks in it."""
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", source)), default=0))
    return f"{SHOWN_AS_TEXT}{fence}\n{source}\n{fence}"


def inert(source, attachments):
    """The source unchanged when it renders safe, else rewritten, else shown as text."""
    for candidate in (source, rewrite(source, attachments)):
        rendered = render(candidate, attachments)
        if rendered is not None and safe_html(rendered):
            return candidate
    return as_text(source)


class SafeLinks(Preprocessor):
    """Every Markdown cell made inert, and every cell's grading comment (the feedback renders it as Markdown,
    and the comment the course writes quotes the student's exception messages: SaveVerdicts)."""

    enabled = Bool(True)   # nbconvert's preprocessors are off unless enabled; this one is the course's

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = self.inert(cell.source, cell.get("attachments", {}), f"Markdown cell {index}")
        comment = cell.metadata.get("nbgrader", {}).get("comment")
        if comment:
            cell.metadata.nbgrader["comment"] = self.inert(comment, {}, f"The comment on cell {index}")
        return cell, resources

    def inert(self, source, attachments, where):
        made = inert(source, attachments)
        if made != source:
            self.log.warning("%s: a link, an image or HTML that could run in a browser was made inert", where)
        return made
