"""The grader's layout, as nbgrader's own: each preprocessor the course's config names is in a file of its own,
named after its class, in `ninja_autograde/preprocessors/`, and every preprocessor of the grader lives there."""
import ast
import inspect
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets.config import Config, PyFileConfigLoader
from traitlets.utils.importstring import import_item

import ninja_autograde
from ninja_autograde.course import REPO

PIPELINES = (("Autograde", "sanitize_preprocessors"), ("Autograde", "autograde_preprocessors"),
             ("GenerateFeedback", "preprocessors"))


def named_in_config():
    config = Config()
    config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config())
    return [name for section, key in PIPELINES for name in config[section][key]]


def test_each_course_preprocessor_has_a_file_named_after_its_class():
    ours = [name for name in named_in_config() if name.startswith("ninja_autograde.")]
    assert len(ours) >= 10
    for name in ours:
        package, cls = name.rsplit(".", 1)
        assert package == "ninja_autograde.preprocessors", name
        where = Path(inspect.getfile(import_item(name)))
        assert where.parent.name == "preprocessors" and where.stem == cls.lower(), (name, where)


def test_no_preprocessor_of_the_grader_lives_outside_its_folder():
    root = Path(ninja_autograde.__file__).parent
    bases = {"NbGraderPreprocessor", "Preprocessor", "Execute", "ClearHiddenTests"}
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases} & bases:
                assert path.parent.name == "preprocessors" and path.stem == node.name.lower(), (path, node.name)
    assert issubclass(import_item("ninja_autograde.preprocessors.GraderExecute"), Preprocessor)
