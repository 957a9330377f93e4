"""`make kit`: what students receive, built into build/kit/, and nothing else.

    build/kit/
        README.md                                    how to install and work (for students)
        backprop_ninja-<version>-py3-none-any.whl     the student package: lab assistant, networks, explorer
        notebooks/lab_assistant.ipynb                 the lab assistant's tour
        notebooks/<assignment>/<notebook>.ipynb       the release notebooks
    build/backprop-ninja-kit.zip                     the same, in one file

The wheel is built from a copy of the student package alone (its pyproject, backprop_ninja/, the test cells' runner
autograde/ninja_runner/ and etc/jupyter: Validate's timeout,
with this README as its description), so no instructor file can slip in. Students never clone
the course repository: it holds every solution in source/ and correct answers in autograde/.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .course import REPO

README = """# Backprop Ninja: your kit

You derive the backward pass of small networks by hand; the lab assistant checks every gradient you write
against finite differences.

- `{wheel}`: the course package (the lab assistant, the course networks' forward passes, the data, the ε explorer).
- `notebooks/lab_assistant.ipynb`: a tour of the lab assistant. Start here.
- `notebooks/<assignment>/`: the assignments, one notebook each.

## On the course's JupyterHub

Nothing to install: log in, open the *Assignments* tab, fetch the assignment, work in it, press *Validate*, then
*Submit*. Feedback arrives in the same tab.

## On your own computer (Python 3.11 or newer)

```bash
python3 -m venv ninja
ninja/bin/pip install '{wheel}[course]'     # Windows: ninja\\Scripts\\pip
ninja/bin/jupyter lab notebooks/
```

or with conda: `conda create -n ninja python=3.11 pip && conda activate ninja && pip install '{wheel}[course]'`.

Run the whole notebook from the top; answer each cell that says `# YOUR CODE HERE`; keep the notebook's name.
Hand it in as your instructor tells you.

## Check your gradients as you go

```python
from backprop_ninja import check_gradients
report = check_gradients(loss_fn, params, grads)   # loss_fn(params) -> float; params, grads: dict name -> ndarray
report          # one green or red row per tensor, with the max error and, if red, the likely mistake
report.passed   # {{"W1": True, "b1": False, ...}}
```

`backprop-ninja trace` prints the hand trace of lesson 04's network, every step of it.
"""


def build_kit(out=REPO / "build" / "kit", repo=REPO):
    """Build the kit into out (emptied first) and zip it beside; returns out."""
    out, repo = Path(out), Path(repo)
    shutil.rmtree(out, ignore_errors=True)
    (out / "notebooks").mkdir(parents=True)
    wheel = build_wheel(repo, out)
    (out / "README.md").write_text(README.format(wheel=wheel.name))
    shutil.copy(repo / "notebooks" / "lab_assistant.ipynb", out / "notebooks")
    for released in sorted((repo / "release").glob("*/*.ipynb")):
        (out / "notebooks" / released.parent.name).mkdir(exist_ok=True)
        shutil.copy(released, out / "notebooks" / released.parent.name)
    shutil.make_archive(str(out.parent / "backprop-ninja-kit"), "zip", out)
    return out


def build_wheel(repo, out):
    """The student package's wheel, built from a copy of pyproject.toml, backprop_ninja/, autograde/ninja_runner/ and
    etc/ (Validate's timeout) only."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(repo / "pyproject.toml", tmp)
        (Path(tmp) / "README.md").write_text(README.format(wheel="the wheel"))
        for package in ("backprop_ninja", "autograde/ninja_runner"):   # the student package and the test cells' runner
            shutil.copytree(repo / package, Path(tmp) / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        shutil.copytree(repo / "etc", Path(tmp) / "etc")
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), tmp],
                       check=True, capture_output=True)
    (wheel,) = out.glob("backprop_ninja-*.whl")
    return wheel


if __name__ == "__main__":
    print(f"wrote {build_kit()} and {REPO / 'build' / 'backprop-ninja-kit.zip'}")
