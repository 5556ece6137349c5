# Generated from solutions/optimizers.py (sha256 b5373a55005a) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Optax as it is really used: the update loop, schedules, chains, masks, your own transformation,
injected hyperparameters and gradient accumulation.

Learning goals
--------------
- Drive any Optax optimizer with the canonical loop: ``tx.init`` once, then ``tx.update(grads, opt_state,
  params)`` and ``optax.apply_updates`` in one jitted step, always carrying the *new* state forward.
- Know that a schedule is a pure function of the optimizer's step count, and write
  ``optax.warmup_cosine_decay_schedule`` by hand, edge steps included.
- Compose an optimizer with ``optax.chain``: clipping by global norm first, then AdamW, whose decoupled weight
  decay is multiplied by the learning rate and masked by key paths, with a schedule as its learning rate.
- Write your own ``optax.GradientTransformation`` (the Lion direction) that composes in ``optax.chain`` under
  ``jax.jit``.
- Change a learning rate between steps with ``optax.inject_hyperparams``, without recompiling the step.
- Accumulate gradients over micro-batches with ``optax.MultiSteps``, and know why it equals the large-batch step.

Out of scope: Flax's ``TrainState`` (topic ``trainstate`` wraps this loop), line-search and second-order
optimizers (``optax.lbfgs``), ``optax.contrib``.
"""

# %%
from typing import Any, Callable

import jax
import jax.numpy as jnp
import optax

# %% [markdown]
# ## 1. An optimizer is two pure functions
#
# `optax.adam(1e-3)` holds no parameters and no state. It is an `optax.GradientTransformation`: a pair of pure
# functions, `init(params) -> opt_state` and `update(grads, opt_state, params) -> (updates, new_opt_state)`.
# The updates come back **with the sign already applied** (they point downhill), and `optax.apply_updates`
# adds them to the parameters:
#
# ```python
# >>> isinstance(optax.adam(1e-3), optax.GradientTransformation)
# True
# >>> tx = optax.sgd(learning_rate=0.1)
# >>> params = {"w": jnp.array([1.0, 2.0])}
# >>> opt_state = tx.init(params)
# >>> updates, opt_state = tx.update({"w": jnp.array([0.5, -1.0])}, opt_state, params)
# >>> updates["w"]
# Array([-0.05,  0.1 ], dtype=float32)
# >>> optax.apply_updates(params, updates)["w"]
# Array([0.95, 2.1 ], dtype=float32)
# ```
#
# The state is the optimizer's memory: Adam's step count and its two moving averages. `update` returns a *new*
# state and leaves the one it was given as it was, so a loop that keeps passing the old state in starts from
# scratch at every step:
#
# ```python
# >>> tx = optax.adam(0.1)
# >>> opt_state = tx.init(params)
# >>> _, new_state = tx.update({"w": jnp.ones(2)}, opt_state, params)
# >>> int(opt_state[0].count), int(new_state[0].count)
# (0, 1)
# ```
#
# Some transformations need the current parameters as well: AdamW decays them, so its `update` refuses to run
# without `params`.
#
# ```python
# >>> tx = optax.adamw(0.1)
# >>> tx.update({"w": jnp.ones(2)}, tx.init(params))
# Traceback (most recent call last):
# ValueError: You are using a transformation that requires the current value of parameters, but you are not passing `params` when calling `update`.
# ```
#
# The training step (loss, gradients, update, apply) belongs in one function compiled by `jax.jit`. But `tx`
# is not an array, it holds functions, so it cannot be an *argument* of a jitted function. Define the step
# where `tx` is in scope and let it close over `tx` (and over the loss function):
#
# ```python
# >>> jax.jit(lambda tx, params: tx.init(params))(optax.sgd(0.1), params)
# Traceback (most recent call last):
# TypeError: Error interpreting argument to <function <lambda> at 0x...> as an abstract array. ...
# ```

# %%
def fit(loss_fn: Callable, params: Any, tx: optax.GradientTransformation, batches: list) -> tuple[Any, Any, jax.Array]:
    """Task optimizers.fit: train with any Optax optimizer, one step per batch.

    Initialise the optimizer state with ``tx.init(params)`` once. Then for each batch, in order: the loss and the
    gradients of ``loss_fn`` at the current params, ``tx.update(grads, opt_state, params)``, and
    ``optax.apply_updates``; the next step starts from the new params and the new state.

    Args:
        loss_fn: ``loss_fn(params, batch) -> float32 scalar``, differentiable in ``params``.
        params: the initial parameters, a pytree of float32 arrays (nested dicts).
        tx: any ``optax.GradientTransformation`` (SGD with momentum, Adam, AdamW ...). Some of them, like AdamW,
            need the current params in ``tx.update``.
        batches: a non-empty list of batches (dicts of arrays), all with the same shapes; a single batch is allowed.

    Returns:
        ``(params, opt_state, losses)``: the params after the last step; the optimizer state after the last step;
        and a float32 array of shape ``(len(batches),)`` whose entry ``i`` is the loss on batch ``i`` at the
        params *before* step ``i``.

    The step runs compiled by ``jax.jit``, and is traced once per call of ``fit``: ``loss_fn`` runs only while
    that step is traced (never eagerly, and not again for later batches of the same shapes).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 2. Schedules are functions of the step count
#
# A learning-rate schedule is a plain function `step -> value`. Give one to an optimizer where a float would go
# and the optimizer calls it with its own step count (kept in its state, starting at 0), inside whatever `jit`
# the update runs in. `optax.warmup_cosine_decay_schedule` rises linearly from `init_value` at step 0 to
# `peak_value` at step `warmup_steps`, then follows half a cosine down to `end_value`, reached at step
# `decay_steps`, and stays there. Read the argument names carefully: `decay_steps` counts from step 0, **warmup
# included**, so the cosine part lasts `decay_steps - warmup_steps` steps.
#
# ```python
# >>> schedule = optax.warmup_cosine_decay_schedule(init_value=0.0, peak_value=1.0, warmup_steps=2,
# ...                                               decay_steps=6, end_value=0.2)
# >>> [round(float(schedule(step)), 4) for step in range(9)]
# [0.0, 0.5, 1.0, 0.8828, 0.6, 0.3172, 0.2, 0.2, 0.2]
# >>> tx = optax.sgd(schedule)            # the first update uses schedule(0), the next schedule(1) ...
# >>> state = tx.init(jnp.zeros(()))
# >>> for _ in range(3):
# ...     update, state = tx.update(jnp.ones(()), state)
# ...     print(update)
# -0.0
# -0.5
# -1.0
# ```
#
# Under `jit` the step is a traced int32 array, so a schedule cannot branch with a Python `if` on it: choose
# between the phases elementwise.
#
# ```python
# >>> def stepwise(step):
# ...     return 1.0 if step < 2 else 0.1           # a Python if on the step
# >>> tx = optax.sgd(stepwise)
# >>> jax.jit(tx.update)(jnp.ones(()), tx.init(jnp.zeros(())))
# Traceback (most recent call last):
# TracerBoolConversionError: Attempted boolean conversion of traced array with shape bool[].
# ```

# %%
def warmup_cosine_schedule(init_value: float, peak_value: float, warmup_steps: int, decay_steps: int,
                           end_value: float) -> Callable[[Any], jax.Array]:
    """Task optimizers.warmup_cosine_schedule: a linear warmup then a cosine decay, by hand.

    Return ``schedule(step)``, equal to ``optax.warmup_cosine_decay_schedule(init_value, peak_value,
    warmup_steps, decay_steps, end_value)(step)`` at every step:

    - for ``0 <= step <= warmup_steps``: ``init_value + (peak_value - init_value) * step / warmup_steps``
      (``init_value`` at step 0, ``peak_value`` at step ``warmup_steps``);
    - for ``warmup_steps <= step <= decay_steps``, with ``t = step - warmup_steps`` and
      ``T = decay_steps - warmup_steps``: ``end_value + (peak_value - end_value) * (1 + cos(pi * t / T)) / 2``
      (``decay_steps`` counts the warmup steps too);
    - for ``step >= decay_steps``: ``end_value``.

    Args:
        init_value, peak_value, end_value: Python floats, ``0 <= init_value < peak_value``,
            ``0 <= end_value < peak_value``.
        warmup_steps: a Python int ``>= 1``.
        decay_steps: a Python int ``> warmup_steps`` (``warmup_steps + 1`` is allowed).

    Returns:
        ``schedule``: takes ``step``, a Python int ``>= 0`` or an int32 array of any shape (possibly traced: it must
        work under ``jax.jit`` and ``jax.vmap``, and as the learning rate of an Optax optimizer, which calls it
        with its int32 step count), and returns a float32 ``jax.Array`` shaped like ``step``. It must not call
        Optax's schedules (``optax.warmup_cosine_decay_schedule``, ``optax.cosine_decay_schedule``,
        ``optax.linear_schedule``, ``optax.join_schedules`` ...).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 3. Chains: clipping, decoupled weight decay, masks
#
# Optax builds optimizers from small transformations, each rewriting the updates that pass through it.
# `optax.chain(a, b, c)` hands the gradients to `a`, what `a` returns to `b`, and so on; its state is the tuple of
# their states. Order matters: a clipping placed first sees the raw gradients; placed last it sees what the
# transformations before it made of them.
#
# ```python
# >>> g = jnp.array([0.5])
# >>> clip_then_scale = optax.chain(optax.clip(1.0), optax.scale(10.0))
# >>> scale_then_clip = optax.chain(optax.scale(10.0), optax.clip(1.0))
# >>> clip_then_scale.update(g, clip_then_scale.init(g))[0], scale_then_clip.update(g, scale_then_clip.init(g))[0]
# (Array([5.], dtype=float32), Array([1.], dtype=float32))
# >>> type(clip_then_scale.init(g)).__name__, len(clip_then_scale.init(g))
# ('tuple', 2)
# ```
#
# `optax.clip_by_global_norm(max_norm)` measures the norm of the *whole tree* and, when it is above `max_norm`,
# scales every leaf by the same factor: the direction is kept. `optax.clip(max_delta)` clips each entry on its
# own and changes the direction.
#
# ```python
# >>> grads = {"a": jnp.array([3.0]), "b": jnp.array([4.0])}    # global norm 5
# >>> optax.clip_by_global_norm(1.0).update(grads, optax.EmptyState())[0]
# {'a': Array([0.6], dtype=float32), 'b': Array([0.8], dtype=float32)}
# >>> optax.clip(1.0).update(grads, optax.EmptyState())[0]
# {'a': Array([1.], dtype=float32), 'b': Array([1.], dtype=float32)}
# ```
#
# AdamW is Adam with *decoupled* weight decay: `weight_decay * params` is added to Adam's direction, after Adam's
# normalisation, and the sum is multiplied by `-learning_rate`. So the decay shrinks the weights by
# `learning_rate * weight_decay * params` per step (it follows a schedule with the learning rate). With a zero
# gradient Adam's part is 0 and only the decay is left:
#
# ```python
# >>> params = {"w": jnp.array([2.0, -4.0]), "b": jnp.array([1.0])}
# >>> zero = jax.tree.map(jnp.zeros_like, params)
# >>> tx = optax.adamw(learning_rate=0.1, weight_decay=0.5)
# >>> tx.update(zero, tx.init(params), params)[0]
# {'b': Array([-0.05], dtype=float32), 'w': Array([-0.1,  0.2], dtype=float32)}
# ```
#
# That is not the same as adding `weight_decay * params` to the gradient (an L2 penalty): that term passes
# through Adam's division by the root mean square of the gradients, which erases its size in the first step:
#
# ```python
# >>> l2 = optax.chain(optax.add_decayed_weights(0.5), optax.adam(0.1))
# >>> l2.update(zero, l2.init(params), params)[0]
# {'b': Array([-0.09999933], dtype=float32), 'w': Array([-0.09999933,  0.09999933], dtype=float32)}
# ```
#
# Biases and normalisation scales are usually
# not decayed. `mask=` takes a tree of booleans, or a function that builds one from the params (the optimizer is
# built before the params exist, so a function is the usual choice). Topic `pytrees` wrote such a function; here
# it is, given:

# %%
def decay_mask(params):
    """True for the leaves whose last key-path entry is named ``"w"`` or ``"kernel"`` (topic pytrees' answer)."""
    def is_weight(path, leaf):
        last = path[-1] if path else None
        name = getattr(last, "key", getattr(last, "name", None))
        return name in ("w", "kernel")

    return jax.tree.map_with_path(is_weight, params)


# %% [markdown]
# ```python
# >>> tx = optax.adamw(learning_rate=0.1, weight_decay=0.5, mask=decay_mask)
# >>> tx.update(zero, tx.init(params), params)[0]
# {'b': Array([-0.], dtype=float32), 'w': Array([-0.1,  0.2], dtype=float32)}
# ```

# %%
def make_adamw(peak_lr: float, warmup_steps: int, decay_steps: int, end_lr: float, clip_norm: float,
               weight_decay: float) -> optax.GradientTransformation:
    """Task optimizers.make_adamw: gradient clipping, then AdamW with a masked decay and a warmup-cosine rate.

    The returned transformation, given the gradients, params and state at update ``t`` (``t = 0`` for the first
    update after ``init``):

    1. clips the gradients by global norm ``clip_norm`` (as ``optax.clip_by_global_norm``: when the norm of the
       whole tree is above ``clip_norm``, every leaf is scaled by ``clip_norm / norm``; otherwise unchanged);
    2. then applies AdamW to the clipped gradients, as ``optax.adamw`` with its default ``b1``, ``b2`` and ``eps``:
       learning rate ``optax.warmup_cosine_decay_schedule(init_value=0.0, peak_value=peak_lr,
       warmup_steps=warmup_steps, decay_steps=decay_steps, end_value=end_lr)(t)``, and decoupled weight decay
       ``weight_decay`` (multiplied by that learning rate) applied only to the leaves ``decay_mask`` marks
       (last key-path entry ``"w"`` or ``"kernel"``); every other leaf is not decayed.

    Args:
        peak_lr, end_lr: Python floats, ``0 <= end_lr < peak_lr``.
        warmup_steps, decay_steps: Python ints, ``1 <= warmup_steps < decay_steps``; updates past ``decay_steps``
            use ``end_lr``.
        clip_norm, weight_decay: positive Python floats.

    Returns:
        An ``optax.GradientTransformation``. Its ``update`` needs ``params``; ``init`` and ``update`` work under
        ``jax.jit``, for any params tree (nested dicts and lists of float32 arrays).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 4. Your own transformation
#
# Nothing about a `GradientTransformation` is special: `optax.GradientTransformation(init, update)` with
# `init(params) -> state` (any pytree of arrays) and `update(updates, state, params=None) -> (updates, state)`.
# Write it as pure functions over trees and it works under `jit` and inside `optax.chain`, like Optax's own:
#
# ```python
# >>> def scale_by_two():
# ...     def init(params):
# ...         return optax.EmptyState()
# ...     def update(updates, state, params=None):
# ...         return jax.tree.map(lambda u: 2 * u, updates), state
# ...     return optax.GradientTransformation(init, update)
# >>> tx = optax.chain(scale_by_two(), optax.sgd(0.1))
# >>> tx.update({"w": jnp.array([1.0])}, tx.init({"w": jnp.zeros(1)}))[0]
# {'w': Array([-0.2], dtype=float32)}
# ```
#
# The convention of Optax's `scale_by_*` transformations: they return a *direction*, with no learning rate and no
# minus sign. `optax.scale_by_learning_rate(lr)` at the end of a chain multiplies by `-lr`:
#
# ```python
# >>> optax.scale_by_learning_rate(0.1).update({"w": jnp.array([1.0])}, optax.EmptyState())[0]
# {'w': Array([-0.1], dtype=float32)}
# ```
#
# Lion (Chen et al., 2023) keeps one moving average `m` of the gradients, like momentum, but steps by the *sign*
# of an interpolation between `m` and the new gradient, so every entry moves by exactly the learning rate.
# Two rates, two roles: `b1` mixes the direction, `b2` updates the average.

# %%
def scale_by_lion(b1: float, b2: float) -> optax.GradientTransformation:
    """Task optimizers.scale_by_lion: the Lion direction as your own ``optax.GradientTransformation``.

    ``init(params)`` returns a state holding ``m``, float32 zeros shaped like ``params`` (the state is any pytree of
    arrays you choose: a dict, a NamedTuple ...). ``update(updates, state, params=None)`` takes the gradients
    ``updates`` and returns ``(directions, new_state)`` where, leaf by leaf, with ``g`` the gradient and ``m`` the
    moment in ``state``:

    - ``direction = sign(b1 * m + (1 - b1) * g)`` (``0`` where that is exactly 0), computed from the old ``m``;
    - the new moment is ``b2 * m + (1 - b2) * g``.

    No learning rate and no minus sign: in ``optax.chain(scale_by_lion(b1, b2),
    optax.scale_by_learning_rate(lr))`` the last transformation multiplies by ``-lr``.

    Args:
        b1, b2: Python floats in ``(0, 1)``.

    Returns:
        An ``optax.GradientTransformation(init, update)``. ``update`` must accept being called without ``params``;
        both functions must work eagerly, under ``jax.jit`` and inside ``optax.chain``. It must not call
        ``optax.scale_by_lion`` or ``optax.lion``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 5. Changing a hyperparameter mid-run
#
# A schedule decided in advance fits in `optax.adam(schedule)`. A learning rate you decide *while* training (cut it
# when the validation loss stalls) does not: the float given to `optax.adam(1e-3)` is baked into the
# transformation, and into every jitted step that closes over it. A new `optax.adam(new_lr)` means a new `init`
# (Adam's averages lost) or a new step function to compile. `optax.inject_hyperparams` moves the numeric
# hyperparameters into the state instead, as float32 arrays you may replace between steps:
#
# ```python
# >>> tx = optax.inject_hyperparams(optax.adam)(learning_rate=0.1)
# >>> params = {"w": jnp.zeros(2)}
# >>> state = tx.init(params)
# >>> state.hyperparams["learning_rate"]
# Array(0.1, dtype=float32)
# ```
#
# The state is an argument of the jitted step, so a new value is just new data, with one condition: `jit`
# compiles once per *type* of argument, and a Python float is not a float32 array (it is weakly typed). Put a
# Python float where the array was and the step is traced again:
#
# ```python
# >>> traces = []
# >>> @jax.jit
# ... def step(params, state):
# ...     traces.append(1)                      # runs only while jit traces the step
# ...     updates, state = tx.update({"w": jnp.ones(2)}, state, params)
# ...     return optax.apply_updates(params, updates), state
# >>> params, state = step(params, state)
# >>> state.hyperparams["learning_rate"] = jnp.asarray(0.01, jnp.float32)
# >>> params, state = step(params, state)
# >>> len(traces)
# 1
# >>> state.hyperparams["learning_rate"] = 0.001    # a Python float
# >>> params, state = step(params, state)
# >>> len(traces)
# 2
# ```
#
# `jnp.asarray` of a Python float is weakly typed as well, unless you give it the dtype:
#
# ```python
# >>> jnp.asarray(0.001).weak_type, jnp.asarray(0.001, jnp.float32).weak_type
# (True, False)
# ```

# %%
def fit_with_learning_rates(loss_fn: Callable, params: Any, optimizer: Callable, batches: list,
                            learning_rates: list[float]) -> tuple[Any, Any, jax.Array]:
    """Task optimizers.fit_with_learning_rates: a learning rate that changes between steps, with one compilation.

    Build ``tx = optax.inject_hyperparams(optimizer)(learning_rate=learning_rates[0])`` once and train as ``fit``
    does (one step per batch, the loss before each step), except that step ``i`` uses the learning rate
    ``learning_rates[i]``: put it into the state's ``hyperparams["learning_rate"]`` before the step. The
    optimizer's own state (Adam's averages, a momentum) carries on across every change.

    Args:
        loss_fn, params, batches: as for ``fit`` (``len(batches) >= 1``).
        optimizer: an Optax optimizer factory that takes the keyword ``learning_rate`` (``optax.adam``,
            ``optax.rmsprop``, ``functools.partial(optax.sgd, momentum=0.9)`` ...).
        learning_rates: Python floats, one per batch; consecutive ones may be equal or differ.

    Returns:
        ``(params, opt_state, losses)`` as for ``fit``, where ``opt_state`` is the state of the
        ``inject_hyperparams`` transformation after the last step: its ``hyperparams["learning_rate"]`` is a
        float32 array equal to ``learning_rates[-1]``.

    As in ``fit``, the step runs compiled by ``jax.jit`` and is traced once per call: ``loss_fn`` runs only while
    that step is traced, and a new learning rate must not trace it again.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 6. Gradient accumulation
#
# A batch too large for memory can be split into `k` micro-batches: average their gradients, then take one step.
# `optax.MultiSteps(tx, every_k_schedule=k)` keeps that bookkeeping in its state: for `k - 1` calls it returns zero
# updates and accumulates, and at the `k`-th it hands the **mean** of the `k` gradients to `tx`. For a mean loss
# over micro-batches of equal size, the mean of their gradients is the gradient on their union, so the step is the
# large-batch step. The choice of branch happens inside the compiled update (a `cond` in its program), so one
# jitted step serves every micro-batch.
#
# ```python
# >>> tx = optax.MultiSteps(optax.sgd(1.0), every_k_schedule=2)
# >>> state = tx.init(jnp.zeros(()))
# >>> for g in (1.0, 3.0, 5.0):
# ...     update, state = tx.update(jnp.asarray(g), state)
# ...     print(update)                         # the step of the 2nd call uses the mean (1 + 3) / 2
# 0.0
# -2.0
# 0.0
# >>> "cond" in str(jax.make_jaxpr(tx.update)(jnp.ones(()), state))
# True
# ```

# %%
def fit_accumulated(loss_fn: Callable, params: Any, tx: optax.GradientTransformation, micro_batches: list,
                    every_k: int) -> tuple[Any, jax.Array]:
    """Task optimizers.fit_accumulated: one optimizer step every ``every_k`` micro-batches, on their mean gradient.

    Train as ``fit`` does, one call of the step per micro-batch, but with ``tx`` taking a step only after every
    ``every_k``-th micro-batch, on the **mean** of the gradients of the last ``every_k`` micro-batches (as
    ``optax.MultiSteps(tx, every_k_schedule=every_k)`` does); the params do not change in between. A trailing group
    of fewer than ``every_k`` micro-batches is accumulated but never applied.

    Args:
        loss_fn, params: as for ``fit``.
        tx: any ``optax.GradientTransformation`` (SGD, SGD with momentum, Adam ...), stepping once per group.
        micro_batches: a non-empty list of batches, all with the same shapes; its length need not be a multiple of
            ``every_k``.
        every_k: a Python int ``>= 1`` (``1``: a step after every micro-batch).

    Returns:
        ``(params, losses)``: the params after the last micro-batch, and a float32 array of shape
        ``(len(micro_batches),)`` whose entry ``i`` is the loss on micro-batch ``i`` at the params before it.

    As in ``fit``, the step runs compiled by ``jax.jit`` and is traced once per call: ``loss_fn`` runs only while
    that step is traced, whether or not the step applies an update.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## What comes next
#
# Flax's `TrainState` (topic `trainstate`) bundles `params`, `tx` and `opt_state`, and its `apply_gradients` is
# the `update` and `apply_updates` of `fit`'s step, with the new state kept for you:
#
# ```python
# >>> from flax.training import train_state
# >>> state = train_state.TrainState.create(apply_fn=None, params={"w": jnp.array([1.0])}, tx=optax.sgd(0.1))
# >>> state = state.apply_gradients(grads={"w": jnp.array([2.0])})
# >>> state.params, int(state.step)
# ({'w': Array([0.8], dtype=float32)}, 1)
# ```
#
# Its `tx` can be any transformation of this lesson: a chain, an optimizer with a schedule, an
# `inject_hyperparams` one.
