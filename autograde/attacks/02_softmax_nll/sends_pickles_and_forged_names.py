"""Replaces the hidden test's answers by forged archives: a pickled object that would run a command in the grader,
member names that climb out of the answer ("../../gradebook.db") or name inputs never sent, text where numbers go,
and in the backward pass's test the real answers sent twice."""
FAILS = ["test_nll_random", "test_nll_extreme", "test_nll_unchanged", "test_backward_random"]


def nll_loss(z, y):
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].mean()

import base64, io, os
import ninja_runner
from IPython.display import display


class Command:
    def __reduce__(self):   # unpickled in the grader, this would leave a file in the course folder
        return os.system, ("touch PWNED_BY_PICKLE",)

savez = lambda **members: (lambda f: (np.savez(f, **members), base64.b64encode(f.getvalue()).decode("ascii"))[1])(io.BytesIO())
show = lambda text: display({ninja_runner.ANSWERS_MIME: text, "text/plain": "(answers sent to the grader)"}, raw=True)
real_hidden_test = ninja_runner.hidden_test
SENDS = iter([
    lambda calls: show(savez(**{"0/out": np.array([Command()], dtype=object), "1/out": np.array([Command()], dtype=object)})),
    lambda calls: show(savez(**{"../../gradebook.db": np.zeros(1), "0/after/secret": np.zeros(1), "0/out/../../x": np.zeros(1)})),
    lambda calls: show(savez(**{"0/out": np.array(["0.5"]), "1/out": np.array([b"0.5"])})),
    lambda calls: [real_hidden_test("softmax_nll_backward", softmax_nll_backward, "random", calls) for _ in range(2)],
])
TARGETS = [("nll_loss", "random"), ("nll_loss", "extreme"), ("nll_loss", "unchanged"), ("softmax_nll_backward", "random")]
ninja_runner.hidden_test = lambda name, student_fn, part, calls=None: (
    real_hidden_test(name, student_fn, part, calls) if (name, part) not in TARGETS or calls is None else next(SENDS)(calls))
