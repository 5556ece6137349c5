"""pytest plugin for the hidden checks in autograder/grading/checks.

Options: ``--impl PATH`` (repeatable: a folder holding ``<topic>.py`` or a single .py file; default
``exercises``), ``--grade-seed N`` (inputs are drawn from it; random by default and printed in the
header so a rerun is exact), ``--task ID`` (repeatable filter) and ``--report-json FILE`` (one record per
check: task, implementation, outcome, message). Each check takes the ``run`` fixture and carries
``@pytest.mark.task("topic.function")``.
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from .. import XLA_FLAGS  # noqa: E402 - no jax in it

# Multi-device checks need simulated CPU devices, and XLA reads this only before jax first runs.
os.environ.setdefault("XLA_FLAGS", XLA_FLAGS)
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import pytest  # noqa: E402

from .. import KIT_ROOT, registry  # noqa: E402
from ..sandbox.probing import load_module  # noqa: E402
from .runner import InProcess, Reference, Runner  # noqa: E402


def pytest_addoption(parser):
    group = parser.getgroup("jax-foundations hidden checks")
    group.addoption("--impl", action="append", default=None, metavar="PATH",
                    help="implementation to grade: a folder with <topic>.py files, or one .py file (repeatable)")
    group.addoption("--grade-seed", type=int, default=None, metavar="N", help="seed for the random inputs")
    group.addoption("--task", action="append", default=None, metavar="ID", help="only this task (repeatable)")
    group.addoption("--report-json", default=None, metavar="FILE", help="write one record per check here")


def pytest_configure(config):
    config.addinivalue_line("markers", "task(id): the registry task ('topic.function') a check grades")
    seed = config.getoption("--grade-seed")
    config._jaxkit_seed = secrets.randbelow(2**31) if seed is None else seed
    config._jaxkit_records = []


def pytest_report_header(config):
    impls = config.getoption("--impl") or ["exercises"]
    return (f"hidden checks: grade seed {config._jaxkit_seed} (rerun with --grade-seed {config._jaxkit_seed}); "
            f"implementation(s): {', '.join(impls)}")


def _task_id(item) -> str | None:
    marker = item.get_closest_marker("task")
    return marker.args[0] if marker else None


def pytest_generate_tests(metafunc):
    if "run" in metafunc.fixturenames:
        impls = metafunc.config.getoption("--impl") or ["exercises"]
        metafunc.parametrize("impl_path", impls, ids=[_label(p) for p in impls], scope="session")


def _label(path: str) -> str:
    p = Path(path)
    return p.stem if p.suffix == ".py" else p.name or str(p)


def pytest_collection_modifyitems(config, items):
    wanted = config.getoption("--task")
    keep = []
    for item in items:
        task_id = _task_id(item)
        if "run" in getattr(item, "fixturenames", ()):
            if task_id is None:
                raise pytest.UsageError(f"{item.nodeid} uses `run` but has no @pytest.mark.task(...)")
            registry.task(task_id)  # raises KeyError for an id the registry does not know
        if wanted and task_id not in wanted:
            config.hook.pytest_deselected(items=[item])
            continue
        keep.append(item)
    items[:] = keep


_impl_cache: dict[tuple[str, str], object] = {}
_references: dict[str, Reference] = {}
_students: dict[tuple[str, str], InProcess] = {}


def resolve_impl(path: str, topic: str) -> Path:
    candidate = Path(path)
    if not candidate.is_absolute() and not candidate.exists():
        candidate = KIT_ROOT / candidate
    return candidate / f"{topic}.py" if candidate.is_dir() else candidate


@pytest.fixture
def run(request, impl_path):
    """The probe runner bound to the implementation under test and to the reference."""
    topic = _task_id(request.node).split(".", 1)[0]
    key = (impl_path, topic)
    if key not in _impl_cache:
        file = resolve_impl(impl_path, topic)
        try:
            _impl_cache[key] = load_module(file, label=_label(impl_path))
        except FileNotFoundError:
            _impl_cache[key] = f"There is no file {file} to grade for topic `{topic}`."
        except Exception as exc:  # noqa: BLE001 - any import failure of student code
            _impl_cache[key] = f"Importing {file} failed with {type(exc).__name__}: {exc}. Fix this first."
    impl = _impl_cache[key]
    if isinstance(impl, str):
        pytest.fail(impl, pytrace=False)
    reference = _references.setdefault(topic, Reference(topic))
    student = _students.setdefault(key, InProcess(impl, reference))
    return Runner(_task_id(request.node), request.config._jaxkit_seed, student, reference)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.jaxkit_task = _task_id(item)
    report.jaxkit_impl = getattr(getattr(item, "callspec", None), "params", {}).get("impl_path")
    report.jaxkit_exc = call.excinfo.typename if call.excinfo else None
    report.jaxkit_message = str(call.excinfo.value) if call.excinfo else ""


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        records = _records()
        records.append({"nodeid": report.nodeid, "task": getattr(report, "jaxkit_task", None),
                        "impl": getattr(report, "jaxkit_impl", None), "when": report.when,
                        "outcome": report.outcome, "exception": getattr(report, "jaxkit_exc", None),
                        "message": getattr(report, "jaxkit_message", "")})


_session_config = None


def _records() -> list:
    return _session_config._jaxkit_records if _session_config else []


def pytest_sessionstart(session):
    global _session_config
    _session_config = session.config


def pytest_sessionfinish(session):
    path = session.config.getoption("--report-json")
    if path:
        Path(path).write_text(json.dumps({"seed": session.config._jaxkit_seed,
                                          "records": session.config._jaxkit_records}, indent=1))
