"""Correct-but-different solutions for topic `optimizers`: every hidden check must accept them.

Each function overrides the reference's (the self-check appends this file to solutions/optimizers.py), so
the checks are shown to test behaviour, not the reference's incidental choices.
"""
from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax


def fit(loss_fn, params, tx, batches):
    # The whole loop as one lax.scan over the stacked batches, compiled once; the gradients and the loss taken
    # separately (two calls of loss_fn, in one trace).
    stacked = jax.tree.map(lambda *leaves: jnp.stack(leaves), *batches)

    def step(carry, batch):
        params, opt_state = carry
        grads = jax.grad(loss_fn)(params, batch)
        loss = loss_fn(params, batch)
        updates, opt_state = tx.update(grads, opt_state, params)
        params = jax.tree.map(lambda p, u: p + u, params, updates)
        return (params, opt_state), loss

    @jax.jit
    def run(params, stacked):
        return jax.lax.scan(step, (params, tx.init(params)), stacked)

    (params, opt_state), losses = run(params, stacked)
    return params, opt_state, losses


def warmup_cosine_schedule(init_value, peak_value, warmup_steps, decay_steps, end_value):
    # Interpolation for the warmup, a clipped fraction for the cosine, lax.select between them.
    total = decay_steps - warmup_steps

    def schedule(step):
        step = jnp.asarray(step, jnp.float32)
        warm = jnp.interp(step, jnp.array([0.0, warmup_steps]), jnp.array([init_value, peak_value], jnp.float32))
        fraction = jnp.clip((step - warmup_steps) / total, 0.0, 1.0)
        cool = end_value + 0.5 * (peak_value - end_value) * (1.0 + jnp.cos(jnp.pi * fraction))
        return jax.lax.select(step < warmup_steps, warm, cool.astype(jnp.float32))

    return schedule


def _weights_only(params):
    # The same mask written with jax.tree_util and key names compared by their string form.
    def keep(path, _):
        return bool(path) and str(path[-1]) in ("['w']", "['kernel']")

    return jax.tree_util.tree_map_with_path(keep, params)


def make_adamw(peak_lr, warmup_steps, decay_steps, end_lr, clip_norm, weight_decay):
    # AdamW spelled out as its pieces: Adam's direction, the masked decay, then the scheduled learning rate.
    schedule = optax.warmup_cosine_decay_schedule(0.0, peak_lr, warmup_steps, decay_steps, end_lr)
    return optax.chain(
        optax.clip_by_global_norm(clip_norm),
        optax.scale_by_adam(),
        optax.masked(optax.add_decayed_weights(weight_decay), _weights_only),
        optax.scale_by_learning_rate(schedule),
    )


class _LionState(NamedTuple):
    count: jax.Array
    moment: dict


def scale_by_lion(b1, b2):
    # A NamedTuple state with a step count, jax.tree_util and a where-based sign.
    def init(params):
        return _LionState(jnp.zeros((), jnp.int32), jax.tree_util.tree_map(jnp.zeros_like, params))

    def update(updates, state, params=None):
        def sign(x):
            return jnp.where(x > 0, 1.0, jnp.where(x < 0, -1.0, 0.0)).astype(x.dtype)

        directions = jax.tree_util.tree_map(lambda g, m: sign((1 - b1) * g + b1 * m), updates, state.moment)
        moment = jax.tree_util.tree_map(lambda g, m: (1 - b2) * g + b2 * m, updates, state.moment)
        return directions, _LionState(state.count + 1, moment)

    return optax.GradientTransformation(init, update)


def fit_with_learning_rates(loss_fn, params, optimizer, batches, learning_rates):
    # The rate is an argument of the jitted step and is written into a copy of the hyperparams inside it.
    tx = optax.inject_hyperparams(optimizer)(learning_rate=learning_rates[0])

    @jax.jit
    def step(params, opt_state, batch, rate):
        opt_state = opt_state._replace(hyperparams={**opt_state.hyperparams, "learning_rate": rate})
        loss, grads = jax.value_and_grad(loss_fn)(params, batch)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    opt_state, losses = tx.init(params), []
    for batch, rate in zip(batches, learning_rates):
        params, opt_state, loss = step(params, opt_state, batch, jnp.float32(rate))
        losses.append(loss)
    return params, opt_state, jnp.array(losses)


def fit_accumulated(loss_fn, params, tx, micro_batches, every_k):
    # Accumulation by hand: sum the gradients, and in the every_k-th micro-batch step tx on their mean (lax.cond).
    @jax.jit
    def step(params, opt_state, total, seen, batch):
        loss, grads = jax.value_and_grad(loss_fn)(params, batch)
        total = jax.tree.map(jnp.add, total, grads)
        seen = seen + 1

        def apply(args):
            params, opt_state, total = args
            mean = jax.tree.map(lambda g: g / every_k, total)
            updates, opt_state = tx.update(mean, opt_state, params)
            return optax.apply_updates(params, updates), opt_state, jax.tree.map(jnp.zeros_like, total)

        params, opt_state, total = jax.lax.cond(seen == every_k, apply, lambda args: args, (params, opt_state, total))
        return params, opt_state, total, jnp.where(seen == every_k, 0, seen), loss

    opt_state, total, seen = tx.init(params), jax.tree.map(jnp.zeros_like, params), jnp.zeros((), jnp.int32)
    losses = []
    for batch in micro_batches:
        params, opt_state, total, seen, loss = step(params, opt_state, total, seen, batch)
        losses.append(loss)
    return params, jnp.stack(losses)
