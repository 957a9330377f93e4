"""The course's graded functions, one module per assignment, each exercise one declaration (`judging.Exercise`).

    EXERCISES["softmax"].hidden(rng, "random")   # what the referee feeds a hidden test
    ASSIGNMENTS["02_softmax_nll"]                # "softmax_nll.ipynb"

A module declares `ASSIGNMENT = Assignment(folder, notebook, exercises)` (`DECLARED` holds them all). The
referee, the visible tests and the course's commands (calibration, the demo, replay) read these registries;
adding an assignment is one module here, its notebook and its calibration cases (modules named `_…` hold
what several assignments share).
"""

import importlib
import pkgutil
from dataclasses import dataclass


@dataclass(frozen=True)
class Assignment:
    folder: str        # its folder under source/ and release/, e.g. "02_softmax_nll"
    notebook: str      # its notebook in that folder
    exercises: tuple   # its Exercises, in the notebook's order


def _assignments():
    found = [importlib.import_module(f"{__name__}.{m.name}").ASSIGNMENT for m in pkgutil.iter_modules(__path__)
             if not m.name.startswith("_")]
    return sorted(found, key=lambda a: a.folder)


DECLARED = _assignments()
ASSIGNMENTS = {a.folder: a.notebook for a in DECLARED}
EXERCISES = {e.name: e for a in DECLARED for e in a.exercises}
