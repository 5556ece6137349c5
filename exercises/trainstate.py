# Generated from solutions/trainstate.py (sha256 0e9d2d4bd3a0) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Flax Linen and TrainState: BatchNorm statistics, dropout keys, a jitted train step, and Optax.

Learning goals
--------------
- Write a Linen model with ``@nn.compact`` (Dense, BatchNorm, Dropout) whose behaviour depends on a
  ``train`` flag, and know its variable collections: ``params`` (trained) and ``batch_stats`` (running averages).
- Call ``apply`` in training mode with ``mutable=['batch_stats']`` and ``rngs={'dropout': key}``, and use the
  updated statistics it returns.
- Subclass ``TrainState`` to carry ``batch_stats`` and a PRNG key, and build one with ``TrainState.create``.
- Write a jitted ``train_step(state, batch) -> (state, metrics)`` with ``apply_gradients``: statistics written
  back, a fresh dropout key every step, the optimizer built once (no retracing).
- Evaluate with running averages and no dropout, and keep evaluation metrics out of training mode.
- Know what ``optax.adam`` computes by writing its update by hand.
- Train on scikit-learn's digits and reach a stated test accuracy.

Out of scope: Flax NNX (mentioned at the end), checkpointing (topic ``checkpointing``), multiple devices
(topic ``pmap``).
"""

# %%
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import linen as nn
from flax.training import train_state

# %% [markdown]
# ## 1. A Linen model with a `train` flag
#
# A Linen module is a *description* of a computation: it holds hyper-parameters, never weights. With
# `@nn.compact` the layers are declared inline, in `__call__`, the first time it runs.
#
# Two layers behave differently in training and in evaluation:
#
# - `nn.BatchNorm` normalises with the statistics **of the batch** while training and updates running
#   averages of them; at evaluation it uses the running averages (`use_running_average=True`). The running
#   averages are not trained by gradients: they live in a separate collection, `batch_stats`.
# - `nn.Dropout` zeroes a random fraction of its inputs while training (it needs a PRNG key, passed as
#   `rngs={'dropout': key}`) and does nothing at evaluation (`deterministic=True`).
#
# `model.init(key, x, train=False)` returns `{'params': ..., 'batch_stats': ...}`, plain nested dicts.

# %%
def build_model(hidden: int, num_classes: int, dropout_rate: float) -> nn.Module:
    """Task trainstate.build_model: a small Linen classifier with BatchNorm and Dropout.

    Return an instance of an ``nn.Module`` you define with ``@nn.compact``, whose ``__call__(self, x, train)``
    computes, in this order:

    1. ``nn.Dense(hidden)``
    2. ``nn.BatchNorm(use_running_average=not train, momentum=0.9)``
    3. ``nn.relu``
    4. ``nn.Dropout(rate=dropout_rate, deterministic=not train)``
    5. ``nn.Dense(num_classes)`` (the logits; no softmax)

    Args:
        hidden: width of the hidden layer.
        num_classes: number of outputs.
        dropout_rate: the fraction of hidden units dropped while training.

    Returns:
        The module. ``model.init(key, x, train=False)`` on a float32 batch ``x`` of shape ``(n, d)`` must give
        the collections ``params`` and ``batch_stats`` only; ``model.apply(variables, x, train=False)`` needs no
        PRNG key and returns logits of shape ``(n, num_classes)``; ``model.apply(variables, x, train=True,
        rngs={'dropout': key}, mutable=['batch_stats'])`` returns ``(logits, {'batch_stats': ...})``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 2. `apply` in training mode
#
# In training mode BatchNorm *writes* to `batch_stats`, and Linen refuses writes to a collection unless you
# declare it mutable. With `mutable=['batch_stats']`, `apply` returns a pair: the output and a dict of the
# updated collections. Forget `mutable` and you get `ModifyScopeVariableError`; forget the dropout key and you
# get `InvalidRngError`. The new statistics are returned, not stored: nothing happens unless you keep them.

# %%
def apply_train(model: nn.Module, variables: dict, x: jax.Array, dropout_key: jax.Array) -> tuple[jax.Array, dict]:
    """Task trainstate.apply_train: one forward pass in training mode.

    Args:
        model: a module like the one from ``build_model`` (``__call__(x, train)``).
        variables: ``{'params': ..., 'batch_stats': ...}`` as returned by ``model.init``.
        x: a float32 batch.
        dropout_key: the PRNG key for Dropout.

    Returns:
        ``(logits, new_batch_stats)``: the train-mode output and the **updated** ``batch_stats`` tree (not the
        whole dict of mutated collections). Must work under ``jax.jit``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 3. A `TrainState` that carries everything
#
# `flax.training.train_state.TrainState` bundles `step`, `apply_fn`, `params`, `tx` (an Optax optimizer) and
# `opt_state`. It is a pytree: `jax.jit` can take it and return it. `apply_fn` and `tx` are *static* fields:
# they are part of the tree's structure, not leaves, so a jitted step traces once as long as they stay the
# same objects. Subclass it to add what a BatchNorm + Dropout model needs: the running statistics and a
# PRNG key.

# %%
class TrainState(train_state.TrainState):
    """A TrainState with BatchNorm running averages and the base PRNG key for dropout."""

    batch_stats: Any
    key: jax.Array


# %%
def create_train_state(model: nn.Module, key: jax.Array, x: jax.Array, tx: optax.GradientTransformation) -> TrainState:
    """Task trainstate.create_train_state: initialise a model and wrap it in a ``TrainState``.

    Split ``key`` once: ``init_key, dropout_key = jax.random.split(key)``. Initialise with
    ``model.init(init_key, x, train=False)`` and return ``TrainState.create(...)`` (the subclass above) with
    ``apply_fn=model.apply``, the ``params`` collection as ``params``, the ``batch_stats`` collection as
    ``batch_stats``, the optimizer ``tx`` and ``key=dropout_key``.

    Args:
        model: a module like the one from ``build_model``.
        key: a typed PRNG key (``jax.random.key``).
        x: an example input batch (only its shape and dtype matter).
        tx: the Optax optimizer.

    Returns:
        The ``TrainState``: ``step == 0`` and ``opt_state == tx.init(params)``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 4. The training step
#
# One step: derive this step's dropout key, run the model in training mode, differentiate the loss with
# respect to the params only (`has_aux=True` carries the logits and the new statistics out of the loss
# function), and let `apply_gradients` run the optimizer and count the step. Three silent bugs to avoid:
#
# - **Statistics not written back.** `apply_gradients(grads=grads, batch_stats=new_stats)` stores them; if you
#   drop them, the running averages stay at their initial values and evaluation is wrong.
# - **The same dropout key every step.** `rngs={'dropout': state.key}` gives the same masks at every step.
#   `jax.random.fold_in(state.key, state.step)` gives a new key per step, reproducibly.
# - **The optimizer rebuilt inside the step.** `tx` is a static field: a new `optax.adam(...)` object changes
#   the state's tree structure, and `jax.jit` retraces on every call.

# %%
def train_step(state: TrainState, batch: dict) -> tuple[TrainState, dict]:
    """Task trainstate.train_step: one optimisation step with BatchNorm and Dropout.

    Args:
        state: a ``TrainState`` (fields ``step, apply_fn, params, tx, opt_state, batch_stats, key``).
        batch: ``{'x': float32 (n, d), 'y': int32 (n,)}``.

    Use the dropout key ``jax.random.fold_in(state.key, state.step)`` and leave ``state.key`` itself unchanged.
    The loss is the mean of ``optax.softmax_cross_entropy_with_integer_labels(logits, batch['y'])`` on the
    train-mode logits. Update with ``state.apply_gradients`` and write the new ``batch_stats`` back.

    Returns:
        ``(new_state, metrics)`` with ``metrics = {'loss': float32 scalar, 'accuracy': float32 scalar}``, both
        computed from this step's train-mode logits (before the update). Must work under ``jax.jit`` and be
        traced only once for repeated calls with same-shaped batches.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 5. Evaluation
#
# At evaluation the model runs with `train=False`: BatchNorm uses the running averages and Dropout is off,
# so no key is needed and nothing is mutated. Evaluating with `train=True` gives numbers that depend on the
# evaluation batch and on random masks: wrong, and silently so.

# %%
def eval_step(state: TrainState, batch: dict) -> dict:
    """Task trainstate.eval_step: loss and accuracy in evaluation mode.

    Args:
        state: a ``TrainState`` as above.
        batch: ``{'x': float32 (n, d), 'y': int32 (n,)}``.

    Returns:
        ``{'loss': float32 scalar, 'accuracy': float32 scalar}`` computed with ``train=False`` (running averages,
        no dropout), the loss being the mean integer-label softmax cross-entropy. Deterministic, and the state
        is not modified. Must work under ``jax.jit``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 6. Optax, by hand once
#
# An Optax optimizer is a pair of pure functions: `init(params) -> opt_state` and
# `update(grads, opt_state, params) -> (updates, opt_state)`; `optax.apply_updates` adds the updates. Adam keeps
# two moving averages per parameter, `mu` (of the gradient) and `nu` (of its square), and corrects their bias
# toward zero in the first steps. Writing it once makes `optax.adam`'s numbers unsurprising. Updates are
# returned **with the sign already applied**: `params + updates` descends.

# %%
def adam_init(params: Any) -> dict:
    """The state before the first Adam step: count 0 and zero moments shaped like ``params``."""
    zeros = jax.tree.map(jnp.zeros_like, params)
    return {"count": jnp.zeros((), jnp.int32), "mu": zeros, "nu": zeros}


def adam_update(grads: Any, opt_state: dict, learning_rate: float, b1: float = 0.9, b2: float = 0.999,
                eps: float = 1e-8) -> tuple[Any, dict]:
    """Task trainstate.adam_update: one Adam step, equal to ``optax.adam``'s.

    With ``t = count + 1``: ``mu = b1 * mu + (1 - b1) * g``, ``nu = b2 * nu + (1 - b2) * g**2``,
    ``mu_hat = mu / (1 - b1**t)``, ``nu_hat = nu / (1 - b2**t)`` and
    ``update = -learning_rate * mu_hat / (sqrt(nu_hat) + eps)``, leaf by leaf.

    Args:
        grads: a pytree of float32 arrays.
        opt_state: ``{'count': int32 scalar, 'mu': tree like grads, 'nu': tree like grads}`` as made by
            ``adam_init``.
        learning_rate, b1, b2, eps: Python floats.

    Returns:
        ``(updates, new_opt_state)``: updates shaped like ``grads`` (to be added to the params) and the new state
        with ``count + 1``. Must work under ``jax.jit`` and must not call ``optax``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 7. Training on digits
#
# scikit-learn ships the 8x8 digits (1797 images, 64 features) with the package: no download. `fit` is the
# epoch loop; it receives the step functions as arguments, so it works with yours and can be checked on its
# own. Shuffle each epoch with its own key, drop the last partial batch (every batch then has the same shape,
# so the jitted step compiles once), and evaluate with `eval_step` after each epoch.

# %%
def load_digits_split() -> dict:
    """Digits scaled to [0, 1], shuffled once with a fixed seed: 1500 images for training, 297 for testing."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int32)
    order = np.random.default_rng(0).permutation(len(y))  # fixed: every run sees the same split
    x, y = x[order], y[order]
    return {"train_x": x[:1500], "train_y": y[:1500], "test_x": x[1500:], "test_y": y[1500:]}


def fit(state: TrainState, data: dict, *, num_epochs: int, batch_size: int, key: jax.Array,
        train_step, eval_step) -> tuple[TrainState, dict]:
    """Task trainstate.fit: the epoch loop, with per-epoch shuffling and evaluation.

    For each epoch ``e`` in ``range(num_epochs)``: ``order = jax.random.permutation(jax.random.fold_in(key, e),
    n_train)``; for ``b`` in ``range(n_train // batch_size)`` (the last partial batch is dropped), the batch is
    ``{'x': train_x[idx], 'y': train_y[idx]}`` with ``idx = order[b * batch_size:(b + 1) * batch_size]``, and
    ``state, metrics = train_step(state, batch)``. After the epoch, evaluate the whole test set once with
    ``eval_step(state, {'x': test_x, 'y': test_y})``.

    Args:
        state: the initial ``TrainState``.
        data: ``{'train_x', 'train_y', 'test_x', 'test_y'}`` (NumPy or JAX arrays, as ``load_digits_split``).
        num_epochs, batch_size: Python ints.
        key: a typed PRNG key for the shuffling.
        train_step, eval_step: functions with the signatures of the tasks above (already jitted by the caller).

    Returns:
        ``(state, history)`` with ``history = {'train_loss': [...], 'test_accuracy': [...]}``: one Python float
        per epoch each, the mean of that epoch's training losses and the test accuracy from ``eval_step``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Putting it together
#
# Run this notebook top to bottom (or `python trainstate.py`): it trains your model on digits. With 64 hidden
# units, dropout 0.2, `optax.adam(1e-2)` and 10 epochs of batches of 100, the test accuracy should pass 0.93.
#
# Where next: Flax NNX writes the same model as a mutable Python object (`nnx.BatchNorm`, `nnx.Dropout`,
# `nnx.Optimizer(model, tx, wrt=nnx.Param)`, and `model.train()` / `model.eval()`); the ideas here (two kinds
# of state, keys per step, a jitted step with a stable structure) carry over unchanged.

# %%
if __name__ == "__main__":
    try:
        digits = load_digits_split()
        model = build_model(hidden=64, num_classes=10, dropout_rate=0.2)
        state = create_train_state(model, jax.random.key(0), jnp.asarray(digits["train_x"][:100]), optax.adam(1e-2))
        state, history = fit(state, digits, num_epochs=10, batch_size=100, key=jax.random.key(1),
                             train_step=jax.jit(train_step), eval_step=jax.jit(eval_step))
        print(f"train loss per epoch: {np.round(history['train_loss'], 3)}")
        print(f"final test accuracy: {history['test_accuracy'][-1]:.3f} (target: above 0.93)")
    except NotImplementedError:
        print("Some functions above are still stubs: finish them to train on digits.")
