"""What a student's outputs may put in the autograded notebook, hence in the feedback and the formgrader.

nbgrader's LimitOutput caps streams only. `CapOutputs` caps every output type (stream, display_data,
execute_result, error) per cell and per notebook, and makes every output inert: only plain text and
PNG/JPEG images stay; HTML, Markdown, SVG, JavaScript, LaTeX, widgets... become a line of plain text
(their own text/plain when they have one). A student's output may still reach their own feedback,
but it can never run in the browser of whoever opens the feedback or the formgrader.

An error output is never dropped, only shortened: nbgrader grades a test cell by whether it holds one.
"""

import base64
import binascii

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from traitlets import Bool, Integer

INERT = ("text/plain", "image/png", "image/jpeg")


class CapOutputs(Preprocessor):
    enabled = Bool(True)   # nbconvert's preprocessors are off unless enabled; this one is the course's
    max_lines = Integer(200, help="Lines of text a cell's outputs may keep.").tag(config=True)
    max_cell_chars = Integer(20_000, help="Characters of text a cell's outputs may keep.").tag(config=True)
    max_outputs = Integer(20, help="Outputs a cell may keep (an error always stays).").tag(config=True)
    max_image_bytes = Integer(256 * 1024, help="Size of one image, base64.").tag(config=True)
    max_notebook_chars = Integer(1_000_000, help="Characters (text and images) of all outputs of a notebook.").tag(config=True)
    max_traceback = Integer(20, help="Lines of an error's traceback.").tag(config=True)

    def preprocess(self, nb, resources):
        self.left = self.max_notebook_chars
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = self.cap(cell.outputs)
        for name, bundle in list(cell.get("attachments", {}).items()):   # a Markdown cell's pasted images
            cell.attachments[name] = {m: _base64(v) for m, v in bundle.items() if m in INERT[1:] and _base64(v)}
        return cell, resources

    def cap(self, outputs):
        budget = Budget(self.max_lines, min(self.max_cell_chars, max(self.left, 0)))
        kept, dropped = [], 0
        for output in outputs:
            if output.output_type == "error":
                kept.append(self.error(output))
            elif len(kept) >= self.max_outputs or budget.spent:
                dropped += 1
            elif output.output_type == "stream":
                kept.append(NotebookNode(output_type="stream", name=output.get("name", "stdout"),
                                         text=budget.take(str(output.get("text", "")))))
            else:
                kept.append(self.inert(output, budget))
        if dropped:
            kept.insert(_before_errors(kept), _note(f"... {dropped} more outputs removed by the grader ...\n"))
        self.left -= budget.used
        return kept

    def inert(self, output, budget):
        data = output.get("data", {})
        inert = {}
        for mime in ("image/png", "image/jpeg"):
            image = _base64(data.get(mime))
            if image and len(image) <= self.max_image_bytes and budget.afford(len(image)):
                inert[mime] = image
        text = data.get("text/plain")
        removed = sorted(m for m in data if m not in inert and m != "text/plain")
        if not isinstance(text, str):
            text = f"[{', '.join(removed)} output removed by the grader]" if removed and not inert else ""
        if text or not inert:
            inert["text/plain"] = budget.take(text)
        kind = "execute_result" if output.output_type == "execute_result" else "display_data"
        node = NotebookNode(output_type=kind, data=inert, metadata={})
        if kind == "execute_result":
            node.execution_count = output.get("execution_count")
        return node

    def error(self, output):
        """The error, shortened: its traceback cut to max_traceback lines, to its last line once the
        notebook's budget is spent (a student may add any number of cells that raise)."""
        ename, evalue = str(output.get("ename", "Error"))[:200], str(output.get("evalue", ""))[:2000]
        traceback = [str(line)[:2000] for line in output.get("traceback", [])]
        if len(traceback) > self.max_traceback:
            half = self.max_traceback // 2
            traceback = traceback[:half] + ["... traceback truncated ..."] + traceback[-half:]
        if self.left <= 0:
            evalue, traceback = evalue[:200], [f"{ename}: {evalue[:200]}"]
        self.left -= len(evalue) + sum(map(len, traceback))
        return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=traceback)


class Budget:
    """Lines and characters a cell's outputs may still use."""

    def __init__(self, lines, chars):
        self.lines, self.chars, self.used = lines, chars, 0

    @property
    def spent(self):
        return self.lines <= 0 or self.used >= self.chars

    def afford(self, size):
        if self.used + size > self.chars:
            return False
        self.used += size
        return True

    def take(self, text):
        lines = text.splitlines(keepends=True)
        kept = "".join(lines[:max(self.lines, 0)])[:max(self.chars - self.used, 0)]
        self.lines -= len(lines)
        self.used += len(kept)
        return kept + ("\n... output truncated by the grader ...\n" if len(kept) < len(text) else "")


def _base64(data):
    """The image's base64 text if it is exactly that (it lands in an <img src=...> attribute), else None."""
    if not isinstance(data, str):
        return None
    compact = "".join(data.split())
    try:
        base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None
    return compact


def _before_errors(outputs):
    return next((i for i, o in enumerate(outputs) if o.output_type == "error"), len(outputs))


def _note(text):
    return NotebookNode(output_type="stream", name="stdout", text=text)
