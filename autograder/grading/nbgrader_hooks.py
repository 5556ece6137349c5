"""nbgrader preprocessors the kit's nbgrader_config.py installs (imported by nbgrader itself, never by a kernel).

`OverwriteCells`: nbgrader's own, without its false alarm. `nbgrader generate_assignment` records each locked
grade cell in the gradebook *with* its hidden tests (SaveCells runs before ClearHiddenTests) and releases it
*without* them, so at autograde the released, untouched cell never matches the recorded checksum: nbgrader
warns "Attribute 'checksum' for cell ... has changed!" for every grade cell with hidden tests, for every
student, and then puts the recorded source back. Here a locked cell whose text is exactly the released text
(the recorded source less its hidden-test region) gets the recorded source back silently; any other change
still takes nbgrader's own path, warning included. The grade is the same either way.
"""
from __future__ import annotations

import re
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_code_cell
from nbgrader import utils
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import ClearHiddenTests
from nbgrader.preprocessors import OverwriteCells as NbgraderOverwriteCells
from traitlets import Bool


def released_text(source: str) -> str:
    """The text nbgrader releases for a recorded source: its hidden-test region removed."""
    cell = new_code_cell(source)
    ClearHiddenTests()._remove_hidden_test_region(cell)
    return cell.source


class OverwriteCells(NbgraderOverwriteCells):
    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None and utils.is_locked(cell):
            try:
                recorded = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                recorded = None
            if recorded is not None and recorded.locked and recorded.cell_type == cell.cell_type \
                    and recorded.source != cell.source and released_text(recorded.source) == cell.source:
                cell.source = recorded.source  # what nbgrader restores anyway, minus the false warning
        return super().preprocess_cell(cell, resources, cell_index)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def hidden_lines(source: str) -> list[str]:
    """The non-blank lines of a cell's hidden-test regions, markers included."""
    lines, inside = [], False
    for line in source.split("\n"):
        if "BEGIN HIDDEN TESTS" in line:
            inside = True
        if inside and line.strip():
            lines.append(line.strip())
        if "END HIDDEN TESTS" in line:
            inside = False
    return lines


class ClearHiddenTestsFromOutputs(Preprocessor):
    """Feedback: remove from a grade cell's error tracebacks every line that quotes its hidden tests.

    IPython's traceback of a failing visible test prints the lines around the failing one, and in the
    autograded notebook those include the hidden-test block. ClearHiddenTests only edits the cell's source;
    this runs before it, while the hidden region is still known, and also names the kit's folder `<kit>`."""

    enabled = Bool(True)  # nbconvert's preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code" or not utils.is_grade(cell):
            return cell, resources
        hidden = hidden_lines(cell.source)
        kit = str(Path(__file__).resolve().parents[2])
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            cleaned = []
            for entry in output.get("traceback", []):
                kept = [line for line in entry.split("\n")
                        if not any(h in _ANSI.sub("", line) for h in hidden)]
                cleaned.append("\n".join(kept).replace(kit, "<kit>"))
            output["traceback"] = cleaned
            output["evalue"] = output.get("evalue", "").replace(kit, "<kit>")
        return cell, resources
