"""`make kit`: what students receive holds the student package and the notebooks they work in, and no
solution, hidden test, calibration answer or instructor code."""
import ast
import json
import zipfile

import nbformat
import pytest

from ninja_autograde.kit import README, build_kit


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    return build_kit(tmp_path_factory.mktemp("kit") / "kit")


@pytest.fixture(scope="module")
def wheel(kit):
    (path,) = kit.glob("backprop_ninja-*-py3-none-any.whl")
    return zipfile.ZipFile(path)


def kit_texts(kit, wheel):
    """Every text a student receives: the kit's files and every file inside the wheel."""
    texts = {str(p.relative_to(kit)): p.read_text() for p in kit.rglob("*") if p.is_file() and p.suffix != ".whl"}
    texts.update({f"wheel:{name}": wheel.read(name).decode() for name in wheel.namelist()})
    return texts


def test_the_kit_is_the_notebooks_the_wheel_and_a_readme(kit, repo):
    files = {str(p.relative_to(kit)) for p in kit.rglob("*") if p.is_file()}
    released = {f"notebooks/{p.relative_to(repo / 'release')}" for p in (repo / "release").glob("*/*.ipynb")}
    assert files - released == {"README.md", "notebooks/lab_assistant.ipynb", next(kit.glob("*.whl")).name}
    assert released <= files and len(released) >= 5
    for name in released | {"notebooks/lab_assistant.ipynb"}:
        original = repo / ("release" + name.removeprefix("notebooks")
                           if name != "notebooks/lab_assistant.ipynb" else name)
        assert (kit / name).read_bytes() == original.read_bytes(), name
    assert (kit.parent / "backprop-ninja-kit.zip").exists()


def test_the_wheel_is_the_student_package_alone(wheel, repo):
    modules = {n for n in wheel.namelist() if not n.split("/")[0].endswith((".dist-info", ".data"))}
    assert modules == set(student_modules(repo))
    data = {n for n in wheel.namelist() if n.split("/")[0].endswith(".data")}
    assert [n.split(".data/data/")[1] for n in data] == ["etc/jupyter/nbgrader_config.json"]
    # the student's Validate gets time for a correct loop on a busy laptop (nbgrader's default: 30 s a cell)
    assert json.loads(wheel.read(data.pop()))["Execute"]["timeout"] >= 300
    for name, path in student_modules(repo).items():
        assert wheel.read(name) == path.read_bytes(), name
    info = next(n for n in wheel.namelist() if n.endswith(".dist-info/top_level.txt"))
    assert wheel.read(info).decode().split() == ["backprop_ninja", "ninja_runner"]


def student_modules(repo):
    """{module path in the wheel: its source}: the student package and the runner test cells call, nothing else."""
    runner = repo / "autograde" / "ninja_runner"
    return {**{str(p.relative_to(repo)): p for p in (repo / "backprop_ninja").rglob("*.py")},
            **{f"ninja_runner/{p.relative_to(runner)}": p for p in runner.rglob("*.py")}}


def test_the_readme_tells_students_how_to_install_the_wheel(kit):
    readme = (kit / "README.md").read_text()
    assert f"pip install '{next(kit.glob('*.whl')).name}[course]'" in readme
    assert "git clone" not in readme and "source/" not in readme


def calibration_answer_lines(repo):
    """The lines of the calibration class's answers (the bodies of its functions)."""
    lines = set()
    for path in (repo / "autograde" / "calibration").glob("*/*.py"):
        text = path.read_text()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef):
                body = node.body[1:] if ast.get_docstring(node) else node.body
                lines |= {ln.strip() for stmt in body for ln in ast.get_source_segment(text, stmt).splitlines()}
    return lines


def instructor_lines(repo):
    return {ln.strip() for package in ("ninja_autograde",)
            for path in (repo / "autograde" / package).glob("*.py") for ln in path.read_text().splitlines()}


def public_text(repo):
    """What students see anyway: the student package, the release notebooks, the tour and the kit's README."""
    notebooks = list((repo / "release").glob("*/*.ipynb")) + [repo / "notebooks" / "lab_assistant.ipynb"]
    sources = [c.source for p in notebooks for c in nbformat.read(p, as_version=4).cells]
    sources += [p.read_text() for p in student_modules(repo).values()]
    return "\n".join(sources + [README])


def test_no_solution_hidden_test_calibration_or_instructor_line(kit, wheel, repo, secret_lines):
    public = public_text(repo)
    distinctive = {ln for ln in calibration_answer_lines(repo) | instructor_lines(repo)
                   if len(ln) >= 20 and not ln.startswith("#") and ln not in public}
    assert len(secret_lines) > 10 and len(distinctive) > 100
    for name, text in kit_texts(kit, wheel).items():
        leaks = sorted(ln for ln in secret_lines | distinctive if ln in text)
        assert not leaks, f"{name} holds solution, hidden-test, calibration or instructor lines: {leaks[:5]}"
        assert 'calls="' not in text, name   # no hidden data drawn by a referee
