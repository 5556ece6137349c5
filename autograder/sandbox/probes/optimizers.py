"""Probes for topic `optimizers`. The verdicts live in autograder/grading/checks/test_optimizers.py.

Student functions here take or return Optax transformations, which are not data: each probe drives them (init,
update over several steps, eagerly and under ``jax.jit``) on inputs drawn from ``rng`` and returns only arrays the
student's code produced. Every run draws its optimizers, rates, sizes and trees afresh, always includes the edge
cases the docstrings name, and draws parameters where each classic confusion is far outside the tolerance.
"""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax

from autograder.sandbox.probing import forbidden, result, type_name


def _floats(rng, *shape, scale=1.0):
    return (rng.normal(size=shape) * scale).astype(np.float32)


def _arrays(tree):
    return jax.tree.map(jnp.asarray, tree)


# ------------------------------------------------------------------------------------------ problems to train on
def _regression_loss(params, batch):
    prediction = params["gain"] * jnp.tanh(batch["x"] @ params["dense"]["w"] + params["dense"]["b"])
    return jnp.mean((prediction - batch["y"]) ** 2)


def _regression_problem(rng, n_batches):
    """A one-layer tanh regression with a learned output gain: nested dict params with a matrix, a vector and a
    scalar (small trees keep compilation short)."""
    d_in, d_out, size = int(rng.integers(2, 5)), int(rng.integers(1, 4)), int(rng.integers(3, 7))
    params = {"dense": {"w": _floats(rng, d_in, d_out, scale=0.8), "b": _floats(rng, d_out, scale=0.3)},
              "gain": np.float32(rng.uniform(0.6, 1.5))}
    batches = [{"x": _floats(rng, size, d_in), "y": _floats(rng, size, d_out)} for _ in range(n_batches)]
    return _regression_loss, _arrays(params), _arrays(batches)


def _softmax_loss(params, batch):
    logits = (batch["x"] @ params["linear"]["w"] + params["linear"]["b"]) / params["temperature"]
    log_probs = jax.nn.log_softmax(logits)
    return -jnp.mean(jnp.take_along_axis(log_probs, batch["y"][:, None], axis=1))


def _softmax_problem(rng, n_batches):
    """A linear softmax classifier with integer labels and a learned temperature."""
    d_in, classes, size = int(rng.integers(2, 5)), int(rng.integers(3, 5)), int(rng.integers(4, 8))
    params = {"linear": {"w": _floats(rng, d_in, classes), "b": _floats(rng, classes, scale=0.5)},
              "temperature": np.float32(rng.uniform(0.8, 1.5))}
    batches = [{"x": _floats(rng, size, d_in), "y": rng.integers(0, classes, size=size).astype(np.int32)}
               for _ in range(n_batches)]
    return _softmax_loss, _arrays(params), _arrays(batches)


def _problem(kind, rng, n_batches):
    return (_regression_problem if kind == "regression" else _softmax_problem)(rng, n_batches)


# ------------------------------------------------------------------------------------------ counting traces
def _staging_trace(tree):
    """The jit/scan trace a call runs under (the DynamicJaxprTrace below any grad or vmap tracers), or None when
    every input is concrete: an eager call."""
    for leaf in jax.tree.leaves(tree):
        value = leaf
        for _ in range(32):
            if not isinstance(value, jax.core.Tracer):
                break
            if type(value).__name__ == "DynamicJaxprTracer":
                return getattr(value, "_trace", None)
            inner = getattr(value, "primal", None)
            value = getattr(value, "val", None) if inner is None else inner
    return None


class _CountingLoss:
    """Wraps a loss: counts the distinct jit traces it runs under and the calls made eagerly."""

    def __init__(self, loss):
        self.loss, self.traces, self.eager_calls = loss, [], 0

    def __call__(self, params, batch):
        trace = _staging_trace((params, batch))
        if trace is None:
            self.eager_calls += 1
        elif not any(seen is trace for seen in self.traces):
            self.traces.append(trace)
        return self.loss(params, batch)

    def report(self):
        return {"traces": len(self.traces), "eager_calls": self.eager_calls}


# ------------------------------------------------------------------------------------------ fit
def fit_runs(impl, rng):
    """fit trains with AdamW (which needs the params) over several batches and with SGD with momentum on a single
    batch, carrying the optimizer state, with one step traced once per call"""
    lr_adamw, decay = float(rng.uniform(0.02, 0.08)), float(rng.uniform(0.2, 0.5))
    lr_momentum, momentum = float(rng.uniform(0.05, 0.2)), float(rng.uniform(0.6, 0.95))
    specs = {
        "adamw": (str(rng.choice(["regression", "softmax"])), int(rng.integers(3, 6)),
                  optax.adamw(lr_adamw, weight_decay=decay), f"optax.adamw({lr_adamw:.3f}, weight_decay={decay:.3f})"),
        "one_batch": ("regression", 1, optax.sgd(lr_momentum, momentum=momentum),
                      f"optax.sgd({lr_momentum:.3f}, momentum={momentum:.3f})"),
    }
    out, report, given = {}, {}, {}
    for name, (kind, n, tx, label) in specs.items():
        loss, params, batches = _problem(kind, rng, n)
        initial = jax.tree.map(lambda leaf: np.array(leaf, copy=True), params)  # safe from a donating step
        counted = _CountingLoss(loss)
        new_params, opt_state, losses = impl.fit(counted, params, tx, batches)
        out[name] = {"params": new_params, "opt_state": jax.tree.leaves(opt_state), "losses": losses}
        report[name] = counted.report()
        given[name] = {"optimizer": label, "batches": n, "initial": initial}
    return result(out=out, report=report, given=given)


# ------------------------------------------------------------------------------------------ warmup_cosine_schedule
SCHEDULES = ("warmup_cosine_decay_schedule", "cosine_decay_schedule", "linear_schedule", "join_schedules",
             "polynomial_schedule", "piecewise_interpolate_schedule", "sgdr_schedule", "cosine_onecycle_schedule",
             "linear_onecycle_schedule", "warmup_constant_schedule", "warmup_exponential_decay_schedule")


def _schedule_settings(rng):
    """Three settings: warmup of one step from 0.0; the shortest cosine (decay_steps = warmup_steps + 1); a longer
    one. end_value is never small next to peak_value, init_value differs from it, so neither can be ignored."""
    settings = {}
    for name in ("one_step_warmup", "shortest_decay", "longer"):
        peak = float(np.float32(rng.uniform(0.2, 3.0)))
        warmup = 1 if name == "one_step_warmup" else int(rng.integers(2, 6))
        decay = warmup + (1 if name == "shortest_decay" else int(rng.integers(3, 9)))
        init = 0.0 if name == "one_step_warmup" else float(np.float32(peak * rng.uniform(0.05, 0.4)))
        end = float(np.float32(peak * rng.uniform(0.15, 0.6)))
        settings[name] = {"init_value": init, "peak_value": peak, "warmup_steps": warmup, "decay_steps": decay,
                          "end_value": end}
    return settings


def schedule_values(impl, rng):
    """warmup_cosine_schedule matches at every step from 0 to past decay_steps (Python ints, traced int32 steps
    under jax.jit and jax.vmap, an array of steps, and an optimizer's own step count), without calling optax's
    schedules"""
    settings = _schedule_settings(rng)
    with forbidden(impl, optax, SCHEDULES, "optax") as calls, \
            forbidden(impl, optax.schedules, SCHEDULES, "optax.schedules") as more_calls:
        schedules = {name: impl.warmup_cosine_schedule(s["init_value"], s["peak_value"], s["warmup_steps"],
                                                       s["decay_steps"], s["end_value"])
                     for name, s in settings.items()}
        # Every step from 0 to 3 past decay_steps (0, warmup_steps and decay_steps among them), and one far out.
        steps = {name: list(range(s["decay_steps"] + 4)) + [10 * s["decay_steps"] + 7] for name, s in settings.items()}
        out = {name: {"eager": [schedule(step) for step in steps[name]]} for name, schedule in schedules.items()}
        # One compiled program for all three: each schedule vmapped over its traced int32 steps.
        compiled = jax.jit(lambda arrays: {name: jax.vmap(schedules[name])(a) for name, a in arrays.items()})
        for name, values in compiled({name: jnp.asarray(v, jnp.int32) for name, v in steps.items()}).items():
            out[name]["jit_vmap"] = values
        grid = jnp.asarray(rng.integers(0, 12, size=(2, 3)).astype(np.int32))
        for name, schedule in schedules.items():
            out[name]["grid"] = schedule(grid)
        # As a learning rate: optax calls the schedule with its own int32 count, inside a compiled scan.
        tx = optax.scale_by_schedule(schedules["longer"])

        def body(state, _):
            update, state = tx.update(jnp.ones(()), state)
            return state, update

        out["as_learning_rate"] = jax.lax.scan(body, tx.init(jnp.zeros(())), None,
                                               length=settings["longer"]["decay_steps"] + 2)[1]
    return result(out=out, report={"forbidden_calls": calls + more_calls,
                                   "types": {name: type_name(out[name]["eager"][0]) for name in settings}},
                  given={"settings": settings})


# ------------------------------------------------------------------------------------------ make_adamw
def _adamw_tree(rng, layout):
    """Parameter trees with decayed leaves ("w", "kernel") and leaves that must not be decayed ("b", "scale", list
    positions, a scalar), of several shapes; values large enough that a wrong decay shows."""
    h = int(rng.integers(2, 5))
    if layout == "dicts":
        tree = {"encoder": {"w": _floats(rng, int(rng.integers(2, 5)), h, scale=1.5), "b": _floats(rng, h, scale=1.5)},
                "norm": {"scale": _floats(rng, h, scale=1.5), "kernel": _floats(rng, h, 2, scale=1.5)}}
    else:
        tree = {"layers": [{"w": _floats(rng, 3, h, scale=1.5), "b": _floats(rng, h, scale=1.5)}],
                "embed": {"kernel": _floats(rng, 4, 2, scale=1.5)},
                "offsets": [_floats(rng, 2, scale=1.5), np.float32(rng.normal() * 1.5)]}
    return _arrays(tree)


def _gradient_norm_factors(rng, steps):
    """Global gradient norms as multiples of clip_norm: some far below (left alone), some far above (clipped by
    different factors), in a random order, so neither clipping nor its absence can pass."""
    below = rng.uniform(0.15, 0.6, size=steps)
    above = rng.uniform(2.5, 12.0, size=steps)
    factors = np.where(np.arange(steps) % 2 == 0, below, above)
    rng.shuffle(factors)
    return factors


def adamw_runs(impl, rng):
    """make_adamw's transformation clips by global norm, then steps AdamW with a masked, rate-scaled weight decay and
    a warmup-cosine learning rate, under jax.jit, through and past decay_steps, on two parameter trees"""
    given, transformations, params = {}, {}, {}
    for layout in ("dicts", "lists"):
        peak = float(np.float32(rng.uniform(0.02, 0.1)))
        warmup = int(rng.integers(1, 4))
        given[layout] = {"peak_lr": peak, "warmup_steps": warmup, "decay_steps": warmup + int(rng.integers(3, 6)),
                         "end_lr": float(np.float32(peak * rng.uniform(0.15, 0.5))),
                         "clip_norm": float(np.float32(rng.uniform(0.5, 2.0))),
                         "weight_decay": float(np.float32(rng.uniform(0.15, 0.5)))}
        transformations[layout] = impl.make_adamw(**given[layout])
        params[layout] = _adamw_tree(rng, layout)

    @jax.jit
    def step(params, states, grads):  # both trees in one compiled program
        new_params, new_states, updates = {}, {}, {}
        for layout, tx in transformations.items():
            updates[layout], new_states[layout] = tx.update(grads[layout], states[layout], params[layout])
            new_params[layout] = optax.apply_updates(params[layout], updates[layout])
        return new_params, new_states, updates

    steps = max(s["decay_steps"] for s in given.values()) + 2
    factors = {layout: _gradient_norm_factors(rng, steps) for layout in given}
    states = {layout: tx.init(params[layout]) for layout, tx in transformations.items()}
    history = {layout: [] for layout in given}
    for i in range(steps):
        grads = {}
        for layout, tree in params.items():
            leaves, treedef = jax.tree.flatten(tree)
            direction = [rng.normal(size=leaf.shape) for leaf in leaves]
            norm = np.sqrt(sum(float(np.sum(d * d)) for d in direction))
            scale = factors[layout][i] * given[layout]["clip_norm"] / norm
            grads[layout] = jax.tree.unflatten(treedef, [jnp.asarray(d * scale, jnp.float32) for d in direction])
        params, states, updates = step(params, states, grads)
        for layout in given:
            history[layout].append(updates[layout])
    return result(out={layout: {"updates": history[layout], "params": params[layout]} for layout in given},
                  given=given)


# ------------------------------------------------------------------------------------------ scale_by_lion
def _lion_gradients(rng, params, steps, b1, b2):
    """Gradients whose entries change scale by orders of magnitude from step to step, so the moment sometimes
    dominates the direction and sometimes not; exact zeros in the first step (the sign of 0 is 0). In the second
    step half the entries are -c times the first gradient, with c between the point where sign(b1 * m + (1 - b1) * g)
    flips and the point where the same expression with the already-updated moment flips: there the two differ."""
    low = b1 * (1 - b2) * b2 / ((1 - b1) + b1 * (1 - b2))
    high = b1 * (1 - b2) / (1 - b1)
    between = np.sqrt(low * high)
    grads = []
    for i in range(steps):
        def draw(p, i=i):
            g = rng.normal(size=p.shape) * np.exp(rng.uniform(-4.5, 2.5, size=p.shape))
            if i == 0:
                g = np.where(rng.random(size=p.shape) < 0.25, 0.0, g)
            return g

        grads.append(jax.tree.map(draw, params))
    first = grads[0]
    grads[1] = jax.tree.map(lambda g1, g0: np.where(rng.random(size=np.shape(g0)) < 0.5, -between * g0, g1),
                            grads[1], first)
    return [jax.tree.map(lambda g: jnp.asarray(g, jnp.float32), tree) for tree in grads]


def _lion_params(rng):
    h = int(rng.integers(3, 6))
    return _arrays({"dense": {"w": _floats(rng, 4, h), "b": _floats(rng, h)}, "out": {"w": _floats(rng, h, 2)},
                    "scale": np.float32(rng.uniform(0.5, 2.0))})


def _lion_rates(rng):
    """b1 and b2 far apart, so swapping them shows."""
    return float(np.float32(rng.uniform(0.3, 0.7))), float(np.float32(rng.uniform(0.9, 0.99)))


def lion_runs(impl, rng):
    """scale_by_lion's update returns sign(b1 * m + (1 - b1) * g) and moves m to b2 * m + (1 - b2) * g, eagerly
    without params, and under jax.jit inside optax.chain with a weight decay and a learning rate"""
    b1, b2 = _lion_rates(rng)
    params = _lion_params(rng)
    with forbidden(impl, optax, ("scale_by_lion", "lion"), "optax") as calls:
        tx = impl.scale_by_lion(b1, b2)
        is_transformation = isinstance(tx, optax.GradientTransformation)
        state, directions = tx.init(params), []
        for grads in _lion_gradients(rng, params, 5, b1, b2):
            direction, state = tx.update(grads, state)  # no params: Optax's signature has params=None
            directions.append(direction)

        c1, c2 = _lion_rates(rng)
        lr, decay = float(np.float32(rng.uniform(0.01, 0.1))), float(np.float32(rng.uniform(0.05, 0.3)))
        chained = optax.chain(impl.scale_by_lion(c1, c2), optax.add_decayed_weights(decay),
                              optax.scale_by_learning_rate(lr))
        chain_params = _lion_params(rng)

        @jax.jit
        def step(params, state, grads):
            updates, state = chained.update(grads, state, params)
            return optax.apply_updates(params, updates), state

        chain_state, trajectory = chained.init(chain_params), []
        for grads in _lion_gradients(rng, chain_params, 6, c1, c2):
            chain_params, chain_state = step(chain_params, chain_state, grads)
            trajectory.append(chain_params)
    return result(out={"eager_directions": directions, "chained_params": trajectory},
                  report={"forbidden_calls": calls, "is_gradient_transformation": is_transformation},
                  given={"b1": b1, "b2": b2, "chain": {"b1": c1, "b2": c2, "learning_rate": lr, "weight_decay": decay}})


# ------------------------------------------------------------------------------------------ fit_with_learning_rates
def _rate_sequence(rng, n):
    """Piecewise-constant rates (n >= 4): a change right after the first step, a repeat right after it, then random
    repeats and changes by factors of 2.5 to 10 down or up, so a rate used one step late, or never changed, is far
    off."""
    rates = [float(rng.uniform(0.02, 0.08))]
    for i in range(1, n):
        change = i == 1 or (i > 2 and rng.random() < 0.5)
        if not change:
            rates.append(rates[-1])
            continue
        factor = rng.uniform(0.1, 0.4) if rng.random() < 0.5 else rng.uniform(2.5, 4.0)
        rate = float(np.clip(rates[-1] * factor, 0.003, 0.3))
        if rate == rates[-1]:  # clipped to the same value: move the other way
            rate = rates[-1] * (0.25 if rates[-1] > 0.01 else 4.0)
        rates.append(rate)
    return rates


def learning_rate_runs(impl, rng):
    """fit_with_learning_rates steps with each given learning rate (Adam or RMSProp, and SGD with momentum), keeps
    the optimizer state across changes, and traces its step once"""
    momentum = float(rng.uniform(0.6, 0.95))
    adaptive = {"adam": optax.adam, "rmsprop": optax.rmsprop}
    choice = str(rng.choice(sorted(adaptive)))
    specs = {choice: (str(rng.choice(["regression", "softmax"])), int(rng.integers(5, 7)), adaptive[choice],
                      f"optax.{choice}"),
             "momentum": ("regression", int(rng.integers(4, 6)), functools.partial(optax.sgd, momentum=momentum),
                          f"functools.partial(optax.sgd, momentum={momentum:.3f})")}
    out, report, given = {}, {}, {}
    for name, (kind, n, optimizer, label) in specs.items():
        loss, params, batches = _problem(kind, rng, n)
        rates = _rate_sequence(rng, n)
        counted = _CountingLoss(loss)
        new_params, opt_state, losses = impl.fit_with_learning_rates(counted, params, optimizer, batches, rates)
        hyperparams = getattr(opt_state, "hyperparams", None)
        out[name] = {"params": new_params, "losses": losses, "opt_state": jax.tree.leaves(opt_state),
                     "hyperparams": dict(hyperparams) if isinstance(hyperparams, dict) else None}
        report[name] = counted.report()
        given[name] = {"optimizer": label, "learning_rates": rates}
    return result(out=out, report=report, given=given)


# ------------------------------------------------------------------------------------------ fit_accumulated
def accumulation_runs(impl, rng):
    """fit_accumulated steps once per group of every_k micro-batches on their mean gradient (SGD with momentum with a
    trailing partial group, and Adam or SGD with every_k = 1), and traces its step once"""
    k = int(rng.integers(2, 4))
    lr_momentum, momentum = float(rng.uniform(0.1, 0.3)), float(rng.uniform(0.6, 0.9))
    lr_adam = float(rng.uniform(0.03, 0.1))
    specs = {
        "momentum": (str(rng.choice(["regression", "softmax"])), 2 * k + 1, k,
                     optax.sgd(lr_momentum, momentum=momentum),
                     f"optax.sgd({lr_momentum:.3f}, momentum={momentum:.3f})"),
        "every_step": ("regression", 3, 1, optax.adam(lr_adam), f"optax.adam({lr_adam:.3f})"),
    }
    out, report, given = {}, {}, {}
    for name, (kind, n, every_k, tx, label) in specs.items():
        loss, params, batches = _problem(kind, rng, n)
        counted = _CountingLoss(loss)
        new_params, losses = impl.fit_accumulated(counted, params, tx, batches, every_k)
        out[name] = {"params": new_params, "losses": losses}
        report[name] = counted.report()
        given[name] = {"optimizer": label, "micro_batches": n, "every_k": every_k}
    return result(out=out, report=report, given=given)
