"""The course's graded functions, one module per assignment, each exercise one declaration (`judging.Exercise`).

    EXERCISES["softmax"].hidden(rng, "random")   # what the referee feeds a hidden test
    ASSIGNMENTS["02_softmax_nll"]                # "softmax_nll.ipynb"

A module declares `ASSIGNMENT = Assignment(folder, notebook, exercises)`. The referee, the visible tests,
replay, the report and calibration all read these two registries; adding an assignment is one module here,
its notebook and its calibration cases (modules named `_…` hold what several assignments share).
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


_ALL = _assignments()
ASSIGNMENTS = {a.folder: a.notebook for a in _ALL}
EXERCISES = {e.name: e for a in _ALL for e in a.exercises}
