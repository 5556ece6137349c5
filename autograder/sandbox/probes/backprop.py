"""Probes for topic `backprop`. The verdicts live in autograder/grading/checks/test_backprop.py.

Each probe draws every argument the student's functions receive from ``rng`` (sizes, step sizes, keys, step
counts), puts every edge case the docstrings name into every run, and returns ``result(out=..., report=...,
given=...)``: ``out`` holds only what the student's functions returned. Nothing here computes an answer:
the oracles (``jax.vjp``, ``jax.grad``, exact float64 formulas, the reference's run on the same inputs) are
computed by the grader from ``given``. Other tasks' functions (``impl.backward`` while ``propagate`` is graded,
``impl.mlp_forward`` while ``mlp_backward`` is graded ...) are the reference's, swapped in by the framework.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from autograder.sandbox.probing import (ForbiddenCall, count_equations, forbid_autodiff, forbidden, result, swapped,
                                        type_name)


def _floats(rng, *shape, scale=1.0, dtype=np.float32):
    return (rng.normal(size=shape) * scale).astype(dtype)


def _signed(rng, low, high):
    """A float whose magnitude is in [low, high], of random sign."""
    return float(rng.choice([-1.0, 1.0]) * rng.uniform(low, high))


def _distinct_sizes(rng, ranges):
    """One size per (low, high) range, all different from each other (so a transpose never fits by chance)."""
    while True:
        sizes = [int(rng.integers(low, high + 1)) for low, high in ranges]
        if len(set(sizes)) == len(sizes):
            return sizes


def _by_hand(impl, call):
    """Run ``call()`` with automatic differentiation disabled (an in-process rule); return (its result or None
    when it tried to differentiate, the autodiff entry points it called)."""
    with forbid_autodiff(impl) as calls:
        try:
            out = call()
        except ForbiddenCall:
            out = None
    return out, sorted(set(calls))


# ------------------------------------------------------------------------------------------------ Value graphs
# Expressions over Values, each returning (root, named inner nodes). They share nodes in every way a backward
# pass can get wrong: a node used twice by one node, by several nodes, and by paths of different lengths.
def _expr_neuron(a, b, c, d):
    n = a * b + c * d + 0.5
    return n.tanh() * n ** 2 - n / (1.0 + a ** 2) + d.relu() - (-d).relu() * 3.0, [n]


def _expr_shared(a, b, c, d):
    e = a * b  # used four times
    g = e * e + (e / 3.0).exp() - c
    h = (g ** 2 + 1.0).log() + d.relu() * g + (-d).relu()
    return h * a - (2.0 - b) / (c ** 2 + 1.0) + e, [e, g, h]


def _expr_chain(a, b, c, d):
    x, inner = a, []
    for _ in range(6):
        x = (x * b + c).tanh() + x * 0.5  # x reaches the next level by a short and a long path
        inner.append(x)
    return x * d, inner


def _expr_tiny_mlp(a, b, c, d):
    total = 0.0
    for x, target in ((0.5, 1.0), (-1.5, -0.5), (2.0, 0.25)):
        h1 = (a * x + b).tanh()
        h2 = (c * x - d).tanh()
        out = h1 * c + h2 * d + a * 0.1
        total = total + (out - target) ** 2
    mean = total / 3.0
    return mean + (-(a * a)).exp() * d.relu(), [total, mean]


EXPRESSIONS = {"neuron": _expr_neuron, "shared": _expr_shared, "chain": _expr_chain, "tiny_mlp": _expr_tiny_mlp}


def _leaf_values(rng):
    return [_signed(rng, 0.3, 1.5) for _ in range(4)]


# ------------------------------------------------------------------------------------------------ propagate
def propagate_local_rules(impl, rng):
    """propagate adds node.grad times each operation's local derivative to the children's grads, for every
    operation (a child used twice, a relu input of exactly 0 and a leaf included)"""
    Value = impl.Value
    base = lambda: float(rng.choice([rng.uniform(0.3, 0.7), rng.uniform(1.4, 2.5)]))  # noqa: E731 - away from 1
    cases = {
        "add": lambda a, b: a + b, "add_same": lambda a, b: a + a,
        "mul": lambda a, b: a * b, "mul_same": lambda a, b: a * a,
        "pow_int": lambda a, b: a ** int(rng.integers(2, 5)),
        "pow_negative": lambda a, b: a ** float(rng.choice([-1.0, -2.0, -1.5])),
        "pow_fraction": lambda a, b: a ** float(rng.choice([rng.uniform(0.3, 0.8), rng.uniform(1.3, 2.7)])),
        "tanh": lambda a, b: a.tanh(), "exp": lambda a, b: a.exp(), "log": lambda a, b: a.log(),
        "relu_positive": lambda a, b: a.relu(), "relu_negative": lambda a, b: a.relu(),
        "relu_zero": lambda a, b: a.relu(),
    }
    data = {"tanh": _signed(rng, 0.5, 2.0), "exp": _signed(rng, 0.3, 2.0),
            "log": float(rng.choice([rng.uniform(0.2, 0.6), rng.uniform(1.6, 3.0)])),
            "relu_positive": float(rng.uniform(0.3, 2.0)), "relu_negative": -float(rng.uniform(0.3, 2.0)),
            "relu_zero": 0.0}
    out, given = {}, {}
    for name, build in cases.items():
        a_data = data.get(name, base() if name.startswith("pow") else _signed(rng, 0.4, 2.0))
        b_data = _signed(rng, 0.4, 2.0)
        a, b = Value(a_data), Value(b_data)
        node = build(a, b)
        presets = [_signed(rng, 0.5, 2.0), _signed(rng, 0.5, 2.0)]
        a.grad, b.grad = presets
        node.grad = _signed(rng, 0.5, 2.0)
        before = node.grad
        impl.propagate(node)
        out[name] = {"a": float(a.grad), "b": float(b.grad), "node": float(node.grad)}
        given[name] = {"a": a_data, "b": b_data, "presets": presets, "node_grad": before,
                       "exponent": node.exponent}
    leaf = Value(_signed(rng, 0.5, 2.0))
    leaf.grad = _signed(rng, 0.5, 2.0)
    impl.propagate(leaf)
    out["leaf"] = {"node": float(leaf.grad)}
    # One value shared by three nodes: a * b, a + c and a * a, each propagated in turn.
    a, b, c = (Value(_signed(rng, 0.4, 2.0)) for _ in range(3))
    for node in (a * b, a + c, a * a):
        node.grad = _signed(rng, 0.5, 2.0)
        impl.propagate(node)
    out["shared"] = {"a": float(a.grad), "b": float(b.grad), "c": float(c.grad)}
    return result(out=out, given=given)


def propagate_in_graphs(impl, rng):
    """propagate, called by backward over whole expressions with shared nodes, gives every node's gradient"""
    Value = impl.Value
    out = {}
    for name, expr in EXPRESSIONS.items():
        leaves = [Value(x) for x in _leaf_values(rng)]
        root, inner = expr(*leaves)
        impl.backward(root)
        out[name] = {"leaves": [float(v.grad) for v in leaves], "inner": [float(v.grad) for v in inner]}
    return result(out=out)


# ------------------------------------------------------------------------------------------------- backward
def _recorded_backward(impl, root):
    """impl.backward(root) with impl.propagate wrapped to note each call; what the calls reveal, or None
    when backward never called propagate (it may apply the chain rule its own way)."""
    calls = []
    original = impl.propagate

    def recording(node):
        calls.append((node, float(node.grad)))
        return original(node)

    with swapped(impl, {"propagate": recording}):
        impl.backward(root)
    if not calls:
        return None
    count: dict[int, int] = {}
    for node, _ in calls:
        count[id(node)] = count.get(id(node), 0) + 1
    called = {id(node) for node, _ in calls}
    return {"calls": len(calls),
            "repeated": sum(1 for n in count.values() if n > 1),
            # propagated before its gradient was final: it changed after the (last) call
            "early": len({id(node) for node, grad in calls if float(node.grad) != grad}),
            "children_never_propagated": len({id(child) for node, _ in calls for child in node.children
                                              if id(child) not in called})}


def backward_in_graphs(impl, rng):
    """backward gives every node d root / d node on expressions with shared nodes, a square and a lone leaf"""
    Value = impl.Value
    out, seen = {}, {}
    for name, expr in EXPRESSIONS.items():
        leaves = [Value(x) for x in _leaf_values(rng)]
        root, inner = expr(*leaves)
        seen[name] = _recorded_backward(impl, root)
        out[name] = {"root": float(root.grad), "leaves": [float(v.grad) for v in leaves],
                     "inner": [float(v.grad) for v in inner]}
    a = Value(_signed(rng, 0.5, 2.0))
    square = a * a
    seen["square"] = _recorded_backward(impl, square)
    out["square"] = {"root": float(square.grad), "leaves": [float(a.grad)]}
    lone = Value(_signed(rng, 0.5, 2.0))
    impl.backward(lone)
    out["lone_leaf"] = {"root": float(lone.grad)}
    return result(out=out, report={"propagate_calls": seen})


# ---------------------------------------------------------------------------------------- softmax, the loss
def _offset_rows(rng, rows, k):
    """Logits whose rows are offset by +-1000 (the first two rows) and by random large amounts."""
    offsets = np.concatenate([[1000.0, -1000.0], [_signed(rng, 150.0, 1000.0) for _ in range(rows - 2)]])
    return (rng.normal(size=(rows, k)) * 3.0 + offsets[:, None]).astype(np.float32)


def log_softmax_values(impl, rng):
    """log_softmax is exact and finite on rows offset by +-1000, rows spread hundreds apart, rows of ties, one
    row, more leading axes and a single class, eagerly and under jax.jit"""
    rows, k = int(rng.integers(4, 7)), int(rng.integers(5, 12))
    spread = np.sort(rng.uniform(-400.0, 0.0, size=(2, k)), axis=1)[:, ::-1] + rng.normal(size=(2, 1)) * 50
    groups = {"offset": _offset_rows(rng, rows, k),
              "spread": spread,  # entries of one row hundreds apart: softmax of the low ones underflows to 0
              "ties": np.full((2, k), float(rng.uniform(-5, 5))),
              "moderate": rng.normal(size=(rows, k)) * 4.0}
    batch = np.concatenate(list(groups.values())).astype(np.float32)
    bounds, start = {}, 0
    for name, block in groups.items():
        bounds[name] = [start, start + len(block)]
        start += len(block)
    inputs = {"batch": batch, "vector": _floats(rng, k, scale=4.0),
              "cube": _floats(rng, 2, 3, int(rng.integers(3, 7)), scale=4.0),
              "single_class": _floats(rng, rows, 1, scale=4.0)}
    with forbidden(impl, jax.nn, ("log_softmax", "softmax"), "jax.nn") as calls:
        try:
            out = {name: impl.log_softmax(jnp.asarray(x)) for name, x in inputs.items()}
            out["jit"] = jax.jit(impl.log_softmax)(jnp.asarray(batch))
        except ForbiddenCall:
            out = None
    return result(out=out, report={"forbidden_calls": sorted(set(calls))}, given={**inputs, "rows": bounds})


def cross_entropy_values(impl, rng):
    """cross_entropy is the mean of -log_softmax at the labels, with JAX and NumPy labels, rows offset by
    +-1000, a batch of one, and under jax.jit"""
    n, k = _distinct_sizes(rng, [(5, 9), (4, 10)])
    logits = _offset_rows(rng, n, k)
    moderate = _floats(rng, n, k, scale=3.0)
    labels = rng.permutation(np.arange(n) % k).astype(np.int64)
    single = _floats(rng, 1, k, scale=3.0)
    single_label = np.array([int(rng.integers(k))], np.int64)
    out = {"offset": impl.cross_entropy(jnp.asarray(logits), jnp.asarray(labels, jnp.int32)),
           "numpy_labels": impl.cross_entropy(jnp.asarray(moderate), labels),
           "jit": jax.jit(impl.cross_entropy)(jnp.asarray(moderate), jnp.asarray(labels, jnp.int32)),
           "single": impl.cross_entropy(jnp.asarray(single), jnp.asarray(single_label, jnp.int32))}
    return result(out=out, given={"logits": {"offset": logits, "numpy_labels": moderate, "jit": moderate,
                                             "single": single},
                                  "labels": {"offset": labels, "numpy_labels": labels, "jit": labels,
                                             "single": single_label}})


# -------------------------------------------------------------------------------------------------- he_init
def he_init_draws(impl, rng):
    """he_init gives float32 weights of std sqrt(2 / fan_in) and zero biases for 4 or 5 layers of varied
    sizes and for one layer, a subkey per layer, the same parameters for the same key and others for another"""
    wide, hidden = int(rng.integers(190, 260)), int(rng.integers(64, 80))
    sizes = [wide] + [hidden] * int(rng.integers(4, 6))  # two shapes only: each new shape costs a compilation
    single = [wide, hidden]
    seed = int(rng.integers(2**31 - 1))

    def draws():
        return {"params": impl.he_init(jax.random.key(seed), sizes),
                "again": impl.he_init(jax.random.key(seed), sizes),
                "other_key": impl.he_init(jax.random.key(seed + 1), sizes),
                "one_layer": impl.he_init(jax.random.key(seed + 2), single)}

    reuse_error = None
    try:
        with jax.debug_key_reuse(True):
            out = draws()
    except jax.errors.KeyReuseError as exc:
        reuse_error = str(exc).splitlines()[0][:200]
        out = draws()
    return result(out=out, report={"key_reuse_error": reuse_error}, given={"sizes": sizes, "one_layer": single})


# ---------------------------------------------------------------------------------------------- the MLP
def _random_net(rng, d, h, k, dtype=np.float32):
    return [{"W": _floats(rng, d, h, scale=0.6, dtype=dtype), "b": _floats(rng, h, scale=0.3, dtype=dtype)},
            {"W": _floats(rng, h, k, scale=0.6, dtype=dtype), "b": (_floats(rng, k, scale=0.3) - 0.5).astype(dtype)}]


def _jnp_tree(tree):
    return jax.tree.map(jnp.asarray, tree)


def mlp_forward_values(impl, rng):
    """mlp_forward returns the logits and the cache {X, Z1, A1, Z2}, eagerly, under jax.jit and for a batch
    of one"""
    n, d, h, k = _distinct_sizes(rng, [(5, 9), (4, 8), (9, 13), (2, 4)])
    params = _random_net(rng, d, h, k)
    X = _floats(rng, n, d)
    one = _floats(rng, 1, d)
    p = _jnp_tree(params)
    out = {"eager": impl.mlp_forward(p, jnp.asarray(X)), "jit": jax.jit(impl.mlp_forward)(p, jnp.asarray(X)),
           "one_example": impl.mlp_forward(p, jnp.asarray(one))}
    return result(out=out, given={"params": params, "X": X, "one_example": one})


def relu_backward_values(impl, rng):
    """relu_backward passes dA where Z > 0 and 0 where Z <= 0 (exact zeros included), for float32 and float64,
    any shape, eagerly and under jax.jit, without automatic differentiation"""
    n, h = _distinct_sizes(rng, [(4, 9), (5, 11)])
    inputs = {}
    for name, shape, dtype in (("float32", (n, h), np.float32), ("float64", (n, h), np.float64),
                               ("vector", (h,), np.float32), ("cube", (2, 3, n), np.float32)):
        Z = rng.normal(size=shape)
        Z[rng.random(size=shape) < 0.2] = 0.0  # ReLU inputs exactly at the kink
        Z.flat[0] = 0.0
        inputs[name] = {"dA": rng.normal(size=shape).astype(dtype), "Z": Z.astype(dtype)}

    def calls():
        got = {name: impl.relu_backward(jnp.asarray(x["dA"]), jnp.asarray(x["Z"]))
               for name, x in inputs.items() if name != "float64"}
        got["jit"] = jax.jit(impl.relu_backward)(jnp.asarray(inputs["float32"]["dA"]),
                                                 jnp.asarray(inputs["float32"]["Z"]))
        with jax.enable_x64(True):
            got["float64"] = impl.relu_backward(jnp.asarray(inputs["float64"]["dA"]),
                                                jnp.asarray(inputs["float64"]["Z"]))
        return got

    out, autodiff = _by_hand(impl, calls)
    return result(out=out, report={"autodiff_calls": autodiff}, given=inputs)


def linear_backward_values(impl, rng):
    """linear_backward returns (dA_prev, dW, db) of Z = A_prev @ W + b for float32 and float64, a batch of one,
    eagerly and under jax.jit, without automatic differentiation"""
    n, m, p = _distinct_sizes(rng, [(4, 9), (5, 10), (2, 4)])
    inputs = {}
    for name, rows, dtype in (("float32", n, np.float32), ("float64", n, np.float64), ("one_example", 1, np.float32)):
        inputs[name] = {"dZ": _floats(rng, rows, p, dtype=dtype), "A_prev": _floats(rng, rows, m, dtype=dtype),
                        "W": _floats(rng, m, p, dtype=dtype)}

    def args(name):
        return tuple(jnp.asarray(inputs[name][key]) for key in ("dZ", "A_prev", "W"))

    def calls():
        got = {"float32": impl.linear_backward(*args("float32")),
               "jit": jax.jit(impl.linear_backward)(*args("float32")),
               "one_example": impl.linear_backward(*args("one_example"))}
        with jax.enable_x64(True):
            got["float64"] = impl.linear_backward(*args("float64"))
        return got

    out, autodiff = _by_hand(impl, calls)
    return result(out=out, report={"autodiff_calls": autodiff}, given=inputs)


def cross_entropy_backward_values(impl, rng):
    """cross_entropy_backward is the gradient of the mean cross-entropy for float32 and float64, rows offset by
    +-1000, JAX and NumPy labels and a batch of one, eagerly and under jax.jit, without automatic
    differentiation"""
    n, k = _distinct_sizes(rng, [(4, 9), (3, 8)])
    labels = rng.permutation(np.arange(n) % k).astype(np.int64)
    inputs = {"offset": {"logits": _offset_rows(rng, n, k), "labels": labels},
              "moderate": {"logits": _floats(rng, n, k, scale=3.0), "labels": labels},
              "float64": {"logits": _floats(rng, n, k, scale=3.0, dtype=np.float64), "labels": labels},
              "one_example": {"logits": _floats(rng, 1, k, scale=3.0),
                              "labels": np.array([int(rng.integers(k))], np.int64)}}

    def calls():
        grad = impl.cross_entropy_backward
        jitted = jax.jit(grad)
        got = {"numpy_labels": grad(jnp.asarray(inputs["moderate"]["logits"]), labels),  # eagerly
               "offset": jitted(jnp.asarray(inputs["offset"]["logits"]), jnp.asarray(labels, jnp.int32)),
               "one_example": jitted(jnp.asarray(inputs["one_example"]["logits"]),
                                     jnp.asarray(inputs["one_example"]["labels"], jnp.int32))}
        with jax.enable_x64(True):
            got["float64"] = jitted(jnp.asarray(inputs["float64"]["logits"]), jnp.asarray(labels))
        return got

    out, autodiff = _by_hand(impl, calls)
    return result(out=out, report={"autodiff_calls": autodiff}, given=inputs)


def mlp_backward_values(impl, rng):
    """mlp_backward, under jax.jit, gives the gradients of the mean cross-entropy for float32 and float64 nets
    and a batch of one, without automatic differentiation"""
    n, d, h, k = _distinct_sizes(rng, [(5, 9), (4, 8), (9, 13), (2, 4)])
    inputs = {}
    for name, rows, dtype in (("float32", n, np.float32), ("float64", n, np.float64), ("one_example", 1, np.float32)):
        inputs[name] = {"params": _random_net(rng, d, h, k, dtype), "X": _floats(rng, rows, d, dtype=dtype),
                        "labels": rng.integers(0, k, size=rows).astype(np.int32)}

    def grads(name):
        params, X, labels = (_jnp_tree(inputs[name][key]) for key in ("params", "X", "labels"))
        _, cache = jax.jit(impl.mlp_forward)(params, X)
        return jax.jit(impl.mlp_backward)(params, cache, labels)

    def calls():  # jitted: one compilation each instead of one per operation (nothing here differs eagerly)
        got = {"float32": grads("float32"), "one_example": grads("one_example")}
        with jax.enable_x64(True):
            got["float64"] = grads("float64")
        return got

    out, autodiff = _by_hand(impl, calls)
    return result(out=out, report={"autodiff_calls": autodiff}, given=inputs)


def per_example_values(impl, rng):
    """per_example_grads gives each example's own gradient through jax.vmap, under jax.jit, for a batch and for
    a batch of one, with a program that does not grow with the batch"""
    n, d, h, k = _distinct_sizes(rng, [(5, 9), (4, 8), (9, 13), (2, 4)])
    params = _random_net(rng, d, h, k)
    X, labels = _floats(rng, n, d), rng.integers(0, k, size=n).astype(np.int32)
    p = _jnp_tree(params)
    jitted = jax.jit(impl.per_example_grads)  # one compilation instead of one per (batched) operation
    out = {"batch": jitted(p, jnp.asarray(X), jnp.asarray(labels)),
           "one_example": jitted(p, jnp.asarray(X[:1]), jnp.asarray(labels[:1]))}
    small = count_equations(jax.make_jaxpr(impl.per_example_grads)(p, jnp.zeros((2, d)), jnp.zeros(2, jnp.int32)))
    large = count_equations(jax.make_jaxpr(impl.per_example_grads)(p, jnp.zeros((6, d)), jnp.zeros(6, jnp.int32)))
    return result(out=out, report={"program_grows_with_n": large > small},
                  given={"params": params, "X": X, "labels": labels})


# --------------------------------------------------------------------------------------------- digits
def prepare_digits_values(impl, rng):
    """prepare_digits flattens the images row by row, divides by 16 and returns float32 and int32 JAX arrays,
    for float64 and int images, leaving the images it was given unchanged"""
    n = int(rng.integers(5, 12))
    images = rng.integers(0, 17, size=(n, 8, 8)).astype(np.float64)
    images[0, 0, 0], images[-1, 7, 7] = 16.0, 0.0
    targets = rng.integers(0, 10, size=n).astype(np.int64)
    as_float, as_int = images.copy(), images.astype(np.int64)
    out = {"float_images": impl.prepare_digits(as_float, targets.copy()),
           "int_images": impl.prepare_digits(as_int, targets.copy())}
    unchanged = bool(np.array_equal(as_float, images) and np.array_equal(as_int, images.astype(np.int64)))
    types = [type_name(v) for pair in out.values() for v in (pair if isinstance(pair, (tuple, list)) else [pair])]
    return result(out=out, report={"input_unchanged": unchanged, "types": types},
                  given={"images": images, "targets": targets})


def sgd_step_values(impl, rng):
    """sgd_step takes every gradient at the old params and subtracts lr times it, for a Python lr eagerly and
    a traced lr under jax.jit, leaving the params it was given unchanged"""
    n, d, h, k = _distinct_sizes(rng, [(5, 9), (4, 8), (9, 13), (2, 4)])
    params = _random_net(rng, d, h, k)
    X, labels = _floats(rng, n, d), rng.integers(0, k, size=n).astype(np.int32)
    lrs = [float(np.float32(rng.uniform(0.05, 0.45))), float(np.float32(rng.uniform(0.55, 0.95)))]
    p = _jnp_tree(params)
    leaves = [(layer, name, p[layer][name]) for layer in range(2) for name in ("W", "b")]
    first, second = p
    eager = impl.sgd_step(p, jnp.asarray(X), jnp.asarray(labels), lrs[0])  # eagerly: a mutation shows
    intact = (len(p) == 2 and p[0] is first and p[1] is second and all(set(layer) == {"W", "b"} for layer in p)
              and all(p[layer][name] is leaf for layer, name, leaf in leaves))
    jitted = jax.jit(impl.sgd_step)(p, jnp.asarray(X), jnp.asarray(labels), jnp.float32(lrs[1]))
    return result(out={"eager": eager, "jit": jitted}, report={"params_intact": intact},
                  given={"params": params, "X": X, "labels": labels, "lrs": lrs})


def train_runs(impl, rng):
    """train runs `steps` jitted SGD steps from he_init(key, ...), for two settings (one step only in the
    second)"""
    n, d = int(rng.integers(24, 40)), int(rng.integers(5, 10))
    X = _floats(rng, n, d)
    labels = rng.integers(0, 10, size=n).astype(np.int32)
    hiddens = _distinct_sizes(rng, [(8, 12), (13, 16)])
    settings = [{"seed": int(rng.integers(2**31 - 1)), "steps": int(rng.integers(6, 11)),
                 "lr": float(np.float32(rng.uniform(0.2, 0.8))), "hidden": hiddens[0]},
                {"seed": int(rng.integers(2**31 - 1)), "steps": 1,
                 "lr": float(np.float32(rng.uniform(0.2, 0.8))), "hidden": hiddens[1]}]
    runs = [0]
    original = impl.sgd_step

    def counted(*args, **kwargs):  # counts how often sgd_step's Python body runs (once per trace when jitted)
        runs[0] += 1
        return original(*args, **kwargs)

    out, counts = [], []
    with swapped(impl, {"sgd_step": counted}):
        for s in settings:
            runs[0] = 0
            out.append(impl.train(jax.random.key(s["seed"]), jnp.asarray(X), jnp.asarray(labels),
                                  steps=s["steps"], lr=s["lr"], hidden=s["hidden"]))
            counts.append(runs[0])
    return result(out=out, report={"sgd_step_python_runs": counts},
                  given={"X": X, "labels": labels, "settings": settings})
