"""How arrays travel between the grader, the student's kernel and the referee: flat npz archives,
over pipes or as base64 text.

Nested dicts travel as paths: {"0": {"params": {"W1": a}}} ⇄ {"0/params/W1": a}.
Only plain arrays cross (allow_pickle=False), so nothing the student returns can run code in the grader or the referee.
np.savez stores its members uncompressed: the referee reads an answer only so (`ninja_autograde.answers`).
"""

import base64
import io
import struct

import numpy as np


def flatten(tree, prefix=""):
    flat = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, path + "/"))
        else:
            flat[path] = value
    return flat


def unflatten(flat):
    tree = {}
    for path, value in flat.items():
        *parents, leaf = path.split("/")
        node = tree
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return tree


def _npz(tree):
    buffer = io.BytesIO()
    np.savez(buffer, **flatten(tree))
    return buffer.getvalue()


def _unnpz(data):
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        return unflatten({name: archive[name] for name in archive.files})


def dumps(tree):
    """The tree as one base64 string (for a cell's source or a display output)."""
    return base64.b64encode(_npz(tree)).decode("ascii")


def loads(text):
    return _unnpz(base64.b64decode(text, validate=True))


def send(stream, tree):
    data = _npz(tree)
    stream.write(struct.pack("<Q", len(data)) + data)
    stream.flush()


def receive(stream):
    header = stream.read(8)
    if len(header) != 8:
        raise EOFError("the other side closed the pipe")
    (size,) = struct.unpack("<Q", header)
    return _unnpz(stream.read(size))
