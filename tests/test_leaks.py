"""Nothing hidden reaches students: no solution code, hidden checks or kit imports in exercises/ or release/."""
import re

import pytest

from kit import ROOT, TOPICS

STUDENT_DIRS = ("exercises", "release")
FORBIDDEN = ["BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "run_hidden_checks"]
KIT_IMPORT = re.compile(r"^\s*(from|import)\s+(autograder|solutions)\b|import_module\(\s*['\"](autograder|solutions)",
                        re.MULTILINE)


def student_files():
    for directory in STUDENT_DIRS:
        for path in sorted((ROOT / directory).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and ".jax_cache" not in path.parts:
                yield path


def solution_lines(topic):
    """Substantive lines found only inside the master's solution regions (a line the lesson also shows
    outside them, in narrative or given code, is given to students on purpose)."""
    inside, secret, given = False, [], []
    for line in (ROOT / "solutions" / f"{topic}.py").read_text().splitlines():
        if "### BEGIN SOLUTION" in line:
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif len(line.strip()) >= 16:
            (secret if inside else given).append(line.strip())
    return [line for line in secret if not any(line in other for other in given)]


def test_no_markers_or_kit_imports_in_student_files():
    hits = []
    for path in student_files():
        text = path.read_text(errors="replace")
        hits += [f"{path.relative_to(ROOT)}: {word}" for word in FORBIDDEN if word in text]
        hits += [f"{path.relative_to(ROOT)}: imports {m.group(0).strip()}" for m in KIT_IMPORT.finditer(text)]
    assert not hits, "student-facing files leak hidden material:\n" + "\n".join(hits)


def files_of(topic):
    """Student files of one topic (its stubs, visible tests and release notebook)."""
    return [path for path in student_files() if path.name in (f"{topic}.py", f"test_{topic}.py", f"{topic}.ipynb")]


@pytest.mark.parametrize("topic", TOPICS)
def test_no_solution_code_in_student_files(topic):
    """A topic's answers appear in no student file of that topic or of any topic before it. Later topics
    may build on earlier ones and show their answers as given code (checkpointing reuses a TrainState):
    release topics in curriculum order (autograder/registry.py: TOPICS)."""
    secrets = solution_lines(topic)
    assert secrets, "the master has no solution lines to look for"
    order = list(TOPICS)
    shared = [p for p in student_files() if not any(p in files_of(t) for t in order)]
    exposed = shared + [p for t in order[: order.index(topic) + 1] for p in files_of(t)]
    hits = []
    for path in exposed:
        text = path.read_text(errors="replace")
        hits += [f"{path.relative_to(ROOT)}: {line}" for line in secrets if line in text]
    assert not hits, "solution code found in student files:\n" + "\n".join(hits)


@pytest.mark.parametrize("topic", TOPICS)
def test_release_folder_holds_only_the_notebook(topic):
    files = sorted(p.name for p in (ROOT / "release" / topic).iterdir())
    assert files == [f"{topic}.ipynb"]
