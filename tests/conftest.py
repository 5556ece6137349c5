"""The kit's own test session: tests/kit.py importable, the kit's XLA settings, one compilation cache for this
run only, and pytest-xdist groups that hold together and go heaviest first.

JAX's persistent compilation cache, in a folder this session creates and removes, lets the many
implementations and seeds of the self-check reuse identical compiled programs. It and `autograder.XLA_FLAGS`
are set before JAX is imported, in the controller, so pytest-xdist workers and every process they start
inherit them.
"""
import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/kit.py

sys.path.insert(0, str(Path(__file__).parent.parent))  # the kit
from autograder import XLA_FLAGS  # noqa: E402 - no jax in it

os.environ.setdefault("XLA_FLAGS", XLA_FLAGS)  # the kit's XLA settings, for every worker and process it starts

if "JAXKIT_TEST_CACHE" not in os.environ:
    _cache = tempfile.mkdtemp(prefix="jaxkit-test-jit-cache-")
    os.environ["JAXKIT_TEST_CACHE"] = _cache
    os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", _cache)
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    atexit.register(shutil.rmtree, _cache, True)


# Worker-seconds per xdist group in a full run on the 2-core machine (2026-12-02, twelve topics, the kit's XLA
# settings, ml_dtypes 0.6). They only order the queue: pytest-xdist hands groups out in collection order, so the
# heaviest go first and no long group starts last while the other worker idles. A group not listed counts as light.
GROUP_SECONDS = {
    "nnx": 439, "checkpointing": 358, "grader-calibration": 349, "backprop": 274, "transformer": 269,
    "trainstate": 203, "transforms": 193, "grader": 184, "optimizers": 168, "nbgrader": 143, "pmap": 137,
    "instructor": 96, "sharding": 84, "grader-resume": 79, "gotchas": 78, "pytrees": 60, "custom_pytrees": 52,
    "browser": 51, "grader-topics": 36, "student": 20, "report": 20,
}


def pytest_configure(config):
    config.addinivalue_line("markers", "xdist_group(name): keep a topic's tests on one pytest-xdist worker")
    if config.getoption("dist", None) == "loadgroup":  # the controller: it builds the queue
        config.option.loadscopereorder = False  # keep the heaviest-first order made below, not one by test count


def _group(item) -> str | None:
    names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                    for mark in item.iter_markers("xdist_group")})
    return "_".join(names) or None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """`--dist loadgroup` with pytest 9: pytest-xdist 3.8 tags each item's `_nodeid` with its group, an
    attribute pytest 9 no longer reads (node ids live in `_id`), so every group was split across workers and
    each worker paid for the group's module fixtures again (the grader corpus ran twice, at once, on one
    port). Tag the id pytest uses, once."""
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        group = _group(item)
        if group and "@" not in item.nodeid:
            item._id = coerce_node_id(f"{item.nodeid}@{group}")
    items.sort(key=lambda item: -GROUP_SECONDS.get(_group(item), 0))  # stable: a group's tests keep their order
