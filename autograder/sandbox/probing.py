"""What runs beside student code: load an implementation, run a probe on it, return plain data.

A probe is a function ``probe(impl, rng, *args)`` in ``autograder/sandbox/probes/<topic>.py``. It draws its
inputs from ``rng``, calls student functions on them (eagerly, under ``jit``, ``vmap``, ``grad`` ... as the
contract requires) and returns ``result(out=..., report=..., given=...)``:

- ``out``: what the student's functions returned. The grader compares it with what the reference returns on
  the same inputs, computed in the grader's own process. This is the only part that can earn points.
- ``report``: properties only code running beside the student's can measure (a trace count, the primitives
  of a jaxpr, a key-reuse error, globals changed). A check may only use a report to take points away.
- ``given``: the settings the probe drew (sizes, probabilities, step counts). Only the reference run's copy
  is ever read: what a child sends here is dropped before any check sees it.

Every task function of the topic other than the ones being graded in this process is replaced, while a
probe runs, by the reference's definition compiled into the student's namespace (``substitutes``), so a
mistake in one task never costs another. This module imports no verdict code; it runs in the sandbox.
"""
from __future__ import annotations

import contextlib
import importlib.util
import itertools
import os
import re
import shutil
import stat
import sys
import tempfile
import threading
import time
import traceback
import types
from typing import Any, Callable

import numpy as np

_counter = itertools.count()
_MAX_LIST = 20_000
MAX_BUNDLE_FILES = 4096  # an Orbax checkpoint is a dozen or more small files
MAX_BUNDLE_BYTES = 48 << 20
RESULT_PARTS = ("out", "report", "given")


# ------------------------------------------------------------------------------------------ probe results
def result(out: Any = None, *, report: dict | None = None, given: dict | None = None) -> dict:
    """What a probe returns: the student's outputs, the measured properties and the drawn settings."""
    return {"out": out, "report": dict(report or {}), "given": dict(given or {})}


class ProbeDataError(TypeError):
    """A student function returned something that is not plain data."""


class BundleError(ProbeDataError):
    """The files a round-trip probe left cannot travel: too many, too large, or oddly named."""


def plain(value: Any, where: str = "result", depth: int = 0) -> Any:
    """Convert a value to plain data, or raise ProbeDataError naming where the odd value sits.

    jax and numpy arrays become numpy arrays (copied); other objects are refused, so no student-defined
    ``__eq__`` or ``__bool__`` ever reaches a verdict.
    """
    import jax

    if depth > 40:
        raise ProbeDataError(f"{where} is nested too deeply")
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":  # np.float32(1.0), np.bool_(True)
        value = np.asarray(value)
    if isinstance(value, jax.Array) and not jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key):
        value = np.asarray(value)
    if type(value) is np.ndarray:
        if value.dtype.kind not in "biuf":
            raise ProbeDataError(f"{where} is an array of dtype {value.dtype}; expected numbers or booleans")
        return value.copy()
    if type(value) in (list, tuple):
        if len(value) > _MAX_LIST:
            raise ProbeDataError(f"{where} is a sequence of {len(value)} items; too long")
        return [plain(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
    if type(value) is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                raise ProbeDataError(f"{where} has a key of type {type(k).__name__}; expected str")
            out[k] = plain(v, f"{where}[{k!r}]", depth + 1)
        return out
    raise ProbeDataError(f"{where} is a {type(value).__module__}.{type(value).__qualname__}; "
                         "expected an array, a number, or a list/dict of them")


def type_name(value: Any) -> str:
    """A short, stable name for a value's type, for reports about promised return types."""
    import jax

    if isinstance(value, jax.Array):
        return "jax.Array"
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__.split('.')[0]}.{kind.__name__}"


# ------------------------------------------------------------------------------------------ student errors
def _safe_str(value: Any) -> str:
    try:
        return str(value)
    except BaseException:  # noqa: BLE001 - a student exception whose __str__ raises
        return "(its message could not be read)"


_PATH = re.compile(r"(?:/[^\s/:'\"()<>,\[\]]+)+/([^\s/:'\"()<>,\[\]]+)")


def describe_exception(exc: BaseException, impl_file: str | None) -> dict:
    """Plain-data description of an exception raised by student code, showing only the student's frames.

    File names appear without their folders, in the traceback and in the message (JAX names the file of a
    traced function): feedback never shows where the kit or the grader lives."""
    frames = traceback.extract_tb(exc.__traceback__)
    student = [f for f in frames if impl_file is None or f.filename == impl_file
               or f.filename.startswith("<ipython-input") or "/ipykernel_" in f.filename]
    for frame in student:
        frame.filename = os.path.basename(frame.filename)
    where = "".join(traceback.format_list(student[-3:])).rstrip()
    message = _PATH.sub(r"\1", _safe_str(exc)).strip().splitlines()
    return {"type": type(exc).__name__[:100], "message": message[0][:500] if message else "", "where": where[:2000]}


# ------------------------------------------------------------------------------------------ loading code
def load_module(path: str, label: str = "impl") -> types.ModuleType:
    """Import a .py file by path under a fresh, unique module name (never via sys.path)."""
    path = os.path.abspath(path)
    name = f"_graded_{label}_{os.path.splitext(os.path.basename(path))[0]}_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {os.path.basename(path)}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up by name
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


class NamespaceImpl:
    """A notebook's globals seen as an implementation module: attribute access into the live dict."""

    __slots__ = ("_ns",)

    def __init__(self, namespace: dict):
        self._ns = namespace

    def __getattr__(self, name):
        try:
            return self._ns[name]
        except KeyError:
            raise AttributeError(f"the notebook defines no `{name}`") from None

    @property
    def __dict__(self):  # vars(impl) is the notebook's globals, as for a module
        return self._ns


def compile_substitutes(impl: Any, sources: dict[str, str]) -> dict[str, Callable]:
    """The reference's definitions of other tasks' functions, compiled into the student's namespace.

    Each function's globals are the student's module, so it uses the student's given code (their classes,
    their imports) exactly as the reference uses its own; only the task function itself is trusted."""
    namespace = vars(impl)
    functions: dict[str, Callable] = {}
    for name, source in sources.items():
        scratch: dict = {}
        exec(compile(source, f"<trusted {name}>", "exec"), namespace, scratch)  # noqa: S102 - kit code
        functions[name] = scratch[name]
    return functions


@contextlib.contextmanager
def swapped(impl: Any, replacements: dict[str, Any]):
    """Bind ``replacements`` in the implementation's namespace for the duration; always restore."""
    namespace = vars(impl)
    missing = object()
    saved = {name: namespace.get(name, missing) for name in replacements}
    try:
        namespace.update(replacements)
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


# ------------------------------------------------------------------------------------------ jax settings
# JAX's context states that no name in jax.config reaches: the current mesh (jax.set_mesh, also a plain call
# that sets it for the thread), the compute placement, XLA metadata.
_UNNAMED_STATES = ("abstract_mesh_context_manager", "device_context", "mesh_context_manager",
                   "compute_on_context_manager", "xla_metadata_context_manager")


def _states() -> dict:
    """Every JAX setting as its state object: jax.config's, by name, and the unnamed context states."""
    from jax._src import config

    states = dict(config.config._value_holders)
    states.update({name: getattr(config, name) for name in _UNNAMED_STATES if hasattr(config, name)})
    return states


def jax_settings() -> dict:
    """Every JAX setting, global and this thread's, and the mesh a ``with mesh:`` entered. All of them, not a
    list of the usual suspects: a child grades topic after topic, and a setting one topic's module changes at
    import (the PRNG implementation, threefry partitioning, softmax's derivative, a transfer guard, x64, a
    current mesh, a context entered and never left ...) would otherwise change what every later topic's code
    computes."""
    from jax._src import mesh as mesh_lib

    states = _states()
    return {"global": {name: _global(state) for name, state in states.items()},
            "local": {name: state.get_local() for name, state in states.items() if hasattr(state, "get_local")},
            "mesh": mesh_lib.thread_resources.env}


def _global(state: Any) -> Any:
    """A setting's global value (a plain flag has no thread's value: its value is global)."""
    return state.get_global() if hasattr(state, "get_global") else state.value


def restore_jax_settings(saved: dict) -> None:
    """Undo the JAX settings student code changed (x64, debug_nans, the PRNG, a current mesh ...) before the next
    probe: globals through jax.config, as a student would, and this thread's overrides and mesh directly. A
    setting JAX refuses to change back is left as it is: that costs only the student who changed it."""
    import jax
    from jax._src import mesh as mesh_lib

    if jax_settings() == saved:
        return
    states = _states()
    for name, value in saved["local"].items():
        state = states.get(name)
        if state is not None and state.get_local() is not value:
            state.set_local(value)
            hook = getattr(state, "_update_thread_local_hook", None)
            if hook is not None:
                hook(None if value is jax._src.config.config_ext.unset else value)
    for name, value in saved["global"].items():
        state = states.get(name)
        if state is not None and _global(state) != value:
            try:
                if name in jax.config.values:
                    jax.config.update(name, value)
                else:
                    state.set_global(value)
            except Exception:  # noqa: BLE001 - e.g. a setting that only counts before the backend starts
                pass
    mesh_lib.thread_resources.env = saved["mesh"]


def python_settings() -> dict:
    """The warning filters, NumPy's floating-point error handling and Flax's settings (when Flax is loaded): what
    a module that calls ``warnings.simplefilter("error")``, ``np.seterr(all="raise")`` or
    ``flax.config.update("nnx_graph_mode", False)`` at import would otherwise change for every later topic a
    child grades (a library's deprecation warning would become an error in correct code)."""
    import warnings

    flax = sys.modules.get("flax")  # imported by the probes of any topic that uses it, before student code
    flax_values = dict(flax.config._values) if flax is not None else {}  # noqa: SLF001 - no public snapshot
    return {"warnings": list(warnings.filters), "numpy": np.geterr(), "flax": flax_values}


def restore_python_settings(saved: dict) -> None:
    """Put the warning filters, NumPy's error handling and Flax's settings back as ``saved`` (the sandboxed
    child only: a test runner's own filters around an in-process probe stay as they are)."""
    import warnings

    if warnings.filters != saved["warnings"]:
        warnings.filters[:] = saved["warnings"]
        warnings._filters_mutated()  # noqa: SLF001 - forget the warnings already judged under other filters
    if np.geterr() != saved["numpy"]:
        np.seterr(**saved["numpy"])
    if saved["flax"]:
        config = sys.modules["flax"].config
        for name, value in saved["flax"].items():
            if config._values.get(name) != value:  # noqa: SLF001
                try:
                    config.update(name, value)
                except Exception:  # noqa: BLE001 - left as the student set it: costs only that student
                    pass


_baseline: dict | None = None


def baseline_settings() -> dict:
    """The process's JAX settings as they were the first time this was asked, before any student code ran
    (the grading side asks when it starts). Every probe starts and ends with them."""
    global _baseline
    if _baseline is None:
        _baseline = jax_settings()
    return _baseline


# ------------------------------------------------------------------------------------------ round trips
def round_trip(*, writer: Callable | None = None, reader: Callable | None = None):
    """Mark a probe that works on files, as ``probe(impl, rng, directory, *args)``.

    ``writer(rng, directory)`` is trusted code that fills ``directory`` before the student's function reads
    it. It runs in the grader with a secret seed: the student's process never learns what was written.
    ``reader(rng, directory) -> plain data`` is trusted code that reads what the student's function wrote.
    It runs in a separate sandboxed process that loads no student code, and its result becomes
    ``out["read"]``."""
    def mark(probe):
        probe.writer, probe.reader = writer, reader
        return probe
    return mark


def safe_relpath(name: Any) -> str | None:
    """A bundle file name as a clean relative path, or None when it is not one."""
    if type(name) is not str or not name or len(name) > 400 or "\0" in name or "\\" in name:
        return None
    parts = name.split("/")
    if len(parts) > 12 or any(part in ("", ".", "..") or len(part) > 120 for part in parts):
        return None
    return name


def pack_files(directory: str) -> dict[str, np.ndarray]:
    """The regular files under ``directory`` as {relative path: bytes}; links and special files are left out."""
    bundle: dict[str, np.ndarray] = {}
    total = 0
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in sorted(dirs) if not os.path.islink(os.path.join(root, d))]
        for name in sorted(files):
            path = os.path.join(root, name)
            relative = safe_relpath(os.path.relpath(path, directory).replace(os.sep, "/"))
            content = _read_regular(path) if relative is not None else None
            if content is None:
                continue
            total += len(content)
            if len(bundle) >= MAX_BUNDLE_FILES or total > MAX_BUNDLE_BYTES:
                raise BundleError(f"the files written are too many or too large (more than {MAX_BUNDLE_FILES} "
                                  f"files or {MAX_BUNDLE_BYTES >> 20} MB)")
            bundle[relative] = np.frombuffer(content, dtype=np.uint8).copy()
    return bundle


def _read_regular(path: str) -> bytes | None:
    """The bytes of the regular file at ``path`` itself (up to one more than the bundle cap), or None when it is
    not one any more: removed since it was listed (a writer still at work, a save not waited for), or replaced
    by a link, a pipe or a folder."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return handle.read(MAX_BUNDLE_BYTES + 1)


def check_bundle(bundle: Any) -> None:
    """Raise ProbeDataError unless `bundle` (possibly forged) is {clean relative path: 1-D uint8 array}, with
    no path that is also another path's folder, within the size caps."""
    if type(bundle) is not dict or len(bundle) > MAX_BUNDLE_FILES:
        raise BundleError("the file bundle is malformed")
    total, folders = 0, set()
    for name, content in bundle.items():
        relative = safe_relpath(name)
        if relative is None or type(content) is not np.ndarray or content.dtype != np.uint8 or content.ndim != 1:
            raise BundleError("the file bundle holds an invalid entry")
        total += content.size
        if total > MAX_BUNDLE_BYTES:
            raise BundleError("the file bundle is too large")
        parts = relative.split("/")
        folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
    if folders & set(bundle):
        raise BundleError("the file bundle names a file and a folder alike")


def unpack_files(bundle: Any, directory: str) -> None:
    """Write a bundle (from ``pack_files``, possibly forged) under ``directory``; refuse anything odd."""
    check_bundle(bundle)
    for relative, content in bundle.items():
        target = os.path.join(directory, *relative.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "xb") as handle:
            handle.write(content.tobytes())


@contextlib.contextmanager
def restored(settings: dict):
    """Put JAX's global settings back as they were, whatever the code run inside changed."""
    try:
        yield
    finally:
        restore_jax_settings(settings)


@contextlib.contextmanager
def workspace(prefix: str = "jaxkit-probe-"):
    """A fresh directory for a probe; the working directory is restored and the folder removed after."""
    directory = tempfile.mkdtemp(prefix=prefix)
    previous = os.getcwd()
    try:
        yield directory
    finally:
        with contextlib.suppress(OSError):
            os.chdir(previous)
        # A background writer the probe left (an async save that failed half-way) may recreate files after a
        # first removal: remove until the folder stays gone.
        for _ in range(40):
            shutil.rmtree(directory, ignore_errors=True)
            if not os.path.exists(directory):
                time.sleep(0.05)
                if not os.path.exists(directory):
                    break
            time.sleep(0.05)


# The longest a probe waits, after the student's function returns, for threads it started to end.
SETTLE_SECONDS = 5.0


def _pool_worker(thread: threading.Thread) -> bool:
    """A thread pool's worker (concurrent.futures): it waits for work and ends only with its pool."""
    from concurrent.futures import thread as pool

    return getattr(thread, "_target", None) is pool._worker


@contextlib.contextmanager
def settled(limit: float | None = None):
    """Wait, when the code inside is done, for the threads it started to end (idle pool workers aside), at most
    ``limit`` seconds in all (default SETTLE_SECONDS). A background save the student did not wait for then
    finishes before its folder is packed or removed, the same in a sandboxed child and in this process, and no
    thread of one probe is still running when the next starts, where it could: a write failing half-way because
    its folder was removed leaves Orbax's threads waiting for minutes, then logging tracebacks from another
    thread while this one parses source (ast.parse is not thread-safe on CPython 3.11). What a probe checks
    about the moment of return it records before this wait."""
    before = set(threading.enumerate())
    try:
        yield
    finally:
        deadline = time.monotonic() + (SETTLE_SECONDS if limit is None else limit)
        for thread in threading.enumerate():
            if thread in before or thread is threading.current_thread() or _pool_worker(thread):
                continue
            with contextlib.suppress(Exception):  # the plain join: a subclass's may raise (Orbax's does)
                threading.Thread.join(thread, max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                _release_orbax(thread)


def _release_orbax(thread: threading.Thread) -> None:
    """An Orbax background thread still waiting, once the time is up, for a signal that will never come (a save
    that failed half-way: the step that sends it never ran) would wait for minutes: cancel it and send what it
    waits for, so it ends without running its work. Orbax's own ``cancel`` and ``set_signals``."""
    future = sys.modules.get("orbax.checkpoint._src.futures.future")
    kind = getattr(future, "_SignalingThread", None)
    if kind is None or not isinstance(thread, kind):
        return
    with contextlib.suppress(Exception):
        thread.cancel()
        future.set_signals(thread._receive_signals, operation_id=thread._operation_id)
        threading.Thread.join(thread, 1.0)


# ------------------------------------------------------------------------------------------ running probes
def _validated(value: Any, keep_given: bool) -> dict:
    data = plain(value)
    if type(data) is not dict or set(data) != set(RESULT_PARTS) or type(data["report"]) is not dict \
            or type(data["given"]) is not dict:
        raise ProbeDataError("the probe did not return result(out=..., report=..., given=...)")
    if not keep_given:
        del data["given"]
    return data


def run_probe(probe: Callable, impl: Any, seed: int, args: tuple = (), *, substitutes: dict | None = None,
              files: Any = None, keep_given: bool = False, catch: tuple = (Exception, SystemExit)) -> dict:
    """Run one probe; return ``{"ok": True, "data": {...}}`` or ``{"ok": False, "error": {...}}``.

    ``files``: for a round-trip probe, a bundle to unpack into its directory first (the trusted writer's
    files). When the probe has a reader, the files it leaves are packed into ``data["files"]``.
    Exceptions from student code become data (``catch``: the sandboxed child catches everything). Threads the
    student's code started get up to SETTLE_SECONDS to end before the files are packed (see ``settled``)."""
    rng = np.random.default_rng(seed)
    impl_file = getattr(impl, "__file__", None)
    takes_files = hasattr(probe, "reader")
    settings = baseline_settings()
    restore_jax_settings(settings)
    try:
        with swapped(impl, substitutes or {}), restored(settings):
            if not takes_files:
                with settled():
                    value = probe(impl, rng, *args)
                return {"ok": True, "data": _validated(value, keep_given)}
            with workspace() as directory:
                if files is not None:
                    unpack_files(files, directory)
                with settled():
                    value = probe(impl, rng, directory, *args)
                data = _validated(value, keep_given)
                if probe.reader is not None:
                    data["files"] = pack_files(directory)
                return {"ok": True, "data": data}
    except catch as exc:  # noqa: BLE001 - student code may raise anything
        return {"ok": False, "error": describe_exception(exc, impl_file)}


def run_reader(probe: Callable, seed: int, args: tuple, bundle: Any) -> Any:
    """Trusted: read what a round-trip probe's student stage wrote (from its bundle); plain data."""
    with workspace("jaxkit-read-") as directory:
        unpack_files(bundle, directory)
        return plain(probe.reader(np.random.default_rng(seed), directory, *args))


def run_writer(probe: Callable, secret_seed: int, args: tuple) -> dict:
    """Trusted: the files a round-trip probe's student stage starts from, as a bundle."""
    with workspace("jaxkit-write-") as directory:
        probe.writer(np.random.default_rng(secret_seed), directory, *args)
        return pack_files(directory)


# ------------------------------------------------------------------------------------------ probe helpers
def changed_globals(impl: Any, call: Callable[[], Any]) -> list[str]:
    """Run ``call()`` and return the names of the implementation's globals it rebound or mutated."""

    def snapshot() -> dict:
        shot = {}
        for name, value in list(vars(impl).items()):
            if name.startswith("__") or isinstance(value, (types.ModuleType, types.FunctionType, type)):
                continue
            try:
                content = repr(value)[:4000] if isinstance(value, (list, dict, set, np.ndarray)) else None
            except Exception:  # noqa: BLE001
                content = None
            shot[name] = (id(value), content)
        return shot

    before = snapshot()
    call()
    after = snapshot()
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def _sub_jaxprs(eqn):
    import jax.extend.core as jex

    for param in eqn.params.values():
        for sub in param if isinstance(param, (list, tuple)) else (param,):
            if isinstance(sub, (jex.ClosedJaxpr, jex.Jaxpr)):
                yield sub


def primitive_names(jaxpr) -> set[str]:
    """Every primitive in a (closed) jaxpr, recursing into sub-jaxprs (cond branches, loop bodies, jit)."""
    names: set[str] = set()
    for eqn in getattr(jaxpr, "jaxpr", jaxpr).eqns:
        names.add(eqn.primitive.name)
        for sub in _sub_jaxprs(eqn):
            names |= primitive_names(sub)
    return names


def count_equations(jaxpr) -> int:
    """Number of equations, sub-jaxprs included: grows with a Python loop that unrolls."""
    return sum(1 + sum(count_equations(sub) for sub in _sub_jaxprs(eqn)) for eqn in getattr(jaxpr, "jaxpr", jaxpr).eqns)


def raised(call: Callable[[], Any]) -> str | None:
    """Run call(); return the exception's type name, or None when it returned normally."""
    try:
        call()
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__
    return None


class ForbiddenCall(RuntimeError):
    """A function the task must not use was called."""


@contextlib.contextmanager
def forbidden(impl: Any, module: Any, names: tuple[str, ...], label: str):
    """Make ``module.<name>`` (and any global of ``impl`` bound to the same object) raise while active.

    Yields the list of forbidden names that were called, e.g. ``["jax.nn.softmax"]``. An in-process rule:
    it tells an honest student what not to use; it cannot stop code that undoes it."""
    calls: list[str] = []
    originals = {name: getattr(module, name) for name in names}

    def raiser(name):
        def call(*args, **kwargs):
            calls.append(f"{label}.{name}")
            raise ForbiddenCall(f"{label}.{name} must not be called in this task")
        return call

    replacements = {name: raiser(name) for name in names}
    namespace = vars(impl)
    aliased = {g: replacements[n] for g, v in list(namespace.items()) for n, o in originals.items() if v is o}
    try:
        for name in names:
            setattr(module, name, replacements[name])
        with swapped(impl, aliased):
            yield calls
    finally:
        for name, original in originals.items():
            setattr(module, name, original)


AUTODIFF = ("grad", "value_and_grad", "vjp", "jvp", "linearize", "jacobian", "jacfwd", "jacrev", "hessian",
            "linear_transpose")


@contextlib.contextmanager
def forbid_autodiff(impl: Any):
    """No automatic differentiation while active: every public entry point in ``jax`` and the machinery
    they share (JVP and linearize traces, transposition) raise ForbiddenCall. Yields the calls seen."""
    import jax
    from jax._src.interpreters import ad

    with forbidden(impl, jax, AUTODIFF, "jax") as calls:
        def trace_init(kind):
            def init(self, *args, **kwargs):
                calls.append(f"jax autodiff ({kind})")
                raise ForbiddenCall(f"automatic differentiation ({kind}) must not be used in this task")
            return init

        def refuse_transposition(*args, **kwargs):
            calls.append("jax autodiff (transposition)")
            raise ForbiddenCall("automatic differentiation (transposition) must not be used in this task")

        saved = {cls: cls.__init__ for cls in (ad.JVPTrace, ad.LinearizeTrace)}
        saved_backward = ad.backward_pass
        try:
            for cls in saved:
                cls.__init__ = trace_init(cls.__name__)
            ad.backward_pass = refuse_transposition
            yield calls
        finally:
            for cls, init in saved.items():
                cls.__init__ = init
            ad.backward_pass = saved_backward


def mesh_key(mesh) -> list:
    """A mesh as plain data (axis names, sizes and types), to compare meshes across a call."""
    return [list(mesh.axis_names), [int(s) for s in mesh.axis_sizes], [str(t) for t in mesh.axis_types]]


def shard_map_meshes(call):
    """Run call() and list the mesh of every shard_map that ran meanwhile (recorded where jax resolves it)."""
    from jax._src import shard_map as shard_map_module

    original, meshes = shard_map_module._shmap_checks, []

    def spy(mesh, *args, **kwargs):
        resolved = original(mesh, *args, **kwargs)
        meshes.append(mesh_key(resolved[0]))
        return resolved

    shard_map_module._shmap_checks = spy
    try:
        value = call()
    finally:
        shard_map_module._shmap_checks = original
    return value, meshes
