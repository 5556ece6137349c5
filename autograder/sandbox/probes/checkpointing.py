"""Probes for topic `checkpointing`. The verdicts live in autograder/grading/checks/test_checkpointing.py.

Every probe is a round trip (``probing.round_trip``) and works inside the ``directory`` the framework gives it:

- A student's **save** (``save_state``, ``save_with_metadata``, the saves inside ``train_with_checkpoints``, the
  managers of ``make_manager`` and ``make_best_manager``) writes there, in the student's process. A trusted
  ``read_*`` function restores those files in a separate process that loads no student code; what it finds is
  ``read`` and is compared with what the same reader found in the reference's files.
- A student's **restore** (``restore_state``) reads checkpoints that the trusted ``write_*`` function wrote,
  in the grader, with values the student's process cannot know: the only way to return the expected state is
  to really restore it.

``out`` holds what the student's functions returned (restored states, raised errors, a manager's answers),
``report`` what only code beside them can measure (a save still in progress when the function returned, how
many training steps a call ran). Every manager a probe opens is closed before it returns, and a probe that
changes the working directory changes it back. Typed PRNG keys travel as ``jax.random.key_data``.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from functools import lru_cache
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp
from flax import linen as nn
from flax.training import train_state

from autograder.sandbox.probing import result, round_trip, type_name

FEATURES = 5
# While armed, a trusted manager's background save waits this long before it commits the checkpoint: a function
# that returns without waiting for its save is then caught with the save in progress on every run.
LINGER = 0.2


# ------------------------------------------------------------------------------------------ the state
class _Net(nn.Module):
    @nn.compact
    def __call__(self, x, train: bool):
        x = nn.Dense(6)(x)
        x = nn.Dropout(0.3, deterministic=not train)(nn.relu(x))
        return nn.Dense(3)(x)


class _State(train_state.TrainState):
    batch_stats: Any
    key: jax.Array


@lru_cache(maxsize=None)
def _tx(learning_rate: float):
    return optax.adam(learning_rate)


@lru_cache(maxsize=None)
def _net() -> _Net:
    # One module object: apply_fn is a static field of the state, and a new one would make jit recompile.
    return _Net()


@lru_cache(maxsize=None)
def _param_shapes():
    return jax.eval_shape(lambda: _net().init(jax.random.key(0), jnp.zeros((1, FEATURES), jnp.float32),
                                              train=False))["params"]


def _normal(rng, shape, scale=0.5) -> jax.Array:
    return jnp.asarray((rng.normal(size=shape) * scale).astype(np.float32))


def _fresh_state(rng, learning_rate: float = 1e-2, step: int = 0) -> _State:
    """A state as a run starts it: random parameters, zero moments, neutral input statistics, a fresh key. Built
    from `rng` without compiling anything."""
    params = jax.tree.map(lambda s: _normal(rng, s.shape), _param_shapes())
    stats = {"mean": jnp.zeros(FEATURES, jnp.float32), "var": jnp.ones(FEATURES, jnp.float32)}
    state = _State.create(apply_fn=_net().apply, params=params, tx=_tx(learning_rate), batch_stats=stats,
                          key=jax.random.key(int(rng.integers(2**31))))
    return state.replace(step=step) if step else state


def _trained_state(rng, steps: tuple[int, int] = (1, 500)) -> _State:
    """A state whose parameters, optimizer moments and count, statistics, step (drawn from `steps`) and key are
    all random, and so differ from any other state the probe makes."""
    state = _fresh_state(rng)
    opt_state = jax.tree.map(lambda a: jnp.asarray(rng.integers(1, 500), a.dtype) if a.dtype.kind == "i"
                             else _normal(rng, a.shape, 0.1), state.opt_state)
    stats = {"mean": _normal(rng, FEATURES), "var": jnp.asarray(rng.uniform(0.5, 2.0, FEATURES).astype(np.float32))}
    return state.replace(step=jnp.asarray(rng.integers(*steps), jnp.int32), opt_state=opt_state, batch_stats=stats)


PAD = 8  # every batch is padded to this many rows (with a mask), so the step compiles once for any batch size


@lru_cache(maxsize=None)
def _step():
    """The probes' train step: every part of the state matters for the next one. The inputs are normalised with
    running statistics kept in `batch_stats`; the key is split and, unlike in the lesson's `train_step`, its
    *second* half kept, so code that calls the lesson's function instead of the one it was given takes other
    steps."""
    def core(state, x, y, mask):
        dropout_key, key = jax.random.split(state.key)
        weights = mask / mask.sum()
        mean = weights @ x
        var = weights @ (x - mean) ** 2
        stats = {"mean": 0.8 * state.batch_stats["mean"] + 0.2 * mean,
                 "var": 0.8 * state.batch_stats["var"] + 0.2 * var}
        inputs = (x - stats["mean"]) / jnp.sqrt(stats["var"] + 1e-3)

        def loss_fn(params):
            logits = state.apply_fn({"params": params}, inputs, train=True, rngs={"dropout": dropout_key})
            return (weights * optax.softmax_cross_entropy_with_integer_labels(logits, y)).sum()

        loss, grads = jax.value_and_grad(loss_fn)(state.params)
        return state.apply_gradients(grads=grads, batch_stats=stats, key=key), loss

    jitted = jax.jit(core)
    device = jax.devices()[0]

    def step(state, batch):
        rows = len(batch["y"])
        x = np.zeros((PAD, FEATURES), np.float32)
        y = np.zeros((PAD,), np.int32)
        x[:rows], y[:rows] = batch["x"], batch["y"]
        mask = (np.arange(PAD) < rows).astype(np.float32)
        # Fresh, stepped and restored states differ in which arrays are committed to a device (and a fresh
        # step is a Python int); jit compiles once per such pattern, so everything goes to one device first.
        state = state.replace(step=jnp.asarray(state.step, jnp.int32))
        return jitted(*jax.device_put((state, x, y, mask), device))

    return step


def _data(rng, n: int) -> dict:
    return {"x": rng.normal(size=(n, FEATURES)).astype(np.float32), "y": rng.integers(0, 3, n).astype(np.int32)}


@lru_cache(maxsize=None)
def _abstract_state():
    """The restore target of every state the probes save: shapes, dtypes and structure, no values."""
    return jax.tree.map(ocp.utils.to_shape_dtype_struct, _trained_state(np.random.default_rng(0)))


def _is_key(leaf) -> bool:
    return isinstance(leaf, jax.Array) and jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key)


# A Python scalar leaf is as good as a 0-d array of JAX's default dtype: a fresh TrainState's step is the Python
# int 0, and restoring into such a template gives a Python int back where another correct restore gives int32.
_SCALARS = {bool: np.bool_, int: np.int32, float: np.float32}


def _array(leaf) -> np.ndarray:
    if _is_key(leaf):
        return np.asarray(jax.random.key_data(leaf))
    if type(leaf) in _SCALARS:
        return np.asarray(leaf, _SCALARS[type(leaf)])
    return np.asarray(leaf)


def _leaves(tree) -> dict:
    """{leaf path: array}, typed keys as their key data; paths name the container types (`.params[...]` for a
    TrainState, `['params'][...]` for a dict), so a restore into the wrong structure shows."""
    return {jax.tree_util.keystr(path): _array(leaf) for path, leaf in jax.tree_util.tree_leaves_with_path(tree)}


def _dtypes(tree) -> dict:
    """{leaf path: dtype name}: a typed key shows as `key<fry>`, a Python scalar as its default JAX dtype."""
    return {jax.tree_util.keystr(path): np.dtype(_SCALARS[type(leaf)]).name if type(leaf) in _SCALARS
            else str(getattr(leaf, "dtype", type(leaf).__name__))
            for path, leaf in jax.tree_util.tree_leaves_with_path(tree)}


def _ints(loader) -> Any:
    """A returned loader position as plain ints (NumPy integers too); anything else as it is."""
    if type(loader) is not dict:
        return loader
    return {k: int(v) if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else v for k, v in loader.items()}


# ------------------------------------------------------------------------------------------ files and managers
@contextlib.contextmanager
def _opened(directory: str):
    """A list to put managers in; all of them are finished and closed on the way out, whatever happened. When the
    student's code raised, a save that failed half-way may have left background writes that no manager waits
    for (an item whose serialisation had started before another item of the same save failed): then wait
    until the files under `directory` stop changing, so the folder can be removed for good afterwards."""
    managers: list = []
    failed = True
    try:
        yield managers
        failed = False
    finally:
        for mngr in managers:
            with contextlib.suppress(Exception):
                mngr.wait_until_finished()
            with contextlib.suppress(Exception):
                mngr.close()
        if failed:
            _settle(directory)


def _snapshot(directory: str) -> set:
    found = set()
    for root, _, files in os.walk(directory):
        for name in files:
            with contextlib.suppress(OSError):
                found.add((os.path.join(root, name), os.path.getsize(os.path.join(root, name))))
    return found


def _settle(directory: str, limit: float = 3.0) -> None:
    deadline, last = time.monotonic() + limit, None
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = _snapshot(directory)
        if now == last:
            return
        last = now


def _trusted_manager(managers: list, path: str, linger: list | None = None, **options) -> ocp.CheckpointManager:
    """A manager the probe builds for the student's function. While ``linger[0]`` is true, each background save
    sleeps before its commit (Orbax runs ``post_finalization_callback`` just before it renames the finished
    temporary folder into place)."""
    def before_commit():
        if linger and linger[0]:
            time.sleep(LINGER)

    mngr = ocp.CheckpointManager(path, options=ocp.CheckpointManagerOptions(
        async_options=ocp.AsyncOptions(post_finalization_callback=before_commit), **options))
    managers.append(mngr)
    return mngr


def _steps_on_disk(path: str) -> list[int]:
    """The committed checkpoints under `path`: Orbax writes into `<step>.orbax-checkpoint-tmp` and renames the
    folder to `<step>` only when the save is complete."""
    if not os.path.isdir(path):
        return []
    return sorted(int(name) for name in os.listdir(path) if name.isdigit() and os.path.isdir(os.path.join(path, name)))


def _error(exc: BaseException, directory: str | None = None) -> str:
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0][:240] if lines else ''}"
    return text.replace(directory, "<directory>") if directory else text


def _in_progress(mngr) -> bool:
    return bool(mngr.is_saving_in_progress())


@contextlib.contextmanager
def _cwd(path: str):
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


# ------------------------------------------------------------------------------------------ trusted readers
def _quiet_orbax() -> None:
    from absl import logging as absl_logging
    absl_logging.set_verbosity(absl_logging.ERROR)


@contextlib.contextmanager
def _checkpointer():
    """What a trusted reader restores with: a step's folder read as ``CheckpointManager.restore`` reads it (a
    Composite of items; a manager's lone item is the item 'default'), without a manager's start-up for every
    folder. One for each reader, so nothing one task's files did to it reaches another task's reading."""
    checkpointer = ocp.Checkpointer(ocp.CompositeCheckpointHandler())
    try:
        yield checkpointer
    finally:
        checkpointer.close()


def _restore(checkpointer, path: str, step: int, **items) -> dict:
    """The items of the committed checkpoint `step` under `path`, restored with the given args."""
    return checkpointer.restore(os.path.join(path, str(step)), args=ocp.args.Composite(**items))


def _saved_names(item_path: str) -> list[str] | None:
    """The top-level names of the tree a StandardSave wrote (from its `_METADATA`), or None when unreadable."""
    try:
        with open(os.path.join(item_path, "_METADATA")) as handle:
            tree = json.load(handle)["tree_metadata"]
        return sorted({str(entry["key_metadata"][0]["key"])[:60] for entry in tree.values()})[:20]
    except Exception:  # noqa: BLE001 - whatever was written there, it is not a tree we can name
        return None


def _items(step_path: str) -> list[str]:
    return sorted(name[:60] for name in os.listdir(step_path) if os.path.isdir(os.path.join(step_path, name)))[:20]


def _item_args(items: tuple[str | None, ...], json_items: tuple[str, ...] = ()) -> dict:
    """Restore args by the name each item has on disk: state items (None is a manager's lone item, 'default')
    into the abstract TrainState, JSON items as JSON."""
    return {**{item or "default": ocp.args.StandardRestore(_abstract_state()) for item in items},
            **{item: ocp.args.JsonRestore() for item in json_items}}


def _read_state_item(checkpointer, path: str, step: int, item: str | None) -> dict:
    """One saved TrainState restored into the abstract target: {"leaves": ...}, or what is there instead."""
    try:
        return {"leaves": _leaves(_restore(checkpointer, path, step, **_item_args((item,)))[item or "default"])}
    except Exception as exc:  # noqa: BLE001 - the files hold something else than the state
        step_path = os.path.join(path, str(step))
        return {"error": _error(exc, path), "items": _items(step_path),
                "saved": _saved_names(os.path.join(step_path, item or "default"))}


def _read_json_item(checkpointer, path: str, step: int, item: str) -> dict:
    try:
        return {"json": _restore(checkpointer, path, step, **_item_args((), (item,)))[item]}
    except Exception as exc:  # noqa: BLE001
        return {"error": _error(exc, path), "items": _items(os.path.join(path, str(step)))}


def _read_checkpoint(checkpointer, path: str, step: int, items: tuple[str | None, ...],
                     json_items: tuple[str, ...]) -> dict:
    """One checkpoint's state items (as TrainStates) and JSON items, all restored at once; when that fails, item
    by item, so each says what is wrong with it."""
    try:
        restored = _restore(checkpointer, path, step, **_item_args(items, json_items))
        entry = {item or "state": {"leaves": _leaves(restored[item or "default"])} for item in items}
        return {**entry, **{item: {"json": restored[item]} for item in json_items}}
    except Exception:  # noqa: BLE001 - read each item alone below
        entry = {item or "state": _read_state_item(checkpointer, path, step, item) for item in items}
        return {**entry, **{item: _read_json_item(checkpointer, path, step, item) for item in json_items}}


def _read_states(checkpointer, path: str, items: tuple[str | None, ...] = (None,),
                 json_items: tuple[str, ...] = ()) -> dict:
    """Every committed checkpoint under `path`: its state items restored as TrainStates, its JSON items."""
    _quiet_orbax()
    steps = _steps_on_disk(path)
    return {"steps": steps, "checkpoints": {str(step): _read_checkpoint(checkpointer, path, step, items, json_items)
                                            for step in steps}}


def _read_small_trees(checkpointer, path: str) -> dict:
    """Every committed checkpoint under `path` restored as the small tree the manager probes save."""
    _quiet_orbax()
    steps = _steps_on_disk(path)
    arrays = {}
    for step in steps:
        try:
            restored = _restore(checkpointer, path, step, default=ocp.args.StandardRestore(_SMALL_TARGET))
            arrays[str(step)] = restored["default"]
        except Exception as exc:  # noqa: BLE001
            arrays[str(step)] = {"error": _error(exc, path)}
    return {"steps": steps, "arrays": arrays}


# ------------------------------------------------------------------------------------------ make_manager
def _small_tree(rng, step: int) -> dict:
    return {"w": rng.normal(size=(3,)).astype(np.float32), "n": np.int32(step)}


_SMALL_TARGET = {"w": jax.ShapeDtypeStruct((3,), jnp.float32), "n": jax.ShapeDtypeStruct((), jnp.int32)}
MANAGER_RUNS = ("runs/first", "elsewhere/nested/ckpt")


def read_manager_runs(rng, directory):
    """Trusted reader: the committed checkpoints of both managers and what each holds."""
    with _checkpointer() as checkpointer:
        return {relative: _read_small_trees(checkpointer, os.path.join(directory, *relative.split("/")))
                for relative in MANAGER_RUNS}


@round_trip(reader=read_manager_runs)
def manager_relative_paths_and_retention(impl, rng, directory):
    """make_manager, given relative directories, saves under the working directory of the call (even after it
    changed) and keeps only the max_to_keep latest checkpoints"""
    keeps = [int(k) for k in rng.permutation([1, int(rng.integers(2, 5))])]  # max_to_keep=1 in every run
    # (relative path, working directory of the call, working directory while saving)
    plan = [(MANAGER_RUNS[0], ".", "elsewhere"), ("nested/ckpt", "elsewhere", ".")]
    os.makedirs(os.path.join(directory, "elsewhere"))
    runs, out, report = [], {}, {"absolute": [], "async": [], "errors": []}
    with _opened(directory) as managers:
        for (relative, call_dir, save_dir), keep in zip(plan, keeps):
            count = keep + int(rng.integers(1, 3))
            steps = [int(s) for s in np.cumsum(rng.integers(1, 4, size=count)) + int(rng.integers(0, 5))]
            with _cwd(os.path.join(directory, call_dir)):
                mngr = impl.make_manager(relative, keep)
            managers.append(mngr)
            error = None
            with _cwd(os.path.join(directory, save_dir)):
                try:
                    for step in steps:
                        mngr.save(step, args=ocp.args.StandardSave(_small_tree(rng, step)))
                    mngr.wait_until_finished()
                except Exception as exc:  # noqa: BLE001 - a relative path fails here, in the background save
                    error = _error(exc)
            answers = {}
            for name in ("all_steps", "latest_step"):
                try:
                    value = getattr(mngr, name)()
                    answers[name] = [int(s) for s in value] if name == "all_steps" else value
                except Exception as exc:  # noqa: BLE001
                    answers[name] = _error(exc)
            out[relative] = answers
            report["absolute"].append(os.path.isabs(str(getattr(mngr, "directory", ""))))
            options = getattr(mngr, "_options", None)
            report["async"].append(getattr(options, "enable_async_checkpointing", None))
            report["errors"].append(error)
            runs.append({"path": relative, "call_dir": call_dir, "keep": keep, "steps": steps})
    return result(out=out, report=report, given={"runs": runs})


# ------------------------------------------------------------------------------------------ save_state
def read_saved_states(rng, directory):
    """Trusted reader: every committed checkpoint save_state wrote, restored as a TrainState."""
    with _checkpointer() as checkpointer:
        return _read_states(checkpointer, os.path.join(directory, "ckpt"))


@round_trip(reader=read_saved_states)
def save_state_behaviour(impl, rng, directory):
    """save_state writes the whole TrainState, returns only once it is on disk, and refuses a step that is not
    after the latest one"""
    # The states' own steps come before `first`, in order: a save under state.step instead of `step` goes through.
    first_state, second_state, refused_state = (_trained_state(rng, r) for r in ((1, 4), (4, 8), (1, 8)))
    first = int(rng.integers(10, 40))
    second = first + int(rng.integers(3, 12))
    between = int(rng.integers(first + 1, second))
    path = os.path.join(directory, "ckpt")
    linger = [True]
    report = {"in_progress": []}
    refused = {}
    with _opened(directory) as managers:
        mngr = _trusted_manager(managers, path, linger)
        for step, state in ((first, first_state), (second, second_state)):
            impl.save_state(mngr, step, state)
            report["in_progress"].append(_in_progress(mngr))
            linger[0] = False  # the first save is enough to catch a function that does not wait
            mngr.wait_until_finished()
        for name, step in (("existing", first), ("earlier", between)):
            try:
                impl.save_state(mngr, step, refused_state)
                refused[name] = False
            except ValueError:
                refused[name] = True
            mngr.wait_until_finished()
    return result(out={"refused": refused}, report=report,
                  given={"first": first, "second": second, "between": between})


# ------------------------------------------------------------------------------------------ restore_state
def write_restore_checkpoints(rng, directory):
    """Trusted writer: three different trained states at step 0 and two later steps. Its `rng` comes from the
    grader's secret, so code that does not read the files cannot know what they hold."""
    steps = [0] + sorted(int(s) for s in rng.choice(np.arange(1, 60), size=2, replace=False))
    values = rng
    mngr = ocp.CheckpointManager(os.path.join(directory, "ckpt"))
    try:
        for step in steps:
            mngr.save(step, args=ocp.args.StandardSave(_trained_state(values)))
        mngr.wait_until_finished()
    finally:
        mngr.close()


def _restored(value, template) -> tuple[dict, dict]:
    """(out, report) for one state restore_state returned."""
    report = {"type": type_name(value), "is_template_class": type(value) is type(template),
              "same_structure": jax.tree.structure(value) == jax.tree.structure(template),
              "template_functions": getattr(value, "tx", None) is template.tx
              and getattr(value, "apply_fn", None) is template.apply_fn,
              "opt_state_types": [type(s).__name__ for s in value.opt_state]
              if isinstance(getattr(value, "opt_state", None), (tuple, list)) else None,
              "dtypes": _dtypes(value)}
    return _leaves(value), report


@round_trip(writer=write_restore_checkpoints)
def restore_state_round_trip(impl, rng, directory):
    """restore_state restores the TrainState saved at the latest step and at a given step, into the template's
    class with Optax's structures"""
    template = _fresh_state(rng, float(rng.choice([3e-3, 3e-2, 1e-1])))
    out, report = {}, {}
    with _opened(directory) as managers:
        mngr = _trusted_manager(managers, os.path.join(directory, "ckpt"))
        steps = sorted(int(s) for s in mngr.all_steps())
        calls = {"latest": lambda: impl.restore_state(mngr, template),
                 "earliest": lambda: impl.restore_state(mngr, template, steps[0]),
                 "middle": lambda: impl.restore_state(mngr, template, step=steps[1])}
        for name, call in calls.items():
            out[name], report[name] = _restored(call(), template)
    return result(out=out, report=report, given={"steps": steps})


# ------------------------------------------------------------------------------------------ save_with_metadata
def read_metadata_checkpoints(rng, directory):
    """Trusted reader: each committed checkpoint's items 'state' (as a TrainState) and 'meta' (as JSON)."""
    with _checkpointer() as checkpointer:
        return _read_states(checkpointer, os.path.join(directory, "ckpt"), items=("state",), json_items=("meta",))


def _metadata(rng) -> dict:
    return {"epoch": int(rng.integers(0, 20)), "position": int(rng.integers(0, 1000)),
            "config": {"learning_rate": float(rng.choice([1e-3, 3e-3, 1e-2])), "batch_size": int(rng.integers(8, 64)),
                       "name": f"run-{int(rng.integers(100))}", "layers": [int(v) for v in rng.integers(4, 64, 2)],
                       "augment": bool(rng.integers(2)), "notes": None}}


@round_trip(reader=read_metadata_checkpoints)
def metadata_round_trip(impl, rng, directory):
    """save_with_metadata stores the state and the JSON metadata as the items 'state' and 'meta' of one
    checkpoint, and returns once it is on disk"""
    first = int(rng.integers(0, 30))
    second = first + int(rng.integers(1, 10))
    saves = [(first, _trained_state(rng), _metadata(rng)), (second, _trained_state(rng), _metadata(rng))]
    path = os.path.join(directory, "ckpt")
    linger = [True]
    report = {"in_progress": []}
    with _opened(directory) as managers:
        mngr = _trusted_manager(managers, path, linger)
        for step, state, metadata in saves:
            impl.save_with_metadata(mngr, step, state, json.loads(json.dumps(metadata)))
            report["in_progress"].append(_in_progress(mngr))
            linger[0] = False
            mngr.wait_until_finished()
    return result(out=None, report=report, given={"steps": [first, second]})


# ------------------------------------------------------------------------------------------ make_best_manager
BEST_RUNS = ("best_a", "best_b")
METRICS = ("accuracy", "val_accuracy", "top1", "f1")


def read_best_runs(rng, directory):
    """Trusted reader: the committed checkpoints of both best-keeping managers and what each holds."""
    with _checkpointer() as checkpointer:
        return {name: _read_small_trees(checkpointer, os.path.join(directory, name)) for name in BEST_RUNS}


def _top(values: list[float], keep: int) -> frozenset:
    return frozenset(sorted(range(len(values)), key=lambda s: -values[s])[:keep])


def _scores(rng, count: int, keep: int) -> tuple[list[float], list[float]]:
    """Distinct scores where the best `keep`, the latest `keep` and the worst `keep` are three different sets
    and the best one is neither the first nor the last; and the counts recorded beside them (another metric,
    distinct values) whose highest `keep` are a fourth set, so ranking by them keeps neither of the three."""
    while True:
        scores = [float(v) for v in rng.permutation(np.round(np.linspace(0.05, 0.95, count), 3))]
        best, worst = _top(scores, keep), _top([-v for v in scores], keep)
        latest = frozenset(range(count - keep, count))
        seen = [float(v) for v in rng.choice(1000, size=count, replace=False)]
        first_best = max(range(count), key=lambda s: scores[s])
        if len({best, worst, latest, _top(seen, keep)}) == 4 and first_best not in (0, count - 1):
            return scores, seen


@round_trip(reader=read_best_runs)
def best_manager_retention(impl, rng, directory):
    """make_best_manager keeps the checkpoints with the highest values of the named metric and reports the best
    step, whatever other metrics are recorded"""
    keeps = [int(k) for k in rng.permutation([1, int(rng.integers(2, 4))])]  # keep=1 in every run
    metrics = [str(m) for m in rng.choice(METRICS, size=2, replace=False)]
    out, runs = {}, []
    with _opened(directory) as managers:
        for name, keep, metric in zip(BEST_RUNS, keeps, metrics):
            count = keep + 3  # the fewest saves that leave room for four different sets of `keep`
            scores, seen = _scores(rng, count, keep)
            steps = [int(s) for s in np.cumsum(rng.integers(1, 4, size=count))]
            mngr = impl.make_best_manager(os.path.join(directory, name), keep, metric)
            managers.append(mngr)
            for step, score, counted in zip(steps, scores, seen):
                # The other metrics rank the steps differently: a loss (lower is better) and a count.
                others = {"loss": round(1.0 - score, 3), "seen": counted}
                mngr.save(step, args=ocp.args.StandardSave(_small_tree(rng, step)), metrics={metric: score, **others})
            mngr.wait_until_finished()
            best = mngr.best_step()
            out[name] = {"all_steps": [int(s) for s in mngr.all_steps()],
                         "best_step": None if best is None else int(best)}
            runs.append({"keep": keep, "metric": metric, "scores": scores, "steps": steps})
    return result(out=out, given={"runs": runs})


# ------------------------------------------------------------------------------------------ train_with_checkpoints
RUNS = ("straight", "crashed", "other")


def read_training_checkpoints(rng, directory):
    """Trusted reader: every committed checkpoint of the runs, its 'state' (as a TrainState) and 'loader' (JSON)."""
    with _checkpointer() as checkpointer:
        return {name: _read_states(checkpointer, os.path.join(directory, name), items=("state",),
                                   json_items=("loader",)) for name in RUNS}


def _positions(n: int, batch_size: int, loader: dict, steps: int) -> list[dict]:
    """The loader position after each of `steps` batches (the lesson's `next_batch` bookkeeping)."""
    epoch, position, seen = loader["epoch"], loader["position"], []
    for _ in range(steps):
        if position + batch_size > n:
            epoch, position = epoch + 1, 0
        position += batch_size
        seen.append({"epoch": epoch, "position": position})
    return seen


def _loader_start(rng, n: int, batch_size: int) -> dict:
    """A start position that is not the beginning: a run resumed by other means, or a hard-coded zero, shows."""
    return {"epoch": int(rng.integers(1, 4)), "position": int(rng.integers(1, n - batch_size + 1))}


def _training_plan(rng) -> dict:
    """Two settings of every argument. The main run starts at a step that is not a multiple of save_every (so
    counting a call's own steps shows) and saves three times; its batch size does not divide the data, and its
    crash comes between two saves, after at least one, with the latest checkpoint in a later epoch than the start
    (so a lost epoch, position or key shows). The other run has another batch size, save_every, num_steps and
    start, and saves once (at its save_every, which is not the main run's)."""
    while True:
        n = int(rng.integers(9, 15))
        batch_size, other_batch = (int(b) for b in rng.choice([2, 3, 4, 5], size=2, replace=False))
        save_every, other_every = (int(v) for v in rng.permutation([2, 3]))
        first_step = int(rng.integers(1, save_every))
        num_steps = save_every * 3
        if n % batch_size == 0 or n % other_batch == 0:
            continue
        start = _loader_start(rng, n, batch_size)
        positions = _positions(n, batch_size, start, num_steps - first_step)
        crashes = []
        for k in range(1, num_steps - first_step):
            latest = (first_step + k) // save_every * save_every
            if (first_step + k) % save_every and latest > first_step \
                    and positions[latest - first_step - 1]["epoch"] != start["epoch"]:
                crashes.append(k)
        if crashes:
            stop_after = int(rng.choice(crashes))
            other_first = int(rng.integers(1, other_every))
            other = {"batch_size": other_batch, "save_every": other_every, "first_step": other_first,
                     "num_steps": other_every + int(rng.integers(0, other_every)),
                     "start": _loader_start(rng, n, other_batch)}
            return {"n": n, "batch_size": batch_size, "save_every": save_every, "num_steps": num_steps,
                    "first_step": first_step, "start": start, "stop_after": stop_after,
                    "resume_from": (first_step + stop_after) // save_every * save_every, "other": other}


def _expected_steps(settings: dict) -> list[int]:
    return [s for s in range(settings["first_step"] + 1, settings["num_steps"] + 1) if s % settings["save_every"] == 0]


@round_trip(reader=read_training_checkpoints)
def resume_bit_for_bit(impl, rng, directory):
    """train_with_checkpoints saves every save_every steps, and a run stopped after k steps, called again, resumes
    from its latest checkpoint and ends bit for bit where the uninterrupted run ends"""
    plan = _training_plan(rng)
    data = _data(rng, plan["n"])
    start = int(rng.integers(2**31))  # every call starts from the same state
    counts: list[int] = []
    linger = [False]
    final = [0]

    def train_step(state, batch):
        counts[-1] += 1
        # The uninterrupted run's final save lingers before its commit: returning without waiting shows.
        linger[0] = len(counts) == 1 and int(state.step) + 1 == final[0]
        return _step()(state, batch)

    other = plan["other"]
    calls = (("straight", "straight", plan, {}), ("stopped", "crashed", plan, {"stop_after": plan["stop_after"]}),
             ("resumed", "crashed", plan, {}), ("restarted", "straight", plan, {}), ("other", "other", other, {}))
    out, report = {}, {"train_steps": {}, "in_progress": {}}
    with _opened(directory) as managers:
        for name, folder, settings, extra in calls:
            counts.append(0)
            final[0] = settings["num_steps"]
            mngr = _trusted_manager(managers, os.path.join(directory, folder), linger)
            initial = _fresh_state(np.random.default_rng(start), step=settings["first_step"])
            state, loader = impl.train_with_checkpoints(
                mngr, initial, data, dict(settings["start"]), num_steps=settings["num_steps"],
                batch_size=settings["batch_size"], save_every=settings["save_every"], train_step=train_step, **extra)
            report["in_progress"][name] = _in_progress(mngr)
            report["train_steps"][name] = counts[-1]
            linger[0] = False
            out[name] = {"state": _leaves(state), "loader": _ints(loader)}
            mngr.close()  # the "crash": the next call starts from a new manager on the same folder
    report["steps_on_disk"] = {folder: _steps_on_disk(os.path.join(directory, folder)) for folder in RUNS}
    _keep_bundle_small(directory, {"straight": _expected_steps(plan), "crashed": _expected_steps(plan),
                                   "other": _expected_steps(other)})
    return result(out=out, report=report, given=plan)


FILE_BUDGET = 200  # the files handed to the reader stay well below probing.MAX_BUNDLE_FILES


def _keep_bundle_small(directory: str, expected: dict) -> None:
    """A run that saved far more checkpoints than asked for (every step, say) would write more files than a
    bundle may carry: then only the checkpoints at the steps asked for go on to the reader. The steps found on
    disk are reported before, so the extra ones still fail the check."""
    count = sum(len(files) for _, _, files in os.walk(directory))
    if count <= FILE_BUDGET:
        return
    for folder, steps in expected.items():
        for step in set(_steps_on_disk(os.path.join(directory, folder))) - set(steps):
            shutil.rmtree(os.path.join(directory, folder, str(step)), ignore_errors=True)
