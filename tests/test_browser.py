"""The notebook track in a real browser, as a student meets it: JupyterLab 4 with the student-side configuration
(exercises/jupyter: nbgrader's instructor extensions off, Validate on), the gotchas release, headless Chromium.

The student path: open the notebook, Run All, see the first stub's NotImplementedError and the cells after it
run too (each grade cell carries the `raises-exception` tag, which JupyterLab turns into
`stop_on_error=False` for that cell's execute request), type an answer into the first task's solution cell, run
it and its test cell, see the one-line pass message, click Validate. A control notebook with the tags removed
shows that the tag, and nothing else, keeps Run All going. Screenshots go to artifacts/ (git-ignored).
Skipped, with the reason, where no Chromium or no playwright package is available (see tests/browser.py).
"""
from __future__ import annotations

import json
import re
import shutil
import urllib.error
import urllib.request

import nbformat
import pytest

from browser import ROOT, JupyterLab, artifact, chromium, require_browser

pytestmark = pytest.mark.xdist_group("browser")

RELEASE = ROOT / "release" / "gotchas" / "gotchas.ipynb"
FIRST = "gotchas.running_mean_step"
SOLUTION_ID, CHECKS_ID = "gotchas-running_mean_step-solution", "gotchas-running_mean_step"
PASS_LINE = f"{FIRST}: the visible tests pass."
ANSWER = ['count = state["count"] + 1', 'total = state["total"] + x', 'return {"count": count, "total": total}, total / count']
SECOND_CHECKS = "test_swap_rows_swaps_and_keeps_input()"  # the next task's test cell: runs only if Run All goes on
SECONDS = 1000  # Playwright counts milliseconds
USER_SETTINGS = {  # no toast asking to fetch news from the web (it would cover the cells in screenshots)
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False}}


def release() -> nbformat.NotebookNode:
    return nbformat.read(str(RELEASE), as_version=4)


def grade_cell_positions(notebook) -> dict[str, int]:
    """grade_id -> index among the notebook's code cells."""
    code = [c for c in notebook.cells if c.cell_type == "code"]
    return {c.metadata.get("nbgrader", {}).get("grade_id"): i for i, c in enumerate(code)}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_browser()  # skip before starting anything
    folder = tmp_path_factory.mktemp("notebooks")
    shutil.copy(RELEASE, folder / "gotchas.ipynb")
    untagged = release()
    for cell in untagged.cells:
        cell.metadata.pop("tags", None)
    nbformat.write(untagged, str(folder / "untagged.ipynb"))
    state = tmp_path_factory.mktemp("jupyter-state")
    for name, settings in USER_SETTINGS.items():
        path = state / "user-settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    with JupyterLab(folder, state) as server:
        yield server


@pytest.fixture(scope="module")
def browser_context(lab, tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium-profile"), viewport={"width": 1400, "height": 1000}) as context:
        yield context


# ----------------------------------------------------------------------------------------------- page helpers
def open_notebook(context, lab: JupyterLab, name: str, workspace: str):
    page = context.new_page()
    page.set_default_timeout(60 * SECONDS)
    # A workspace of its own per page: two pages never fight over one saved layout.
    page.goto(lab.url(f"lab/workspaces/{workspace}/tree/{name}"))
    cells = len(nbformat.read(str(lab.notebook_dir / name), as_version=4).cells)
    page.wait_for_function(f"document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length === {cells}",
                           timeout=180 * SECONDS)
    wait_idle(page, 180)
    return page


def wait_idle(page, seconds: float) -> None:
    """The kernel is idle and no cell is queued or running (no `[*]` prompt)."""
    page.wait_for_function(
        """() => {
            const status = document.querySelector('#jp-main-statusbar');
            const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')];
            return status && /\\|\\s*Idle/.test(status.textContent) && !prompts.some(p => p.textContent.includes('*'));
        }""", timeout=seconds * SECONDS, polling=500)


def code_cells(page):
    return page.locator(".jp-NotebookPanel .jp-CodeCell")


def prompts(page) -> list[str]:
    # textContent, not innerText: cells scrolled out of view are skipped by the browser's rendering.
    return [p.strip() for p in page.locator(".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt")
            .evaluate_all("nodes => nodes.map(n => n.textContent)")]


def output_of(page, index: int) -> str:
    return code_cells(page).nth(index).locator(".jp-OutputArea").evaluate("n => n.textContent")


def menu(page, top: str, item: str) -> None:
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile(rf"^{re.escape(top)}$")).click()
    page.locator(".lm-Menu .lm-Menu-item:not(.lm-mod-disabled)",
                 has_text=re.compile(rf"^{re.escape(item)}")).first.click()


def run_all(page, positions: dict[str, int]) -> None:
    """Run > Run All Cells, then wait until the first stub's test cell has answered and nothing is queued."""
    menu(page, "Run", "Run All Cells")
    first = positions[CHECKS_ID]
    page.wait_for_function(
        f"""() => {{
            const cell = document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell')[{first}];
            return cell && /^\\[\\d+\\]:$/.test(cell.querySelector('.jp-InputPrompt').textContent.trim());
        }}""", timeout=240 * SECONDS, polling=500)
    wait_idle(page, 240)
    page.wait_for_timeout(1500)  # anything still to be queued would show `[*]` by now
    wait_idle(page, 240)


def on_failure(page, lab: JupyterLab, name: str):
    """Keep what the browser showed and the server said when a step fails."""
    try:
        page.screenshot(path=str(artifact(name)), full_page=False)
    except Exception:  # noqa: BLE001 - the screenshot is a courtesy
        pass
    return f"\n(screenshot: {artifact(name)}; JupyterLab log:)\n{lab.tail(3000)}"


# ----------------------------------------------------------------------------------------------- tests
def test_student_path_run_all_answer_validate(lab, browser_context):
    notebook = release()
    positions = grade_cell_positions(notebook)
    page = open_notebook(browser_context, lab, "gotchas.ipynb", "student")
    try:
        # The student configuration: Validate is there, the instructor tools are not.
        assert page.locator(".jp-NotebookPanel-toolbar .validate-button").count() == 1, "no Validate button"
        menubar = page.locator("#jp-MainMenu .lm-MenuBar-itemLabel").all_text_contents()
        assert "Nbgrader" not in menubar, f"the instructors' Nbgrader menu is shown: {menubar}"
        try:
            status = urllib.request.urlopen(lab.url("formgrader"), timeout=30).status
        except urllib.error.HTTPError as exc:
            status = exc.code
        assert status == 404, f"/formgrader answered {status}: nbgrader's formgrader server extension is on"
        page.keyboard.press("Control+Shift+C")  # the command palette lists every registered command
        search = page.locator(".lm-CommandPalette-input")
        search.fill("Run All Cells")
        assert page.locator(".lm-CommandPalette-item").count() > 0, "the command palette search found nothing"
        for label in ("Formgrader", "Create assignment", "Assignment List", "Course List"):
            search.fill(label)
            page.wait_for_timeout(300)
            found = page.locator(".lm-CommandPalette-item", has_text=re.compile(re.escape(label), re.I))
            assert found.count() == 0, f"the command palette offers the instructor tool {label!r}"
        page.keyboard.press("Escape")
        assert page.get_by_text(re.compile("Formgrader|Create Assignment", re.I)).count() == 0

        # Run All: the first stub fails its test cell, and the cells after it still run.
        run_all(page, positions)
        first_output = output_of(page, positions[CHECKS_ID])
        assert "NotImplementedError" in first_output, f"the first test cell shows no NotImplementedError:\n{first_output[:2000]}"
        seen = prompts(page)
        not_run = [i for i, p in enumerate(seen) if not re.fullmatch(r"\[\d+\]:", p)]
        assert not not_run, (f"Run All stopped: code cells {not_run} of {len(seen)} never ran (prompts {seen}); "
                             "the raises-exception tag did not keep Run All going")
        numbers = [int(p[1:-2]) for p in seen]
        assert numbers == sorted(numbers), f"the cells ran out of order: {numbers}"
        assert "NotImplementedError" in output_of(page, positions["gotchas-swap_rows"]), \
            "the second task's test cell did not run its tests after the first one failed"
        code_cells(page).nth(positions[CHECKS_ID]).scroll_into_view_if_needed()
        page.screenshot(path=str(artifact("notebook-run-all.png")))
        code_cells(page).nth(positions["gotchas-swap_rows"]).scroll_into_view_if_needed()  # ran after the failure
        page.screenshot(path=str(artifact("notebook-run-all-continued.png")))

        # Type the answer into the first task's solution cell, in place of `raise NotImplementedError()`.
        solution = code_cells(page).nth(positions[SOLUTION_ID])
        solution.locator(".cm-line", has_text="raise NotImplementedError()").click()
        page.keyboard.press("End")
        page.keyboard.press("Shift+Home")  # the line's text, without its indentation
        for number, line in enumerate(ANSWER):
            if number:
                page.keyboard.press("Enter")  # the editor keeps the function body's indentation
            page.keyboard.type(line)
        typed = solution.locator(".cm-content").evaluate("n => n.innerText")
        assert all(line in typed for line in ANSWER) and "raise NotImplementedError()" not in typed, typed
        # Shift+Enter runs the solution cell and moves to its test cell; Shift+Enter again runs that.
        page.keyboard.press("Shift+Enter")
        page.keyboard.press("Shift+Enter")
        checks = code_cells(page).nth(positions[CHECKS_ID])
        checks.locator(".jp-OutputArea", has_text=PASS_LINE).wait_for(timeout=120 * SECONDS)
        wait_idle(page, 120)
        shown = output_of(page, positions[CHECKS_ID])
        assert shown.strip() == PASS_LINE, f"the test cell shows more than its pass line:\n{shown[:2000]}"
        assert checks.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        checks.scroll_into_view_if_needed()
        page.screenshot(path=str(artifact("notebook-pass.png")))

        # Validate: nbgrader saves the notebook, runs it from the top in a fresh kernel and reports per cell.
        page.locator(".jp-NotebookPanel-toolbar .validate-button").click()
        dialog = page.locator(".jp-Dialog")
        dialog.get_by_text("Validation Results").wait_for(timeout=300 * SECONDS)
        message = dialog.locator("#validation-message")
        report = message.evaluate("n => n.textContent")
        page.screenshot(path=str(artifact("notebook-validate.png")))
        assert "validation-failed" in (message.get_attribute("class") or ""), report[:2000]
        failed = dialog.locator("#validation-message > div.jp-RenderedText pre").evaluate_all(
            "nodes => nodes.map(n => n.textContent)")
        failed_sources = failed[0::2]  # each failure is its cell's source, then its error
        tasks = [c.metadata["nbgrader"]["grade_id"] for c in notebook.cells
                 if c.metadata.get("nbgrader", {}).get("grade")]
        assert len(failed_sources) == len(tasks) - 1, f"{len(failed_sources)} cells failed validation:\n{report[:3000]}"
        assert not any(PASS_LINE in source for source in failed_sources), "the solved task failed validation"
        assert any(SECOND_CHECKS in source for source in failed_sources), report[:3000]
        dialog.get_by_role("button", name=re.compile("^ok$", re.I)).click()

        # What Validate saved is what the student did: every code cell ran, the first test cell passed.
        saved = nbformat.read(str(lab.notebook_dir / "gotchas.ipynb"), as_version=4)
        cells = [c for c in saved.cells if c.cell_type == "code"]
        assert all(c.execution_count for c in cells), [c.execution_count for c in cells]
        text = "".join(o.get("text", "") for o in cells[positions[CHECKS_ID]].outputs)
        assert text.strip() == PASS_LINE
        assert any(o.get("ename") == "NotImplementedError" for o in cells[positions["gotchas-swap_rows"]].outputs)
    except Exception as exc:
        raise AssertionError(f"{exc}{on_failure(page, lab, 'notebook-failure.png')}") from exc
    finally:
        page.close()


def test_without_the_tag_run_all_stops_at_the_first_error(lab, browser_context):
    """The control: the same notebook with no `raises-exception` tags stops at the first failing test cell, so
    it is the tag that keeps Run All going in the test above."""
    notebook = release()
    positions = grade_cell_positions(notebook)
    page = open_notebook(browser_context, lab, "untagged.ipynb", "control")
    try:
        run_all(page, positions)
        assert "NotImplementedError" in output_of(page, positions[CHECKS_ID])
        seen = prompts(page)
        ran = [i for i, p in enumerate(seen) if re.fullmatch(r"\[\d+\]:", p)]
        assert ran == list(range(positions[CHECKS_ID] + 1)), (
            f"without the tag, expected exactly the code cells up to the first failing test cell to run; ran {ran}")
        code_cells(page).nth(positions["gotchas-swap_rows"]).scroll_into_view_if_needed()  # never ran: `[ ]:`
        page.screenshot(path=str(artifact("notebook-untagged-control.png")))
    except Exception as exc:
        raise AssertionError(f"{exc}{on_failure(page, lab, 'notebook-control-failure.png')}") from exc
    finally:
        page.close()
