"""environment.yml and the pyproject.toml files (the course's and autograde's extras) pin the same versions."""
import re
import tomllib


def pins_from_pyproject(repo):
    course = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    autograde = tomllib.loads((repo / "autograde" / "pyproject.toml").read_text())["project"]
    specs = course["dependencies"] + [d for project in (course, autograde)
                                      for group in project["optional-dependencies"].values() for d in group]
    return dict(re.fullmatch(r"([\w.-]+)(?:\[[\w,]+\])?==([\w.]+)", spec).groups() for spec in specs)


def pins_from_environment(repo):
    pins = {}
    for line in (repo / "environment.yml").read_text().splitlines():
        m = re.fullmatch(r"\s+- ([\w.-]+)==?([\w.]+)", line)   # conda's name=version, pip's name==version
        if m and m.group(1) != "python":
            pins[m.group(1)] = m.group(2)
    return pins


def test_every_dependency_is_pinned_exactly(repo):
    assert len(pins_from_pyproject(repo)) >= 10


def test_environment_yml_mirrors_pyproject(repo):
    assert pins_from_environment(repo) == pins_from_pyproject(repo)
