"""release/ is exactly what nbgrader generates from source/ now, and gives nothing away."""
import json
from pathlib import Path

import nbformat
import pytest

import backprop_ninja


def release_notebooks(repo):
    return sorted((repo / "release").glob("*/*.ipynb"))


def test_release_matches_a_fresh_nbgrader_build(repo, fresh_release):
    committed = {p.relative_to(repo / "release") for p in (repo / "release").rglob("*") if p.is_file()}
    built = {p.relative_to(fresh_release) for p in fresh_release.rglob("*") if p.is_file()}
    assert committed == built, "release/ has other files than nbgrader generates: run `make release`"
    for rel in sorted(committed):
        a, b = (repo / "release" / rel).read_text(), (fresh_release / rel).read_text()
        assert json.loads(a) == json.loads(b), f"release/{rel} is stale: run `make release`"


def test_every_source_assignment_is_released(repo):
    assert {p.parent.name for p in release_notebooks(repo)} == {p.name for p in (repo / "source").iterdir()}


def test_secrets_are_found_at_all(secret_lines):
    assert len(secret_lines) > 10


@pytest.mark.parametrize("where", ["release", "package"])
def test_no_solution_or_hidden_test_line_leaks(repo, secret_lines, where):
    if where == "release":   # cell sources, not the JSON (where quotes are escaped)
        files = release_notebooks(repo)
        text = "\n".join(c.source for f in files for c in nbformat.read(f, as_version=4).cells)
    else:
        files = sorted(Path(backprop_ninja.__file__).parent.rglob("*.py"))
        text = "\n".join(f.read_text() for f in files)
    assert files
    leaks = sorted(line for line in secret_lines if line in text)
    assert not leaks, f"{where} contains solution or hidden-test lines: {leaks}"


def test_release_notebooks_carry_no_outputs(repo):
    for path in release_notebooks(repo):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path


def test_solution_cells_keep_def_and_docstring_only(repo):
    for path in release_notebooks(repo):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("solution"):
                assert cell.source.startswith(f"def {meta['grade_id']}("), cell.source
                assert cell.source.rstrip().endswith("# YOUR CODE HERE\n    raise NotImplementedError()")


def test_student_package_ships_no_instructor_code(repo):
    import tomllib
    packages = tomllib.loads((repo / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    assert packages == ["backprop_ninja", "ninja_runner", "ninja_runner.exercises"]
