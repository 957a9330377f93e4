"""Reading a student's answer message with bounded work: nothing in it is inflated, trusted or unbounded.

The kernel sends each hidden test's answers as one base64 npz archive (`ninja_runner.wire`, written by
np.savez: every member stored, uncompressed). The student's code runs in that kernel and can display any
message in its place, so before anything is decoded or allocated the referee checks what it can from
the outside in:

- the message's length (`Budget.message_chars`), and what is left of the notebook's bytes (`Budget`);
- the archive: at most `Budget.members` members, each stored (a compressed member is refused before
  anything is inflated), each named as the call structure allows (`0/out`, `0/out/dW1`, `0/error`, `0/mistake`,
  `0/after/<an input of call 0>`), no name twice;
- each member's .npy header: numbers only (booleans, integers, floats; text for `error` and `mistake`), never objects,
  and no more elements than the call could need (`ELEMENTS`: 4 × what it was sent, or the parameters of
  the large network its recipe describes (`backprop_ninja.scale`), + 100 000), with
  exactly as many data bytes as the header says.

Whatever fails raises Refused, whose message is the test's verdict: a refused answer is no answer.
"""

import base64
import io
import math
import time
import zipfile

import numpy as np

from backprop_ninja import scale
from ninja_runner import wire
from ninja_runner.calls import kind

NUMBERS = "biuf"            # dtype kinds an answer may hold: booleans, integers (signed, unsigned), floats
TEXT = ("error", "mistake")  # the members that hold text: what went wrong when a call gave no answer, and its id
ELEMENTS = (4, 100_000)     # a call's answer holds at most 4 × the elements the call stands for, + 100 000


class Refused(ValueError):
    """An answer the referee does not read; the message says why, in the verdict's words."""


class Budget:
    """What the referee may spend on one notebook: the text of one answer message, its members, the
    decoded bytes of all the notebook's answers and its own CPU seconds judging them. The defaults are
    GraderExecute's (nbgrader_config.py sets them), and a judging outside grading's."""
    MESSAGE_CHARS, MEMBERS, NOTEBOOK_BYTES, NOTEBOOK_SECONDS = 64 * 1024**2, 1000, 512 * 1024**2, 600.0

    def __init__(self, message_chars=MESSAGE_CHARS, members=MEMBERS, notebook_bytes=NOTEBOOK_BYTES,
                 notebook_seconds=NOTEBOOK_SECONDS):
        self.message_chars, self.members = message_chars, members
        self.bytes_left, self.seconds_left = notebook_bytes, notebook_seconds

    def spent(self):
        """'' while the notebook's budget lasts, else the verdict of every later test."""
        if self.bytes_left < 0 or self.seconds_left < 0:
            return ("the grader's budget for this notebook ran out (its answers were too large or took too "
                    "long to judge): this test was not judged")
        return ""

    def take(self, nbytes):
        self.bytes_left -= nbytes
        if self.bytes_left < 0:
            raise Refused(self.spent())

    def timed(self, judge, *args):
        """judge(*args), its CPU seconds charged to the notebook."""
        start = time.process_time()
        try:
            return judge(*args)
        finally:
            self.seconds_left -= time.process_time() - start


def read(text, sent, budget):
    """The answers in one message as nested dicts of arrays, for the calls `sent` (as the kernel got them)."""
    if not isinstance(text, str):
        raise Refused("the answer message is not text")
    if len(text) > budget.message_chars:
        raise Refused(f"the answer message is {len(text) / 1e6:.1f} MB, more than the grader reads "
                      f"({budget.message_chars / 1e6:.1f} MB)")
    budget.take(len(text) * 3 // 4)
    try:
        archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(text, validate=True)))
        members = archive.infolist()
        if len(members) > budget.members:
            raise Refused(f"the answer message has {len(members)} members, more than the grader reads "
                          f"({budget.members})")
        names = [_path(info, sent) for info in members]
        _distinct(names)
        left = {i: ELEMENTS[0] * _elements(call) + ELEMENTS[1] for i, call in sent.items()}
        return wire.unflatten({name: _array(archive, info, name, left) for name, info in zip(names, members)})
    except Refused:
        raise
    except Exception as error:  # noqa: BLE001 — whatever a forged archive makes zipfile or numpy raise
        raise Refused(f"the answer message could not be read ({type(error).__name__}: {error})"[:300]) from None


def _path(info, sent):
    """The member's path in the answer tree, if the call structure allows it."""
    if info.compress_type != zipfile.ZIP_STORED or info.file_size != info.compress_size:
        raise Refused(f"member {info.filename[:60]!r} is compressed: answers travel uncompressed")
    path = info.filename.removesuffix(".npy")
    call, _, rest = path.partition("/")
    kind, _, key = rest.partition("/")
    allowed = call in sent and info.filename.endswith(".npy") and (
        (kind in TEXT and not key) or (kind == "out" and "/" not in key)
        or (kind == "after" and key in wire.flatten(sent[call])))
    if not allowed:
        raise Refused(f"member {info.filename[:60]!r} is not part of an answer to this test")
    return path


def _distinct(names):
    """No name twice, and no output that is both one array and a dict of arrays."""
    if len(set(names)) < len(names):
        raise Refused("the answer message names a member twice")
    if any(name.rsplit("/", 1)[0] in names for name in names if "/out/" in name):
        raise Refused("the answer message holds an output that is both an array and a dict")


def _elements(call):
    """The elements a call stands for: its arrays, and the network its recipe describes, if any."""
    return sum(np.size(v) for v in wire.flatten(call).values()) + (scale.parameters(call) if kind(call) == "scale" else 0)


def _array(archive, info, name, left):
    """The member's array, read only after its header passed: its dtype, its size, its data's length."""
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version not in ((1, 0), (2, 0)):
            raise Refused(f"member {name!r} is not an array as np.savez writes one")
        header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = header(member)
        kinds = "U" if name.rpartition("/")[2] in TEXT else NUMBERS
        if dtype.hasobject or dtype.fields or dtype.kind not in kinds or dtype.itemsize == 0:
            raise Refused(f"member {name!r} holds {dtype} values, not numbers")
        call = name.partition("/")[0]
        count = math.prod(shape)
        if min(shape, default=0) < 0 or count > left[call]:
            raise Refused(f"member {name!r} has shape {shape}, far larger than call {call} could need")
        left[call] -= count
        nbytes = count * dtype.itemsize
        if info.file_size != member.tell() + nbytes:
            raise Refused(f"member {name!r} holds more or fewer bytes than its header says")
        data = member.read(nbytes)
    return np.frombuffer(data, dtype).reshape(shape, order="F" if fortran else "C").copy()
