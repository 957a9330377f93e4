"""The backprop-ninja command: trace, draw and eps-plot; the trace's drawings."""
import subprocess
import sys

import numpy as np

from backprop_ninja import trace, widgets


def run(*args):
    return subprocess.run([sys.executable, "-m", "backprop_ninja.cli", *args],
                          capture_output=True, text=True, check=True).stdout


def test_trace_prints_the_source_lessons_numbers():
    out = run("trace")
    for expected in [
        "z1[0] = +0.0500 + (+0.1000 * +0.5000) + (-0.2000 * +0.8000) = -0.060000",
        "z1[1] = -0.1000 + (+0.3000 * +0.5000) + (+0.4000 * +0.8000) = +0.370000",
        "z1[2] = +0.2000 + (-0.2000 * +0.5000) + (+0.5000 * +0.8000) = +0.500000",
        "z2[0] = +0.1000 + (+0.2000 * +0.0000) + (-0.3000 * +0.3700) + (+0.1000 * +0.5000) = +0.039000",
        "= +0.198000", "p[0]  = exp(z2[0]) / Σ exp(z2) = 0.460334", "= 0.539666", "L     = −log p[0] = 0.775804",
        "dW1 = [[+0.000000, +0.000000], [+0.188883, +0.302213], [+0.026983, +0.043173]]",
        "db1 = [+0.000000, +0.377767, +0.053967]",
        "dW2 = [[+0.000000, -0.199677, -0.269833], [+0.000000, +0.199677, +0.269833]]",
        "db2 = [-0.539666, +0.539666]",
    ]:
        assert expected in out, expected
    assert "h[0]  = max(0, -0.060000) = +0.000000   ← dead" in out


def test_trace_shows_every_backward_step_entry_by_entry():
    t = trace.backward(trace.forward())
    names = [key[0] for key, _ in t.steps]
    assert {n: names.count(n) for n in set(names)} == {"dz2": 2, "dW2": 6, "db2": 2, "dh": 3, "dz1": 3,
                                                       "dW1": 6, "db1": 3}
    lines = []
    trace.print_trace(say=lines.append)
    assert all(line in lines for _, line in t.steps)


def test_trace_verification_table_has_17_matching_rows():
    lines = []
    trace.print_trace(say=lines.append)
    header = next(i for i, ln in enumerate(lines) if ln.strip().startswith("parameter"))
    rows = lines[header + 1:]
    assert len(rows) == 17 and "match" in lines[header]
    assert all(row.split()[-1] == "yes" and float(row.split()[-2]) < 1e-8 for row in rows)


def test_trace_agrees_with_finite_differences_row_by_row():
    rows = trace.verification_rows(trace.backward(trace.forward()).grads)
    assert len(rows) == 17 and all(abs(a - n) < 1e-8 for _, a, n in rows)
    dead = [n for label, _, n in rows if label in ("W1[0][0]", "W1[0][1]", "b1[0]", "W2[0][0]", "W2[1][0]")]
    assert dead == [0.0] * 5


def test_trace_table_flags_a_wrong_gradient():
    grads = trace.backward(trace.forward()).grads
    wrong = {**grads, "b1": [-0.1619, grads["b1"][1], grads["b1"][2]]}   # the dead neuron without its mask
    lines = []
    trace.print_table(wrong, say=lines.append)
    assert [ln.split()[0] for ln in lines if ln.endswith("NO")] == ["b1[0]"]


def test_node_gradients_by_finite_differences_match_the_trace():
    t = trace.backward(trace.forward())
    numeric = trace.numerical_node_grads()
    for name in ("dz2", "dh", "dz1"):
        assert np.allclose(numeric[name], getattr(t, name), atol=1e-8), name


def test_draw_writes_a_png(tmp_path):
    out = tmp_path / "network.png"
    run("draw", str(out))
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_check_figure_colours_the_wrong_weights_red():
    import matplotlib
    matplotlib.use("Agg")
    from backprop_ninja import drawing
    right = trace.backward(trace.forward()).grads

    def no_mask_backward(params, cache, y):   # the trace's numbers, course layout, dead neuron unmasked
        dh0 = trace.numerical_node_grads()["dh"][0]
        W1 = np.array(right["W1"]).T
        W1[:, 0] = dh0 * np.array(trace.X)
        return {"W1": W1, "b1": np.array([dh0] + right["b1"][1:]), "W2": np.array(right["W2"]).T,
                "b2": np.array(right["b2"])}

    _, verdict = drawing.agreement(no_mask_backward)
    assert len(verdict) == 17
    assert sorted(k for k, ok in verdict.items() if not ok) == [("W1", 0, 0), ("W1", 0, 1), ("b1", 0)]
    fig = drawing.check_figure(no_mask_backward)
    assert "wrong: W1[0][0], W1[0][1], b1[0]" in fig.axes[0].get_title()


def test_eps_plot_writes_a_png(tmp_path):
    out = tmp_path / "eps.png"
    run("eps-plot", str(out), "--function", "exp", "--precision", "float32")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_explorer_numbers_follow_the_theory():
    """Central differences beat forward ones at 1e-5; float32 is worse; the optima sit where the lesson says."""
    fn = widgets.FUNCTIONS["tanh"]
    err = widgets.errors(fn, 0.5, np.array([1e-5]))
    assert err["central"][0] < 1e-9 < err["forward"][0]
    assert widgets.errors(fn, 0.5, np.array([1e-8]))["complex step"][0] < 1e-15   # no cancellation at all
    assert widgets.errors(fn, 0.5, np.array([1e-5]), "float32")["central"][0] > 1e-5
    lines = widgets.model_lines(fn, 0.5, widgets.EPS_GRID)
    assert 1e-9 < lines["forward"][2] < 1e-7 and 1e-6 < lines["central"][2] < 3e-5
    assert "error = " in widgets.explain("exp", 1.0, 1e-8, "float64", "forward")
