"""Unit tests of the kit's building blocks: failure messages, plain-data conversion, master parsing."""
import types
from pathlib import Path

import numpy as np
import pytest

from kit import ROOT

from autograder.build import master
from autograder.grading.compare import expect_match, tree_problem
from autograder.sandbox import probing


def test_array_message_names_first_mismatching_indices_shape_and_dtype():
    got = np.array([[1.0, 2.0], [3.0, 9.0]], np.float32)
    problem = tree_problem(got, np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    assert "index (1, 1): got 9.0, expected 4.0" in problem
    assert "1 of 4 entries" in problem and "shape (2, 2)" in problem and "float32" in problem


def test_tree_message_names_the_leaf_path():
    got = {"layers": [{"w": np.zeros(2)}, {"w": np.ones(2)}]}
    expected = {"layers": [{"w": np.zeros(2)}, {"w": np.zeros(2)}]}
    assert tree_problem(got, expected).startswith("the array at `layers[1]/w` differs")


def test_shape_dtype_and_structure_problems_are_named():
    assert "shape (3,), expected shape (2,)" in tree_problem(np.zeros(3), np.zeros(2))
    assert "integer dtype" in tree_problem(np.zeros(2), np.zeros(2, np.int32))
    assert "missing ['b']" in tree_problem({"a": 1}, {"a": 1, "b": 2})
    assert tree_problem([1, 2.0], [1, 2.0]) is None


def test_expect_match_is_a_sentence_with_call_and_hint():
    with pytest.raises(AssertionError, match=r"^f\(x\): the array differs .* Hint: add one\.$"):
        expect_match(np.array([1.0]), np.array([2.0]), call="f(x)", hint="add one.")


def test_plain_refuses_objects_that_could_lie():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    with pytest.raises(probing.ProbeDataError, match="result\\['x'\\] is a"):
        probing.plain({"x": AlwaysEqual()})
    with pytest.raises(probing.ProbeDataError, match="dtype object"):
        probing.plain(np.array([AlwaysEqual()], dtype=object))

    class SubArray(np.ndarray):
        pass

    with pytest.raises(probing.ProbeDataError):
        probing.plain(np.zeros(2).view(SubArray))
    assert probing.plain((1, 2.5, True, None, "s")) == [1, 2.5, True, None, "s"]


def test_run_probe_turns_student_exceptions_into_data():
    def probe(impl, rng):
        raise SystemExit(0)

    outcome = probing.run_probe(probe, impl=types.SimpleNamespace(), seed=0)
    assert outcome["ok"] is False
    assert (outcome["error"]["type"], outcome["error"]["message"]) == ("SystemExit", "0")


def test_a_probe_waits_for_the_threads_its_student_code_started(monkeypatch):
    """A background write the student did not wait for finishes before the probe's files are packed and its
    folder removed (a folder removed under a half-done Orbax save leaves threads running for minutes); a thread
    that never ends costs at most SETTLE_SECONDS; an idle pool worker is not waited for. The probe itself sees
    the moment of return: the file is not there yet."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    started: list[threading.Thread] = []

    def late_write(directory):
        def write():
            time.sleep(0.4)
            Path(directory, "late.txt").write_text("done")
        started.append(threading.Thread(target=write, daemon=True))
        started[-1].start()

    @probing.round_trip(reader=lambda rng, directory: sorted(p.name for p in Path(directory).iterdir()))
    def probe(impl, rng, directory):
        impl.save(directory)
        return probing.result(out=None, report={"there_on_return": Path(directory, "late.txt").exists()})

    outcome = probing.run_probe(probe, types.SimpleNamespace(save=late_write), seed=0)
    assert outcome["ok"], outcome
    assert outcome["data"]["report"] == {"there_on_return": False}
    assert list(outcome["data"]["files"]) == ["late.txt"] and not started[0].is_alive()

    pool, never = ThreadPoolExecutor(1), threading.Event()

    def pooled(directory):
        pool.submit(lambda: None).result()  # leaves one idle worker, alive until the pool shuts down

    def stuck(directory):
        threading.Thread(target=never.wait, daemon=True).start()

    def timed(save):
        began = time.monotonic()
        outcome = probing.run_probe(probe, types.SimpleNamespace(save=save), seed=0)
        assert outcome["ok"], outcome
        return time.monotonic() - began

    try:
        assert timed(pooled) < 2.0  # SETTLE_SECONDS is 5
        monkeypatch.setattr(probing, "SETTLE_SECONDS", 0.5)
        assert 0.45 < timed(stuck) < 3.0
    finally:
        never.set()
        pool.shutdown()


def test_a_probe_ends_orbax_threads_stuck_waiting_and_keeps_its_own_outcome(monkeypatch):
    """A save that failed half-way leaves Orbax threads waiting minutes for a signal no step will send; their
    join raises (a timeout, or the save's error). Once SETTLE_SECONDS are up the probe cancels them and sends
    what they wait for, so they end without running their work, and the student's own error stays the outcome."""
    import time

    from orbax.checkpoint._src.futures import future, synchronization

    monkeypatch.setattr(probing, "SETTLE_SECONDS", 0.5)
    ran, threads = [], []

    def failed_save(directory):
        threads.append(future._SignalingThread(
            target=lambda: ran.append(True), send_signals=[], timeout_secs=300, operation_id="jaxkit-unit-test",
            receive_signals=[synchronization.HandlerAwaitableSignal.STEP_DIRECTORY_CREATION]))
        threads[-1].start()
        raise TypeError("Unsupported type")

    @probing.round_trip(reader=None)
    def probe(impl, rng, directory):
        impl.save(directory)

    began = time.monotonic()
    outcome = probing.run_probe(probe, types.SimpleNamespace(save=failed_save), seed=0)
    assert time.monotonic() - began < 3.0
    assert not outcome["ok"] and outcome["error"]["message"] == "Unsupported type", outcome
    assert not threads[0].is_alive() and not ran


def test_every_jax_setting_a_student_module_changes_is_undone_before_each_probe():
    """A child grades topic after topic: whatever JAX setting one topic's module changed at import is undone
    before every probe, so later topics' code computes what it would in a fresh process. Global settings (the
    PRNG implementation, threefry partitioning, softmax's derivative, a transfer guard, x64, NaN checks) and the
    thread's own: a mesh made current by a plain `jax.set_mesh(mesh)` call, contexts entered and never left
    (`with mesh:`, a default device, x64)."""
    import jax
    import jax.numpy as jnp
    from jax._src import mesh as mesh_lib

    import autograder.grading.runner  # noqa: F401 - the grading side takes the baseline when it starts

    clean = probing.baseline_settings()
    devices = jax.devices()

    def probe(impl, rng):
        key = jax.random.key(int(rng.integers(9)))
        made = jnp.ones(3) * 2
        return probing.result(out=np.asarray(jax.random.normal(key, (5,))), report={
            "same settings": probing.jax_settings() == clean, "mesh": mesh_lib.get_abstract_mesh().empty,
            "old mesh": mesh_lib.thread_resources.env.physical_mesh.empty, "dtype": str(made.dtype),
            "device": str(made.sharding)})

    fresh = probing.run_probe(probe, types.SimpleNamespace(), seed=3)
    changes = {"jax_default_prng_impl": "rbg", "jax_threefry_partitionable": not jax.config.jax_threefry_partitionable,
               "jax_softmax_custom_jvp": not jax.config.jax_softmax_custom_jvp, "jax_transfer_guard": "disallow",
               "jax_debug_nans": True}
    try:
        for name, value in changes.items():  # as a module of an earlier topic would, at import
            jax.config.update(name, value)
        jax.set_mesh(jax.make_mesh((len(devices),), ("x",)))
        jax.sharding.Mesh(np.array(devices), ("y",)).__enter__()
        jax.default_device(devices[-1]).__enter__()
        jax.enable_x64(True).__enter__()
        assert probing.jax_settings() != clean and not mesh_lib.get_abstract_mesh().empty
        polluted = probing.run_probe(probe, types.SimpleNamespace(), seed=3)
    finally:
        probing.restore_jax_settings(clean)
    assert fresh["ok"] and polluted["ok"], polluted
    assert polluted["data"]["report"] == fresh["data"]["report"]
    assert fresh["data"]["report"]["same settings"] is True
    np.testing.assert_array_equal(polluted["data"]["out"], fresh["data"]["out"])
    assert probing.jax_settings() == clean


def test_warning_filters_numpy_errors_and_flax_settings_a_module_changes_are_undone_in_the_child():
    """The sandboxed child also puts back the warning filters, NumPy's error handling and Flax's settings before
    each probe: a module that turns warnings into errors at import would otherwise fail a later topic's correct
    code that triggers a library's deprecation warning."""
    import warnings

    import flax

    with warnings.catch_warnings(), np.errstate():
        clean = probing.python_settings()
        assert clean["flax"]["nnx_graph_mode"] is True
        warnings.simplefilter("error")
        np.seterr(all="raise")
        flax.config.update("nnx_graph_mode", False)
        probing.restore_python_settings(clean)
        assert flax.config.nnx_graph_mode is True
        assert probing.python_settings() == clean
        with warnings.catch_warnings(record=True) as caught:
            warnings.warn("a library's deprecation notice", UserWarning)  # "error" would raise here
        assert len(caught) == 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            assert np.isinf(np.float32(1) / np.float32(0))  # "raise" would raise FloatingPointError


def test_master_without_checks_cell_is_refused(tmp_path):
    text = (ROOT / "solutions" / "gotchas.py").read_text()
    broken = tmp_path / "gotchas.py"
    broken.write_text(text.replace('# %% checks="gotchas.ema"', "# %%"))
    with pytest.raises(master.MasterError, match=r"task gotchas.ema needs exactly one solution function"):
        master.read("gotchas", broken)


from conftest import GROUP_SECONDS  # noqa: E402


def _toy_suite(tmp_path, workers: str):
    import shutil
    import subprocess
    import sys

    shutil.copyfile(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_grouped.py").write_text(
        "import os, pytest\npytestmark = pytest.mark.xdist_group('one')\n"
        + "".join(f"def test_{i}():\n    print('WORKER', os.environ['PYTEST_XDIST_WORKER'])\n" for i in range(6)))
    (tmp_path / "test_free.py").write_text("import pytest\n@pytest.mark.parametrize('x', range(6))\n"
                                           "def test_free(x):\n    pass\n")
    heavy = max(GROUP_SECONDS, key=GROUP_SECONDS.get)
    (tmp_path / "test_heavy.py").write_text(f"import pytest\n@pytest.mark.xdist_group({heavy!r})\n"
                                            "def test_heavy():\n    pass\n")
    result = subprocess.run([sys.executable, "-m", "pytest", "-n", workers, "--dist", "loadgroup", "-v", "-s",
                             "-p", "no:cacheprovider", "-p", "no:randomly", str(tmp_path)], capture_output=True,
                            text=True, cwd=tmp_path, timeout=300,
                            env={**__import__("os").environ, "JAXKIT_TEST_CACHE": "x", "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stdout[-2000:]
    return [line for line in result.stdout.splitlines() if "PASSED" in line]


def test_xdist_groups_keep_a_group_on_one_worker(tmp_path):
    """The suite relies on `--dist loadgroup` (a topic's cached reference and mistake verdicts, one grader
    corpus): a group's tests must all run on one worker (tests/conftest.py tags the ids pytest 9 uses)."""
    passed = _toy_suite(tmp_path, "2")
    workers = {line.split()[0] for line in passed if "test_grouped.py::" in line}
    assert len(workers) == 1 and any("@one" in line for line in passed), passed


def test_xdist_hands_out_the_heaviest_group_first(tmp_path):
    """With one worker the queue's order is the run's order: the heaviest group known (one test) goes before a
    group of six tests and before ungrouped tests, not after them (pytest-xdist's default orders by test count)."""
    passed = _toy_suite(tmp_path, "1")
    assert "test_heavy.py::" in passed[0], passed


def test_the_grader_and_the_check_command_do_not_import_nbformat():
    """Every grader process and every `python -m autograder check` pays for what it imports: nbformat (with
    jsonschema's URI grammars) took 1.7 s and neither needs it, since both read notebooks as JSON."""
    import subprocess
    import sys

    script = ("import sys; import autograder.grading.grade, autograder.grading.progress, autograder.build.master; "
              "print(sorted(m for m in ('nbformat', 'jsonschema', 'nbgrader') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]", f"the grader's modules import {result.stdout.strip()}"


def test_a_run_of_fewer_topics_keeps_the_other_topics_reference_data(tmp_path):
    """OUT/.cache keeps every topic's reference data: grading one topic into a folder that already holds another
    topic's data adds to it (it used to replace it, so the next run of every topic computed it all again)."""
    from autograder.grading.grade import Plan
    from autograder.sandbox import wire

    cache = tmp_path / "reference.json"
    other = {"data": {"pytrees.some_call": [{"x": 1.5}, {}, {"n": 2}, None]}, "bundles": {}}
    cache.write_bytes(wire.dumps({"pytrees": other}))
    Plan.make(["custom_pytrees"], 5, cache)
    saved = wire.loads(cache.read_bytes())
    assert set(saved) == {"pytrees", "custom_pytrees"} and saved["pytrees"] == other
    assert saved["custom_pytrees"]["data"]


def test_reused_mlir_contexts_are_on_for_the_pinned_jax_and_change_no_program():
    """The kit's processes reuse JAX's MLIR contexts (autograder/sandbox/mlir_contexts.py): only on the pinned
    JAX, one context per thread, and every lowered program is exactly what a fresh context gives."""
    import re
    import threading

    import jax
    import jax.numpy as jnp
    from jax._src.interpreters import mlir

    import autograder.grading.runner  # noqa: F401 - installs it, as in the grader and the self-check
    from autograder.sandbox import mlir_contexts

    pin = re.search(r"^jax==(\S+)", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    assert mlir_contexts.PINNED_JAX == pin == jax.__version__
    assert getattr(mlir.make_ir_context, "reused_contexts", False)
    first, second, third = (mlir.make_ir_context() for _ in range(3))
    assert first is second or second is third  # a context serves 128 lowerings: one pair is within one context
    other = []
    thread = threading.Thread(target=lambda: other.append(mlir.make_ir_context()))
    thread.start()
    thread.join()
    assert other[0] is not mlir.make_ir_context()

    def program(x, k):
        return jnp.where(x > 0, jnp.sin(x) * k, jnp.cumsum(x)) @ x[:, None]

    def lowered_with(make_context):
        """The programs lowered with `make_context` as JAX's context maker, and how often JAX called it (JAX's
        in-memory caches cleared first, so nothing lowered before is handed back)."""
        calls = []

        def counted():
            calls.append(1)
            return make_context()

        shapes = [jnp.linspace(-1, 1, n) for n in (3, 5)]
        installed, mlir.make_ir_context = mlir.make_ir_context, counted
        try:
            jax.clear_caches()
            return [jax.jit(program).lower(x, 2.0).as_text() for x in shapes], len(calls)
        finally:
            mlir.make_ir_context = installed

    reused, reused_calls = lowered_with(mlir.make_ir_context)
    fresh, fresh_calls = lowered_with(mlir.make_ir_context.fresh)
    assert reused_calls >= 2 and fresh_calls >= 2, "a lowering did not go through make_ir_context"
    assert reused == fresh and reused[0] != reused[1]


def test_the_collector_runs_less_often_and_still_frees_cycles():
    """The kit's processes that trace many programs raise the collector's thresholds
    (autograder/sandbox/collector.py; the zygote's children are checked in test_grader): never lowering one, far
    fewer collections for the same allocations, and a cycle of garbage is still freed without a full pass."""
    import gc
    import weakref

    import autograder.grading.runner  # noqa: F401 - tunes it, as in the grader and the self-check
    from autograder.sandbox import collector

    before = gc.get_threshold()
    assert all(now >= wanted for now, wanted in zip(before, collector.THRESHOLDS))
    try:
        gc.set_threshold(10**6, 5, 5)
        collector.tune()
        assert gc.get_threshold() == (10**6, 20, 20)

        def collections(thresholds) -> int:
            gc.set_threshold(*thresholds)
            gc.collect()
            counts = []
            gc.callbacks.append(callback := lambda phase, info: counts.append(1) if phase == "start" else None)
            try:
                kept = [[[i], {"i": i}] for i in range(200_000)]  # containers the collector tracks, kept alive
            finally:
                gc.callbacks.remove(callback)
            del kept
            return len(counts)

        assert collections(collector.THRESHOLDS) * 10 < collections((700, 10, 10))

        class Node:
            pass

        gc.set_threshold(*collector.THRESHOLDS)
        gc.collect()
        node = Node()
        node.me, alive = node, weakref.ref(node)
        del node
        kept = [[i] for i in range(3 * collector.THRESHOLDS[0])]  # enough new objects for a young generation's pass
        assert alive() is None and len(kept), "a cycle was kept past the young generation's collections"
    finally:
        gc.set_threshold(*before)


def test_numpy_inputs_are_staged_without_a_program_and_exactly_as_jax_stages_them():
    """The kit's processes turn NumPy values into JAX arrays by transfer (autograder/sandbox/eager_staging.py):
    only on the pinned JAX; nothing compiled; and for every kind of input, inside and outside every context
    that could make them differ (a mesh, a transfer guard, NaN checks, x64, a default device), the same array
    or the same error as JAX's own rule gives."""
    import contextlib
    import logging
    import warnings

    import jax
    import jax.numpy as jnp
    from jax.sharding import AxisType
    from jax._src.lax import lax

    import autograder.grading.runner  # noqa: F401 - installs it, as in the grader and the self-check

    installed = lax.stage_p.impl
    assert getattr(installed, "by_transfer", False)

    compiled = []

    class Compiles(logging.Handler):
        def emit(self, record):
            compiled.append(record.getMessage())

    handler, logger = Compiles(), logging.getLogger("jax")
    logger.addHandler(handler)
    try:
        jax.clear_caches()
        with jax.log_compiles(True):
            jnp.asarray(np.zeros((7, 13, 3), np.float16))
            jnp.asarray(2.5)
    finally:
        logger.removeHandler(handler)
    assert not [m for m in compiled if "Compiling" in m], compiled

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        matrix = np.asmatrix(np.ones((2, 2)))  # an ndarray subclass
    values = [1, 1.5, 1 + 2j, True, 2**40, 2**64, np.float32(2), np.float64(3), np.int64(2**40), np.bool_(True),
              np.uint8(3), np.zeros((2, 3)), np.arange(5), np.ones((0, 4), np.float32), np.array(3.0),
              np.array([1 + 1j]), np.array([True]), np.zeros(2, np.float16), np.zeros(3, np.uint32),
              np.ones((4, 6))[::2, 1::2], np.array([np.nan, np.inf]), np.zeros(3, jnp.bfloat16), matrix]
    devices = jax.devices()
    contexts = {
        "none": contextlib.nullcontext,
        "x64": lambda: jax.enable_x64(True),
        "default device": lambda: jax.default_device(devices[-1]),
        "debug_nans": lambda: jax.debug_nans(True),
        "debug_infs": lambda: jax.debug_infs(True),
        "transfer guard": lambda: jax.transfer_guard("disallow"),
        "set_mesh": lambda: jax.set_mesh(jax.make_mesh((len(devices),), ("x",), axis_types=(AxisType.Explicit,))),
        "with mesh": lambda: jax.sharding.Mesh(np.array(devices), ("x",)),
    }

    def described(value):
        try:
            out = jnp.asarray(value)
            return (out.dtype, out.shape, out.weak_type, str(out.sharding), out.committed,
                    np.asarray(out).tobytes())
        except Exception as exc:  # noqa: BLE001 - the same error on both sides is part of the contract
            return type(exc).__name__, str(exc)

    differ = []
    for name, context in contexts.items():
        for value in values:
            with context():
                ours = described(value)
            lax.stage_p.def_impl(installed.jax_rule)
            try:
                with context():
                    theirs = described(value)
            finally:
                lax.stage_p.def_impl(installed)
            if ours != theirs:
                differ.append(f"{name}: jnp.asarray({value!r}) -> {ours} instead of {theirs}")
    assert not differ, "\n".join(differ)

    for size in (4, 1024, 1 << 20):  # jax.device_put shares aligned NumPy buffers on the CPU
        for _ in range(8):
            source = np.ones(size, np.float32)
            staged = jnp.asarray(source).block_until_ready()
            assert staged.unsafe_buffer_pointer() != source.ctypes.data, "a staged array shares its NumPy buffer"
            source[:] = 7
            assert float(staged[-1]) == 1.0, "writing into a NumPy array changed the array staged from it"


def test_no_lane_is_handed_the_reference_of_a_task_it_grades_then_or_later():
    """One sandboxed child per lane grades its steps in order and is handed each step's substitutes when the step
    starts (grading/plan.py). Walking every lane as its child does, with everything handed so far kept: no
    task is graded while the child holds a reference named like it (in any topic: same-named tasks of two
    topics count as one), and every step holds what its probes and reference definitions call. The same walk
    with the old rule (every task outside the step's group) breaks the first part: the check can fail."""
    from autograder.grading import plan

    def holding_while_graded(handed_for) -> list:
        found = []
        for lane in sorted(set(plan.lanes().values())):
            held: set[str] = set()
            for step in plan.lane_steps(lane):
                held |= handed_for(step)
                found += [(step, task) for task in plan.graded(step) & held]
        return found

    assert holding_while_graded(lambda step: set(plan.substitute_sources(*step))) == []
    old_rule = lambda step: {t for t, g in plan.groups(step[0]).items() if g != step[1]}  # noqa: E731
    assert holding_while_graded(old_rule)
    for step in plan.steps():
        needed = set().union(*(plan.dependencies(step[0])[task] for task in plan.graded(step)))
        missing = needed - set(plan.substitute_sources(*step))
        assert not missing, (step, sorted(missing))
    assert sorted(plan.steps()) == sorted({(topic, group) for topic in plan.registry.load()
                                           for group in plan.groups(topic).values()})  # each step once
    assert sorted(set(plan.lanes().values())) == list(range(2)), "a new cycle or shared name: say so in the README"


def test_a_zygote_that_stops_answering_is_stopped_once_without_raising():
    """Stopping a sandbox first asks its zygote for the CPU it used; a zygote that gives no answer (it died inside
    bubblewrap, whose init lives on) is stopped right there by ``ask``. The outer stop must then find nothing left
    to kill, not fail: it runs when a grading run closes, before the grades are written."""
    import socket
    import subprocess

    from autograder.grading.launcher import Zygote

    zygote = Zygote(None, [], shared=True)
    try:
        zygote.process = subprocess.Popen(["sleep", "60"], start_new_session=True)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        theirs.close()  # the zygote's end is gone: the count gets no answer
        zygote.channel = ours
        process = zygote.process
        zygote.close()
        assert process.poll() is not None, "the sandbox's process was left running"
        assert zygote.process is None and zygote.channel is None
        zygote.stop()  # and again: nothing to do
    finally:
        if zygote.process is not None:
            zygote.process.kill()


def test_the_staged_sandbox_side_carries_bytecode_for_every_module(tmp_path):
    """Each child imports the staged copy read-only: without bytecode staged beside it, every child of every
    student compiles the same sources again."""
    import importlib.util

    from autograder.grading.launcher import stage_sandbox_side
    root = stage_sandbox_side(tmp_path / "stage")
    sources = sorted(root.rglob("*.py"))
    assert any(path.parent.name == "probes" for path in sources)
    missing = [str(path.relative_to(root)) for path in sources if not Path(importlib.util.cache_from_source(str(path))).is_file()]
    assert not missing, f"no bytecode staged for {missing}"


def test_pack_files_keeps_only_regular_files_still_there_when_read(tmp_path, monkeypatch):
    """A save not waited for keeps writing while the child packs: what was listed may be gone, or replaced by a
    link or a pipe, by the time it is read. Those are left out; the packing never raises for them."""
    import os

    (tmp_path / "kept").write_bytes(b"orbax")
    (tmp_path / "secret").write_bytes(b"not written by the probe")
    os.symlink(tmp_path / "secret", tmp_path / "now_a_link")
    os.mkfifo(tmp_path / "now_a_pipe")
    listed = ["gone", "kept", "now_a_link", "now_a_pipe"]  # as os.walk saw it a moment earlier
    monkeypatch.setattr(probing.os, "walk", lambda directory: iter([(str(directory), [], listed)]))
    bundle = probing.pack_files(str(tmp_path))
    assert {name: bytes(content) for name, content in bundle.items()} == {"kept": b"orbax"}
