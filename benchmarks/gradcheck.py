"""How long the lab assistant takes: the seed network, and an MNIST-sized MLP of 795k parameters,
against checking every entry one by one (the naive loop, timed on a sample and extrapolated).

    .venv/bin/python benchmarks/gradcheck.py

The gradients handed in are random: a check costs the same forward passes whether they are
right or wrong, and this file should not carry a backward pass of a course network.
"""

import time

import numpy as np

from backprop_ninja import check_gradients, data, nets
from backprop_ninja.gradcheck import numerical_gradient

SAMPLE = 2000   # entries the naive loop is timed on


def seconds(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def naive_seconds(loss_fn, params):
    """Element-by-element central differences over every entry (over SAMPLE of them if more)."""
    total = sum(p.size for p in params.values())
    if total <= SAMPLE:
        return seconds(lambda: [numerical_gradient(lambda: loss_fn(params), x) for x in params.values()]), False
    sample = max(params.values(), key=np.size).reshape(-1)[:SAMPLE]   # a view into the parameters
    elapsed = seconds(lambda: numerical_gradient(lambda: loss_fn(params), sample), repeat=1)
    return elapsed * total / SAMPLE, True


def human(s):
    return f"{s / 3600:.1f} h" if s > 3600 else f"{s / 60:.0f} min" if s > 60 else f"{s:.3g} s"


def row(label, loss_fn, params):
    grads = {k: np.random.default_rng(1).standard_normal(v.shape) for k, v in params.items()}
    checked = seconds(lambda: check_gradients(loss_fn, params, grads))
    naive, extrapolated = naive_seconds(loss_fn, params)
    n = sum(p.size for p in params.values())
    note = " (extrapolated)" if extrapolated else ""
    return f"| {label} | {n:,} | {checked:.3f} s | {human(naive)}{note} | {naive / checked:,.0f}× |"


def main():
    params, X, y = data.seed_network()
    print("| network | parameters | check_gradients | naive element-by-element | speed-up |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(row("seed network 3→5→3 (N = 4)", nets.loss_of(nets.mlp_tanh_forward, X, y), params))
    params, X, y = data.classification(32, [784, 1000, 10], seed=0)
    print(row("MLP 784→1000→10 (N = 32)", nets.loss_of(nets.mlp_tanh_forward, X, y), params))


if __name__ == "__main__":
    main()
