"""A verdict is data from the moment it is made: which mistake (an id), on which tensor, in the lessons' words.

A diagnosis is a `backprop_ninja.diagnose.Mistake`, the sentence that carries the id of the mistake it names
("missing-over-n" whatever the layer or the data), so the class report counts students by id and shows the
words as they were said. A `Verdict` is a judged test: passed, or which mistake, on which tensor, with what was measured.
The grader stores verdicts as JSON beside the grades (`ninja_autograde.preprocessors.SaveVerdicts`); nothing reads a
sentence back to learn which mistake it was.
"""

import json
import math
from dataclasses import asdict, dataclass, field

from backprop_ninja.diagnose import ID, id_of

@dataclass(frozen=True)
class Verdict:
    """One judged test. `mistake` is the id of what is wrong ('' when the test passed); `message` what the
    student reads, as it was made; `tensor` the tensor judged wrong, if one; `measured` the numbers behind it."""
    mistake: str = ""
    message: str = ""
    tensor: str = ""
    measured: dict = field(default_factory=dict)

    @property
    def passed(self):
        return not self.mistake

    def to_json(self):
        return json.dumps(asdict(self), ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, text):
        """The verdict stored as `text`; a stored value that is not one raises ValueError."""
        data = json.loads(text)
        if not isinstance(data, dict) or set(data) != {"mistake", "message", "tensor", "measured"}:
            raise ValueError("not a stored verdict")
        return cls.checked(**data)

    @classmethod
    def checked(cls, mistake, message, tensor="", measured=None):
        """A verdict from values that may come from anywhere (a student's kernel): each of the right type and
        size, the id one an id may be, or ValueError."""
        measured = measured or {}
        if not (isinstance(mistake, str) and (mistake == "" or ID.fullmatch(mistake))):
            raise ValueError("a verdict's mistake is an id")
        if not (isinstance(message, str) and isinstance(tensor, str) and len(message) <= 4000 and len(tensor) <= 60):
            raise ValueError("a verdict's message and tensor are short text")
        if not (isinstance(measured, dict) and len(measured) <= 8 and all(
                isinstance(k, str) and len(k) <= 40 and isinstance(v, (int, float)) and math.isfinite(v)
                for k, v in measured.items())):
            raise ValueError("a verdict's measurements are a few named numbers")
        return cls(mistake, message, tensor, measured)


PASSED = Verdict()


def failed(message, tensor="", measured=None, mistake=None):
    """The verdict of a failed test: its mistake the message's own id (a `Mistake`) unless one is given."""
    kept = {k: float(v) for k, v in (measured or {}).items() if math.isfinite(v)}   # JSON has no inf
    return Verdict(mistake or id_of(message), str(message), tensor, kept)
