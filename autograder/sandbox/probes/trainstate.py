"""Probes for topic `trainstate`. The verdicts live in autograder/grading/checks/test_trainstate.py.

Each probe draws every argument the student's function receives from ``rng``, always includes the edge cases
the docstring names, and returns ``result(out=..., report=..., given=...)``: ``out`` holds only what the
student's functions returned. Other tasks' functions a probe calls (``impl.build_model``,
``impl.create_train_state``) are the reference's while a task is graded.

Compilation is what costs: states are shaped with ``jax.eval_shape`` (nothing compiled) and filled with drawn
numbers, each compiled function is called several times, and the training probes take a handful of steps.
"""
from __future__ import annotations

import inspect
from collections.abc import Mapping

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax.training import train_state

from autograder.sandbox.probing import ForbiddenCall, forbidden, result, type_name


# ------------------------------------------------------------------------------------------ helpers
def _f32(rng, *shape, scale=1.0) -> np.ndarray:
    return (rng.normal(size=shape) * scale).astype(np.float32)


def _seed(rng) -> int:
    return int(rng.integers(2**31))


# Typed keys of the "rbg" implementation: any typed key honours the contract, and its random bits compile several
# times faster than threefry's, which dominates the cost of a dropout mask or an initialisation.
KEY_IMPL = "rbg"


def key_from_seed(seed: int) -> jax.Array:
    return jax.random.key(seed, impl=KEY_IMPL)


def _key(rng) -> jax.Array:
    return key_from_seed(_seed(rng))


def _is_key(value) -> bool:
    return isinstance(value, jax.Array) and jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key)


def _data(tree):
    """A returned tree as plain data: mappings as dicts, tuples (optax states too) as lists, typed keys as
    their key data, arrays as NumPy arrays; anything else is left for ``probing.plain`` to judge."""
    if isinstance(tree, Mapping):
        return {str(k): _data(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [_data(v) for v in tree]
    if _is_key(tree):
        return np.asarray(jax.random.key_data(tree))
    if isinstance(tree, (jax.Array, np.ndarray, np.generic)):
        return np.asarray(tree)
    return tree


def _number(value):
    """A returned scalar as a Python float (its type is reported separately), or the value itself."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _leaf_name(path) -> str:
    last = path[-1] if path else None
    return str(getattr(last, "key", getattr(last, "name", "")))


def _fill(rng, abstract):
    """Concrete values for an abstract tree of Linen variables (from jax.eval_shape): kernels scaled by their
    fan-in, BatchNorm scales near 1, running variances in [0.5, 2], the rest around 0."""
    def leaf(path, spec):
        name, shape = _leaf_name(path), tuple(spec.shape)
        if name == "var":
            return jnp.asarray(rng.uniform(0.5, 2.0, size=shape).astype(np.float32))
        if name == "scale":
            return jnp.asarray(rng.uniform(0.5, 1.5, size=shape).astype(np.float32))
        if name == "kernel":
            return jnp.asarray(_f32(rng, *shape, scale=1.0 / np.sqrt(shape[0])))
        return jnp.asarray(_f32(rng, *shape, scale=0.5))

    return jax.tree_util.tree_map_with_path(leaf, abstract)


def _abstract_state(impl, model, tx, x):
    """The TrainState create_train_state builds for (model, tx, x), shaped only: nothing is compiled."""
    return jax.eval_shape(lambda k, xs: impl.create_train_state(model, k, xs, tx), key_from_seed(0), x)


def _drawn_state(impl, rng, model, tx, x, *, step: int):
    """A TrainState from create_train_state's structure (same apply_fn and tx) with drawn params, running
    averages, key and step, and the optimizer state tx.init(params)."""
    shaped = _abstract_state(impl, model, tx, x)
    params, stats = _fill(rng, shaped.params), _fill(rng, shaped.batch_stats)
    return shaped.replace(step=jnp.asarray(step, jnp.int32), params=params, batch_stats=stats,
                          opt_state=tx.init(params), key=_key(rng))


def _fields(state) -> dict:
    """The array fields of a returned TrainState as plain data (None for a field it does not have); the step as
    an array whether it is a Python int or an int32 scalar."""
    fields = {name: _data(getattr(state, name, None)) for name in ("step", "params", "opt_state", "batch_stats")}
    if isinstance(fields["step"], int) and not isinstance(fields["step"], bool):
        fields["step"] = np.asarray(fields["step"])
    key = getattr(state, "key", None)
    fields["key"] = _data(key)
    fields["key_is_typed"] = _is_key(key)
    return fields


def _batch(rng, n, d, classes) -> dict:
    return {"x": jnp.asarray(_f32(rng, n, d) + _f32(rng, d)), "y": jnp.asarray(rng.integers(0, classes, n).astype(np.int32))}


def _sizes(rng):
    """(input width, hidden width, classes), all different."""
    hidden = int(rng.integers(4, 8))
    classes = int(rng.integers(hidden + 3, hidden + 7))
    d = int(rng.choice([v for v in range(2, 10) if v not in (hidden, classes)]))
    return d, hidden, classes


def _rate(rng, low: bool) -> float:
    """A dropout rate well away from 1/2, so that a rate of 1/2 or of 1 - rate never passes."""
    return float(rng.uniform(0.2, 0.4) if low else rng.uniform(0.6, 0.75))


# ------------------------------------------------------------------------------------------ build_model
def _layers(variables) -> dict[str, tuple[str, tuple]]:
    """{description: (collection, path)} of the layers in Linen variables; a layer is a dict of arrays.

    Descriptions do not depend on the layers' names: 'Dense 6->5', 'BatchNorm 5', 'batch statistics 5'."""
    found: dict[str, tuple[str, tuple]] = {}

    def walk(collection, node, path):
        if not isinstance(node, Mapping):
            return
        if node and all(not isinstance(v, Mapping) for v in node.values()):
            shapes = {str(k): tuple(int(s) for s in v.shape) for k, v in node.items()}
            keys = set(shapes)
            if collection == "params" and keys == {"kernel", "bias"} and len(shapes["kernel"]) == 2:
                text = f"Dense {shapes['kernel'][0]}->{shapes['kernel'][1]}"
            elif collection == "params" and keys == {"scale", "bias"} and len(shapes["scale"]) == 1:
                text = f"BatchNorm {shapes['scale'][0]}"
            elif collection == "batch_stats" and keys == {"mean", "var"} and len(shapes["mean"]) == 1:
                text = f"batch statistics {shapes['mean'][0]}"
            else:
                text = f"{collection} layer with {sorted(shapes.items())}"
            while text in found:
                text += " (again)"
            found[text] = (collection, path)
            return
        for k, v in node.items():
            walk(collection, v, path + (k,))

    for collection, tree in variables.items():
        walk(str(collection), tree, ())
    return found


def _expected_layers(d, hidden, classes) -> dict[str, str]:
    return {"dense_in": f"Dense {d}->{hidden}", "norm": f"BatchNorm {hidden}", "dense_out": f"Dense {hidden}->{classes}",
            "stats": f"batch statistics {hidden}"}


def _inject(abstract, layers: dict, values: dict):
    """The variables tree of the student's structure, each layer's arrays replaced by the drawn ones."""
    where = {(collection, path): values[text] for text, (collection, path) in layers.items()}

    def build(collection, node, path):
        if (collection, path) in where:
            return {str(k): jnp.asarray(where[(collection, path)][str(k)]) for k in node}
        return {k: build(collection, v, path + (k,)) for k, v in node.items()}

    return {c: build(str(c), tree, ()) for c, tree in abstract.items()}


def _canonical_weights(rng, d, hidden, classes) -> dict:
    """Drawn weights for the four layers. The output kernel has orthogonal rows (times a scale), so the grader
    can recover the dropout layer's output from the logits exactly."""
    q, _ = np.linalg.qr(rng.normal(size=(classes, classes)))
    scale = float(rng.uniform(0.8, 1.5))
    return {
        "kernel_in": _f32(rng, d, hidden, scale=1.0 / np.sqrt(d)), "bias_in": _f32(rng, hidden, scale=0.5),
        "gamma": rng.uniform(0.5, 1.5, size=hidden).astype(np.float32), "beta": _f32(rng, hidden, scale=0.5),
        "kernel_out": (q[:hidden] * scale).astype(np.float32), "out_scale": scale,
        "bias_out": _f32(rng, classes, scale=0.5),
        "running_mean": _f32(rng, hidden, scale=0.5), "running_var": rng.uniform(0.5, 2.0, size=hidden).astype(np.float32),
    }


def build_model_behaviour(impl, rng):
    """build_model(hidden, num_classes, dropout_rate), for two different sets of arguments, gives a Linen model
    whose layers, evaluation output, updated running averages and train-mode dropout follow them"""
    out, given = {}, {}
    first_hidden = None
    for name, low in (("first", True), ("second", False)):
        d, hidden, classes = _sizes(rng)
        while hidden == first_hidden:
            d, hidden, classes = _sizes(rng)
        first_hidden = hidden
        rate, n = _rate(rng, low), int(rng.integers(24, 33))
        model = (impl.build_model(hidden=hidden, num_classes=classes, dropout_rate=rate) if low
                 else impl.build_model(hidden, classes, rate))
        x = _f32(rng, n, d, scale=1.5) + rng.uniform(-1.0, 1.0, size=d).astype(np.float32)
        w = _canonical_weights(rng, d, hidden, classes)
        given[name] = {"d": d, "hidden": hidden, "classes": classes, "rate": rate, "n": n, "x": x, **w}
        abstract = jax.eval_shape(lambda k, xs: model.init(k, xs, train=False), key_from_seed(0), jnp.asarray(x))
        layers = _layers(abstract)
        record = {"collections": sorted(str(c) for c in abstract), "layers": sorted(layers)}
        out[name] = record
        expected = _expected_layers(d, hidden, classes)
        if record["collections"] != ["batch_stats", "params"] or sorted(layers) != sorted(expected.values()):
            continue  # the layers differ: the check says how, and there is nothing to run the drawn weights on
        variables = _inject(abstract, layers, {
            expected["dense_in"]: {"kernel": w["kernel_in"], "bias": w["bias_in"]},
            expected["norm"]: {"scale": w["gamma"], "bias": w["beta"]},
            expected["dense_out"]: {"kernel": w["kernel_out"], "bias": w["bias_out"]},
            expected["stats"]: {"mean": w["running_mean"], "var": w["running_var"]}})
        evaluate = jax.jit(lambda v, xs: model.apply(v, xs, train=False))
        train = jax.jit(lambda v, xs, k: model.apply(v, xs, train=True, rngs={"dropout": k}, mutable=["batch_stats"]))
        key, other = _key(rng), _key(rng)
        logits, updates = train(variables, jnp.asarray(x), key)
        again, _ = train(variables, jnp.asarray(x), key)
        other_logits, _ = train(variables, jnp.asarray(x), other)
        new_layers = _layers(updates) if isinstance(updates, Mapping) else {}
        new_stats = None
        if expected["stats"] in new_layers:
            _, path = new_layers[expected["stats"]]
            node = updates["batch_stats"]
            for k in path:
                node = node[k]
            new_stats = {"mean": node["mean"], "var": node["var"]}
        record.update({"eval": evaluate(variables, jnp.asarray(x)), "train": logits, "train_same_key": again,
                       "train_other_key": other_logits, "updated": sorted(str(c) for c in updates),
                       "new_stats": new_stats})
    return result(out=out, given=given)


# ------------------------------------------------------------------------------------------ apply_train
def apply_train_outputs(impl, rng):
    """apply_train runs two different models in training mode, eagerly and under jax.jit, with two dropout keys
    each, and returns the logits and the updated batch statistics"""
    out, report, given = {}, {}, {}
    for name, eager in (("eager", True), ("jit", False)):
        d, hidden, classes = _sizes(rng)
        rate, n = _rate(rng, eager), int(rng.integers(6, 13))
        model = impl.build_model(hidden, classes, rate)
        x = jnp.asarray(_f32(rng, n, d) + _f32(rng, d))
        variables = _fill(rng, jax.eval_shape(lambda k, xs: model.init(k, xs, train=False), key_from_seed(0), x))
        intact = jax.tree.map(np.asarray, variables)
        key, other = _key(rng), _key(rng)
        jitted = jax.jit(lambda v, xs, k: impl.apply_train(model, v, xs, k))
        call = impl.apply_train if eager else (lambda m, v, xs, k: jitted(v, xs, k))
        logits, stats = call(model, variables, x, key)
        other_logits, _ = call(model, variables, x, other)
        unchanged = (isinstance(variables, dict) and set(variables) == {"params", "batch_stats"}
                     and jax.tree.structure(variables) == jax.tree.structure(intact)
                     and all(np.array_equal(a, b) for a, b in zip(jax.tree.leaves(variables), jax.tree.leaves(intact))))
        out[name] = {"logits": logits, "batch_stats": _data(stats), "other_key_logits": other_logits}
        report[name] = {"variables_intact": bool(unchanged)}
        given[name] = {"n": n, "d": d, "hidden": hidden, "classes": classes, "rate": rate,
                       "batch_stats": _data(variables["batch_stats"])}
    return result(out=out, report=report, given=given)


# ------------------------------------------------------------------------------------------ create_train_state
def create_train_state_fields(impl, rng):
    """create_train_state builds TrainStates for two different models, keys, inputs and optimizers (Adam and
    SGD with momentum), with every field as specified and an apply_fn that evaluates the model"""
    out, report, given = {}, {}, {}
    d, hidden, classes = _sizes(rng)
    for name in ("adam", "sgd"):
        rate = _rate(rng, name == "adam")
        lr = float(rng.uniform(1e-3, 5e-2))
        tx = optax.adam(lr, b1=float(rng.uniform(0.8, 0.95))) if name == "adam" else \
            optax.sgd(lr, momentum=float(rng.uniform(0.5, 0.95)))
        model = impl.build_model(hidden, classes, rate)
        n = int(rng.integers(3, 9))
        x = jnp.asarray(_f32(rng, n, d))
        seed = _seed(rng)
        state = impl.create_train_state(model, key_from_seed(seed), x, tx)
        fields = _fields(state)
        params, stats = getattr(state, "params", None), getattr(state, "batch_stats", None)
        probe_x = jnp.asarray(_f32(rng, 4, d) + 1.0)
        try:  # a malformed state (batch_stats inside params ...) fails here; the checks say what is wrong with it
            fields["eval_logits"] = state.apply_fn({"params": params, "batch_stats": stats}, probe_x, train=False)
        except Exception:  # noqa: BLE001
            fields["eval_logits"] = None
        out[name] = fields
        report[name] = {
            "type": type_name(state), "is_train_state_subclass": isinstance(state, impl.TrainState),
            "tx_is_given": getattr(state, "tx", None) is tx,
            "opt_state_fits_params": isinstance(params, Mapping) and
            jax.tree.structure(getattr(state, "opt_state", None)) == jax.tree.structure(tx.init(params))}
        given[name] = {"hidden": hidden, "classes": classes, "rate": rate, "n": n, "d": d, "seed": seed, "lr": lr}
    return result(out=out, report=report, given=given)


# ------------------------------------------------------------------------------------------ train_step
def _counted_jit(function):
    """jax.jit of function, and a list whose length is the number of times it was traced."""
    traces = []

    def counted(*args):
        traces.append(1)
        return function(*args)

    return jax.jit(counted), traces


def _metrics(metrics) -> dict:
    return _data(metrics)


def train_step_adam(impl, rng):
    """three jitted train_step calls from a fresh state with optax.adam (its learning rate and eps drawn), and one
    more at a later step on the first batch, update every field of the state as specified"""
    d, hidden, classes = _sizes(rng)
    lr, eps = float(rng.uniform(2e-3, 3e-2)), float(rng.uniform(1e-3, 1e-2))
    tx = optax.adam(lr, eps=eps)  # eps well above the rounding noise of the gradient of the bias before BatchNorm
    model = impl.build_model(hidden, classes, _rate(rng, True))
    n = int(rng.integers(8, 17))
    state = _drawn_state(impl, rng, model, tx, jnp.zeros((n, d), jnp.float32), step=0)
    batches = [_batch(rng, n, d, classes) for _ in range(3)]
    later = int(rng.integers(3, 60))
    step, traces = _counted_jit(impl.train_step)
    states, metrics, current = [], [], state
    for batch in batches:
        current, m = step(current, batch)
        states.append(current)
        metrics.append(m)
    later_state, later_metrics = step(state.replace(step=jnp.asarray(later, jnp.int32)), batches[0])
    returned = [*states, later_state]
    return result(out={"states": [_fields(s) for s in states], "metrics": [_metrics(m) for m in metrics],
                       "later": {"state": _fields(later_state), "metrics": _metrics(later_metrics)}},
                  report={"traces": len(traces), "calls": 4,
                          "tx_kept": all(getattr(s, "tx", None) is tx for s in returned),
                          "apply_fn_kept": all(getattr(s, "apply_fn", None) is state.apply_fn for s in returned)},
                  given={"n": n, "d": d, "hidden": hidden, "classes": classes, "lr": lr, "eps": eps, "later": later,
                         "initial": _fields(state)})


def train_step_momentum(impl, rng):
    """two jitted train_step calls with another optimizer (gradient clipping then SGD with momentum, drawn), from
    a state at a later step with drawn running averages, update every field of the state as specified"""
    d, hidden, classes = _sizes(rng)
    lr, momentum, clip = float(rng.uniform(0.02, 0.2)), float(rng.uniform(0.5, 0.9)), float(rng.uniform(0.5, 2.0))
    tx = optax.chain(optax.clip_by_global_norm(clip), optax.sgd(lr, momentum=momentum))
    model = impl.build_model(hidden, classes, _rate(rng, False))
    n = int(rng.integers(5, 12))
    start = int(rng.integers(5, 40))
    state = _drawn_state(impl, rng, model, tx, jnp.zeros((n, d), jnp.float32), step=start)
    step, traces = _counted_jit(impl.train_step)
    states, metrics, current = [], [], state
    for _ in range(2):
        current, m = step(current, _batch(rng, n, d, classes))
        states.append(current)
        metrics.append(m)
    return result(out={"states": [_fields(s) for s in states], "metrics": [_metrics(m) for m in metrics]},
                  report={"traces": len(traces), "calls": 2,
                          "tx_kept": all(getattr(s, "tx", None) is tx for s in states)},
                  given={"n": n, "lr": lr, "momentum": momentum, "clip": clip, "start": start,
                         "initial": _fields(state)})


# ------------------------------------------------------------------------------------------ eval_step
def eval_step_metrics(impl, rng):
    """eval_step evaluates a state with drawn running averages on a random batch, again with another state.key,
    and on each of its examples alone (batches of one), under jax.jit"""
    d, hidden, classes = _sizes(rng)
    model = impl.build_model(hidden, classes, _rate(rng, True))
    n = int(rng.integers(4, 8))
    state = _drawn_state(impl, rng, model, optax.sgd(0.1), jnp.zeros((n, d), jnp.float32), step=int(rng.integers(0, 9)))
    # One class gets a large output bias, so it is every example's prediction whatever the mode; some of the labels
    # are that class, so the accuracy is neither 0 nor 1 and a count never equals a fraction.
    favourite = int(rng.integers(classes))
    state = state.replace(params=jax.tree_util.tree_map_with_path(
        lambda path, p: p.at[favourite].add(15.0) if _leaf_name(path) == "bias" and p.shape == (classes,) else p,
        state.params))
    labels = rng.integers(0, classes, n)
    hits = rng.permutation(n)[:int(rng.integers(1, n))]
    labels[hits] = favourite
    labels[np.setdiff1d(np.arange(n), hits)] = (favourite + 1 + rng.integers(0, classes - 1, n - len(hits))) % classes
    # Inputs far from the running averages, so batch statistics and running averages give different logits.
    batch = {"x": jnp.asarray(_f32(rng, n, d, scale=2.0) + _f32(rng, d, scale=2.0)),
             "y": jnp.asarray(labels.astype(np.int32))}
    evaluate = jax.jit(impl.eval_step)
    whole = evaluate(state, batch)
    other_key = evaluate(state.replace(key=_key(rng)), batch)
    singles = [evaluate(state, {"x": batch["x"][i:i + 1], "y": batch["y"][i:i + 1]}) for i in range(n)]
    return result(out={"batch": _metrics(whole), "other_key": _metrics(other_key),
                       "singles": [_metrics(m) for m in singles]},
                  given={"n": n, "d": d, "classes": classes})


# ------------------------------------------------------------------------------------------ adam_update
def _public_functions(module) -> tuple[str, ...]:
    """The names of every public function of an optax module (adam, scale_by_adam, apply_updates, the tree
    helpers such as update_moment and bias_correction ...): adam_update must call none of them."""
    return tuple(sorted(name for name, value in vars(module).items()
                        if not name.startswith("_") and callable(value) and not inspect.isclass(value)
                        and getattr(value, "__module__", "") != "typing"))


def _adam_grads(rng, eps) -> dict:
    """Gradients of very different sizes: large ones, ones of the size of eps (where eps inside or outside the
    square root differ by far more than rounding), a leaf with exact zeros, and a scalar leaf."""
    small = rng.uniform(0.3, 3.0, size=6) * rng.choice([-1.0, 1.0], size=6) * eps
    mixed = _f32(rng, 6) * (rng.random(6) < 0.5)
    mixed[0] = 0.0
    return {"big": _f32(rng, 6, scale=float(rng.uniform(1.0, 10.0))), "small": small.astype(np.float32),
            "mixed": mixed.astype(np.float32), "scalar": np.float32(rng.normal())}


def _moments_like(rng, grads) -> tuple[dict, dict]:
    """Moments of the sizes earlier gradients like these would leave (zero where the gradient is zero)."""
    mu = {k: (np.asarray(g) * rng.uniform(-1.5, 1.5, size=np.shape(g))).astype(np.float32) for k, g in grads.items()}
    nu = {k: (np.asarray(g) ** 2 * rng.uniform(0.5, 2.0, size=np.shape(g))).astype(np.float32) for k, g in grads.items()}
    return mu, nu


def _as_jax(tree):
    return jax.tree.map(jnp.asarray, tree)


_ORACLE = {}


def _optax_steps(hyper, count, mu, nu, grads_list) -> list[dict]:
    """optax.adam's updates and states on the same gradients, from the same state: the oracle. Its
    hyper-parameters are injected as arrays, so one compiled update serves every run."""
    if "update" not in _ORACLE:
        tx = optax.inject_hyperparams(optax.adam)(learning_rate=0.0, b1=0.0, b2=0.0, eps=0.0)
        _ORACLE["tx"], _ORACLE["update"] = tx, jax.jit(tx.update)
    tx = _ORACLE["tx"]
    state = tx.init(_as_jax(mu))
    state = state._replace(
        hyperparams={**state.hyperparams, **{k: jnp.asarray(v, jnp.float32) for k, v in hyper.items()}},
        inner_state=(optax.ScaleByAdamState(count=jnp.asarray(count, jnp.int32), mu=_as_jax(mu), nu=_as_jax(nu)),
                     optax.EmptyState()))
    steps = []
    for grads in grads_list:
        updates, state = _ORACLE["update"](_as_jax(grads), state)
        adam = state.inner_state[0]
        steps.append({"updates": _data(updates), "count": np.asarray(adam.count), "mu": _data(adam.mu),
                      "nu": _data(adam.nu)})
    return steps


def adam_against_optax(impl, rng):
    """adam_update gives optax.adam's updates and moments on gradients of very different sizes (eps-sized ones
    and zeros among them): three steps under jax.jit from a fresh state, two eager steps from a state that has
    already counted steps, and a jitted step with the default b1, b2 and eps"""
    runs, given = [], []
    for name in ("fresh_jit", "counted_eager", "defaults"):
        if name == "defaults":
            hyper = {"learning_rate": float(rng.uniform(1e-3, 1e-1)), "b1": 0.9, "b2": 0.999, "eps": 1e-8}
        else:
            hyper = {"learning_rate": float(rng.uniform(1e-3, 1e-1)), "b1": float(rng.uniform(0.8, 0.95)),
                     "b2": float(rng.uniform(0.95, 0.995)), "eps": float(10 ** rng.uniform(-5, -3))}
        steps = {"fresh_jit": 3, "counted_eager": 2, "defaults": 1}[name]
        grads_list = [_adam_grads(rng, hyper["eps"]) for _ in range(steps)]
        if name == "fresh_jit":
            count, mu = 0, {k: np.zeros_like(g) for k, g in grads_list[0].items()}
            nu = dict(mu)
        else:
            count = int(rng.integers(2, 30))
            mu, nu = _moments_like(rng, grads_list[0])
        given.append({"name": name, **hyper, "count": count, "mu": mu, "nu": nu, "grads": grads_list,
                      "optax": _optax_steps(hyper, count, mu, nu, grads_list)})
        runs.append((name, hyper, count, mu, nu, grads_list))

    out, intact = [], True
    with forbidden(impl, optax, _public_functions(optax), "optax") as direct, \
            forbidden(impl, optax.tree_utils, _public_functions(optax.tree_utils), "optax.tree_utils") as tree_calls, \
            forbidden(impl, optax.tree, _public_functions(optax.tree), "optax.tree") as tree_alias:
        try:
            for name, hyper, count, mu, nu, grads_list in runs:
                h = dict(hyper)
                if name == "fresh_jit":
                    step = jax.jit(lambda g, st: impl.adam_update(g, st, h["learning_rate"], h["b1"], h["b2"], h["eps"]))
                elif name == "counted_eager":
                    def step(g, st, h=h):
                        return impl.adam_update(g, st, h["learning_rate"], b1=h["b1"], b2=h["b2"], eps=h["eps"])
                else:
                    step = jax.jit(lambda g, st: impl.adam_update(g, st, h["learning_rate"]))
                state = {"count": jnp.asarray(count, jnp.int32), "mu": _as_jax(mu), "nu": _as_jax(nu)}
                steps = []
                for grads in grads_list:
                    before = {"count": state["count"], "mu": dict(state["mu"]), "nu": dict(state["nu"])} \
                        if isinstance(state, dict) and isinstance(state.get("mu"), dict) else None
                    passed = state
                    updates, state = step(_as_jax(grads), state)
                    if name == "counted_eager" and before is not None:
                        intact = intact and isinstance(passed, dict) and passed.get("count") is before["count"] \
                            and isinstance(passed.get("mu"), dict) and isinstance(passed.get("nu"), dict) \
                            and all(passed["mu"].get(k) is v for k, v in before["mu"].items()) \
                            and all(passed["nu"].get(k) is v for k, v in before["nu"].items())
                    steps.append({"updates": _data(updates), "state": _data(state)})
                out.append(steps)
        except ForbiddenCall:
            pass
        calls = sorted(set(direct + tree_calls + tree_alias))
    return result(out=out, report={"optax_calls": calls, "opt_state_intact": bool(intact)}, given={"runs": given})


# ------------------------------------------------------------------------------------------ fit
class _Recorder:
    """Step functions with the task signatures, which fit must use as they are: plain NumPy (nothing to compile),
    a least-squares SGD step on a linear model whose metrics are exact functions of the state and the batch, and
    an evaluation that depends on both too. Every call is recorded."""

    def __init__(self, lr: float):
        self.lr, self.train_calls, self.eval_calls = lr, [], []

    def train_step(self, state, batch):
        x, y = np.asarray(batch["x"], np.float32), np.asarray(batch["y"])
        self.train_calls.append({"x": x, "y": y})
        w = np.asarray(state.params["w"], np.float32)
        err = x @ w - y.astype(np.float32)
        w = w - self.lr * (2.0 * x.T @ err / len(x)).astype(np.float32)
        metrics = {"loss": jnp.asarray(np.float32(np.mean(err ** 2))), "accuracy": jnp.asarray(np.float32(np.mean(np.tanh(err))))}
        return state.replace(step=state.step + 1, params={"w": jnp.asarray(w)}), metrics

    def eval_step(self, state, batch):
        x, y = np.asarray(batch["x"], np.float32), np.asarray(batch["y"])
        self.eval_calls.append({"x": x, "y": y})
        err = x @ np.asarray(state.params["w"], np.float32) - y.astype(np.float32)
        return {"loss": jnp.asarray(np.float32(np.mean(np.abs(err)))),
                "accuracy": jnp.asarray(np.float32(np.mean(1.0 / (1.0 + np.exp(-err)))))}


def _history(history):
    """fit's history as plain data: its lists as lists of Python floats (their types are reported apart)."""
    if not isinstance(history, Mapping):
        return _data(history)
    return {str(k): [_number(x) for x in v] if isinstance(v, (list, tuple)) else _data(v) for k, v in history.items()}


def fit_epochs(impl, rng):
    """fit runs its epochs with the step functions it is given (stand-ins that record every call) on one
    training set, with a batch size that leaves a partial batch, one that divides the set, and one equal to it"""
    out, report, given = {}, {}, {}
    n_train = int(rng.choice([12, 15, 16, 18, 20]))
    divisors = [b for b in range(2, n_train // 2 + 1) if n_train % b == 0]
    others = [b for b in range(3, n_train // 2 + 1) if n_train % b]
    d, n_test = int(rng.integers(2, 5)), int(rng.integers(3, 7))
    data = {"train_x": _f32(rng, n_train, d), "train_y": rng.integers(0, 5, n_train).astype(np.int32),
            "test_x": _f32(rng, n_test, d), "test_y": rng.integers(0, 5, n_test).astype(np.int32)}
    settings = {"partial": (int(rng.choice(others)), int(rng.integers(2, 4))),
                "divides": (int(rng.choice(divisors)), 2),
                "one_batch": (n_train, 1)}
    for name, (batch_size, epochs) in settings.items():
        passed = {k: v.copy() for k, v in data.items()} if name != "divides" else \
            {k: jnp.asarray(v) for k, v in data.items()}
        steps = _Recorder(float(rng.uniform(0.01, 0.1)))
        state = train_state.TrainState.create(apply_fn=None, params={"w": jnp.asarray(_f32(rng, d))},
                                              tx=optax.identity())
        seed = _seed(rng)
        final, history = impl.fit(state, passed, num_epochs=epochs, batch_size=batch_size, key=key_from_seed(seed),
                                  train_step=steps.train_step, eval_step=steps.eval_step)
        params = getattr(final, "params", None)
        out[name] = {"history": _history(history), "train_calls": steps.train_calls, "eval_calls": steps.eval_calls,
                     "final_w": _data(params.get("w")) if isinstance(params, Mapping) else None,
                     "final_step": _data(getattr(final, "step", None))}
        report[name] = {"history_types": {str(k): [type_name(x) for x in v] for k, v in history.items()
                                          if isinstance(v, (list, tuple))} if isinstance(history, Mapping) else {}}
        given[name] = {"n_train": n_train, "batch_size": batch_size, "num_epochs": epochs, "n_test": n_test,
                       "train_x": data["train_x"], "test_x": data["test_x"]}
    return result(out=out, report=report, given=given)
