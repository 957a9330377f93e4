"""The backprop-ninja command: trace and eps-plot."""
import subprocess
import sys

import numpy as np

from backprop_ninja import trace, widgets


def run(*args):
    return subprocess.run([sys.executable, "-m", "backprop_ninja.cli", *args],
                          capture_output=True, text=True, check=True).stdout


def test_trace_prints_the_seed_numbers_to_six_decimals():
    out = run("trace")
    for expected in ["L     = −log p[0] = 0.775804", "dL/dz2 = p − Y = [-0.539666, +0.539666]",
                     "+0.188883", "+0.302213", "dead"]:
        assert expected in out, expected


def test_trace_verification_table_has_17_agreeing_rows():
    lines = []
    trace.print_trace(say=lines.append)
    header = next(i for i, ln in enumerate(lines) if ln.strip().startswith("parameter"))
    rows = lines[header + 1:]
    assert len(rows) == 17
    assert all(float(row.split()[-1]) < 1e-8 for row in rows)


def test_trace_agrees_with_finite_differences_row_by_row():
    z1, h, p, loss = trace.forward(lambda *_: None)
    rows = trace.verification_rows(trace.backward(z1, h, p, lambda *_: None))
    assert len(rows) == 17 and all(abs(a - n) < 1e-8 for _, a, n in rows)
    assert [n for label, _, n in rows if label in ("W1[0,2]", "W1[1,2]", "b1[2]")] == [0.0, 0.0, 0.0]


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
