"""The feedback page a student opens: nbgrader's, with each test named in its index and its verdict in words.

What the page may show of a test cell is decided before it is exported (`preprocessors.HideTests`: the
verdict, never the test's insides); this exporter only finds the course's template
(templates/feedback_page) first.
"""

from pathlib import Path

import nbgrader
from nbconvert.exporters import HTMLExporter
from traitlets import default

_NBGRADER = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback exporter, with the course's page (templates/feedback_page/index.html.j2) found first.

    The course's page extends nbgrader's by the name 'templates/feedback/index.html.j2', found from
    nbgrader's formgrader folder; whatever template name formgrader asks for, the course's page wins."""

    @default("template_paths")
    def _template_paths(self, prune=True, root_dirs=None):
        ours = str(Path(__file__).parent / "templates" / "feedback_page")
        return [ours, *super()._template_paths(prune, root_dirs), str(_NBGRADER)]
