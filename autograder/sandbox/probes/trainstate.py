"""Probes for topic `trainstate`. Each returns plain data; the verdicts live in autograder/grading/checks.

Every probe except build_model's uses the trusted model, state class and step functions defined here, so a
mistake in one task never fails another task's checks.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import linen as nn
from flax.training import train_state

from autograder.sandbox.probing import memo_probe

# The digits shapes everywhere: every probe then shares the compiled init and the eager kernels.
D_IN, HIDDEN, CLASSES = 64, 16, 10





class _ProbeNet(nn.Module):
    hidden: int = HIDDEN
    classes: int = CLASSES
    rate: float = 0.5

    @nn.compact
    def __call__(self, x, train: bool):
        # No bias before BatchNorm: its gradient is zero up to rounding, which Adam would blow up to +-lr.
        x = nn.Dense(self.hidden, use_bias=False)(x)
        x = nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)
        x = nn.relu(x)
        x = nn.Dropout(self.rate, deterministic=not train)(x)
        return nn.Dense(self.classes)(x)


class _ProbeState(train_state.TrainState):
    batch_stats: Any
    key: jax.Array


@lru_cache(maxsize=None)
def _model(hidden=HIDDEN, classes=CLASSES, rate=0.5):
    return _ProbeNet(hidden, classes, rate)


@lru_cache(maxsize=None)
def _tx(lr=1e-2):
    return optax.adam(lr)  # one instance per process: the state's treedef stays stable


@lru_cache(maxsize=None)
def _jit_init(hidden=HIDDEN, classes=CLASSES, rate=0.5):
    return jax.jit(lambda k, x: _model(hidden, classes, rate).init(k, x, train=False))


def _tree(tree) -> Any:
    """A state field as plain nested dicts of arrays (typed keys as their raw key data)."""
    return jax.tree.map(lambda a: np.asarray(jax.random.key_data(a)) if _is_key(a) else np.asarray(a), tree)


def _is_key(a) -> bool:
    return isinstance(a, jax.Array) and jax.dtypes.issubdtype(a.dtype, jax.dtypes.prng_key)


def _leaves(tree) -> list:
    return [np.asarray(jax.random.key_data(a)) if _is_key(a) else np.asarray(a) for a in jax.tree.leaves(tree)]


def _batch(rng, n=32, d=D_IN, classes=CLASSES) -> dict:
    return {"x": jnp.asarray(rng.normal(size=(n, d)).astype(np.float32)),
            "y": jnp.asarray(rng.integers(0, classes, size=n).astype(np.int32))}


def _state(rng, *, random_stats=False, hidden=HIDDEN, classes=CLASSES, d=D_IN, rate=0.5, lr=1e-2) -> _ProbeState:
    seed = int(rng.integers(2**31))
    variables = _jit_init(hidden, classes, rate)(jax.random.key(seed), jnp.zeros((8, d), jnp.float32))
    stats = variables["batch_stats"]
    if random_stats:  # running averages far from (0, 1), so train-mode and eval-mode outputs clearly differ
        stats = {"BatchNorm_0": {"mean": jnp.asarray(rng.normal(size=hidden).astype(np.float32)),
                                 "var": jnp.asarray(rng.uniform(0.3, 3.0, size=hidden).astype(np.float32))}}
    return _ProbeState.create(apply_fn=_model(hidden, classes, rate).apply, params=variables["params"], tx=_tx(lr),
                              batch_stats=stats, key=jax.random.key(seed + 1))


def _state_data(state) -> dict:
    return {"step": int(state.step), "params": _tree(state.params), "batch_stats": _tree(state.batch_stats),
            "opt_state": _leaves(state.opt_state), "key": _leaves(state.key)}


# ------------------------------------------------------------------------------------------ build_model
@memo_probe("build_model")
def build_model_behaviour(impl, rng):
    """build_model gives a Linen model whose collections, shapes, BatchNorm and Dropout behave as specified"""
    model = impl.build_model(hidden=HIDDEN, num_classes=CLASSES, dropout_rate=0.5)
    x = jnp.asarray(rng.normal(size=(32, D_IN)).astype(np.float32) + 1.0)
    seed = int(rng.integers(2**31))
    # Eager calls: op-by-op kernels are compiled once per process and shared by every implementation graded.
    variables = model.init(jax.random.key(seed), x, train=False)
    collections = sorted(variables)
    params, stats = variables.get("params", {}), variables.get("batch_stats", {})
    shapes = sorted(tuple(int(s) for s in a.shape) for a in jax.tree.leaves(params))
    stat_shapes = sorted(tuple(int(s) for s in a.shape) for a in jax.tree.leaves(stats))

    def eval_fn(v, xs):
        return model.apply(v, xs, train=False)

    def train_fn(v, xs, k):
        return model.apply(v, xs, train=True, rngs={"dropout": k}, mutable=["batch_stats"])

    eval_out = eval_fn(variables, x)
    k1, k2 = jax.random.key(seed + 1), jax.random.key(seed + 2)
    out_a, updates = train_fn(variables, x, k1)
    out_a2, _ = train_fn(variables, x, k1)
    out_b, _ = train_fn(variables, x, k2)
    new_stats = updates.get("batch_stats", {}) if isinstance(updates, dict) else {}

    # At init every bias is 0 and the running averages are (0, 1), so the first layer's output is x @ K1 and
    # the eval output is relu(x @ K1 / sqrt(1 + eps)) @ K2. K1 and K2 are the only kernels of their shapes.
    kernels = {tuple(a.shape): np.asarray(a) for a in jax.tree.leaves(params) if a.ndim == 2}
    k_in, k_out = kernels.get((D_IN, HIDDEN)), kernels.get((HIDDEN, CLASSES))
    expected_eval = expected_mean = expected_var = None
    stat_means = stat_vars = None
    if k_in is not None and k_out is not None:
        z = np.asarray(x, np.float64) @ k_in.astype(np.float64)
        expected_eval = (np.maximum(z / np.sqrt(1 + 1e-5), 0) @ k_out.astype(np.float64)).astype(np.float32)
        expected_mean = (0.1 * z.mean(0)).astype(np.float32)
        expected_var = (0.9 + 0.1 * z.var(0)).astype(np.float32)
        flat = {jax.tree_util.keystr(p): np.asarray(a) for p, a in jax.tree_util.tree_leaves_with_path(new_stats)}
        stat_means = [a for p, a in flat.items() if p.endswith("['mean']")]
        stat_vars = [a for p, a in flat.items() if p.endswith("['var']")]
    return {
        "collections": collections, "param_shapes": [list(s) for s in shapes],
        "stat_shapes": [list(s) for s in stat_shapes], "eval_shape": list(eval_out.shape),
        "train_shape": list(out_a.shape),
        "eval_out": np.asarray(eval_out), "expected_eval": expected_eval,
        "stats_changed": bool(any(not np.array_equal(a, b) for a, b in
                                  zip(jax.tree.leaves(new_stats), jax.tree.leaves(stats)))) if new_stats else False,
        "new_mean": stat_means[0] if stat_means else None, "expected_mean": expected_mean,
        "new_var": stat_vars[0] if stat_vars else None, "expected_var": expected_var,
        "same_key_same_output": bool(np.array_equal(out_a, out_a2)),
        "other_key_other_output": not bool(np.array_equal(out_a, out_b)),
    }


# ------------------------------------------------------------------------------------------ apply_train
def apply_train_outputs(impl, rng):
    """apply_train runs the model in training mode and returns the logits and the updated batch statistics"""
    state = _state(rng, random_stats=True)
    variables = {"params": state.params, "batch_stats": state.batch_stats}
    x = jnp.asarray(rng.normal(size=(32, D_IN)).astype(np.float32))
    key = jax.random.key(int(rng.integers(2**31)))
    jax.jit(lambda v, xs, k: impl.apply_train(_model(), v, xs, k)).lower(variables, x, key)  # traceable under jit
    logits, stats = impl.apply_train(_model(), variables, x, key)
    return {"logits": np.asarray(logits), "batch_stats": _tree(stats),
            "stats_unchanged": bool(jax.tree.structure(stats) == jax.tree.structure(state.batch_stats)
                                    and all(np.array_equal(a, b) for a, b in zip(jax.tree.leaves(stats),
                                                                                  jax.tree.leaves(state.batch_stats))))}


# ------------------------------------------------------------------------------------------ create_train_state
def create_train_state_fields(impl, rng):
    """create_train_state initialises the model and fills every TrainState field as specified"""
    model, tx = _model(), _tx()
    seed = int(rng.integers(2**31))
    x = jnp.asarray(rng.normal(size=(8, D_IN)).astype(np.float32))
    state = impl.create_train_state(model, jax.random.key(seed), x, tx)
    is_train_state = isinstance(state, train_state.TrainState)
    has_fields = all(hasattr(state, f) for f in ("batch_stats", "key"))
    out = {"is_train_state": is_train_state, "has_fields": has_fields}
    if not (is_train_state and has_fields):
        return out
    params_ok = isinstance(state.params, dict)
    out.update({
        "step": int(state.step), "params": _tree(state.params), "batch_stats": _tree(state.batch_stats),
        "key": _leaves(state.key),
        "opt_state_structure_ok": params_ok and jax.tree.structure(state.opt_state) == jax.tree.structure(tx.init(state.params)),
        "tx_is_given": state.tx is tx,
    })
    probe_x = jnp.asarray(rng.normal(size=(4, D_IN)).astype(np.float32))
    out["apply_fn_output"] = np.asarray(state.apply_fn({"params": state.params, "batch_stats": state.batch_stats},
                                                       probe_x, train=False))
    return out


# ------------------------------------------------------------------------------------------ train_step
_jitted_steps: dict = {}


def _jitted_step(train_step):
    """jax.jit of a train_step that counts its traces; one per function object, shared by the probes, so an
    implementation's step compiles once (a redefined function is a new entry)."""
    if train_step not in _jitted_steps:
        traces = [0]

        def counted(state, batch):
            traces[0] += 1
            return train_step(state, batch)

        _jitted_steps[train_step] = (jax.jit(counted), traces)
    return _jitted_steps[train_step]


@memo_probe("train_step")
def train_step_three_steps(impl, rng):
    """three jitted train_step calls update params, optimizer state, step and batch statistics like the reference"""
    state = _state(rng)
    step, traces = _jitted_step(impl.train_step)
    batches = [_batch(rng) for _ in range(3)]
    first, _ = step(state, batches[0])
    metrics = []
    current = state
    for b in batches:
        current, m = step(current, b)
        metrics.append({"loss": np.asarray(m["loss"]), "accuracy": np.asarray(m["accuracy"])})
    step(current, batches[0])
    return {"traces": traces[0], "state": _state_data(current), "metrics": metrics,
            "stats_written_back": not all(np.array_equal(a, b) for a, b in
                                          zip(_leaves(first.batch_stats), _leaves(state.batch_stats))),
            "treedef_stable": jax.tree.structure(first) == jax.tree.structure(state)}


def train_step_key_per_step(impl, rng):
    """train_step derives a different dropout key at every step (fold_in(state.key, state.step))"""
    state = _state(rng)
    batch = _batch(rng)
    step, _ = _jitted_step(impl.train_step)
    _, at_step0 = step(state, batch)
    _, at_step1 = step(state.replace(step=state.step + 1), batch)
    later = state.replace(step=int(rng.integers(2, 50)))  # a Python int, like the step of a fresh state
    s_later, at_later = step(later, batch)
    return {"loss_0": np.asarray(at_step0["loss"]), "loss_1": np.asarray(at_step1["loss"]),
            "loss_later": np.asarray(at_later["loss"]), "key_unchanged": bool(np.array_equal(
                _leaves(s_later.key)[0], _leaves(state.key)[0]))}


# ------------------------------------------------------------------------------------------ eval_step
def eval_step_metrics(impl, rng):
    """eval_step evaluates with running averages and no dropout, deterministically"""
    state = _state(rng, random_stats=True)
    batch = _batch(rng)
    jax.jit(impl.eval_step).lower(state, batch)  # traceable under jit
    step = impl.eval_step
    first = step(state, batch)
    other_key = step(state.replace(key=jax.random.key(int(rng.integers(2**31)))), batch)
    eager = step(state, batch)
    logits = state.apply_fn({"params": state.params, "batch_stats": state.batch_stats}, batch["x"], train=False)
    oracle = float(optax.softmax_cross_entropy_with_integer_labels(logits, batch["y"]).mean())
    return {"loss": float(first["loss"]), "accuracy": float(first["accuracy"]), "oracle_loss": oracle,
            "other_key_loss": float(other_key["loss"]), "eager_loss": float(eager["loss"]),
            "keys": sorted(first)}


# ------------------------------------------------------------------------------------------ adam_update
def adam_against_optax(impl, rng):
    """adam_update reproduces optax.adam's updates and moments over four steps, under jax.jit"""
    lr = float(np.float32(rng.uniform(1e-3, 5e-2)))
    b1, b2 = float(rng.uniform(0.8, 0.95)), float(rng.uniform(0.95, 0.999))
    params = {"w": jnp.asarray(rng.normal(size=(3, 4)).astype(np.float32)),
              "b": jnp.asarray(rng.normal(size=(4,)).astype(np.float32))}
    tx = optax.adam(lr, b1=b1, b2=b2, eps=1e-8)
    theirs_state = tx.init(params)
    mine_state = {"count": jnp.zeros((), jnp.int32), "mu": jax.tree.map(jnp.zeros_like, params),
                  "nu": jax.tree.map(jnp.zeros_like, params)}
    jax.jit(lambda g, s: impl.adam_update(g, s, lr, b1, b2, 1e-8)).lower(params, mine_state)  # traceable

    def step(g, s):
        return impl.adam_update(g, s, lr, b1, b2, 1e-8)

    mine, theirs = [], []
    for _ in range(4):
        grads = jax.tree.map(lambda p: jnp.asarray(rng.normal(size=p.shape).astype(np.float32)), params)
        updates, mine_state = step(grads, mine_state)
        ref_updates, theirs_state = tx.update(grads, theirs_state, params)
        mine.append(_tree(updates))
        theirs.append(_tree(ref_updates))
    adam_state = theirs_state[0]
    return {"updates": mine, "optax_updates": theirs, "count": int(mine_state["count"]),
            "mu": _tree(mine_state["mu"]), "nu": _tree(mine_state["nu"]),
            "optax_mu": _tree(adam_state.mu), "optax_nu": _tree(adam_state.nu)}


# ------------------------------------------------------------------------------------------ fit
@lru_cache(maxsize=None)
def _trusted_steps():
    def train(state, batch):
        dropout_key = jax.random.fold_in(state.key, state.step)

        def loss_fn(params):
            logits, updates = state.apply_fn({"params": params, "batch_stats": state.batch_stats}, batch["x"],
                                             train=True, rngs={"dropout": dropout_key}, mutable=["batch_stats"])
            return optax.softmax_cross_entropy_with_integer_labels(logits, batch["y"]).mean(), updates

        (loss, updates), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.params)
        return state.apply_gradients(grads=grads, batch_stats=updates["batch_stats"]), {"loss": loss}

    def evaluate(state, batch):
        logits = state.apply_fn({"params": state.params, "batch_stats": state.batch_stats}, batch["x"], train=False)
        return {"loss": optax.softmax_cross_entropy_with_integer_labels(logits, batch["y"]).mean(),
                "accuracy": jnp.mean((jnp.argmax(logits, -1) == batch["y"]).astype(jnp.float32))}

    return jax.jit(train), jax.jit(evaluate)


@lru_cache(maxsize=None)
def _digits() -> dict:
    """load_digits' data, read from the CSV it ships (importing sklearn.datasets alone takes a second)."""
    import gzip
    import importlib.util
    import os

    root = importlib.util.find_spec("sklearn").submodule_search_locations[0]
    with gzip.open(os.path.join(root, "datasets", "data", "digits.csv.gz")) as handle:
        table = np.loadtxt(handle, delimiter=",")
    x, y = (table[:, :-1] / 16.0).astype(np.float32), table[:, -1].astype(np.int32)
    order = np.random.default_rng(0).permutation(len(y))
    x, y = x[order], y[order]
    return {"train_x": x[:1500], "train_y": y[:1500], "test_x": x[1500:], "test_y": y[1500:]}


def fit_on_digits(impl, rng):
    """fit trains on digits for 5 epochs with per-epoch shuffling and evaluates with eval_step after each epoch"""
    data = {k: v.copy() for k, v in _digits().items()}
    state = _state(rng)
    train, evaluate = _trusted_steps()
    seed = int(rng.integers(2**31))
    final, history = impl.fit(state, data, num_epochs=5, batch_size=100, key=jax.random.key(seed),
                              train_step=train, eval_step=evaluate)
    direct = float(evaluate(final, {"x": jnp.asarray(data["test_x"]), "y": jnp.asarray(data["test_y"])})["accuracy"])
    return {"step": int(final.step), "params": _tree(final.params), "batch_stats": _tree(final.batch_stats),
            "train_loss": [float(v) for v in history["train_loss"]],
            "test_accuracy": [float(v) for v in history["test_accuracy"]],
            "final_state_accuracy": direct}
