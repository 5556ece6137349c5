# Generated from solutions/checkpointing.py (sha256 0ccf7a7999b5) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Checkpointing with Orbax: save, restore and resume a Flax TrainState exactly.

Learning goals
--------------
- Create an Orbax ``CheckpointManager`` on an absolute directory, with ``max_to_keep`` retention.
- Save a full ``TrainState`` (params, optimizer state, step, batch statistics, PRNG key) with
  ``ocp.args.StandardSave``, wait for the asynchronous save, and refuse to save a step twice.
- Restore into an abstract target so the optimizer state comes back as Optax structures.
- Save several items at once with ``ocp.args.Composite``, one of them JSON metadata (epoch, data position, config).
- Keep the best checkpoints by a metric (``best_fn``) instead of the latest.
- Resume an interrupted run so that it ends bit for bit where the uninterrupted run ends.

Out of scope: the legacy ``flax.training.checkpoints`` and ``PyTreeCheckpointer`` APIs, the new ``ocp.v1`` API
(mentioned at the end), multi-host checkpointing.
"""

# %%
import os
import tempfile
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp
from flax import linen as nn
from flax.training import train_state

# %% [markdown]
# ## The state to save
#
# This is the training state of topic `trainstate`, with one difference: this `train_step` *splits* the key
# at every step and stores the new half, so the key changes as training goes on. (Both styles are common.) A
# checkpoint that forgets the key, the batch statistics or the optimizer state resumes a *different* run.
#
# Only arrays are saved. `apply_fn` and `tx` are code: you rebuild them, and restoring fills a state you
# built with them.

# %%
class TrainState(train_state.TrainState):
    """A TrainState with BatchNorm running averages and a PRNG key that advances every step."""

    batch_stats: Any
    key: jax.Array


class Net(nn.Module):
    """A tiny classifier: Dense, BatchNorm, relu, Dropout, Dense."""

    hidden: int = 16
    classes: int = 3

    @nn.compact
    def __call__(self, x, train: bool):
        x = nn.Dense(self.hidden, use_bias=False)(x)
        x = nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)
        x = nn.Dropout(0.2, deterministic=not train)(nn.relu(x))
        return nn.Dense(self.classes)(x)


TX = optax.adam(1e-2)  # one optimizer object: states built with it share one tree structure


NET = Net()
# jit compiles the initialisation once per input shape; eager init compiles every operation separately.
_init = jax.jit(lambda key, x: NET.init(key, x, train=False))


def make_state(seed: int, features: int = 4) -> TrainState:
    """A fresh TrainState for ``Net`` on inputs with ``features`` columns."""
    init_key, key = jax.random.split(jax.random.key(seed))
    variables = _init(init_key, jnp.zeros((1, features), jnp.float32))
    return TrainState.create(apply_fn=NET.apply, params=variables["params"], tx=TX,
                             batch_stats=variables["batch_stats"], key=key)


@jax.jit
def train_step(state: TrainState, batch: dict) -> tuple[TrainState, jax.Array]:
    """One Adam step; the key is split and its first half kept for the next step."""
    key, dropout_key = jax.random.split(state.key)

    def loss_fn(params):
        logits, updates = state.apply_fn({"params": params, "batch_stats": state.batch_stats}, batch["x"],
                                         train=True, rngs={"dropout": dropout_key}, mutable=["batch_stats"])
        return optax.softmax_cross_entropy_with_integer_labels(logits, batch["y"]).mean(), updates

    (loss, updates), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.params)
    return state.apply_gradients(grads=grads, batch_stats=updates["batch_stats"], key=key), loss


def next_batch(data: dict, loader: dict, batch_size: int) -> tuple[dict, dict]:
    """The next batch and the new loader position. ``loader = {'epoch': int, 'position': int}``.

    Each epoch reads the examples in the order ``np.random.default_rng(epoch).permutation(n)``; a new epoch
    starts when fewer than ``batch_size`` examples are left.
    """
    n = len(data["y"])
    epoch, position = loader["epoch"], loader["position"]
    if position + batch_size > n:
        epoch, position = epoch + 1, 0
    idx = np.random.default_rng(epoch).permutation(n)[position:position + batch_size]
    return {"x": data["x"][idx], "y": data["y"][idx]}, {"epoch": epoch, "position": position + batch_size}


# %% [markdown]
# ## 1. A checkpoint manager
#
# `ocp.CheckpointManager(directory, options=ocp.CheckpointManagerOptions(max_to_keep=k))` manages numbered
# checkpoints `directory/<step>/`. Two facts to remember:
#
# - The directory must be **absolute**. A relative one is accepted at first; the save then fails in a
#   background thread, and you only hear about it later, at `wait_until_finished()`.
# - `max_to_keep=k` deletes older checkpoints as new ones arrive: only the `k` latest stay.

# %%
def make_manager(directory: str, max_to_keep: int) -> ocp.CheckpointManager:
    """Task checkpointing.make_manager: a CheckpointManager that keeps the ``max_to_keep`` latest checkpoints.

    Args:
        directory: where the checkpoints go, possibly a **relative** path (relative to the current working
            directory at the time of the call).
        max_to_keep: how many checkpoints to keep.

    Returns:
        An ``ocp.CheckpointManager`` on the absolute version of ``directory`` with
        ``ocp.CheckpointManagerOptions(max_to_keep=max_to_keep)`` (asynchronous saving, the default, stays on).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 2. Saving: asynchronous, and never twice
#
# `mngr.save(step, args=ocp.args.StandardSave(state))` starts the save and returns at once; the files are
# written in the background. Until `mngr.wait_until_finished()` returns, the checkpoint is not there: reading
# it, or ending the program, loses it. And if `step` was already saved, `save` does nothing and returns
# `False`: no error, no overwrite. Make that loud.

# %%
def save_state(mngr: ocp.CheckpointManager, step: int, state: TrainState) -> None:
    """Task checkpointing.save_state: save a full TrainState as checkpoint ``step`` and wait until it is written.

    Args:
        mngr: a CheckpointManager.
        step: the checkpoint number (a Python int).
        state: the TrainState to save (all of it: params, opt_state, step, batch_stats, key).

    Raises:
        ValueError: if ``mngr`` already has a checkpoint for ``step`` (Orbax itself would silently skip it).

    Returns:
        None, and only once the checkpoint is completely on disk (call ``mngr.wait_until_finished()``).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 3. Restoring into a target
#
# Restoring needs to know what to build. Without a target, Orbax returns plain dicts and lists: the Adam state
# comes back as a `list`, not as Optax's named tuples, and `apply_gradients` fails. Give it an **abstract
# target**: the tree of shapes and dtypes of a state built by code,
# `jax.tree.map(ocp.utils.to_shape_dtype_struct, template)`, wrapped in `ocp.args.StandardRestore`. The
# restored object then has the template's class, `apply_fn` and `tx`, with the saved arrays.

# %%
def restore_state(mngr: ocp.CheckpointManager, template: TrainState, step: int | None = None) -> TrainState:
    """Task checkpointing.restore_state: restore a TrainState saved with ``StandardSave``.

    Args:
        mngr: a CheckpointManager holding at least one checkpoint.
        template: a TrainState with the same structure as the saved one (for example a fresh ``make_state``);
            only its structure, shapes and dtypes matter.
        step: which checkpoint; ``None`` means the latest one.

    Returns:
        A TrainState of the template's class, with the template's ``apply_fn`` and ``tx`` and every array as
        saved; ``opt_state`` holds Optax's state objects, so ``apply_gradients`` works on it.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 4. Several items: the state and JSON metadata
#
# A training run needs more than arrays to resume: where the data loader was, which epoch, which config.
# `ocp.args.Composite(name=args, ...)` saves several named items in one checkpoint; `ocp.args.JsonSave(dict)`
# stores a JSON-serialisable dict. Restoring names the same items:
# `Composite(state=ocp.args.StandardRestore(abstract), meta=ocp.args.JsonRestore())`, and the result has
# attributes `.state` and `.meta`.

# %%
def save_with_metadata(mngr: ocp.CheckpointManager, step: int, state: TrainState, metadata: dict) -> None:
    """Task checkpointing.save_with_metadata: save the state and a JSON dict as one checkpoint.

    Args:
        mngr: a CheckpointManager used only for composite checkpoints.
        step: the checkpoint number.
        state: the TrainState, saved as the item ``"state"`` with ``ocp.args.StandardSave``.
        metadata: a JSON-serialisable dict (for example ``{'epoch': 3, 'position': 40, 'config': {...}}``),
            saved as the item ``"meta"`` with ``ocp.args.JsonSave``.

    Returns:
        None, once the checkpoint is on disk.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 5. Keeping the best checkpoints
#
# With `best_fn` in the options, `mngr.save(step, args=..., metrics={...})` records the metrics, and
# `max_to_keep` keeps the checkpoints with the best `best_fn(metrics)` instead of the latest ones
# (`best_mode='max'` for an accuracy, `'min'` for a loss). `mngr.best_step()` names the best.

# %%
def make_best_manager(directory: str, keep: int, metric: str) -> ocp.CheckpointManager:
    """Task checkpointing.make_best_manager: a CheckpointManager that keeps the ``keep`` best checkpoints.

    Args:
        directory: an absolute path.
        keep: how many checkpoints to keep.
        metric: the key in the ``metrics`` dict passed to ``mngr.save(..., metrics=...)`` whose **highest**
            values are best (an accuracy).

    Returns:
        An ``ocp.CheckpointManager`` whose retention keeps the ``keep`` checkpoints with the highest
        ``metrics[metric]`` and whose ``best_step()`` is the step with the highest one.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 6. Resuming exactly
#
# The test of a checkpoint: kill a run at step `k`, start the program again, and end with **bit-identical**
# arrays to a run that was never interrupted. That needs everything the future depends on: the whole state
# (its key included: here it changes every step) and the data loader's position. The loader position is plain
# Python data, so it travels as JSON next to the state.

# %%
def train_with_checkpoints(mngr: ocp.CheckpointManager, state: TrainState, data: dict, loader: dict, *,
                           num_steps: int, batch_size: int, save_every: int, train_step,
                           stop_after: int | None = None) -> tuple[TrainState, dict]:
    """Task checkpointing.train_with_checkpoints: a training loop that checkpoints and resumes exactly.

    1. If ``mngr.latest_step()`` is not None, restore that checkpoint: the item ``"state"`` (into the abstract
       target of the ``state`` argument) and the item ``"loader"`` (JSON), and continue from them. Otherwise
       start from ``state`` and ``loader`` as given.
    2. While ``int(state.step) < num_steps``: ``batch, loader = next_batch(data, loader, batch_size)``, then
       ``state, loss = train_step(state, batch)``. Whenever the new ``int(state.step)`` is a multiple of
       ``save_every``, save checkpoint ``int(state.step)`` as
       ``ocp.args.Composite(state=ocp.args.StandardSave(state), loader=ocp.args.JsonSave(loader))``.
    3. ``stop_after`` simulates a crash: if given, stop once this call has done that many steps.

    Call ``mngr.wait_until_finished()`` before returning.

    Args:
        mngr: a CheckpointManager for this run (empty for a new run).
        state: the initial TrainState (also the restore template).
        data: ``{'x': float32 (n, d), 'y': int32 (n,)}`` NumPy arrays.
        loader: the initial loader position ``{'epoch': 0, 'position': 0}``.
        num_steps, batch_size, save_every: Python ints.
        train_step: ``(state, batch) -> (state, loss)``, like ``train_step`` above.
        stop_after: None, or the number of steps after which this call stops.

    Returns:
        ``(state, loader)`` at the end. A run stopped after ``k`` steps and then called again (same arguments,
        without ``stop_after``) must end with exactly the arrays of a run that was never stopped.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Putting it together
#
# Run this notebook top to bottom (or `python checkpointing.py`): it trains, "crashes", resumes and compares.
#
# Where next: Orbax also has a newer API, `ocp.v1` (`ocp.v1.save(path, state)`, `ocp.v1.load(path, abstract)`),
# to become the default in a later release; the ideas (absolute paths, abstract targets, waiting, saving
# everything) are the same. And do not copy the older `flax.training.checkpoints` or `PyTreeCheckpointer`
# calls that many tutorials still show.

# %%
if __name__ == "__main__":
    import tempfile

    try:
        rng = np.random.default_rng(0)
        data = {"x": rng.normal(size=(64, 4)).astype(np.float32), "y": rng.integers(0, 3, 64).astype(np.int32)}
        settings = dict(num_steps=30, batch_size=16, save_every=5, train_step=train_step)
        with tempfile.TemporaryDirectory() as root:
            straight = make_manager(os.path.join(root, "straight"), max_to_keep=3)
            expected, _ = train_with_checkpoints(straight, make_state(0), data, {"epoch": 0, "position": 0}, **settings)
            straight.close()
            crashed = make_manager(os.path.join(root, "crashed"), max_to_keep=3)
            train_with_checkpoints(crashed, make_state(0), data, {"epoch": 0, "position": 0}, stop_after=17, **settings)
            crashed.close()
            again = make_manager(os.path.join(root, "crashed"), max_to_keep=3)
            resumed, _ = train_with_checkpoints(again, make_state(0), data, {"epoch": 0, "position": 0}, **settings)
            again.close()
        equal = all(bool(np.array_equal(a, b)) for a, b in
                    zip(jax.tree.leaves(jax.tree.map(jax.random.key_data, resumed.key)) + jax.tree.leaves(resumed.params),
                        jax.tree.leaves(jax.tree.map(jax.random.key_data, expected.key)) + jax.tree.leaves(expected.params)))
        print(f"resumed run identical to the uninterrupted one: {equal}")
    except NotImplementedError:
        print("Some functions above are still stubs: finish them to run the crash-and-resume demo.")
