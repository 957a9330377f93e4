"""Replaces the hidden test's answers by huge ones, stored uncompressed: a 70 MB message, 2 million numbers for a
scalar loss, a header claiming 10¹² numbers, and an archive of 20 000 members."""
FAILS = ["test_nll_random", "test_nll_extreme", "test_nll_unchanged", "test_backward_random"]


def nll_loss(z, y):
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].mean()

import base64, io, zipfile
import ninja_runner
from IPython.display import display

npy = lambda a: (lambda f: (np.save(f, a), f.getvalue())[1])(io.BytesIO())
claims = b"\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }".ljust(127) + b"\n"
FORGERIES = []
for members in ({"0/out.npy": npy(np.zeros(6_500_000))},
                {"0/out.npy": npy(np.zeros(2_000_000)), "1/out.npy": npy(np.zeros(2_000_000))},
                {"0/out.npy": claims + bytes(8)},
                {f"0/out/{i}.npy": npy(np.zeros(1)) for i in range(20_000)}):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:   # stored, as np.savez writes
        for name, data in members.items():
            archive.writestr(name, data)
    FORGERIES.append(base64.b64encode(buffer.getvalue()).decode("ascii"))
FORGERIES = iter(FORGERIES)
real_hidden_test = ninja_runner.hidden_test
TARGETS = [("nll_loss", "random"), ("nll_loss", "extreme"), ("nll_loss", "unchanged"), ("softmax_nll_backward", "random")]
ninja_runner.hidden_test = lambda name, student_fn, part, calls=None: (
    real_hidden_test(name, student_fn, part, calls) if (name, part) not in TARGETS or calls is None
    else display({ninja_runner.ANSWERS_MIME: next(FORGERIES), "text/plain": "(answers sent to the grader)"}, raw=True))
