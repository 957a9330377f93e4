"""Lesson 06's capstone: the source solution's mlp_bn_backward trains the network to the loss the
lesson states, on each of 20 seeds, through the same trainer the hidden test runs in the student's kernel."""
import re

import nbformat
import numpy as np
import pytest

from backprop_ninja import data, nets
from ninja_runner.runner import train_sequences
from ninja_runner.exercises.batchnorm import CAPSTONE, capstone_run
from ninja_autograde import submissions

SEEDS = range(20)


@pytest.fixture(scope="module")
def notebook(repo):
    return nbformat.read(repo / "source" / "06_batchnorm" / "batchnorm.ipynb", as_version=4)


@pytest.fixture(scope="module")
def final_losses(notebook):
    namespace = {"np": np}
    exec(submissions.solution_cells(notebook)["mlp_bn_backward"], namespace)
    losses = []
    for seed in SEEDS:
        trained = train_sequences(namespace["mlp_bn_backward"], seed, *(CAPSTONE[k] for k in ("steps", "lr", "batch")))
        _, X, y = capstone_run(seed)
        losses.append(float(nets.mlp_bn_forward(trained, X, y)[0]))
    return np.array(losses)


def test_every_seed_trains_below_the_hidden_tests_bar(final_losses):
    assert np.all(final_losses <= CAPSTONE["pass_loss"]), final_losses.round(3)


def test_every_seed_ends_where_the_lesson_says(final_losses, notebook):
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    stated = re.search(r"ends near \*\*([0-9.]+)\*\* on the training set\s+\(between ([0-9.]+) and ([0-9.]+) over 20 seeds", text)
    assert stated, "the lesson must state the loss the capstone reaches"
    near, low, high = map(float, stated.groups())
    assert near == CAPSTONE["loss"] and abs(final_losses.mean() - near) < 0.02, final_losses.mean()
    assert np.all((low - 0.01 <= final_losses) & (final_losses <= high + 0.01)), final_losses.round(3)


def test_a_fresh_network_starts_near_log_k(final_losses):
    V = CAPSTONE["sizes"][0]
    X, y = data.sequences(500, vocab=V, seed=0)
    loss, _ = nets.mlp_bn_forward(nets.init_bn_params(*CAPSTONE["sizes"], seed=0), X, y)
    assert abs(loss - np.log(V)) < 0.05
