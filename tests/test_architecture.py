"""The rules ARCHITECTURE.md states, checked on the imports of every module (those inside
functions too): no cycle between packages, data knows no model, evaluation never imports
training code, and the library never imports a script."""

import ast
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = sorted(path.parent.name for path in REPO.glob("*/__init__.py") if path.parent.name != "tests")
SCRIPTS = {"train", "tfrecords"}
DATA = {"librispeech", "speechcommands", "demo", "augmentation"}
MODEL = {"models", "losses", "pretraining", "frontends"}
EVALUATION = {"kws_eval", "probes", "extract", "streaming", "report", "cpc_hear"}
TRAINING = {"pretraining"}


def _imported_names(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _package_imports() -> dict[str, set[str]]:
    """Top-level names each package imports, itself, the standard library and others left out."""
    graph = {}
    for package in PACKAGES:
        tops = set()
        for path in (REPO / package).rglob("*.py"):
            tops |= {name.split(".")[0] for name in _imported_names(path)}
        graph[package] = tops & (set(PACKAGES) | SCRIPTS) - {package}
    return graph


GRAPH = _package_imports()


def test_the_groups_name_real_packages():
    assert DATA | MODEL | EVALUATION <= set(PACKAGES)


def test_no_cycle_between_packages():
    def reaches(start, goal, seen):
        return any(
            step == goal or (step not in seen and reaches(step, goal, seen | {step}))
            for step in GRAPH[start]
            if step in GRAPH
        )

    cycles = sorted(package for package in PACKAGES if reaches(package, package, {package}))
    assert cycles == [], {package: sorted(GRAPH[package]) for package in cycles}


@pytest.mark.parametrize("package", sorted(DATA))
def test_data_knows_no_model(package):
    assert GRAPH[package] & MODEL == set()


@pytest.mark.parametrize("package", sorted(EVALUATION))
def test_evaluation_never_imports_training_code(package):
    assert GRAPH[package] & TRAINING == set()


@pytest.mark.parametrize("package", PACKAGES)
def test_the_library_never_imports_a_script(package):
    assert GRAPH[package] & SCRIPTS == set()
    for path in (REPO / package).rglob("*.py"):
        if path.name != "__main__.py":
            assert not any(name.endswith(".__main__") for name in _imported_names(path)), path
