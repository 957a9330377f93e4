"""How the student's kernel and the judge exchange arrays: flat npz archives over pipes.

Nested dicts travel as paths: {"0": {"params": {"W1": a}}} ⇄ {"0/params/W1": a}.
Only plain arrays cross (allow_pickle=False), so nothing the student returns can run code in the judge.
"""

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


def send(stream, tree):
    buffer = io.BytesIO()
    np.savez(buffer, **flatten(tree))
    data = buffer.getvalue()
    stream.write(struct.pack("<Q", len(data)) + data)
    stream.flush()


def receive(stream):
    header = stream.read(8)
    if len(header) != 8:
        raise EOFError("the other side closed the pipe")
    (size,) = struct.unpack("<Q", header)
    with np.load(io.BytesIO(stream.read(size)), allow_pickle=False) as archive:
        return unflatten({name: archive[name] for name in archive.files})
