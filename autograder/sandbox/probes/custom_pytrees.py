"""Probes for topic `custom_pytrees`. The verdicts live in autograder/grading/checks/test_custom_pytrees.py.

Student classes never leave a probe. What the student's registration gives back (leaves, rebuilt objects'
attributes, key-path strings, values computed through ``jit``/``grad``/``vmap``) goes to ``out``, described as
plain data; facts about objects and classes (``type(x) is cls``, treedef equality, trace counts, calls to
``__init__``, whether a method modified ``self``) go to ``report``. Every probe registers **fresh** classes (new
subclasses, or new classes from the student's factory), so probes run in any order, any number of times,
without a duplicate registration; every argument (classes, sizes, names, activations, learning rates,
optimizers) is drawn anew in each run.
"""
from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from autograder.sandbox.probing import result

keystr = jax.tree_util.keystr

VAR_NAMES = ("x", "t", "z", "s", "u", "w", "theta")
ACTIVATION_NAMES = ("relu", "tanh", "identity")
OPTIMIZERS = ("sgd", "adam", "momentum", "rmsprop", "adagrad", "lion")
GAUSSIAN_NAMES = ("q", "prior", "posterior", "encoder", "z", "noise")


def _floats(rng, *shape, scale=1.0):
    return jnp.asarray((rng.normal(size=shape) * scale).astype(np.float32))


def _fresh(base, name):
    """A new, unregistered subclass of a kit class (or of a class derived from one)."""
    return type(name, (base,), {})


def _distinct(rng, names, k):
    """k different names, in random order; never all of them the default of a constructor."""
    return [str(n) for n in rng.choice(names, size=k, replace=False)]


def _leaf(value):
    """A leaf (or attribute) as plain data: arrays and Python scalars as they are, anything else by its type."""
    if isinstance(value, (jax.Array, np.ndarray, np.generic)):
        if jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key) or np.dtype(value.dtype).kind not in "biuf":
            return f"<array of dtype {value.dtype}>"
        return value
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) in (list, tuple):
        return [_leaf(v) for v in value]
    return f"<{type(value).__name__} object>"


def _leaves(tree) -> list:
    return [_leaf(leaf) for leaf in jax.tree.leaves(tree)]


_MISSING = object()


def _attrs(obj, *names) -> dict:
    """Named attributes of a (student-built) object as plain data; a missing one reads "<missing>"."""
    values = {}
    for name in names:
        value = getattr(obj, name, _MISSING)
        values[name] = "<missing>" if value is _MISSING else _leaf(value)
    return values


def _same_treedef(a, b):
    """Whether two objects have equal treedefs, or the error comparing them raised (a string)."""
    try:
        return bool(jax.tree.structure(a) == jax.tree.structure(b))
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - arrays in the aux data make the comparison raise
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"


def _counted_jit(function):
    traces = [0]

    def counted(*args):
        traces[0] += 1
        return function(*args)

    return jax.jit(counted), traces


def _scale_arrays(tree, factor):
    """jax.tree.map that scales array leaves and passes anything else through."""
    return jax.tree.map(lambda leaf: leaf * factor if isinstance(leaf, jax.Array) else leaf, tree)


# -------------------------------------------------------------------------------------- register_polynomial
def polynomial_registration(impl, rng):
    """register_polynomial registers the class it is given (fresh subclasses of Polynomial) with the coeffs as
    the only child and var as aux data"""
    names = _distinct(rng, VAR_NAMES, 3)
    base = _fresh(impl.Polynomial, "Poly")
    deeper = _fresh(base, "Poly")  # same name, derived from a class registered first: registered on its own
    returned = [impl.register_polynomial(base) is base, impl.register_polynomial(deeper) is deeper]
    out, report = {}, {"returns_cls": returned, "rebuilt_is_cls": [], "same_var_same_treedef": [],
                       "new_var_new_treedef": []}
    for label, cls, var in (("poly", base, names[0]), ("deeper", deeper, names[1])):
        size = int(rng.integers(2, 7))
        p = cls(_floats(rng, size), var)
        factor = float(np.float32(rng.uniform(1.5, 3.0)))
        mapped = _scale_arrays(p, factor)
        leaves = jax.tree.leaves(p)
        rebuilt = jax.tree.unflatten(jax.tree.structure(p), [_floats(rng, size) if isinstance(leaf, jax.Array)
                                                             else leaf for leaf in leaves])
        out[label] = {"leaves": _leaves(p), "mapped": _attrs(mapped, "coeffs", "var"),
                      "rebuilt": _attrs(rebuilt, "coeffs", "var")}
        report["rebuilt_is_cls"] += [type(mapped) is cls, type(rebuilt) is cls]
        report["same_var_same_treedef"].append(_same_treedef(p, cls(_floats(rng, size), var)))
        report["new_var_new_treedef"].append(_same_treedef(p, cls(_floats(rng, size), names[2])) is False)
    return result(out=out, report=report, given={"names": names})


def polynomial_transforms(impl, rng):
    """a registered Polynomial goes through jax.grad, jax.jit and jax.vmap and comes back as the class with its
    var, and jax.jit traces again only for a new var"""
    cls = _fresh(impl.Polynomial, "Poly")
    impl.register_polynomial(cls)
    names = _distinct(rng, VAR_NAMES, 3)
    size = int(rng.integers(3, 7))
    p = cls(_floats(rng, size), names[0])
    x = float(np.float32(rng.choice([-1, 1]) * rng.uniform(0.5, 1.6)))
    grad = jax.grad(lambda q: q(x))(p)
    batch = int(rng.integers(2, 5))
    stacked = cls(_floats(rng, batch, size), names[1])
    xs = _floats(rng, batch)

    def traced(q, many, v):
        return (_scale_arrays(q, 2.0), jax.vmap(lambda r, y: r(y))(many, v),
                jax.vmap(lambda r: _scale_arrays(r, -1.0))(many))

    through_jit, values, negated = jax.jit(traced)(p, stacked, xs)
    evaluate, traces = _counted_jit(lambda q, v: q(v))
    jitted = [evaluate(cls(_floats(rng, size), names[2]), jnp.float32(x)) for _ in range(3)]
    same_var_traces = traces[0]
    jitted.append(evaluate(cls(_floats(rng, size), names[0]), jnp.float32(x)))
    return result(out={"grad": _attrs(grad, "coeffs", "var"), "jit": _attrs(through_jit, "coeffs", "var"),
                       "vmap_values": values, "vmap": _attrs(negated, "coeffs", "var"), "jitted_values": jitted},
                  report={"is_cls": [type(grad) is cls, type(through_jit) is cls, type(negated) is cls],
                          "traces_same_var": same_var_traces, "traces_new_var": traces[0]},
                  given={"x": x, "size": size, "batch": batch, "names": names})


# ------------------------------------------------------------------------------------------ make_dense_class
def dense_classes(impl, rng):
    """make_dense_class returns a new subclass of Dense on every call, with tree_flatten giving the children w
    and b and tree_unflatten rebuilding the class, registered with the activation as aux data"""
    classes = [impl.make_dense_class(), impl.make_dense_class()]
    report = {"new_class_each_call": classes[0] is not classes[1],
              "subclass_of_dense": [isinstance(c, type) and issubclass(c, impl.Dense) for c in classes],
              "rebuilt_is_cls": [], "same_activation_same_treedef": [], "new_activation_new_treedef": []}
    activations = _distinct(rng, ACTIVATION_NAMES, 3)
    out = {}
    for label, cls, activation in (("first", classes[0], activations[0]), ("second", classes[1], activations[1])):
        d_in, d_out = int(rng.integers(2, 5)), int(rng.integers(2, 5))
        layer = cls(_floats(rng, d_in, d_out), _floats(rng, d_out), activation)
        children, aux = layer.tree_flatten()
        rebuilt = cls.tree_unflatten(aux, [_floats(rng, d_in, d_out), _floats(rng, d_out)])
        mapped = _scale_arrays(layer, -2.0)
        out[label] = {"leaves": _leaves(layer), "tree_flatten_children": _leaf(list(children)),
                      "tree_unflatten": _attrs(rebuilt, "w", "b", "activation"),
                      "mapped": _attrs(mapped, "w", "b", "activation")}
        report["rebuilt_is_cls"] += [type(rebuilt) is cls, type(mapped) is cls]
        report["same_activation_same_treedef"].append(
            _same_treedef(layer, cls(_floats(rng, d_in, d_out), _floats(rng, d_out), activation)))
        report["new_activation_new_treedef"].append(
            _same_treedef(layer, cls(layer.w, layer.b, activations[2])) is False)
    return result(out=out, report=report, given={"activations": activations})


def dense_transforms(impl, rng):
    """a layer from make_dense_class goes through jax.jit, jax.grad and jax.vmap and comes back as the class
    with its activation, and jax.jit traces again only for a new activation"""
    cls = impl.make_dense_class()
    activations = _distinct(rng, ACTIVATION_NAMES, 3)
    d_in, d_out, rows = int(rng.integers(2, 5)), int(rng.integers(2, 5)), int(rng.integers(2, 6))
    x = _floats(rng, rows, d_in)
    layer = cls(_floats(rng, d_in, d_out), _floats(rng, d_out, scale=0.5), activations[0])

    def loss(l, v):
        return jnp.mean(l(v) ** 2)

    members = int(rng.integers(2, 4))
    ensemble = cls(_floats(rng, members, d_in, d_out), _floats(rng, members, d_out), activations[1])

    def traced(l, many, v):
        return (loss(l, v), jax.grad(loss)(l, v), _scale_arrays(l, 0.5), jax.vmap(lambda m: m(v))(many),
                jax.vmap(lambda m: _scale_arrays(m, 0.5))(many))

    jit_loss, grad, through_jit, outputs, halved = jax.jit(traced)(layer, ensemble, x)
    apply, traces = _counted_jit(lambda l, v: l(v))
    jitted = [apply(cls(_floats(rng, d_in, d_out), _floats(rng, d_out), activations[2]), x) for _ in range(3)]
    same_activation_traces = traces[0]
    jitted.append(apply(cls(_floats(rng, d_in, d_out), _floats(rng, d_out), activations[0]), x))
    return result(out={"jit_loss": jit_loss, "grad": _attrs(grad, "w", "b", "activation"),
                       "jit": _attrs(through_jit, "w", "b", "activation"), "vmap_outputs": outputs,
                       "vmap": _attrs(halved, "w", "b", "activation"), "jitted_outputs": jitted},
                  report={"is_cls": [type(grad) is cls, type(through_jit) is cls, type(halved) is cls],
                          "traces_same_activation": same_activation_traces, "traces_new_activation": traces[0]},
                  given={"activations": activations, "d_in": d_in, "d_out": d_out, "rows": rows, "members": members})


# ----------------------------------------------------------------------------------------- register_gaussian
def _gaussian(rng, cls, shape, name):
    return cls(_floats(rng, *shape), _floats(rng, *shape, scale=0.5), name)


def gaussian_key_paths(impl, rng):
    """register_gaussian gives the children mean and log_std the key paths .mean and .log_std, keeps name as
    aux data and rebuilds the class it is given"""
    cls = _fresh(impl.Gaussian, "Normal")
    returned = impl.register_gaussian(cls)
    names = _distinct(rng, GAUSSIAN_NAMES, 4)
    outer = _distinct(rng, ("encoder", "decoder", "latent", "layers", "priors"), 2)
    tree = {outer[0]: _gaussian(rng, cls, (int(rng.integers(2, 5)),), names[0]),
            outer[1]: [_gaussian(rng, cls, (), names[1]), _gaussian(rng, cls, (2, int(rng.integers(2, 4))), names[2])]}
    pairs = jax.tree.flatten_with_path(tree)[0]
    shifted = jax.tree.map_with_path(
        lambda path, leaf: leaf + len(keystr(path)) if isinstance(leaf, jax.Array) else leaf, tree)
    first = tree[outer[0]]
    report = {"returns_cls": returned is cls,
              "rebuilt_is_cls": [type(shifted[outer[0]]) is cls, type(shifted[outer[1]][1]) is cls],
              "same_name_same_treedef": _same_treedef(first, _gaussian(rng, cls, first.mean.shape, first.name)),
              "new_name_new_treedef": _same_treedef(first, cls(first.mean, first.log_std, names[3])) is False}
    return result(out={"paths": [keystr(path) for path, _ in pairs], "leaves": _leaves(tree),
                       "shifted": [_attrs(shifted[outer[0]], "mean", "log_std", "name"),
                                   _attrs(shifted[outer[1]][1], "mean", "log_std", "name")]},
                  report=report, given={"outer": outer, "names": names})


def gaussian_transforms(impl, rng):
    """a registered Gaussian goes through jax.jit, jax.grad and jax.vmap and comes back as the class with its
    name"""
    cls = _fresh(impl.Gaussian, "Normal")
    impl.register_gaussian(cls)
    names = _distinct(rng, GAUSSIAN_NAMES, 2)
    size, batch = int(rng.integers(2, 6)), int(rng.integers(2, 5))
    g = _gaussian(rng, cls, (size,), names[0])
    weights = _floats(rng, size)
    batched = _gaussian(rng, cls, (batch, size), names[1])

    def loss(d):
        return jnp.sum(weights * d.mean + jnp.exp(d.log_std) ** 2)

    grad = jax.grad(loss)(g)
    through_jit, scales, doubled = jax.jit(lambda d, many: (
        _scale_arrays(d, 3.0), jax.vmap(lambda e: e.mean * jnp.exp(e.log_std))(many),
        jax.vmap(lambda e: _scale_arrays(e, 2.0))(many)))(g, batched)
    return result(out={"grad": _attrs(grad, "mean", "log_std", "name"),
                       "jit": _attrs(through_jit, "mean", "log_std", "name"), "vmap_values": scales,
                       "vmap": _attrs(doubled, "mean", "log_std", "name")},
                  report={"is_cls": [type(grad) is cls, type(through_jit) is cls, type(doubled) is cls]},
                  given={"names": names, "batch": batch})


# ------------------------------------------------------------------------------------ make_train_state_class
def _params(rng, batch=()):
    """A params tree of a random layout: a nested dict, a list, a 0-d scale."""
    d_in, d_out = int(rng.integers(2, 4)), int(rng.integers(2, 4))
    layers = [{"w": _floats(rng, *batch, d_in, d_out), "b": _floats(rng, *batch, d_out)}
              for _ in range(int(rng.integers(1, 3)))]
    return {"layers": layers, "scale": _floats(rng, *batch)}


def _like(rng, params):
    return jax.tree.map(lambda leaf: _floats(rng, *leaf.shape), params)


def _fresh_leaves(rng, tree) -> list:
    """Fresh random values for the array leaves of a tree (other leaves kept), in leaf order."""
    return [_floats(rng, *leaf.shape).astype(leaf.dtype) if isinstance(leaf, jax.Array) else leaf
            for leaf in jax.tree.leaves(tree)]


def _state_attrs(state) -> dict:
    values = _attrs(state, "step", "learning_rate", "optimizer")
    params = getattr(state, "params", _MISSING)
    values["params"] = "<missing>" if params is _MISSING else _leaves(params)
    return values


def train_state_structure(impl, rng):
    """make_train_state_class returns a new registered dataclass on every call, with the params and step as
    children (key paths .params and .step) and learning_rate and optimizer as static fields, and jax.tree.map and
    jax.tree.unflatten rebuild it"""
    classes = [impl.make_train_state_class(), impl.make_train_state_class()]
    optimizers = _distinct(rng, OPTIMIZERS, 3)
    rates = [float(np.float32(rng.uniform(0.01, 0.2))), float(np.float32(rng.uniform(0.3, 0.9)))]
    report = {"new_class_each_call": classes[0] is not classes[1],
              "is_dataclass": [dataclasses.is_dataclass(c) and isinstance(c, type) for c in classes],
              "rebuilt_is_cls": [], "same_static_same_treedef": [], "new_rate_new_treedef": [],
              "new_optimizer_new_treedef": []}
    out = {}
    for label, cls, rate, optimizer in (("first", classes[0], rates[0], optimizers[0]),
                                         ("second", classes[1], rates[1], optimizers[1])):
        params = _params(rng)
        step = jnp.int32(int(rng.integers(0, 100)))
        state = cls(params=params, step=step, learning_rate=rate, optimizer=optimizer)
        mapped = _scale_arrays(state, 2)
        rebuilt = jax.tree.unflatten(jax.tree.structure(state), _fresh_leaves(rng, state))
        out[label] = {"leaves": _leaves(state), "mapped": _state_attrs(mapped), "rebuilt": _state_attrs(rebuilt),
                      "paths": [keystr(path) for path, _ in jax.tree.flatten_with_path(state)[0]]}
        report["rebuilt_is_cls"] += [type(mapped) is cls, type(rebuilt) is cls]

        def make(**change):
            return cls(**{"params": _like(rng, params), "step": jnp.int32(int(rng.integers(0, 100))),
                          "learning_rate": rate, "optimizer": optimizer, **change})

        report["same_static_same_treedef"].append(_same_treedef(state, make()))
        other_rate = rates[1] if rate == rates[0] else rates[0]
        report["new_rate_new_treedef"].append(_same_treedef(state, make(learning_rate=other_rate)) is False)
        report["new_optimizer_new_treedef"].append(_same_treedef(state, make(optimizer=optimizers[2])) is False)
    return result(out=out, report=report, given={"rates": rates, "optimizers": optimizers})


def _snapshot(state):
    """The objects a state holds (by identity) and their values, to see whether a method changed it."""
    params = getattr(state, "params", None)
    leaves = jax.tree.leaves(params)
    return {"params": params, "step": getattr(state, "step", None), "leaves": leaves,
            "values": [np.asarray(leaf).copy() for leaf in leaves]}


def _unchanged(state, before) -> bool:
    after = _snapshot(state)
    return (after["params"] is before["params"] and after["step"] is before["step"]
            and len(after["leaves"]) == len(before["leaves"])
            and all(a is b for a, b in zip(after["leaves"], before["leaves"]))
            and all(np.array_equal(np.asarray(a), v) for a, v in zip(after["leaves"], before["values"])))


def train_state_apply(impl, rng):
    """apply_gradients returns a new state with params - learning_rate * grads and step + 1: eagerly (twice on
    one state, which it leaves untouched), under jax.jit (tracing again only for a new learning_rate or
    optimizer) and under jax.vmap"""
    cls = impl.make_train_state_class()
    optimizers = _distinct(rng, OPTIMIZERS, 3)
    # Both learning rates well away from 1, so a step that leaves out the learning rate never matches.
    rates = [float(np.float32(rng.uniform(0.05, 0.3))), float(np.float32(rng.uniform(0.4, 0.8)))]
    params = _params(rng)
    state = cls(params=params, step=jnp.int32(int(rng.integers(0, 50))), learning_rate=rates[1],
                optimizer=optimizers[0])
    before = _snapshot(state)
    first = state.apply_gradients(_like(rng, params))
    second = state.apply_gradients(_like(rng, params))
    eager = {"first": _state_attrs(first), "second": _state_attrs(second), "state_after": _state_attrs(state)}
    untouched = _unchanged(state, before)

    step, traces = _counted_jit(lambda s, g: s.apply_gradients(g))
    jitted = []
    for _ in range(3):
        start = cls(params=_like(rng, params), step=jnp.int32(int(rng.integers(0, 50))), learning_rate=rates[0],
                    optimizer=optimizers[1])
        jitted.append(_state_attrs(step(start, _like(rng, params))))
    same_static_traces = traces[0]
    for rate, optimizer in ((rates[1], optimizers[1]), (rates[0], optimizers[2])):
        start = cls(params=_like(rng, params), step=jnp.int32(int(rng.integers(0, 50))), learning_rate=rate,
                    optimizer=optimizer)
        jitted.append(_state_attrs(step(start, _like(rng, params))))

    batch = int(rng.integers(2, 4))
    stacked = _params(rng, (batch,))
    batched = cls(params=stacked, step=jnp.asarray(rng.integers(0, 50, size=batch), jnp.int32),
                  learning_rate=rates[0], optimizer=optimizers[2])
    mapped = jax.jit(jax.vmap(lambda s, g: s.apply_gradients(g)))(batched, _like(rng, stacked))
    return result(out={"eager": eager, "jit": jitted, "vmap": _state_attrs(mapped)},
                  report={"state_untouched": untouched, "traces_same_static": same_static_traces,
                          "traces_new_static": traces[0],
                          "is_cls": [type(first) is cls, type(second) is cls, type(mapped) is cls]},
                  given={"rates": rates, "optimizers": optimizers, "batch": batch})


# ----------------------------------------------------------------------------------------- register_interval
def _interval(rng, cls, *shape):
    lo = np.asarray(_floats(rng, *shape))
    return cls(lo, lo + rng.uniform(0.5, 2.0, size=shape).astype(np.float32))


class _InitCounter:
    """Count calls to Interval.__init__ (however they are reached) while active; always restore it."""

    def __init__(self, base):
        self.base, self.calls = base, 0

    def __enter__(self):
        original = self.original = self.base.__dict__["__init__"]
        counter = self

        def counting(obj, *args, **kwargs):
            counter.calls += 1
            return original(obj, *args, **kwargs)

        self.base.__init__ = counting
        return self

    def __exit__(self, *exc):
        self.base.__init__ = self.original
        return False


def interval_registration(impl, rng):
    """register_interval registers the class it is given with the children lo and hi, and jax.tree.leaves,
    jax.tree.unflatten and jax.tree.map rebuild it without calling __init__"""
    cls = _fresh(impl.Interval, "Range")
    returned = impl.register_interval(cls)
    rows, cols = int(rng.integers(2, 5)), int(rng.integers(2, 4))
    t, other = _interval(rng, cls, rows, cols), _interval(rng, cls, rows, cols)
    with _InitCounter(impl.Interval) as init:
        leaves = _leaves(t)
        rebuilt = jax.tree.unflatten(jax.tree.structure(t), [_floats(rng, rows, cols) for _ in jax.tree.leaves(t)])
        mapped = _scale_arrays(t, -1.5)
        added = jax.tree.map(lambda a, b: a + b, t, other)
    return result(out={"leaves": leaves, "rebuilt": _attrs(rebuilt, "lo", "hi"), "mapped": _attrs(mapped, "lo", "hi"),
                       "added": _attrs(added, "lo", "hi")},
                  report={"returns_cls": returned is cls, "init_calls": init.calls,
                          "rebuilt_is_cls": [type(obj) is cls for obj in (rebuilt, mapped, added)]},
                  given={"rows": rows, "cols": cols})


def interval_transforms(impl, rng):
    """jax.tree.map (to None and to booleans), jax.eval_shape and jax.jacobian rebuild a registered Interval from
    children that are not float arrays, and jax.jit, jax.grad and jax.vmap work on it"""
    cls = _fresh(impl.Interval, "Range")
    impl.register_interval(cls)
    n, batch = int(rng.integers(2, 5)), int(rng.integers(2, 4))
    t = _interval(rng, cls, n)
    batched = _interval(rng, cls, batch, n)
    threshold = float(np.float32(rng.uniform(-0.5, 0.5)))
    nothing = jax.tree.map(lambda leaf: None, t)
    mask = jax.tree.map(lambda leaf: leaf > threshold, t)
    shapes = jax.eval_shape(lambda u: u, t)

    def traced(u, many):
        return (_scale_arrays(u, 2.0), jax.grad(lambda v: jnp.sum(v.width() * v.center()))(u),
                jax.vmap(lambda v: v.width())(many), jax.vmap(lambda v: _scale_arrays(v, 0.5))(many),
                jax.jacobian(lambda v: v)(u), jax.jacobian(lambda v: v.width() * v.center())(u))

    through_jit, grad, widths, halved, jacobian, product = jax.jit(traced)(t, batched)

    def shape_struct(value):
        if isinstance(value, jax.ShapeDtypeStruct):
            return {"shape": list(value.shape), "dtype": str(value.dtype)}
        return _leaf(value)

    inner = [getattr(jacobian, name, None) for name in ("lo", "hi")]
    rebuilt = (through_jit, grad, halved, nothing, mask, shapes, jacobian, *inner, product)
    return result(out={"jit": _attrs(through_jit, "lo", "hi"), "grad": _attrs(grad, "lo", "hi"),
                       "vmap_width": widths, "vmap": _attrs(halved, "lo", "hi"),
                       "none": _attrs(nothing, "lo", "hi"), "mask": _attrs(mask, "lo", "hi"),
                       "eval_shape": {name: shape_struct(getattr(shapes, name, None)) for name in ("lo", "hi")},
                       "jacobian": [_attrs(obj, "lo", "hi") for obj in inner],
                       "jacobian_product": _attrs(product, "lo", "hi")},
                  report={"is_cls": [type(obj) is cls for obj in rebuilt]},
                  given={"n": n, "batch": batch, "threshold": threshold})


# --------------------------------------------------------------------------------------------- pairwise_kl
def _pair(rng, shape, narrow):
    """(mean, std) with std away from 1: in (0.3, 0.7) when narrow, else in (1.4, 2.5)."""
    std = rng.uniform(0.3, 0.7, size=shape) if narrow else rng.uniform(1.4, 2.5, size=shape)
    return _floats(rng, *shape), jnp.asarray(std.astype(np.float32))


def _pair_trees(rng):
    keys = _distinct(rng, ("encoder", "decoder", "latent", "head", "body"), 3)
    shapes = [(int(rng.integers(2, 5)),), (), (2, int(rng.integers(2, 4))), (int(rng.integers(3, 6)),)]
    sides = [bool(v) for v in rng.integers(0, 2, size=len(shapes))]
    trees = []
    for narrow_q in (True, False):
        pairs = [_pair(rng, shape, narrow_q == side) for shape, side in zip(shapes, sides)]
        trees.append({keys[0]: [pairs[0], pairs[1]], keys[1]: pairs[2], keys[2]: {"inner": [pairs[3]], "empty": []}})
    return trees


def pairwise_kl_values(impl, rng):
    """pairwise_kl gives one float32 KL value per (mean, std) pair of two trees of dicts and lists (0-d pairs
    and an empty list included) under jax.jit, and for a single pair eagerly"""
    q, p = _pair_trees(rng)
    size = int(rng.integers(2, 5))
    single_q, single_p = _pair(rng, (size,), True), _pair(rng, (size,), False)
    tree = jax.jit(impl.pairwise_kl)(q, p)
    return result(out={"tree": tree, "structure": str(jax.tree.structure(tree)),
                       "single": impl.pairwise_kl(single_q, single_p),
                       "single_reversed": impl.pairwise_kl(single_p, single_q)})
