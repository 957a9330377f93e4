"""Keeps 64 busy processes running for two minutes while its classmates are graded beside it (the pids cap is 128):
a kernel's processes share one CPU weight (its cpu cgroup) and its cells' budgets count all their CPU seconds, so
the hog starves only itself. Graded beside the calibration class on a saturated machine (tests/test_saturated.py)."""
FAILS = []
MAY_FAIL = ["test_W1", "test_b1", "test_W2", "test_b2", "test_inputs_unchanged",
            "test_gradient_descent", "test_gradient_descent_unchanged", "test_gradient_descent_logs", "test_trains_xor"]   # its own CPU, spent by its hogs


def mlp_relu_backward(params, cache, y):
    dz2 = np.exp(cache["logp"])
    dz2[np.arange(len(y)), y] -= 1
    dz2 = dz2 / len(y)
    dz1 = (dz2 @ params["W2"].T) * (cache["z1"] > 0)
    return {"W1": cache["X"].T @ dz1, "b1": dz1.sum(axis=0), "W2": cache["h"].T @ dz2, "b2": dz2.sum(axis=0)}

import os, time
until = time.monotonic() + 120
for _ in range(64):
    if os.fork() == 0:
        os.setsid()
        while time.monotonic() < until:
            pass
        os._exit(0)
