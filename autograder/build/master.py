"""Reading a master (solutions/<topic>.py, jupytext percent format) into cells the build can render.

Cells are separated by ``# %%`` lines. A code cell whose function body holds a ``### BEGIN SOLUTION``
region is a task cell (task id ``topic.function``); a cell headed ``# %% checks="topic.function"`` holds
that task's visible tests (``def test_*``); ``# %% [markdown]`` cells are narrative; the text before the
first ``# %%`` is the module docstring (the lesson's title and learning goals).
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import KIT_ROOT, registry

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_HEADER = re.compile(r"^# %%(?P<rest>.*)$")
_CHECKS = re.compile(r'checks="(?P<task>[\w.]+)"')


class MasterError(ValueError):
    """A master file breaks a convention; the message names the file, line and fix."""


@dataclass
class Cell:
    kind: str  # "markdown" | "code" | "checks" | "task"
    text: str  # the cell's raw text, header line excluded
    header: str = ""  # the "# %% ..." line ("" for the preamble)
    line: int = 1  # line number of the header in the master
    tasks: list[str] = field(default_factory=list)  # task ids (task and checks cells)

    @property
    def markdown(self) -> str:
        """Markdown cell text with the comment prefix removed."""
        lines = [re.sub(r"^# ?", "", line) for line in self.text.strip("\n").splitlines()]
        return "\n".join(lines)

    @property
    def code(self) -> str:
        return self.text.strip("\n")


@dataclass
class Master:
    topic: str
    path: Path
    docstring: str
    cells: list[Cell]

    @property
    def relpath(self) -> str:
        return self.path.relative_to(KIT_ROOT).as_posix()


def master_path(topic: str) -> Path:
    return KIT_ROOT / "solutions" / f"{topic}.py"


def _task_functions(cell_text: str, topic: str, where: str) -> list[str]:
    tree = ast.parse(cell_text)
    lines = cell_text.splitlines()
    found = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = lines[node.lineno - 1: node.end_lineno]
            if any(BEGIN in line for line in body):
                found.append(f"{topic}.{node.name}")
    if sum(BEGIN in line for line in lines) != len(found):
        raise MasterError(f"{where}: every {BEGIN} region must sit inside a top-level function")
    return found


def read(topic: str, path: Path | None = None) -> Master:
    path = path or master_path(topic)
    text = path.read_text(encoding="utf-8")
    try:
        module = ast.parse(text)
    except SyntaxError as exc:
        raise MasterError(f"{path}:{exc.lineno}: {exc.msg}") from exc
    docstring = ast.get_docstring(module) or ""
    if not docstring:
        raise MasterError(f"{path}: the master needs a module docstring (title and learning goals)")

    cells: list[Cell] = []
    header, start, buf = "", 1, []
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if _HEADER.match(line.rstrip("\n")):
            cells.append(Cell("code", "".join(buf), header, start))
            header, start, buf = line.rstrip("\n"), number, []
        else:
            buf.append(line)
    cells.append(Cell("code", "".join(buf), header, start))

    known = {t.id for t in registry.load()[topic].tasks}
    preamble, cells = cells[0], cells[1:]
    if ast.get_docstring(ast.parse(preamble.text)) is None or len(ast.parse(preamble.text).body) != 1:
        raise MasterError(f"{path}: put only the module docstring before the first `# %%` line")
    for cell in cells:
        where = f"{path}:{cell.line}"
        rest = _HEADER.match(cell.header).group("rest")
        if "[markdown]" in rest:
            cell.kind = "markdown"
        elif (match := _CHECKS.search(rest)):
            cell.kind, cell.tasks = "checks", [match.group("task")]
        elif (tasks := _task_functions(cell.text, topic, where)):
            cell.kind, cell.tasks = "task", tasks
        for task_id in cell.tasks:
            if task_id not in known:
                raise MasterError(f"{where}: task {task_id} is not in autograder/tasks.toml; add it there first")

    for task_id in known:
        owners = [c for c in cells if c.kind == "task" and task_id in c.tasks]
        checks = [c for c in cells if c.kind == "checks" and task_id in c.tasks]
        if len(owners) != 1 or len(checks) != 1:
            raise MasterError(f"{path}: task {task_id} needs exactly one solution function ({len(owners)} found) "
                              f"and one `# %% checks=\"{task_id}\"` cell ({len(checks)} found)")
    return Master(topic, path, docstring, cells)


def function_sources(path: Path) -> dict[str, str]:
    """Every top-level function of a Python file as its source text, decorators included."""
    return function_sources_of(path.read_text(encoding="utf-8"))


def function_sources_of(text: str) -> dict[str, str]:
    """Every top-level function of a Python source text as its own text, decorators included."""
    lines = text.splitlines()
    sources = {}
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            sources[node.name] = "\n".join(lines[first - 1: node.end_lineno]) + "\n"
    return sources
