"""Hidden checks for topic `backprop`.

Each check compares what the student's functions returned (``got.out``) with an oracle the grader computes
itself from the inputs the probe drew (``ref.given``): ``jax.vjp`` and ``jax.grad`` of each layer and of the
loss in float64, exact float64 formulas, or the reference's own run on the same inputs and keys (``ref.out``).
Where no oracle exists (the statistics of a random initialisation), the grader computes the property from
``got.out``. Reports measured beside the student's code (``got.report``) only take points away; the in-process
rules (no automatic differentiation in the backward passes, no ``jax.nn.log_softmax``) are such reports.
A message names a cause only when the check detected it; otherwise it says what differs. Docstrings list
the mistakes each check rejects.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from autograder.grading.compare import expect, expect_match, tree_problem
from autograder.sandbox.probes import backprop as probes

TIGHT = {"rtol": 1e-9, "atol": 1e-12}  # float64 arithmetic on both sides
F64 = {"rtol": 1e-9, "atol": 1e-12}


# ------------------------------------------------------------------------------------------------ helpers
_ORACLES: dict = {}


def _oracle(ref, compute):
    """``compute(ref.given)``, once per reference call (the same for every student graded in this run)."""
    key = (id(ref), compute.__name__)
    if key not in _ORACLES:
        _ORACLES[key] = (ref, compute(ref.given))  # ref kept alive: its id stays unique
    return _ORACLES[key][1]


def _array(value):
    return value if type(value) is np.ndarray else None


def _get(tree, *path):
    """tree[path[0]][path[1]]... when every step exists, else None (got.out may have any form)."""
    for step in path:
        if isinstance(step, str) and type(tree) is dict and step in tree:
            tree = tree[step]
        elif isinstance(step, int) and type(tree) is list and -len(tree) <= step < len(tree):
            tree = tree[step]
        else:
            return None
    return tree


def _close(got, expected, rtol=1e-4, atol=1e-6) -> bool:
    got = _array(got)
    return (got is not None and got.shape == np.shape(expected) and got.dtype.kind == "f"
            and bool(np.allclose(got, expected, rtol=rtol, atol=atol)))


def _is_variant(got, variant, oracle, rtol=1e-4, atol=1e-6) -> bool:
    """got matches a wrong variant that the right answer does not match (so naming its cause is safe)."""
    return _close(got, variant, rtol, atol) and not _close(np.asarray(oracle), variant, rtol, atol)


def _f32_atol(*arrays) -> float:
    """Float32 rounding at the inputs' magnitude: correct answers computed in different orders differ by
    about one spacing of the largest input (6.1e-5 near 1000)."""
    largest = max(float(np.max(np.abs(a))) if np.size(a) else 0.0 for a in arrays)
    return 4 * float(np.spacing(np.float32(max(largest, 1.0)))) + 2e-6


def _by_hand_rule(got, function):
    calls = got.report.get("autodiff_calls")
    expect(calls == [],
           f"{function} used automatic differentiation ({', '.join(map(str, calls or ['?']))}). The task is to "
           "derive this backward pass yourself; jax.grad, jax.vjp, jax.jacobian and the rest are disabled while "
           "it is checked (an in-process rule). Use jax.vjp only in your own tests.")


def _f64(x):
    return jnp.asarray(np.asarray(x, np.float64))


def _log_softmax64(z):
    z = np.asarray(z, np.float64)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _cross_entropy64(logits, labels):
    log_probs = _log_softmax64(logits)
    return -float(np.mean(log_probs[np.arange(len(labels)), np.asarray(labels)]))


def _loss(params, X, labels):
    """The MLP's mean cross-entropy, the trusted function the grader differentiates (float64)."""
    Z1 = X @ params[0]["W"] + params[0]["b"]
    Z2 = jax.nn.relu(Z1) @ params[1]["W"] + params[1]["b"]
    picked = jnp.take_along_axis(jax.nn.log_softmax(Z2), labels[:, None], axis=1)
    return -jnp.mean(picked)


# The float64 oracles are jitted: one compiled program per shape, not one per operation dispatched eagerly (the
# grader computes them for every run and seed).
_loss_grad = jax.jit(jax.grad(_loss))


def _grad64(params, X, labels):
    with jax.enable_x64(True):
        grads = _loss_grad(jax.tree.map(_f64, params), _f64(X), jnp.asarray(np.asarray(labels)))
        return jax.tree.map(np.asarray, grads)


def _as(tree, dtype):
    return jax.tree.map(lambda leaf: np.asarray(leaf, dtype), tree)


# ------------------------------------------------------------------------------------------------ propagate
def _overwrote(got: dict, ref: dict, given: dict) -> bool:
    """got['a'] is exactly the new term, without the gradient the child held before (assignment, not +=)."""
    term = ref["a"] - given["presets"][0]
    return isinstance(got.get("a"), float) and abs(term) > 1e-3 and abs(got["a"] - term) < 1e-9 * max(1, abs(term))


@pytest.mark.task("backprop.propagate")
def test_propagate_local_rules(run):
    """Rejects: assigning child.grad instead of adding to it; tanh' from the input (1 - x**2) instead of the
    output; exp' = 1; log' = x; ** without the factor k, or with exponent k instead of k - 1; relu' = 1 at an
    input of exactly 0 (>= 0); a child used twice (a * a, a + a) counted once; changing node.grad."""
    got, ref = run(probes.propagate_local_rules)
    out = got.out if type(got.out) is dict else {}
    overwritten = [name for name in ("mul", "tanh", "exp", "log") if type(out.get(name)) is dict
                   and _overwrote(out[name], ref.out[name], ref.given[name])]
    expect(not overwritten,
           f"After propagate on {', '.join(overwritten)} nodes, the child's grad is exactly the new term: the "
           "gradient it held before is gone. Add to child.grad (+=): a child may already hold contributions "
           "from other nodes that use it.")
    expect_match(got.out, ref.out,
                 call="propagate(node) on one node per operation (a + b, a + a, a * b, a * a, a ** k for an int, a "
                      "negative and a fractional k, tanh, exp, log, relu of a positive, a negative and an exactly-0 "
                      "input, a leaf), children's grads preset to random values, and on a * b, a + c, a * a sharing "
                      "a; each entry holds the children's grads and node.grad afterwards",
                 hint="child.grad += node.grad * d node / d child; tanh and exp can use node.data; relu's slope is "
                      "0 at an input of exactly 0; leave node.grad alone.", **TIGHT)


@pytest.mark.task("backprop.propagate")
def test_propagate_in_whole_expressions(run):
    """Rejects: any wrong local rule or lost accumulation, exercised on whole expressions whose nodes are shared
    (backward is the reference's)."""
    got, ref = run(probes.propagate_in_graphs)
    expect_match(got.out, ref.out,
                 call="The grads of the leaves and inner nodes of 4 random expressions (a tanh neuron, a product "
                      "used four times with exp/log/relu, a tanh chain with skip connections, a tiny tanh MLP) after "
                      "backward(root), which calls your propagate in reverse topological order",
                 hint="check each operation's local derivative, and that you add into child.grad.", **TIGHT)


# ------------------------------------------------------------------------------------------------- backward
def _backward_diagnosis(report: dict) -> str:
    """What the recorded propagate calls show, for the expressions where backward called propagate at all."""
    seen = [r for r in report.values() if type(r) is dict] if type(report) is dict else []
    notes = []
    repeated = sum(r.get("repeated", 0) for r in seen if type(r.get("repeated")) is int)
    early = sum(r.get("early", 0) for r in seen if type(r.get("early")) is int)
    skipped = sum(r.get("children_never_propagated", 0) for r in seen
                  if type(r.get("children_never_propagated")) is int)
    if repeated:
        notes.append(f"backward called propagate more than once on {repeated} node(s): a node reached by several "
                     "paths passed its gradient down several times")
    if early:
        notes.append(f"{early} node(s) were propagated before their gradient was final (their grad changed after "
                     "propagate had run on them): a node must come after every node that uses it")
    if skipped:
        notes.append(f"backward never called propagate on {skipped} child node(s) of nodes it did propagate")
    return (" Recorded while it ran: " + "; ".join(notes) + ".") if notes else ""


@pytest.mark.task("backprop.backward")
def test_backward_gives_every_gradient(run):
    """Rejects: propagating in topological (not reversed) order, a depth-first search without a `seen` set
    (shared nodes propagated once per path), a pre-order listing, a breadth-first order (a node reached by a
    short and a long path propagated too early), forgetting root.grad = 1.0."""
    got, ref = run(probes.backward_in_graphs)
    roots = [_get(got.out, name, "root") for name in ("neuron", "shared", "chain", "tiny_mlp", "square", "lone_leaf")]
    wrong_roots = sorted({r for r in roots if r != 1.0}, key=str)
    expect(not wrong_roots,
           f"After backward(root), root.grad is {', '.join(map(str, wrong_roots))} instead of 1.0 (on 6 expressions, "
           "a lone leaf among them): d root / d root is 1, and it seeds the whole backward pass.")
    problem = tree_problem(got.out, ref.out, **TIGHT)
    if problem:
        raise AssertionError(
            "backward(root) on 4 random expressions with shared nodes (a tanh neuron, a product used four times, "
            "a tanh chain with skip connections, a tiny tanh MLP) and on a * a: the grads of their leaves and "
            f"inner nodes differ from d root / d node: {problem}." + _backward_diagnosis(got.report.get("propagate_calls"))
            + " Hint: list the nodes in topological order with a seen set, set root.grad = 1.0, then propagate each "
              "node once, in reverse.")


# ---------------------------------------------------------------------------------------------- log_softmax
_LOG_SOFTMAX_ROWS = {
    "offset": "rows offset by 1000, -1000 and random amounts up to +-1000",
    "spread": "rows whose entries lie hundreds apart (0 down to -400)",
    "ties": "rows of identical logits",
    "moderate": "rows of moderate logits",
}
_LOG_SOFTMAX_PARTS = {
    "vector": "a single row (a 1-D array)",
    "cube": "a 2x3xk array (along the last axis)",
    "single_class": "a batch with a single class (k = 1)",
}


def _expect_log_softmax(value, z, what):
    oracle = _log_softmax64(z)
    array = _array(value)
    if array is not None and array.shape == z.shape and array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        if bad.any():
            raise AssertionError(
                f"log_softmax on {what} returned inf or nan in {int(bad.sum())} of {bad.size} entries (first at "
                f"index {tuple(int(i) for i in np.argwhere(bad)[0])}), where every exact value is finite.")
        for axis in range(z.ndim - 1):
            other = np.moveaxis(_log_softmax64(np.moveaxis(z, axis, -1)), -1, axis)
            expect(np.allclose(other, oracle, atol=_f32_atol(z)) or not np.allclose(array, other, atol=_f32_atol(z)),
                   f"log_softmax on {what} normalised along axis {axis}, not along the last axis.")
    expect_match(value, oracle.astype(np.float32), exact_dtype=True, rtol=1e-6, atol=_f32_atol(z),
                 call=f"log_softmax on {what}, versus the exact value",
                 hint="subtract each row's maximum (the last axis, keepdims=True) before exponentiating, and "
                      "subtract the log of the sum from the shifted logits, not from a log of probabilities.")


@pytest.mark.task("backprop.log_softmax")
def test_log_softmax_is_stable_and_exact(run):
    """Rejects: naive log(sum(exp(z))) (inf/nan at +-1000), one maximum over the whole array instead of one per
    row, log of a (stable) softmax (-inf for entries far below the row maximum), a hard-coded axis (wrong for
    1-D and 3-D inputs), a float64 result, calling jax.nn.log_softmax or jax.nn.softmax (in-process rule)."""
    got, ref = run(probes.log_softmax_values)
    calls = got.report.get("forbidden_calls")
    expect(calls == [], f"log_softmax called {', '.join(map(str, calls or ['?']))}: the task is to compute it "
                        "yourself (jax.nn.log_softmax and jax.nn.softmax are disabled while it is checked: an "
                        "in-process rule; jax.scipy.special.logsumexp is allowed).")
    batch = ref.given["batch"]
    for key, how in (("batch", ""), ("jit", ", under jax.jit")):
        value = _array(_get(got.out, key))
        expect(value is not None and value.shape == batch.shape,
               f"log_softmax on a float32 batch of shape {batch.shape}{how} returned "
               f"{'an array of shape ' + str(value.shape) if value is not None else type(_get(got.out, key)).__name__}"
               f", expected shape {batch.shape}.")
        for name, what in _LOG_SOFTMAX_ROWS.items():
            start, stop = ref.given["rows"][name]
            _expect_log_softmax(value[start:stop], batch[start:stop],
                                f"a float32 batch of shape {batch.shape}{how}, in its {what} (rows {start} to "
                                f"{stop - 1})")
    for name, what in _LOG_SOFTMAX_PARTS.items():
        _expect_log_softmax(_get(got.out, name), ref.given[name], f"{what} of shape {ref.given[name].shape}")


@pytest.mark.task("backprop.cross_entropy")
def test_cross_entropy_is_the_mean_of_picked_log_probs(run):
    """Rejects: the sum over the batch instead of the mean, log_probs[:, labels] (the mean of an n x n matrix),
    a missing minus sign, indexing rows with the labels, breaking on NumPy int64 labels or under jit, a float64
    or non-scalar result."""
    got, ref = run(probes.cross_entropy_values)
    for name, what in (("offset", "rows offset by +-1000 and JAX int32 labels"),
                       ("numpy_labels", "NumPy int64 labels"), ("jit", "under jax.jit"),
                       ("single", "a batch of one")):
        logits, labels = ref.given["logits"][name], ref.given["labels"][name]
        exact = _cross_entropy64(logits, labels)
        value = _array(_get(got.out, name))
        n = len(labels)
        call = f"cross_entropy(logits, labels) on {n} random rows of {logits.shape[1]} logits, {what}"
        if value is not None and value.shape == () and value.dtype.kind == "f" and np.isfinite(value):
            v = float(value)
            log_probs = _log_softmax64(logits)
            found = [("the sum over the batch, not the mean", n > 1 and abs(v - n * exact) < 1e-3 * n * abs(exact)),
                     ("minus the expected value: the minus sign is missing", abs(v + exact) < 1e-4 * abs(exact)),
                     ("the mean of log_probs[:, labels], an n x n matrix, not of one entry per row",
                      n > 1 and abs(v + np.mean(log_probs[:, labels])) < 1e-4 * abs(exact))]
            for cause, detected in found:
                expect(not detected, f"{call}: the result is {cause}.")
        expect_match(value, np.asarray(exact, np.float32), exact_dtype=True, rtol=1e-5, atol=_f32_atol(logits),
                     call=call + ", versus -mean_i log_softmax(logits)[i, labels[i]]",
                     hint="pick one log-probability per row (the one at its label), then take minus the mean.")


# -------------------------------------------------------------------------------------------------- he_init
def _layers(tree):
    """[(W, b)] when tree is a list of {"W": array, "b": array} dicts, else None."""
    if type(tree) is not list or not all(type(layer) is dict and set(layer) == {"W", "b"} for layer in tree):
        return None
    layers = [(layer["W"], layer["b"]) for layer in tree]
    return layers if all(type(W) is np.ndarray and type(b) is np.ndarray for W, b in layers) else None


def _check_he_layers(tree, sizes, call):
    layers = _layers(tree)
    expect(layers is not None, f"{call} returned {type(tree).__name__}, expected a list of dicts with keys 'W' and "
                               "'b' holding arrays, one per layer.")
    expect(len(layers) == len(sizes) - 1, f"{call} returned {len(layers)} layers, expected {len(sizes) - 1}.")
    for i, ((W, b), fan_in, fan_out) in enumerate(zip(layers, sizes[:-1], sizes[1:])):
        expect(W.shape == (fan_in, fan_out) and b.shape == (fan_out,),
               f"Layer {i} of {call} has W of shape {W.shape} and b of shape {b.shape}, expected ({fan_in}, "
               f"{fan_out}) and ({fan_out},): W maps the layer's fan_in inputs to its fan_out outputs.")
        expect(W.dtype == np.float32 and b.dtype == np.float32,
               f"Layer {i} of {call} has W of dtype {W.dtype} and b of dtype {b.dtype}, expected float32.")
        expect(not np.any(b), f"Layer {i}'s bias from {call} is not all zeros: biases start at 0.")
        expect(bool(np.isfinite(W).all()), f"Layer {i}'s W from {call} holds inf or nan.")
        W64 = W.astype(np.float64)
        target, std = (2.0 / fan_in) ** 0.5, float(W64.std())
        # 5 standard errors of a sample std (at least 4%): every correct draw passes, every listed mistake fails.
        tolerance = max(0.04, 5 / (2 * W.size) ** 0.5)
        why = ""
        if abs(std - 1.0) < 0.05:
            why = " That is the standard deviation of a plain standard normal: it was not scaled."
        elif fan_in != fan_out and abs(std / (2.0 / fan_out) ** 0.5 - 1) < tolerance:
            why = " That is sqrt(2 / fan_out): it was scaled by the number of outputs instead of inputs."
        elif abs(std / (1.0 / fan_in) ** 0.5 - 1) < tolerance:
            why = " That is sqrt(1 / fan_in) (LeCun scaling): He scaling has a 2 for the ReLU."
        expect(abs(std / target - 1) < tolerance,
               f"Layer {i}'s W ({fan_in}x{fan_out}) from {call} has standard deviation {std:.4f}, expected "
               f"sqrt(2 / fan_in) = sqrt(2 / {fan_in}) = {target:.4f} (within {tolerance:.0%}).{why}")
        bound = 6 * target / W.size ** 0.5
        expect(abs(float(W64.mean())) < bound,
               f"Layer {i}'s W from {call} has mean {float(W64.mean()):.5f}, expected about 0 (within {bound:.5f}).")
    return layers


@pytest.mark.task("backprop.he_init")
def test_he_init_shapes_scale_and_biases(run):
    """Rejects: std-1 weights (a plain normal), std sqrt(2 / fan_out) or sqrt(1 / fan_in), transposed W,
    non-zero or missing biases, float64 weights, a wrong number of layers (4 or 5 layers, and 1)."""
    got, ref = run(probes.he_init_draws)
    sizes, single = ref.given["sizes"], ref.given["one_layer"]
    _check_he_layers(_get(got.out, "params"), sizes, f"he_init(key, {sizes})")
    _check_he_layers(_get(got.out, "one_layer"), single, f"he_init(key, {single})")


@pytest.mark.task("backprop.he_init")
def test_he_init_one_subkey_per_layer(run):
    """Rejects: one key for every layer, keys cycled over the layers (split into 2 or 3 for 4-5 layers),
    splitting a key and then using it again (KeyReuseError), np.random or a fixed seed inside (not
    reproducible from the key, or the key ignored)."""
    got, ref = run(probes.he_init_draws)
    sizes = ref.given["sizes"]
    call = f"he_init(key, {sizes})"
    expect(got.report.get("key_reuse_error") is None,
           f"{call} used a PRNG key more than once (jax.debug_key_reuse says: {got.report.get('key_reuse_error')}). "
           "A key that has been split, or used for a draw, must not be used again: split once into one subkey "
           "per layer.")
    layers = _layers(_get(got.out, "params"))
    expect(layers is not None and len(layers) == len(sizes) - 1 and all(W.ndim == 2 and W.size > 100 for W, _ in layers),
           f"{call} did not return {len(sizes) - 1} layers of weights (see the other he_init check).")
    flat = [W.astype(np.float64).ravel() for W, _ in layers]
    for i in range(len(flat)):
        for j in range(i + 1, len(flat)):
            m = min(flat[i].size, flat[j].size)
            first, second = flat[i][:m], flat[j][:m]
            if first.std() > 0 and second.std() > 0:
                corr = float(np.corrcoef(first, second)[0, 1])
                expect(abs(corr) < 0.2,
                       f"Layers {i} and {j} of {call} hold the same random numbers (the correlation of their first "
                       f"{m} weights is {corr:.3f}): they were drawn from the same key. Give every layer its own "
                       "subkey (split the key once into len(sizes) - 1 subkeys).")
    again = _layers(_get(got.out, "again"))
    expect(again is not None and len(again) == len(layers)
           and all(np.array_equal(W, W2) and np.array_equal(b, b2) for (W, b), (W2, b2) in zip(layers, again)),
           f"Two calls of {call} with the same key gave different parameters: all randomness must come from the key "
           "(no np.random, no global state).")
    other = _layers(_get(got.out, "other_key"))
    expect(other is None or len(other) != len(layers)
           or not all(np.array_equal(W, W2) for (W, _), (W2, _) in zip(layers, other)),
           f"{call} gave the same weights for two different keys: draw them from the key you were given.")


# ---------------------------------------------------------------------------------------------- mlp_forward
@pytest.mark.task("backprop.mlp_forward")
def test_mlp_forward_logits_and_cache(run):
    """Rejects: a ReLU after the last layer, the pre-activation stored as A1, a missing bias, a cache with
    other keys, X @ W.T (non-square weights), failing under jit or for a batch of one."""
    got, ref = run(probes.mlp_forward_values)
    n, d = ref.given["X"].shape
    h, k = ref.given["params"][1]["W"].shape
    call = f"mlp_forward(params, X) on a random {d}-{h}-{k} net and a batch of {n} (eagerly, under jax.jit, and " \
           "for a batch of one)"
    logits, expected = _array(_get(got.out, "eager", 0)), ref.out["eager"][0]
    expect(not (_close(logits, np.maximum(expected, 0)) and (expected < 0).any()),
           f"{call}: the logits are never negative; they equal relu of the right logits, so a ReLU was applied after "
           "the last layer. The logits go to the softmax as they are.")
    expect(not _is_variant(_get(got.out, "eager", 1, "A1"), ref.out["eager"][1]["Z1"], ref.out["eager"][1]["A1"]),
           f"{call}: cache['A1'] holds the pre-activation Z1; A1 is relu(Z1).")
    expect_match(got.out, ref.out, exact_dtype=True, rtol=1e-5, atol=1e-5, call=call,
                 hint="Z1 = X W1 + b1, A1 = relu(Z1), Z2 = A1 W2 + b2; cache = {'X', 'Z1', 'A1', 'Z2'}.")


# ------------------------------------------------------------------------------------- the backward pieces
@jax.jit
def _relu_vjp(Z, dA):
    return jax.vjp(jax.nn.relu, Z)[1](dA)[0]


def _relu_vjps(given):
    out = {}
    with jax.enable_x64(True):
        for name, x in given.items():
            out[name] = np.asarray(_relu_vjp(_f64(x["Z"]), _f64(x["dA"]))).astype(x["dA"].dtype)
    out["jit"] = out["float32"]
    return out


@pytest.mark.task("backprop.relu_backward")
def test_relu_backward_matches_jax_vjp(run):
    """Rejects: the mask Z >= 0 (wrong at exact zeros), the mask taken from dA instead of Z, multiplying by
    relu(Z) instead of its derivative, a float32 result for float64 inputs, autodiff (in-process rule)."""
    got, ref = run(probes.relu_backward_values)
    _by_hand_rule(got, "relu_backward")
    oracle = _oracle(ref, _relu_vjps)
    for name, what in (("float32", "a float32 batch"), ("jit", "the same batch under jax.jit"),
                       ("float64", "a float64 batch (64-bit mode on)"), ("vector", "a 1-D array"),
                       ("cube", "a 3-D array")):
        x = ref.given["float32" if name == "jit" else name]
        Z, dA = x["Z"], x["dA"]
        value = _array(_get(got.out, name))
        call = f"relu_backward(dA, Z) on {what} of shape {Z.shape} whose Z has exact zeros"
        if value is not None and value.shape == Z.shape:
            off = ~np.isclose(value, oracle[name])
            expect(not (off.any() and np.all(Z[off] == 0)),
                   f"{call}: the result differs only where Z is exactly 0 ({int(off.sum())} entries); the ReLU's "
                   "derivative there is 0 (the mask is Z > 0, strictly).")
            expect(not _is_variant(value, dA * (dA > 0), oracle[name], 0, 0),
                   f"{call}: the result is dA where dA > 0, i.e. the mask was taken from dA; the ReLU's derivative "
                   "depends on its input Z.")
            expect(not _is_variant(value, dA * np.maximum(Z, 0), oracle[name], 0, 0),
                   f"{call}: the result is dA * relu(Z); multiply by the ReLU's derivative (1 or 0), not its output.")
        expect_match(value, oracle[name], exact_dtype=True, call=call + ", versus jax.vjp of jax.nn.relu",
                     hint="dA where Z > 0, zero where Z <= 0; keep dA's dtype.")


@jax.jit
def _linear_vjp(A, W, dZ):
    return jax.vjp(lambda A, W, b: A @ W + b, A, W, jnp.zeros(W.shape[1], W.dtype))[1](dZ)


def _linear_vjps(given):
    out = {}
    with jax.enable_x64(True):
        for name, x in given.items():
            grads = _linear_vjp(_f64(x["A_prev"]), _f64(x["W"]), _f64(x["dZ"]))
            out[name] = [np.asarray(g).astype(x["dZ"].dtype) for g in grads]
    out["jit"] = out["float32"]
    return out


@pytest.mark.task("backprop.linear_backward")
def test_linear_backward_matches_jax_vjp(run):
    """Rejects: dW = dZ.T @ A_prev (transposed), db as the mean over the batch instead of the sum, dividing dW by
    the batch size again, dA_prev without W's transpose, a float32 result for float64 inputs, autodiff
    (in-process rule)."""
    got, ref = run(probes.linear_backward_values)
    _by_hand_rule(got, "linear_backward")
    oracle = _oracle(ref, _linear_vjps)
    for name, what in (("float32", "float32"), ("jit", "float32, under jax.jit"),
                       ("float64", "float64 (64-bit mode on)"), ("one_example", "float32, a batch of one")):
        x = ref.given["float32" if name == "jit" else name]
        (n, p), m = x["dZ"].shape, x["W"].shape[0]
        call = (f"linear_backward(dZ, A_prev, W) with dZ ({n}, {p}), A_prev ({n}, {m}), W ({m}, {p}), {what}; "
                "the result (dA_prev, dW, db)")
        value = _get(got.out, name)
        dW, db = _array(_get(value, 1)), _array(_get(value, 2))
        expect(not (dW is not None and dW.shape == (p, m) and m != p),
               f"{call}: dW has shape {(p, m)}, the transpose of W's shape {(m, p)}. A gradient is shaped like its "
               "parameter: the layer's input goes on the left, transposed.")
        if n > 1:
            expect(not _is_variant(db, oracle[name][2] / n, oracle[name][2], rtol=1e-5, atol=1e-9),
                   f"{call}: db is the mean of dZ over the batch; b is added to every row, so its gradient is the "
                   "sum (dZ already carries the loss's 1/n).")
            expect(not _is_variant(dW, oracle[name][1] / n, oracle[name][1], rtol=1e-5, atol=1e-9),
                   f"{call}: dW is divided by the batch size n once more; dZ already carries the loss's 1/n.")
        tolerance = F64 if name == "float64" else {"rtol": 1e-4, "atol": 1e-5}
        expect_match(value, oracle[name], exact_dtype=True, call=call + ", versus jax.vjp of A_prev @ W + b",
                     hint="each gradient is shaped like its input; examples' contributions are summed.", **tolerance)


@jax.jit
@jax.grad
def _cross_entropy_grad(z, labels):
    return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(z), labels[:, None], axis=1))


def _cross_entropy_grads(given):
    out = {}
    with jax.enable_x64(True):
        for name, x in given.items():
            grad = _cross_entropy_grad(_f64(x["logits"]), jnp.asarray(x["labels"]))
            out[name] = np.asarray(grad).astype(x["logits"].dtype)
    out["numpy_labels"] = out["moderate"]
    return out


@pytest.mark.task("backprop.cross_entropy_backward")
def test_cross_entropy_backward_matches_jax_grad(run):
    """Rejects: forgetting the mean's 1/n, the softmax without subtracting the one-hot labels, one-hot minus
    softmax (the sign), a softmax without the max shift (nan at +-1000), a float32 result for float64 logits,
    autodiff (in-process rule)."""
    got, ref = run(probes.cross_entropy_backward_values)
    _by_hand_rule(got, "cross_entropy_backward")
    oracle = _oracle(ref, _cross_entropy_grads)
    for name, what in (("numpy_labels", "float32, NumPy int64 labels, eagerly"),
                       ("offset", "float32 rows offset by +-1000, under jax.jit"),
                       ("float64", "float64 logits (64-bit mode on), under jax.jit"),
                       ("one_example", "a batch of one, under jax.jit")):
        x = ref.given["moderate" if name == "numpy_labels" else name]
        logits, labels = x["logits"], x["labels"]
        n, k = logits.shape
        call = f"cross_entropy_backward(logits, labels) on {n} rows of {k} logits, {what}"
        value = _array(_get(got.out, name))
        expected = oracle[name]
        if value is not None and value.shape == (n, k) and value.dtype.kind == "f":
            expect(bool(np.isfinite(value).all()),
                   f"{call}: the result holds inf or nan, where every exact value is finite (compute the softmax "
                   "with the max shift, or from your log_softmax).")
            variants = [("the softmax divided by n: the one-hot labels were not subtracted",
                         expected + np.eye(k)[labels] / n),
                        ("minus the gradient: one-hot minus softmax has the sign flipped", -expected)]
            if n > 1:
                variants.append(("n times the gradient: the mean's 1/n is missing", n * expected))
            for cause, variant in variants:
                expect(not _is_variant(value, variant, expected), f"{call}: the result is {cause}.")
        tolerance = F64 if name == "float64" else {"rtol": 1e-4, "atol": _f32_atol(logits)}
        expect_match(value, expected, exact_dtype=True, call=call + ", versus jax.grad of the mean cross-entropy",
                     hint="d CE_i / d z_ij is softmax_ij minus 1 at the label, softmax_ij elsewhere; the batch mean "
                          "divides by n.", **tolerance)


def _mlp_grads(given):
    return {name: _as(_grad64(x["params"], x["X"], x["labels"]), x["X"].dtype) for name, x in given.items()}


@pytest.mark.task("backprop.mlp_backward")
def test_mlp_backward_matches_jax_grad(run):
    """Rejects: calling jax.grad, jax.jacobian, jax.vjp ... (in-process rule), skipping the ReLU's backward pass,
    feeding Z1 instead of A1 to the last layer's backward pass, the layers in the wrong order, a hard-coded
    float32 (float64 nets), gradients n times too large."""
    got, ref = run(probes.mlp_backward_values)
    _by_hand_rule(got, "mlp_backward")
    oracle = _oracle(ref, _mlp_grads)
    for name, what in (("float32", "float32"), ("float64", "float64 (64-bit mode on)"),
                       ("one_example", "float32, a batch of one")):
        x = ref.given[name]
        (d, h), k, n = x["params"][0]["W"].shape, x["params"][1]["W"].shape[1], len(x["labels"])
        call = f"jax.jit(mlp_backward)(params, cache, labels) on a random {d}-{h}-{k} net and a batch of {n}, {what}"
        value = _get(got.out, name)
        expected = oracle[name]
        if n > 1 and _layers(value) is not None and len(value) == 2:
            expect(not all(_close(value[l][p], n * expected[l][p]) for l in range(2) for p in ("W", "b")),
                   f"{call}: every gradient is {n} times the gradient of the mean loss.")
            layer_two = tree_problem(value[1], expected[1], rtol=1e-4, atol=1e-6) is None
            expect(not layer_two or tree_problem(value[0], expected[0], rtol=1e-4, atol=1e-6) is None,
                   f"{call}: the last layer's gradients are right but the first layer's differ "
                   f"({tree_problem(value[0], expected[0], rtol=1e-4, atol=1e-6, path='[0]')}).")
        tolerance = F64 if name == "float64" else {"rtol": 1e-4, "atol": 1e-6}
        expect_match(value, expected, exact_dtype=True, call=call + ", versus jax.grad of the mean cross-entropy",
                     hint="dZ2 from cross_entropy_backward; the last layer's input is A1; the ReLU's input is Z1; "
                          "the first layer's input is X; keep the dtype you are given.", **tolerance)


# ---------------------------------------------------------------------------------------- per_example_grads
_per_example_grads = jax.jit(jax.vmap(lambda params, x, y: _loss_grad(params, x[None], y[None]),
                                      in_axes=(None, 0, 0)))


def _per_example(given):
    params, X, labels = given["params"], given["X"], given["labels"]
    with jax.enable_x64(True):
        grads = _per_example_grads(jax.tree.map(_f64, params), _f64(X), jnp.asarray(labels))
        each = _as(jax.tree.map(np.asarray, grads), np.float32)
    return {"batch": each, "one_example": jax.tree.map(lambda g: g[:1], each),
            "batch_gradient": _as(_grad64(params, X, labels), np.float32)}


@pytest.mark.task("backprop.per_example_grads")
def test_per_example_grads_with_vmap(run):
    """Rejects: a Python loop over the examples (the program grows with n), the batch gradient repeated n times,
    per-example gradients divided by n, failing under jit or for a batch of one."""
    got, ref = run(probes.per_example_values)
    oracle = _oracle(ref, _per_example)
    n = len(ref.given["labels"])
    expect(got.report.get("program_grows_with_n") is False,
           "The traced program of per_example_grads grows with the batch size: a Python loop over the examples "
           "is unrolled once per example. Write the gradient of one example and map it with jax.vmap.")
    each = _get(got.out, "batch")
    if _layers(each) is not None and len(each) == 2:
        tiled = [jax.tree.map(lambda g: np.broadcast_to(g, (n,) + g.shape), oracle["batch_gradient"])]
        expect(not all(_close(each[l][p], tiled[0][l][p]) for l in range(2) for p in ("W", "b")),
               f"Every entry of per_example_grads on a batch of {n} is the batch gradient: entry i must be the "
               "gradient of example i's own loss.")
        expect(not all(_close(each[l][p], oracle["batch"][l][p] / n, atol=1e-8) for l in range(2) for p in ("W", "b")),
               f"Every entry of per_example_grads on a batch of {n} is example i's gradient divided by {n}: each "
               "example's own loss is a batch of one, its mean has nothing to divide by n.")
    expect_match(got.out, {k: oracle[k] for k in ("batch", "one_example")}, exact_dtype=True,
                 rtol=1e-4, atol=1e-6,
                 call=f"jax.jit(per_example_grads)(params, X, labels) on a random net and a batch of {n}, and on "
                      "its first example alone, versus jax.grad of each example's own loss",
                 hint="entry i is the gradient of example i's loss as a batch of one: jax.vmap over X and labels "
                      "with the parameters shared (in_axes None).")


# ------------------------------------------------------------------------------------------- prepare_digits
@pytest.mark.task("backprop.prepare_digits")
def test_prepare_digits_scales_pixels(run):
    """Rejects: pixels not scaled (0..16), dividing by 255, flattening column by column or the whole array as
    (64, n), scaling the caller's array in place, float64 inputs or float labels, NumPy arrays instead of JAX
    arrays."""
    got, ref = run(probes.prepare_digits_values)
    images = ref.given["images"]
    n = len(images)
    call = f"prepare_digits(images, targets) on {n} random 8x8 images (float64 and int64)"
    expect(got.report.get("input_unchanged") is True,
           f"{call}: the images array passed in was changed. Compute new arrays (a reshape is a view of the "
           "caller's array, and dividing it in place changes theirs).")
    X = _array(_get(got.out, "float_images", 0))
    if X is not None and X.shape == (n, 64) and X.dtype.kind == "f":
        flat = images.reshape(n, 64)
        for cause, variant in (("not scaled: the largest input is 16, divide the 0..16 pixels by 16", flat),
                               ("divided by 255; these digits' pixels go up to 16, not 255", flat / 255),
                               ("flattened column by column: flatten each image row by row (row 0's 8 pixels "
                                "first)", images.transpose(0, 2, 1).reshape(n, 64) / 16),
                               ("made of the whole array reshaped to (64, n) and transposed, so the pixels of "
                                "different images are mixed: reshape to (n, 64), one row per image",
                                images.reshape(64, n).T / 16)):
            expect(not _is_variant(X, variant, flat / 16), f"{call}: X is {cause}.")
    wrong_types = [t for t in got.report.get("types", []) if t != "jax.Array"]
    expect(not wrong_types, f"{call} returned {', '.join(map(str, wrong_types))} where the docstring promises JAX "
                            "arrays (jnp.asarray).")
    expect_match(got.out, ref.out, exact_dtype=True, call=call,
                 hint="X: the images reshaped to (n, 64), divided by 16, as float32; y: the targets as int32.")


# ------------------------------------------------------------------------------------------------- sgd_step
def _np_forward(params, X):
    Z1 = X @ params[0]["W"] + params[0]["b"]
    A1 = np.maximum(Z1, 0)
    return Z1, A1, A1 @ params[1]["W"] + params[1]["b"]


def _sgd_variants(given):
    """What the classic wrong steps would return, computed here in float64 (for messages only)."""
    params = _as(given["params"], np.float64)
    X, labels = np.asarray(given["X"], np.float64), np.asarray(given["labels"])
    out = {}
    for name, lr in (("eager", given["lrs"][0]), ("jit", given["lrs"][1])):
        grads = _grad64(params, X, labels)
        new = jax.tree.map(lambda p, g: p - lr * g, params, grads)
        Z1, A1, Z2 = _np_forward(params, X)
        n, k = Z2.shape
        dZ2 = (np.exp(_log_softmax64(Z2)) - np.eye(k)[labels]) / n
        W2_new = params[1]["W"] - lr * (A1.T @ dZ2)
        dZ1 = (dZ2 @ W2_new.T) * (Z1 > 0)  # the first layer's gradient through the already-updated W2
        early = [{"W": params[0]["W"] - lr * (X.T @ dZ1), "b": params[0]["b"] - lr * dZ1.sum(0)}, new[1]]
        out[name] = {"ascent": jax.tree.map(lambda p, g: p + lr * g, params, grads), "early_W2": early,
                     "new_loss": _cross_entropy64(_np_forward(new, X)[2], labels)}
    return out


@pytest.mark.task("backprop.sgd_step")
def test_sgd_step_is_gradient_descent(run):
    """Rejects: updating W2 before the first layer's gradient has used it, gradient ascent (+ lr), assigning the
    new weights into the caller's dicts, returning the loss after the update, a hard-coded step size, breaking
    under jit with a traced lr."""
    got, ref = run(probes.sgd_step_values)
    lrs = ref.given["lrs"]
    expect(got.report.get("params_intact") is True,
           "sgd_step changed the params it was given (a list or dict was assigned into): build new dicts, the "
           "caller may still need the old parameters.")
    variants = _oracle(ref, _sgd_variants)
    for name, lr in (("eager", lrs[0]), ("jit", lrs[1])):
        call = (f"sgd_step(params, X, labels, {lr:.4f}) on a random net" if name == "eager" else
                f"jax.jit(sgd_step)(params, X, labels, lr) with a traced lr = {lr:.4f}")
        new, loss = _get(got.out, name, 0), _array(_get(got.out, name, 1))
        if _layers(new) is not None and len(new) == 2:
            for cause, variant in (("params + lr * grads: that climbs the loss; subtract the gradient",
                                    variants[name]["ascent"]),
                                   ("right for the last layer, but the first layer's gradient went through the "
                                    "already-updated W2: take every gradient at the old parameters, then update",
                                    variants[name]["early_W2"])):
                expect(tree_problem(new, _as(variant, np.float32), rtol=1e-4, atol=1e-6) is not None,
                       f"{call}: new_params is {cause}.")
        if loss is not None and loss.shape == () and loss.dtype.kind == "f":
            expect(not np.isclose(float(loss), variants[name]["new_loss"], rtol=1e-5, atol=1e-6)
                   or np.isclose(float(ref.out[name][1]), variants[name]["new_loss"], rtol=1e-5, atol=1e-6),
                   f"{call}: the loss returned is the loss of the updated parameters; return the loss of the "
                   "parameters the step started from.")
        expect_match(_get(got.out, name), ref.out[name], exact_dtype=True, rtol=1e-5, atol=1e-6,
                     call=call + ", versus params - lr * the gradient and the loss before the step",
                     hint="every leaf p becomes p - lr * dL/dp, gradients taken at the old parameters; return the "
                          "old parameters' loss.")


# ---------------------------------------------------------------------------------------------------- train
@pytest.mark.task("backprop.train")
def test_train_follows_the_exact_run(run):
    """Rejects: not feeding each step's new params into the next one, initialising from another key (a split of
    it, np.random, a fixed seed), a step jitted anew inside the loop or not jitted at all, a losses list or
    array of the wrong shape."""
    got, ref = run(probes.train_runs)
    n, d = ref.given["X"].shape
    runs = got.report.get("sgd_step_python_runs")
    for i, s in enumerate(ref.given["settings"]):
        call = (f"train(key, X, labels, steps={s['steps']}, lr={s['lr']:.4f}, hidden={s['hidden']}) on {n} random "
                f"examples of {d} features")
        count = runs[i] if type(runs) is list and len(runs) == len(ref.given["settings"]) else None
        expect(not (s["steps"] >= 3 and type(count) is int and count >= s["steps"]),
               f"{call}: the Python body of sgd_step ran {count} times for {s['steps']} steps, so the step was "
               "traced anew (or not compiled) every step. Create the jitted step once, before the loop, and call "
               "that same function in every step.")
        losses, expected = _array(_get(got.out, i, 1)), ref.out[i][1]
        if losses is not None and losses.shape == expected.shape and losses.dtype.kind == "f":
            expect(bool(np.isclose(losses[0], expected[0], rtol=1e-4, atol=1e-5)),
                   f"{call}: the first loss, which depends only on the initial parameters, differs from that of "
                   f"he_init(key, [{d}, {s['hidden']}, NUM_CLASSES]): initialise from exactly the key you were given.")
            expect(not (len(losses) > 2 and np.all(losses == losses[0])),
                   f"{call}: all {len(losses)} losses are identical, so every step started from the same "
                   "parameters. Feed the params each step returns into the next step.")
        expect_match(_get(got.out, i), ref.out[i], exact_dtype=True, rtol=1e-4, atol=1e-5,
                     call=call + ", versus the exact run from the same key (final params, every loss)",
                     hint="params = he_init(key, [d, hidden, NUM_CLASSES]); then steps calls of one jitted sgd_step, "
                          "each on the params the previous call returned; stack the losses.")
