"""Probes for topic `backprop`. Each returns plain data; the verdicts live in autograder/grading/checks.

Every task is probed on its own: while one task's function runs, the other task functions it may call
(``propagate``, ``log_softmax``, ``mlp_forward``, ...) are swapped for the trusted versions below and put
back afterwards, so a mistake in one task never costs the points of another. Oracles (``jax.grad``, finite
differences, ``jax.nn.log_softmax``) are computed here, outside the student's code.
"""
from __future__ import annotations

import math
import time
from contextlib import contextmanager

import jax
import jax.numpy as jnp
import numpy as np

from autograder.sandbox.probing import count_equations

# Shapes are fixed (values are random) so compiled programs are reused from one implementation to the next.
D, H, K, N = 12, 7, 5, 9
_ORIGINAL_LOG_SOFTMAX = jax.nn.log_softmax
AUTODIFF = ("grad", "vjp", "value_and_grad", "jacrev", "jacfwd", "linearize")


class ForbiddenCall(RuntimeError):
    """A function the task must not use was called."""


# ----------------------------------------------------------------------------------------- patching helpers
@contextmanager
def patched(impl, **replacements):
    """Replace the implementation's globals ``replacements`` for the duration; always restore them."""
    namespace = vars(impl)
    missing = object()
    saved = {name: namespace.get(name, missing) for name in replacements}
    try:
        namespace.update(replacements)
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


@contextmanager
def forbidden(impl, module, names, label):
    """Make ``module.<name>`` (and any global of ``impl`` bound to the same object) raise while active.

    Yields the list of forbidden names that were called, e.g. ``["jax.grad"]``."""
    calls: list[str] = []
    originals = {name: getattr(module, name) for name in names}

    def raiser(name):
        def call(*args, **kwargs):
            calls.append(f"{label}.{name}")
            raise ForbiddenCall(f"{label}.{name} must not be called here")
        return call

    replacements = {name: raiser(name) for name in names}
    namespace = vars(impl)
    aliased = {}
    for global_name, value in list(namespace.items()):
        for name, original in originals.items():
            if value is original:
                aliased[global_name] = value
                namespace[global_name] = replacements[name]
    try:
        for name in names:
            setattr(module, name, replacements[name])
        yield calls
    finally:
        for name, original in originals.items():
            setattr(module, name, original)
        for global_name, value in aliased.items():
            namespace[global_name] = value


# ------------------------------------------------------------------------------- trusted task functions
def t_propagate(node):
    g = node.grad
    op, children = node.op, node.children
    if op == "+":
        for child in children:
            child.grad += g
    elif op == "*":
        a, b = children
        a.grad += b.data * g
        b.grad += a.data * g
    elif op == "**":
        children[0].grad += node.exponent * children[0].data ** (node.exponent - 1) * g
    elif op == "tanh":
        children[0].grad += (1.0 - node.data ** 2) * g
    elif op == "exp":
        children[0].grad += node.data * g
    elif op == "log":
        children[0].grad += g / children[0].data
    elif op == "relu":
        children[0].grad += (1.0 if children[0].data > 0 else 0.0) * g


def _topological(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.children))
    return order


def t_backward(root, propagate=t_propagate):
    root.grad = 1.0
    for node in reversed(_topological(root)):
        propagate(node)


def t_log_softmax(logits):
    return _ORIGINAL_LOG_SOFTMAX(logits, axis=-1)


def t_cross_entropy(logits, labels):
    picked = jnp.take_along_axis(t_log_softmax(logits), jnp.asarray(labels)[:, None], axis=1)[:, 0]
    return -jnp.mean(picked)


def t_mlp_forward(params, X):
    Z1 = X @ params[0]["W"] + params[0]["b"]
    A1 = jnp.maximum(Z1, 0.0)
    Z2 = A1 @ params[1]["W"] + params[1]["b"]
    return Z2, {"X": X, "Z1": Z1, "A1": A1, "Z2": Z2}


def t_mlp_backward(params, cache, labels):
    X, Z1, A1, Z2 = cache["X"], cache["Z1"], cache["A1"], cache["Z2"]
    n, k = Z2.shape
    dZ2 = (jnp.exp(t_log_softmax(Z2)) - jax.nn.one_hot(labels, k, dtype=Z2.dtype)) / n
    dA1 = dZ2 @ params[1]["W"].T
    dZ1 = dA1 * (Z1 > 0)
    return [{"W": X.T @ dZ1, "b": dZ1.sum(0)}, {"W": A1.T @ dZ2, "b": dZ2.sum(0)}]


def t_loss(params, X, labels):
    return t_cross_entropy(t_mlp_forward(params, X)[0], labels)


def t_he_init(key, sizes):
    keys = jax.random.split(key, len(sizes) - 1)
    return [{"W": math.sqrt(2.0 / a) * jax.random.normal(k, (a, b), jnp.float32), "b": jnp.zeros((b,), jnp.float32)}
            for k, a, b in zip(keys, sizes[:-1], sizes[1:])]


def t_sgd_step(params, X, labels, lr):
    logits, cache = t_mlp_forward(params, X)
    grads = t_mlp_backward(params, cache, labels)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads), t_cross_entropy(logits, labels)


TRUSTED = {"propagate": t_propagate, "backward": t_backward, "log_softmax": t_log_softmax,
           "cross_entropy": t_cross_entropy, "mlp_forward": t_mlp_forward, "mlp_backward": t_mlp_backward,
           "he_init": t_he_init, "sgd_step": t_sgd_step}


def trusted_except(*names):
    return {name: fn for name, fn in TRUSTED.items() if name not in names}


_grad_loss = jax.jit(jax.grad(t_loss))
_loss_jit = jax.jit(t_loss)
_per_example_oracle = jax.jit(jax.vmap(lambda p, x, y: jax.grad(t_loss)(p, x[None], y[None]), in_axes=(None, 0, 0)))


# ------------------------------------------------------------------------------------- scalar expressions
class _JnpOps:
    tanh, exp, log = staticmethod(jnp.tanh), staticmethod(jnp.exp), staticmethod(jnp.log)
    relu = staticmethod(lambda x: jnp.maximum(x, 0.0))


class _ValueOps:
    tanh = staticmethod(lambda v: v.tanh())
    exp = staticmethod(lambda v: v.exp())
    log = staticmethod(lambda v: v.log())
    relu = staticmethod(lambda v: v.relu())


def _expr_neuron(f, a, b, c, d):
    n = a * b + c * d + 0.5
    return f.tanh(n) * n ** 2 - n / (1.0 + a ** 2) + f.relu(d) - f.relu(-d) * 3.0


def _expr_shared(f, a, b, c, d):
    e = a * b  # e is used four times
    g = e * e + f.exp(e / 3.0) - c
    h = f.log(g ** 2 + 1.0) + f.relu(d) * g + f.relu(-d)
    return h * a - (2.0 - b) / (c ** 2 + 1.0) + e


def _expr_tiny_mlp(f, a, b, c, d):
    total = 0.0
    for x, target in ((0.5, 1.0), (-1.5, -0.5), (2.0, 0.25)):
        h1 = f.tanh(a * x + b)
        h2 = f.tanh(c * x - d)
        out = h1 * c + h2 * d + a * 0.1
        total = total + (out - target) ** 2
    return total / 3.0 + f.exp(-(a * a)) * f.relu(d)


def _expr_chain(f, a, b, c, d):
    x = a
    for _ in range(6):
        x = f.tanh(x * b + c) + x * 0.5  # x feeds two nodes at every level
    return x * d


EXPRESSIONS = {"neuron": _expr_neuron, "shared": _expr_shared, "tiny_mlp": _expr_tiny_mlp, "chain": _expr_chain}
_oracles: dict = {}


def _jax_grad(name, leaves):
    with jax.enable_x64(True):
        if name not in _oracles:
            expr = EXPRESSIONS[name]
            _oracles[name] = jax.jit(jax.grad(lambda *xs: expr(_JnpOps, *xs), argnums=(0, 1, 2, 3)))
        grads = _oracles[name](*(jnp.float64(x) for x in leaves))
        return np.array([float(g) for g in grads])


def _leaves(rng):
    a, b, c = rng.uniform(-1.5, 1.5, size=3)
    d = rng.choice([-1.0, 1.0]) * rng.uniform(0.3, 1.5)  # relu(d) and relu(-d): both branches, no kink
    return [float(a), float(b), float(c), float(d)]


def _graph_nodes(root):
    return _topological(root)


# --------------------------------------------------------------------------------------------- Value engine
def propagate_local_rules(impl, rng):
    """propagate adds node.grad times each operation's local derivative to the children's grads"""
    Value = impl.Value
    out = {}
    cases = {
        "add": lambda a, b: a + b, "mul": lambda a, b: a * b, "square_a_times_a": lambda a, b: a * a,
        "pow": None, "tanh": lambda a, b: a.tanh(), "exp": lambda a, b: a.exp(), "log": lambda a, b: a.log(),
        "relu_positive": lambda a, b: a.relu(), "relu_negative": lambda a, b: a.relu(),
    }
    for name, build in cases.items():
        a_data = float(rng.uniform(0.4, 2.0))
        b_data = float(rng.uniform(-2.0, 2.0))
        if name == "relu_negative":
            a_data = -a_data
        a, b = Value(a_data), Value(b_data)
        a.grad, b.grad = float(rng.normal()), float(rng.normal())
        if name == "pow":
            node = a ** float(rng.choice([-1.0, 0.5, 2.0, 3.0]))
        else:
            node = build(a, b)
        node.grad = float(rng.normal())
        before = node.grad
        impl.propagate(node)
        out[name] = np.array([float(a.grad), float(b.grad), float(node.grad) - before])
    leaf = Value(float(rng.normal()))
    leaf.grad = 0.25
    impl.propagate(leaf)
    out["leaf"] = np.array([float(leaf.grad)])
    return out


def propagate_accumulates(impl, rng):
    """propagate accumulates (+=) into a child used by two nodes and twice by one node"""
    Value = impl.Value
    a, b, c = (Value(float(v)) for v in rng.uniform(-2, 2, size=3))
    uses = [a * b, a + c, a * a]
    for node in uses:
        node.grad = float(rng.normal())
        impl.propagate(node)
    return {"a": float(a.grad), "b": float(b.grad), "c": float(c.grad)}


def propagate_in_graphs(impl, rng):
    """propagate, run over whole expressions in reverse topological order, reproduces jax.grad"""
    Value = impl.Value
    grads, oracle = {}, {}
    for name, expr in EXPRESSIONS.items():
        leaves = _leaves(rng)
        values = [Value(x) for x in leaves]
        t_backward(expr(_ValueOps, *values), propagate=impl.propagate)
        grads[name] = np.array([float(v.grad) for v in values])
        oracle[name] = _jax_grad(name, leaves)
    return {"grads": grads, "jax_grad": oracle}


def backward_in_graphs(impl, rng):
    """backward visits every node once, in reverse topological order, and its leaf grads equal jax.grad"""
    Value = impl.Value
    grads, oracle = {}, {}
    repeats = unvisited = misordered = 0
    root_grads = []
    for name, expr in EXPRESSIONS.items():
        leaves = _leaves(rng)
        values = [Value(x) for x in leaves]
        root = expr(_ValueOps, *values)
        nodes = _graph_nodes(root)
        users: dict[int, set] = {id(n): set() for n in nodes}
        for n in nodes:
            for child in n.children:
                users[id(child)].add(id(n))
        done: dict[int, int] = {}

        def recording(node):
            nonlocal repeats, misordered
            key = id(node)
            if key in done:
                repeats += 1
            elif any(user not in done for user in users.get(key, ())):
                misordered += 1
            done[key] = done.get(key, 0) + 1
            t_propagate(node)

        with patched(impl, propagate=recording):
            impl.backward(root)
        unvisited += sum(1 for n in nodes if id(n) not in done)
        root_grads.append(float(root.grad))
        grads[name] = np.array([float(v.grad) for v in values])
        oracle[name] = _jax_grad(name, leaves)
    return {"grads": grads, "jax_grad": oracle, "repeated_calls": repeats, "unvisited_nodes": unvisited,
            "misordered_calls": misordered, "root_grads": root_grads}


# --------------------------------------------------------------------------------------------- softmax, loss
def _offset_logits(rng, shape):
    logits = rng.normal(size=shape) * 3.0
    offsets = np.array([1000.0, -1000.0, 0.0, 300.0, -90.0, 40.0, 1000.0, -1000.0])[: shape[0]]
    return (logits + offsets.reshape((-1,) + (1,) * (len(shape) - 1))).astype(np.float32)


def log_softmax_values(impl, rng):
    """log_softmax equals jax.nn.log_softmax on logits with rows offset by +-1000, eagerly and under jit"""
    logits = jnp.asarray(_offset_logits(rng, (6, 10)))
    cube = jnp.asarray(rng.normal(size=(2, 3, 5)).astype(np.float32) * 4)
    shift = jnp.asarray((rng.normal(size=(6, 1)) * 20).astype(np.float32))
    with forbidden(impl, jax.nn, ("log_softmax", "softmax"), "jax.nn") as calls:
        try:
            out = impl.log_softmax(logits)
            data = {"out": out, "jit": jax.jit(impl.log_softmax)(logits), "cube": impl.log_softmax(cube),
                    "shifted": impl.log_softmax(logits + shift)}
        except ForbiddenCall:
            data = {}
    data = {k: np.asarray(v) for k, v in data.items()}
    data.update(forbidden=sorted(set(calls)), oracle=np.asarray(t_log_softmax(logits)),
                cube_oracle=np.asarray(t_log_softmax(cube)))
    if "out" in data:
        data["finite"] = bool(np.isfinite(data["out"]).all() and np.isfinite(data["jit"]).all())
        data["row_sums"] = np.exp(data["out"].astype(np.float64)).sum(-1)
        data["dtype"] = str(data["out"].dtype)
    return data


def cross_entropy_values(impl, rng):
    """cross_entropy is the mean of -log_softmax at the labels, finite at +-1000 offsets, under jit too"""
    logits = jnp.asarray(_offset_logits(rng, (8, 10)))
    labels = rng.integers(0, 10, size=8)
    shift = jnp.asarray((rng.normal(size=(8, 1)) * 20).astype(np.float32))
    with patched(impl, **trusted_except("cross_entropy")):
        value = impl.cross_entropy(logits, jnp.asarray(labels, jnp.int32))
        data = {"value": value, "numpy_labels": impl.cross_entropy(logits, labels.astype(np.int64)),
                "jit": jax.jit(impl.cross_entropy)(logits, jnp.asarray(labels, jnp.int32)),
                "shifted": impl.cross_entropy(logits + shift, jnp.asarray(labels, jnp.int32))}
    data = {k: np.asarray(v) for k, v in data.items()}
    data["oracle"] = np.asarray(t_cross_entropy(logits, labels))
    data["batch"] = 8
    return data


# ------------------------------------------------------------------------------------------------ he_init
def he_init_statistics(impl, rng):
    """he_init gives shaped float32 weights of std sqrt(2 / fan_in), zero biases, one subkey per layer"""
    sizes = [320, 256, 256]
    seed = int(rng.integers(2**31 - 1))
    reuse_error = None
    try:
        with jax.debug_key_reuse(True):
            params = impl.he_init(jax.random.key(seed), sizes)
    except jax.errors.KeyReuseError as exc:
        reuse_error = str(exc).splitlines()[0][:200]
        params = impl.he_init(jax.random.key(seed), sizes)
    again = impl.he_init(jax.random.key(seed), sizes)
    other = impl.he_init(jax.random.key(seed + 1), sizes)
    layers = []
    for layer in params:
        W, b = np.asarray(layer["W"]), np.asarray(layer["b"])
        layers.append({"W_shape": list(W.shape), "b_shape": list(b.shape), "W_dtype": str(W.dtype),
                       "b_dtype": str(b.dtype), "b_all_zero": bool(not np.any(b)),
                       "W_mean": float(W.astype(np.float64).mean()), "W_std": float(W.astype(np.float64).std()),
                       "W_entries": int(W.size)})
    correlation = None
    if len(params) >= 2:
        # A key reused for two layers repeats its numbers position by position (flattened), whatever the shapes.
        first, second = (np.asarray(layer["W"], np.float64).ravel() for layer in params[:2])
        m = min(first.size, second.size)
        if m > 1 and first[:m].std() > 0 and second[:m].std() > 0:
            correlation = float(np.corrcoef(first[:m], second[:m])[0, 1])
    flat = lambda p: np.concatenate([np.asarray(x, np.float64).ravel() for x in jax.tree.leaves(p)])  # noqa: E731
    return {"sizes": sizes, "layers": layers, "key_reuse_error": reuse_error,
            "layer_1_2_correlation": correlation,
            "reproducible": bool(np.array_equal(flat(params), flat(again))),
            "other_key_differs": not bool(np.array_equal(flat(params), flat(other)))}


# ----------------------------------------------------------------------------------------------- the MLP
def _random_net(rng, dtype=np.float32, n=N):
    """Random 2-layer parameters and a batch, resampled until no ReLU input is within 1e-3 of its kink."""
    while True:
        params = [{"W": rng.normal(size=(D, H)) * 0.6, "b": rng.normal(size=H) * 0.3},
                  {"W": rng.normal(size=(H, K)) * 0.6, "b": rng.normal(size=K) * 0.3}]
        X = rng.normal(size=(n, D))
        labels = rng.integers(0, K, size=n)
        if np.abs(X @ params[0]["W"] + params[0]["b"]).min() > 1e-3:
            break
    params = [{k: jnp.asarray(v.astype(dtype)) for k, v in layer.items()} for layer in params]
    return params, jnp.asarray(X.astype(dtype)), jnp.asarray(labels.astype(np.int32))


def mlp_forward_values(impl, rng):
    """mlp_forward returns the logits and the cache {X, Z1, A1, Z2}, eagerly and under jit"""
    params, X, _ = _random_net(rng)
    with patched(impl, **trusted_except("mlp_forward")):
        logits, cache = impl.mlp_forward(params, X)
        jit_logits, jit_cache = jax.jit(impl.mlp_forward)(params, X)
    ref_logits, _ = t_mlp_forward(params, X)
    return {"logits": logits, "cache": dict(cache), "jit_logits": jit_logits,
            "jit_cache_keys": sorted(str(k) for k in jit_cache),
            "logits_never_negative": bool(np.asarray(logits).min() >= 0),
            "true_logits_have_negatives": bool(np.asarray(ref_logits).min() < 0)}


def _backward_by_hand(impl, params, X, labels):
    """Run impl.mlp_backward with jax's autodiff forbidden; return (grads or None, forbidden calls)."""
    _, cache = t_mlp_forward(params, X)
    with patched(impl, **trusted_except("mlp_backward")):
        with forbidden(impl, jax, AUTODIFF, "jax") as calls:
            try:
                grads = impl.mlp_backward(params, cache, labels)
            except ForbiddenCall:
                grads = None
    return grads, sorted(set(calls))


def _shapes(tree):
    return [{name: list(np.shape(leaf)) for name, leaf in layer.items()} for layer in tree] \
        if isinstance(tree, (list, tuple)) and all(isinstance(l, dict) for l in tree) else str(type(tree).__name__)


def mlp_backward_float32(impl, rng):
    """mlp_backward, written without jax.grad, gives the gradients jax.grad gives on 3 random nets and batches"""
    nets, forbidden_calls = [], []
    for _ in range(3):
        params, X, labels = _random_net(rng)
        grads, calls = _backward_by_hand(impl, params, X, labels)
        forbidden_calls += calls
        oracle = _grad_loss(params, X, labels)
        nets.append({"grads": grads if grads is not None else "not computed", "jax_grad": oracle,
                     "grad_shapes": _shapes(grads), "param_shapes": _shapes(params)})
    return {"nets": nets, "forbidden": sorted(set(forbidden_calls)), "batch": N}


def mlp_backward_float64(impl, rng):
    """mlp_backward in float64 agrees with jax.grad and with central finite differences of the loss"""
    with jax.enable_x64(True):
        params, X, labels = _random_net(rng, np.float64)
        grads, calls = _backward_by_hand(impl, params, X, labels)
        oracle = _grad_loss(params, X, labels)
        eps = 1e-6
        coords, fd, got = [], [], []
        for layer in range(2):
            for name in ("W", "b"):
                leaf = np.asarray(params[layer][name])
                for flat in rng.choice(leaf.size, size=2, replace=False):
                    index = np.unravel_index(int(flat), leaf.shape)
                    values = []
                    for sign in (1.0, -1.0):
                        bumped = leaf.copy()
                        bumped[index] += sign * eps
                        trial = [dict(l) for l in params]
                        trial[layer][name] = jnp.asarray(bumped)
                        values.append(float(_loss_jit(trial, X, labels)))
                    fd.append((values[0] - values[1]) / (2 * eps))
                    coords.append(f"[{layer}]/{name}{tuple(int(i) for i in index)}")
                    if grads is not None and _shapes(grads) == _shapes(params):
                        got.append(float(np.asarray(grads[layer][name])[index]))
        dtypes = sorted({str(np.asarray(leaf).dtype) for leaf in jax.tree.leaves(grads)}) if grads is not None else []
        return {"grads": grads if grads is not None else "not computed", "jax_grad": oracle,
                "forbidden": calls, "coords": coords, "finite_differences": np.array(fd),
                "at_coords": np.array(got), "dtypes": dtypes}


def per_example_values(impl, rng):
    """per_example_grads gives each example's own gradient via vmap, whose mean is the batch gradient"""
    params, X, labels = _random_net(rng)
    with patched(impl, **trusted_except("per_example_grads")):
        each = impl.per_example_grads(params, X, labels)
        jitted = jax.jit(impl.per_example_grads)(params, X, labels)
        small = count_equations(jax.make_jaxpr(impl.per_example_grads)(params, X[:3], labels[:3]))
        large = count_equations(jax.make_jaxpr(impl.per_example_grads)(params, jnp.concatenate([X, X]),
                                                                         jnp.concatenate([labels, labels])))
    each = jax.tree.map(np.asarray, each)
    try:
        mean = jax.tree.map(lambda leaf: leaf.mean(axis=0), each)
    except Exception:  # noqa: BLE001 - a malformed result is judged by the full comparison
        mean = "not computable"
    return {"each": each, "jit": jitted, "oracle_each": _per_example_oracle(params, X, labels),
            "mean": mean, "batch_grad": _grad_loss(params, X, labels), "program_grows_with_n": large > small}


# --------------------------------------------------------------------------------------------- digits
def prepare_digits_values(impl, rng):
    """prepare_digits flattens the images, scales pixels to [0, 1] (divide by 16) and casts the dtypes"""
    images = rng.integers(0, 17, size=(7, 8, 8)).astype(np.float64)
    images[0, 0, 0] = 16.0
    targets = rng.integers(0, 10, size=7).astype(np.int64)
    original = images.copy()
    X, y = impl.prepare_digits(images, targets)
    X_int, _ = impl.prepare_digits(images.astype(np.int64), targets)
    Xa, ya = np.asarray(X), np.asarray(y)
    return {"X": Xa, "y": ya, "X_from_ints": X_int, "X_dtype": str(Xa.dtype), "y_dtype": str(ya.dtype),
            "X_max": float(Xa.max()), "input_unchanged": bool(np.array_equal(images, original))}


def sgd_step_values(impl, rng):
    """sgd_step takes every gradient at the old params, subtracts lr times it, and leaves params alone"""
    params, X, labels = _random_net(rng)
    lr = float(np.float32(rng.uniform(0.05, 0.5)))
    leaves_before = [(layer, name, params[layer][name]) for layer in range(2) for name in ("W", "b")]
    expected = jax.tree.map(lambda p, g: p - lr * g, params, _grad_loss(params, X, labels))
    expected_loss = _loss_jit(params, X, labels)
    with patched(impl, **trusted_except("sgd_step")):
        new_params, loss = impl.sgd_step(params, X, labels, lr)
        jit_params, jit_loss = jax.jit(impl.sgd_step)(params, X, labels, jnp.float32(lr))
    intact = len(params) == 2 and all(params[l].get(n) is leaf for l, n, leaf in leaves_before)
    layer_ok = []
    for layer in range(2):
        try:
            layer_ok.append(all(np.allclose(np.asarray(new_params[layer][n]), np.asarray(expected[layer][n]),
                                            rtol=1e-4, atol=1e-6) for n in ("W", "b")))
        except Exception:  # noqa: BLE001 - a malformed result is judged by the full comparison
            layer_ok.append(False)
    return {"new_params": new_params, "loss": loss, "jit_params": jit_params, "jit_loss": jit_loss,
            "expected_params": expected, "expected_loss": expected_loss,
            "params_intact": intact, "layer_ok": layer_ok}


_digits_cache: dict = {}


def _digits():
    if not _digits_cache:
        from sklearn.datasets import load_digits

        digits = load_digits()
        order = np.random.default_rng(0).permutation(len(digits.target))
        X = (digits.images.reshape(len(digits.target), -1) / 16.0).astype(np.float32)
        y = digits.target.astype(np.int32)
        _digits_cache.update(train=(jnp.asarray(X[order[:1437]]), jnp.asarray(y[order[:1437]])),
                             test=(X[order[1437:]], y[order[1437:]]))
    return _digits_cache


def train_on_digits(impl, rng):
    """train reaches the test accuracy, lowers the loss from the first steps and is deterministic in its key"""
    data = _digits()
    X, y = data["train"]
    X_test, y_test = data["test"]
    seed = int(rng.integers(2**31 - 1))
    steps, lr, hidden = 200, 0.5, 32
    with patched(impl, **trusted_except("train")):
        start = time.perf_counter()
        params, losses = impl.train(jax.random.key(seed), X, y, steps=steps, lr=lr, hidden=hidden)
        seconds = time.perf_counter() - start
        _, losses_again = impl.train(jax.random.key(seed), X, y, steps=steps, lr=lr, hidden=hidden)
        _, losses_other = impl.train(jax.random.key(seed + 1), X, y, steps=10, lr=lr, hidden=hidden)
    losses, losses_again, losses_other = (np.asarray(v, np.float64) for v in (losses, losses_again, losses_other))
    logits = np.asarray(t_mlp_forward(params, jnp.asarray(X_test))[0])
    return {"losses_shape": list(losses.shape), "steps": steps, "first_losses": losses[:10],
            "finite": bool(np.isfinite(losses).all()), "final_loss": float(losses[-1]) if losses.size else None,
            "same_key_same_losses": bool(np.array_equal(losses, losses_again)),
            "other_key_differs": not bool(np.array_equal(losses[:10], losses_other[:10])),
            "test_accuracy": float((logits.argmax(axis=1) == y_test).mean()), "seconds": seconds}
