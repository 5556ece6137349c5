"""Probes for topic `checkpointing`. Each returns plain data; the verdicts live in autograder/grading/checks.

Every probe works in its own temporary directory, closes every manager it opened and removes the directory.
Checkpoints the student's function does not write are written and read by trusted code here, so a mistake in
one task never fails another task's checks. Typed PRNG keys are compared through ``jax.random.key_data``.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
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

from autograder.sandbox.probing import memo_probe

FEATURES = 6





class _Net(nn.Module):
    @nn.compact
    def __call__(self, x, train: bool):
        x = nn.Dense(8, use_bias=False)(x)
        x = nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)
        x = nn.Dropout(0.3, deterministic=not train)(nn.relu(x))
        return nn.Dense(3)(x)


class _State(train_state.TrainState):
    batch_stats: Any
    key: jax.Array


@lru_cache(maxsize=None)
def _tx():
    return optax.adam(1e-2)


@lru_cache(maxsize=None)
def _net() -> _Net:
    # One module object: apply_fn is a static field of the state, and a new one would make jit recompile.
    return _Net()


@lru_cache(maxsize=None)
def _jit_init():
    return jax.jit(lambda k: _net().init(k, jnp.zeros((1, FEATURES), jnp.float32), train=False))


def _fresh_state(seed: int) -> _State:
    init_key, key = jax.random.split(jax.random.key(seed))
    variables = _jit_init()(init_key)
    return _State.create(apply_fn=_net().apply, params=variables["params"], tx=_tx(),
                         batch_stats=variables["batch_stats"], key=key)


@lru_cache(maxsize=None)
def _step():
    def step(state, batch):
        key, dropout_key = jax.random.split(state.key)

        def loss_fn(params):
            logits, updates = state.apply_fn({"params": params, "batch_stats": state.batch_stats}, batch["x"],
                                             train=True, rngs={"dropout": dropout_key}, mutable=["batch_stats"])
            return optax.softmax_cross_entropy_with_integer_labels(logits, batch["y"]).mean(), updates

        (loss, updates), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.params)
        return state.apply_gradients(grads=grads, batch_stats=updates["batch_stats"], key=key), loss

    jitted = jax.jit(step)
    device = jax.devices()[0]

    def committed_step(state, batch):
        # Fresh, stepped and restored states differ in which arrays are committed to a device, and jit
        # compiles once per such pattern; putting everything on one device first keeps it to one compile.
        return jitted(*jax.device_put((state, batch), device))

    return committed_step


def _data(rng, n=20) -> dict:
    return {"x": rng.normal(size=(n, FEATURES)).astype(np.float32), "y": rng.integers(0, 3, n).astype(np.int32)}


def _trained_state(rng, steps=2) -> _State:
    """A state whose optimizer moments, statistics, step and key all differ from a fresh one."""
    state = _fresh_state(int(rng.integers(2**31)))
    data = _data(rng, 8)
    for _ in range(steps):
        state, _ = _step()(state, data)
    return state


def _is_key(a) -> bool:
    return isinstance(a, jax.Array) and jax.dtypes.issubdtype(a.dtype, jax.dtypes.prng_key)


def _leaves(tree) -> list:
    return [np.asarray(jax.random.key_data(a)) if _is_key(a) else np.asarray(a) for a in jax.tree.leaves(tree)]


def _paths(tree) -> list[str]:
    return [jax.tree_util.keystr(p) for p, _ in jax.tree_util.tree_leaves_with_path(tree)]


def _first_difference(got, expected) -> str | None:
    """The path of the first leaf that is not bit-identical, or None when every leaf is."""
    got_leaves, expected_leaves = _leaves(got), _leaves(expected)
    if len(got_leaves) != len(expected_leaves):
        return f"(the trees have {len(got_leaves)} and {len(expected_leaves)} leaves)"
    for path, a, b in zip(_paths(expected), got_leaves, expected_leaves):
        if a.shape != b.shape or not np.array_equal(a, b):
            return path
    return None


def _abstract(state):
    return jax.tree.map(ocp.utils.to_shape_dtype_struct, state)


@contextlib.contextmanager
def _tempdir():
    root = tempfile.mkdtemp(prefix="jaxkit-ckpt-")
    managers: list = []
    try:
        yield root, managers
    finally:
        for mngr in managers:
            with contextlib.suppress(Exception):
                mngr.wait_until_finished()
            with contextlib.suppress(Exception):
                mngr.close()
        # A save that failed half-way may still have a background writer finishing: remove until it is gone.
        for _ in range(20):
            shutil.rmtree(root, ignore_errors=True)
            time.sleep(0.05)
            if not os.path.exists(root):
                break


def _manager(managers: list, directory: str, **options) -> ocp.CheckpointManager:
    mngr = ocp.CheckpointManager(directory, options=ocp.CheckpointManagerOptions(**options))
    managers.append(mngr)
    return mngr


def _error(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:200] if lines else ''}"


class _Recorder:
    """A CheckpointManager seen through a proxy that records which methods the student called, in order."""

    def __init__(self, mngr):
        self._mngr, self.calls = mngr, []

    def __getattr__(self, name):
        attr = getattr(self._mngr, name)
        if callable(attr):
            def recorded(*args, **kwargs):
                self.calls.append(name)
                return attr(*args, **kwargs)
            return recorded
        return attr


# ------------------------------------------------------------------------------------------ make_manager
@memo_probe("make_manager")
def manager_relative_path_and_retention(impl, rng):
    """make_manager, given a relative directory, saves under the working directory and keeps the latest checkpoints"""
    keep = int(rng.integers(2, 4))
    count = keep + int(rng.integers(2, 4))
    with _tempdir() as (root, managers):
        previous = os.getcwd()
        # Stay in the temporary directory until the manager is closed: a manager on a relative path writes
        # relative to whatever the working directory is when it saves.
        os.chdir(root)
        try:
            mngr = impl.make_manager("runs/ckpt", keep)
            error = None
            try:
                for step in range(count):
                    mngr.save(step, args=ocp.args.StandardSave({"w": jnp.full((3,), float(step))}))
                mngr.wait_until_finished()
            except Exception as exc:  # noqa: BLE001 - a relative path fails here, in the background save
                error = _error(exc)
            steps = [int(s) for s in mngr.all_steps()] if error is None else None
            absolute = os.path.isabs(str(mngr.directory))
            with contextlib.suppress(Exception):
                mngr.close()
        finally:
            os.chdir(previous)
        on_disk = sorted(int(d) for d in os.listdir(os.path.join(root, "runs", "ckpt")) if d.isdigit()) \
            if os.path.isdir(os.path.join(root, "runs", "ckpt")) else []
    return {"error": error, "steps": steps, "on_disk": on_disk, "absolute": absolute, "keep": keep,
            "expected_steps": list(range(count - keep, count))}


# ------------------------------------------------------------------------------------------ save_state
def _restore_or_error(mngr, step, state):
    """(restored, first differing leaf), or (None, why) when the checkpoint cannot be read as such a state."""
    try:
        restored = mngr.restore(step, args=ocp.args.StandardRestore(_abstract(state)))
    except Exception as exc:  # noqa: BLE001 - a checkpoint of something else cannot be restored as a state
        return None, f"(none: restoring it as a TrainState failed with {_error(exc)})"
    return restored, _first_difference(restored, state)


@memo_probe("save_state")
def save_state_behaviour(impl, rng):
    """save_state writes the full state, returns only when the save is finished, and refuses an existing step"""
    state, other = _trained_state(rng), _trained_state(rng, steps=1)
    step = int(rng.integers(1, 100))
    with _tempdir() as (root, managers):
        directory = os.path.join(root, "ckpt")
        mngr = _manager(managers, directory, max_to_keep=5)
        recorder = _Recorder(mngr)
        impl.save_state(recorder, step, state)
        in_progress = bool(mngr.is_saving_in_progress())
        calls = list(recorder.calls)
        reader = _manager(managers, directory)
        visible = [int(s) for s in reader.all_steps()]
        mngr.wait_until_finished()
        restored, difference = _restore_or_error(mngr, step, state)
        duplicate_error = None
        try:
            impl.save_state(recorder, step, other)
        except ValueError as exc:
            duplicate_error = _error(exc)
        mngr.wait_until_finished()
        after, _ = _restore_or_error(mngr, step, state)
    waited = "save" in calls and any(c in ("wait_until_finished", "close") for c in calls[calls.index("save"):])
    return {"in_progress_after_return": in_progress, "waited": waited, "visible_to_new_manager": step in visible,
            "first_difference": difference, "duplicate_error": duplicate_error,
            "first_save_kept": restored is None or (after is not None and _first_difference(after, restored) is None)}


# ------------------------------------------------------------------------------------------ restore_state
def restore_state_round_trip(impl, rng):
    """restore_state returns the saved TrainState, with Optax structures, for the latest and for a given step"""
    early, late = _trained_state(rng, steps=1), _trained_state(rng, steps=3)
    early_step = int(rng.integers(1, 10))
    late_step = early_step + int(rng.integers(1, 10))
    template = _fresh_state(int(rng.integers(2**31)))
    batch = _data(rng, 8)
    with _tempdir() as (root, managers):
        mngr = _manager(managers, os.path.join(root, "ckpt"))
        mngr.save(early_step, args=ocp.args.StandardSave(early))
        mngr.save(late_step, args=ocp.args.StandardSave(late))
        mngr.wait_until_finished()
        latest = impl.restore_state(mngr, template)
        chosen = impl.restore_state(mngr, template, early_step)
    out = {"type": type(latest).__name__, "is_state": isinstance(latest, _State),
           "opt_state_type": type(getattr(latest, "opt_state", None)).__name__}
    if not out["is_state"]:
        return out
    out.update({
        "same_structure": jax.tree.structure(latest) == jax.tree.structure(template),
        "optax_types": [type(s).__name__ for s in latest.opt_state] if isinstance(latest.opt_state, tuple) else None,
        "latest_difference": _first_difference(latest, late),
        "chosen_difference": _first_difference(chosen, early) if isinstance(chosen, _State) else "(not a TrainState)",
        "step": int(latest.step), "saved_step": int(late.step),
    })
    if out["same_structure"]:
        stepped, _ = _step()(latest, batch)
        reference, _ = _step()(late, batch)
        out["step_after_restore_difference"] = _first_difference(stepped, reference)
    return out


# ------------------------------------------------------------------------------------------ save_with_metadata
def metadata_round_trip(impl, rng):
    """save_with_metadata stores the state and the JSON metadata as the items 'state' and 'meta' of one checkpoint"""
    state = _trained_state(rng)
    step = int(rng.integers(1, 50))
    metadata = {"epoch": int(rng.integers(0, 20)), "position": int(rng.integers(0, 1000)),
                "config": {"learning_rate": float(rng.choice([1e-3, 3e-3, 1e-2])), "batch_size": int(rng.integers(8, 64)),
                           "name": f"run-{int(rng.integers(100))}"}}
    with _tempdir() as (root, managers):
        directory = os.path.join(root, "ckpt")
        mngr = _manager(managers, directory)
        impl.save_with_metadata(mngr, step, state, dict(metadata))
        in_progress = bool(mngr.is_saving_in_progress())
        mngr.wait_until_finished()
        reader = _manager(managers, directory)
        error, meta, difference = None, None, None
        try:
            restored = reader.restore(step, args=ocp.args.Composite(state=ocp.args.StandardRestore(_abstract(state)),
                                                                    meta=ocp.args.JsonRestore()))
            meta, difference = restored.meta, _first_difference(restored.state, state)
        except Exception as exc:  # noqa: BLE001 - a checkpoint without these items cannot be read back
            error = _error(exc)
    return {"restore_error": error, "meta": meta, "expected_meta": metadata, "state_difference": difference,
            "in_progress_after_return": in_progress}


# ------------------------------------------------------------------------------------------ make_best_manager
def best_manager_retention(impl, rng):
    """make_best_manager keeps the checkpoints with the highest metric and reports the best step"""
    keep = int(rng.integers(2, 4))
    accuracies = [float(v) for v in rng.permutation(np.linspace(0.1, 0.9, 7))]
    with _tempdir() as (root, managers):
        mngr = impl.make_best_manager(os.path.join(root, "best"), keep, "accuracy")
        managers.append(mngr)
        for step, accuracy in enumerate(accuracies):
            mngr.save(step, args=ocp.args.StandardSave({"w": jnp.full((2,), float(step))}),
                      metrics={"accuracy": accuracy, "loss": 1.0 - accuracy})
        mngr.wait_until_finished()
        steps = sorted(int(s) for s in mngr.all_steps())
        best = mngr.best_step()
    ranked = sorted(range(len(accuracies)), key=lambda s: -accuracies[s])
    return {"steps": steps, "best": None if best is None else int(best), "expected_steps": sorted(ranked[:keep]),
            "expected_best": ranked[0], "latest_steps": list(range(len(accuracies) - keep, len(accuracies))),
            "accuracies": accuracies, "keep": keep}


# ------------------------------------------------------------------------------------------ train_with_checkpoints
def resume_bit_for_bit(impl, rng):
    """a run stopped after k steps and resumed with train_with_checkpoints ends bit-identical to an uninterrupted run"""
    seed = int(rng.integers(2**31))
    data = _data(rng, 20)
    batch_size, save_every, num_steps = 4, 3, 16
    # Steps 6..9 lie in the second epoch (5 batches per epoch): the checkpoint at 9 has a non-trivial position.
    stop_after = int(rng.integers(10, 12))
    settings = dict(num_steps=num_steps, batch_size=batch_size, save_every=save_every, train_step=_step())
    start = {"epoch": 0, "position": 0}
    with _tempdir() as (root, managers):
        straight = _manager(managers, os.path.join(root, "straight"))
        expected, expected_loader = impl.train_with_checkpoints(straight, _fresh_state(seed), data, dict(start), **settings)
        straight_steps = [int(s) for s in straight.all_steps()]
        first = _manager(managers, os.path.join(root, "crashed"))
        stopped, _ = impl.train_with_checkpoints(first, _fresh_state(seed), data, dict(start), stop_after=stop_after,
                                                 **settings)
        stopped_at = int(stopped.step)
        pending = bool(first.is_saving_in_progress())
        first.close()
        again = _manager(managers, os.path.join(root, "crashed"))
        resumed, resumed_loader = impl.train_with_checkpoints(again, _fresh_state(seed), data, dict(start), **settings)
        resumed_steps = [int(s) for s in again.all_steps()]
    return {"difference": _first_difference(resumed, expected), "expected_step": int(expected.step),
            "resumed_step": int(resumed.step), "stopped_at": stopped_at, "straight_steps": straight_steps,
            "resumed_steps": resumed_steps, "loader": dict(resumed_loader), "expected_loader": dict(expected_loader),
            "pending_after_return": pending, "final": _leaves(expected)}
