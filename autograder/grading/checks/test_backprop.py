"""Hidden checks for topic `backprop`.

Each check compares what a probe returns for the student with an oracle (``jax.grad``, central finite
differences in float64, ``jax.nn.log_softmax``, an SGD step built from ``jax.grad``) and with the reference
on the same fresh random inputs, or with a property every correct answer has (statistics of an
initialisation, not its bits). Docstrings list the classic mistakes each check rejects.
"""
import numpy as np
import pytest

from autograder.compare import expect, expect_match
from autograder.sandbox.probes import backprop as probes

TIGHT = {"rtol": 1e-7, "atol": 1e-9}  # float64 arithmetic on both sides


# ------------------------------------------------------------------------------------------------ propagate
@pytest.mark.task("backprop.propagate")
def test_propagate_local_derivatives(run):
    """Rejects: wrong local derivatives (tanh' from the input instead of 1 - out**2, exp' = 1, log' = x,
    relu' = 1 everywhere, ** without the k - 1), assigning instead of accumulating, changing node.grad."""
    got, ref = run(probes.propagate_local_rules)
    expect_match(got, ref, call="propagate(node) on one node per operation (add, mul, a * a, pow, tanh, exp, log, "
                 "relu of a positive and of a negative input, a leaf), children's grads preset to random values; "
                 "each entry is [a.grad, b.grad, change of node.grad]",
                 hint="child.grad += node.grad * local derivative: '*' the other child's data, '**' k * x ** (k - 1), "
                 "tanh 1 - node.data ** 2 (node.data is already tanh(x)), exp node.data, log 1 / x, relu (x > 0); "
                 "leave node.grad and leaves alone.", **TIGHT)


@pytest.mark.task("backprop.propagate")
def test_propagate_accumulates(run):
    """Rejects: `child.grad = ...` instead of `+=` (a child used by two nodes, or twice by one, loses terms)."""
    got, ref = run(probes.propagate_accumulates)
    expect_match(got, ref, call="propagate on a * b, then a + c, then a * a (a shared by all three)",
                 hint="add to child.grad (+=), never assign: every use of a value contributes a term.", **TIGHT)


@pytest.mark.task("backprop.propagate")
def test_propagate_reproduces_jax_grad(run):
    """Rejects: any wrong local rule, exercised on whole expressions with shared nodes, against jax.grad."""
    got, ref = run(probes.propagate_in_graphs)
    expect_match(got["grads"], got["jax_grad"],
                 call="Leaf grads of 4 random expressions (tanh neuron, shared products with exp/log/relu, a tiny "
                 "tanh MLP, a chain) after calling your propagate in reverse topological order, versus jax.grad "
                 "of the same expressions in float64",
                 hint="check each operation's local derivative and that you add (+=) into child.grad.", **TIGHT)
    expect_match(got, ref, call="The same expressions, compared with the reference", **TIGHT)


# ------------------------------------------------------------------------------------------------- backward
@pytest.mark.task("backprop.backward")
def test_backward_visits_in_reverse_topological_order(run):
    """Rejects: propagating in forward (topological, not reversed) order, a DFS without a `seen` set
    (shared nodes propagated twice), forgetting root.grad = 1.0, skipping leaves or subgraphs."""
    got, ref = run(probes.backward_in_graphs)
    expect(all(g == 1.0 for g in got["root_grads"]),
           f"After backward(root) root.grad is {got['root_grads']} over 4 expressions, expected 1.0: seed the "
           "backward pass with root.grad = 1.0 (d root / d root).")
    expect(got["unvisited_nodes"] == 0,
           f"backward never called propagate on {got['unvisited_nodes']} node(s) reachable from the root: "
           "visit every child recursively, leaves included.")
    expect(got["repeated_calls"] == 0,
           f"backward called propagate {got['repeated_calls']} extra time(s) on nodes it had already propagated: "
           "a node reached by two paths must be visited once, or its gradient is passed down twice. Keep a set "
           "of the nodes already seen.")
    expect(got["misordered_calls"] == 0,
           f"backward propagated {got['misordered_calls']} node(s) before every node that uses them had passed "
           "its gradient down, so their grad was not final yet. Build a topological order (a node after its "
           "children) and propagate in reverse topological order, from the root down.")
    expect_match(got["grads"], got["jax_grad"], call="Leaf grads after backward(root) on 4 random expressions, "
                 "versus jax.grad in float64", hint="root.grad = 1.0, then propagate each node once in reverse "
                 "topological order.", **TIGHT)
    expect_match(got, ref, call="backward on the same expressions, compared with the reference", **TIGHT)


# ---------------------------------------------------------------------------------------------- log_softmax
@pytest.mark.task("backprop.log_softmax")
def test_log_softmax_is_stable_and_exact(run):
    """Rejects: naive log(sum(exp(z))) (inf/nan at +-1000), one max over the whole array instead of per row
    (log(0) for rows far below it), reducing over the wrong axis, calling jax.nn.log_softmax."""
    got, ref = run(probes.log_softmax_values)
    expect(got["forbidden"] == [],
           f"log_softmax called {', '.join(got['forbidden'])}: compute it yourself from the row maximum "
           "(or jax.scipy.special.logsumexp).")
    expect(got["finite"] is True,
           "log_softmax returned inf or nan for logits whose rows are offset by +-1000. A naive log(sum(exp(z))) "
           "overflows (exp(1000) is inf), and a single maximum over the whole array leaves rows far below it "
           "with log(0): subtract each row's own maximum (axis=-1, keepdims=True) before exponentiating.")
    call = "log_softmax on a random 6x10 float32 array with rows offset by 1000, -1000, 0, 300, -90, 40"
    expect_match(got["out"], got["oracle"], call=call + ", versus jax.nn.log_softmax",
                 hint="(z - m) - log(sum(exp(z - m))) with m the row max, along the last axis.", atol=3e-4)
    expect_match(got["jit"], got["oracle"], call=call + " under jax.jit", atol=3e-4)
    expect_match(got["cube"], got["cube_oracle"], call="log_softmax on a 2x3x5 array (along the last axis)",
                 hint="reduce over axis=-1 with keepdims=True so any leading axes work.", atol=1e-5)
    expect_match(got["row_sums"], np.ones(6), call="Summing exp(log_softmax(z)) along each row", atol=1e-3)
    expect_match(got["shifted"], got["out"], call="log_softmax(z + c) with a random constant c per row, versus "
                 "log_softmax(z)", hint="adding a constant to a row must not change its log-probabilities.", atol=3e-4)
    expect(got["dtype"] == "float32", f"log_softmax of float32 logits returned {got['dtype']}, expected float32.")


@pytest.mark.task("backprop.cross_entropy")
def test_cross_entropy_mean_of_picked_log_probs(run):
    """Rejects: the sum over the batch instead of the mean, log_probs[:, labels] (an n x n matrix),
    a missing minus sign, breaking on int64 NumPy labels or under jit."""
    got, ref = run(probes.cross_entropy_values)
    value, oracle, n = got["value"], got["oracle"], got["batch"]
    expect(type(value) is np.ndarray and value.shape == () and bool(np.isfinite(value)),
           f"cross_entropy on 8 rows of logits offset by +-1000 returned {value!r}, expected a finite scalar.")
    expect(not np.isclose(value, n * oracle, rtol=1e-4),
           f"cross_entropy returned {float(value):.5f}, {n} times the expected {float(oracle):.5f}: take the mean "
           "over the batch, not the sum, so the loss (and every gradient) does not grow with the batch size.")
    expect_match(value, oracle, call="cross_entropy(logits, labels) on 8 random rows and labels, versus "
                 "-mean(jax.nn.log_softmax(logits)[i, labels[i]])",
                 hint="pick one entry per row with jnp.take_along_axis(log_probs, labels[:, None], axis=1) "
                 "(log_probs[:, labels] is an n x n matrix), then -mean.", atol=3e-4)
    expect_match(got, ref, call="cross_entropy with JAX int32 labels, NumPy int64 labels, under jax.jit and on "
                 "logits shifted by a constant per row", atol=5e-4)


# -------------------------------------------------------------------------------------------------- he_init
@pytest.mark.task("backprop.he_init")
def test_he_init_structure_and_scale(run):
    """Rejects: std-1 weights (plain normal), std sqrt(2 / fan_out) or sqrt(1 / fan_in), transposed W,
    non-zero or missing biases, float64 or int weights."""
    got, _ = run(probes.he_init_statistics)
    sizes, layers = got["sizes"], got["layers"]
    expect(len(layers) == len(sizes) - 1, f"he_init(key, {sizes}) returned {len(layers)} layers, expected {len(sizes) - 1}.")
    for i, (layer, fan_in, fan_out) in enumerate(zip(layers, sizes[:-1], sizes[1:])):
        expect(layer["W_shape"] == [fan_in, fan_out] and layer["b_shape"] == [fan_out],
               f"Layer {i} of he_init(key, {sizes}) has W shape {layer['W_shape']} and b shape {layer['b_shape']}, "
               f"expected [{fan_in}, {fan_out}] and [{fan_out}] (W maps fan_in inputs to fan_out outputs).")
        expect(layer["W_dtype"] == "float32" and layer["b_dtype"] == "float32",
               f"Layer {i} has W dtype {layer['W_dtype']} and b dtype {layer['b_dtype']}, expected float32.")
        expect(layer["b_all_zero"] is True, f"Layer {i}'s bias is not all zeros: He initialisation starts biases at 0.")
    for i, (layer, fan_in, fan_out) in enumerate(zip(layers, sizes[:-1], sizes[1:])):
        target, std = (2.0 / fan_in) ** 0.5, layer["W_std"]
        why = ""
        if abs(std - 1.0) < 0.05:
            why = " Plain jax.random.normal has std 1: activations then grow by about sqrt(fan_in) per layer."
        elif abs(std / (2.0 / fan_out) ** 0.5 - 1) < 0.02:
            why = " That is sqrt(2 / fan_out): He scaling divides by the number of inputs of the layer."
        expect(abs(std / target - 1) < 0.05,
               f"Layer {i}'s W ({fan_in}x{fan_out}) has std {std:.4f}, expected sqrt(2 / fan_in) = {target:.4f} "
               f"(within 5%).{why} Scale a standard normal by sqrt(2 / fan_in).")
        bound = 6 * target / layer["W_entries"] ** 0.5
        expect(abs(layer["W_mean"]) < bound,
               f"Layer {i}'s W has mean {layer['W_mean']:.5f}, expected about 0 (within {bound:.5f}).")


@pytest.mark.task("backprop.he_init")
def test_he_init_one_subkey_per_layer(run):
    """Rejects: one key for every layer (identical or correlated layers, KeyReuseError), np.random or a
    fixed seed inside (not reproducible from the key, or the key ignored)."""
    got, _ = run(probes.he_init_statistics)
    corr = got["layer_1_2_correlation"]
    expect(got["key_reuse_error"] is None and corr is not None and abs(corr) < 0.05,
           "he_init used one key for more than one layer "
           f"({got['key_reuse_error'] or f'the weights of layers 1 and 2 have correlation {corr}'}). Split the "
           "key into one subkey per layer, jax.random.split(key, len(sizes) - 1), so layers are independent.")
    expect(got["reproducible"] is True, "he_init with the same key gave different parameters: draw all randomness "
           "from the key (no np.random, no global state).")
    expect(got["other_key_differs"] is True, "he_init gave the same parameters for two different keys: use the key "
           "you were given.")


# ---------------------------------------------------------------------------------------------- mlp_forward
@pytest.mark.task("backprop.mlp_forward")
def test_mlp_forward_logits_and_cache(run):
    """Rejects: a ReLU after the last layer, X @ W.T, a cache without Z1 / A1 (or with other keys),
    pre-activations stored as A1, Python-side conversions that fail under jit."""
    got, ref = run(probes.mlp_forward_values)
    expect(not (got["logits_never_negative"] and got["true_logits_have_negatives"]),
           "mlp_forward returned logits that are never negative, although this net's logits have negative "
           "entries: there is no ReLU after the last layer (the logits feed the softmax directly).")
    expect_match(got, ref, call=f"mlp_forward(params, X) on a random {probes.D}-{probes.H}-{probes.K} net and a "
                 f"batch of {probes.N} (logits, cache and, under jax.jit, the logits and cache keys)",
                 hint="Z1 = X @ W1 + b1, A1 = relu(Z1), Z2 = A1 @ W2 + b2; cache = {'X', 'Z1', 'A1', 'Z2'}.")


# --------------------------------------------------------------------------------------------- mlp_backward
def _expect_by_hand(got):
    expect(got["forbidden"] == [],
           f"mlp_backward called {', '.join(got['forbidden'])}: this task is the backward pass by hand. "
           "Use the chain rule on the cached activations (dZ2 = (softmax - onehot) / n, dW2 = A1.T @ dZ2, ...).")


@pytest.mark.task("backprop.mlp_backward")
def test_mlp_backward_matches_jax_grad(run):
    """Rejects: calling jax.grad/vjp and friends, forgetting to divide by the batch size, transposed dW
    (dZ.T @ A), the ReLU mask from A1 >= 0 or from the wrong layer, db without the sum over the batch,
    softmax without subtracting the one-hot labels."""
    got, _ = run(probes.mlp_backward_float32)
    _expect_by_hand(got)
    n = got["batch"]
    for i, net in enumerate(got["nets"]):
        if net["grad_shapes"] != net["param_shapes"] and isinstance(net["grad_shapes"], list):
            for layer, (g, p) in enumerate(zip(net["grad_shapes"], net["param_shapes"])):
                expect(g.get("W") != p["W"][::-1],
                       f"grads[{layer}]['W'] has shape {g.get('W')}, the transpose of W's shape {p['W']}: a gradient "
                       "is shaped like its parameter, so dW = A_prev.T @ dZ (inputs on the left), not dZ.T @ A_prev.")
        grads, oracle = net["grads"], net["jax_grad"]
        if isinstance(grads, list) and len(grads) == 2 and all(isinstance(g, dict) for g in grads):
            try:
                ratios = [float(np.sum(grads[l][k] * oracle[l][k]) / np.sum(oracle[l][k] ** 2))
                          for l in range(2) for k in ("W", "b")]
            except (KeyError, TypeError, ValueError):
                ratios = []
            expect(not (ratios and all(abs(r / n - 1) < 1e-3 for r in ratios)),
                   f"Every gradient is {n} times the jax.grad value for a batch of {n}: the loss is the mean over "
                   "the batch, so divide dZ2 by the batch size n.")
        expect_match(grads, oracle, call=f"mlp_backward(params, cache, labels) on random net {i + 1} of 3 "
                     f"({probes.D}-{probes.H}-{probes.K}, batch {n}, float32), versus jax.grad of the mean "
                     "cross-entropy", hint="dZ2 = (softmax(Z2) - onehot) / n; dW2 = A1.T @ dZ2; db2 = dZ2.sum(0); "
                     "dZ1 = (dZ2 @ W2.T) * (Z1 > 0); dW1 = X.T @ dZ1; db1 = dZ1.sum(0).", rtol=1e-4, atol=1e-6)


@pytest.mark.task("backprop.mlp_backward")
def test_mlp_backward_finite_differences_float64(run):
    """Rejects: any wrong gradient, checked independently of jax.grad by central finite differences in
    float64; hard-coded float32 (precision lost); calling jax.grad."""
    got, _ = run(probes.mlp_backward_float64)
    _expect_by_hand(got)
    expect(got["dtypes"] == ["float64"],
           f"With float64 params and inputs mlp_backward returned dtype(s) {got['dtypes']}, expected float64: "
           "do not hard-code float32.")
    fd, mine = got["finite_differences"], got["at_coords"]
    expect(mine.shape == fd.shape, "mlp_backward's gradients are not shaped like the parameters (see the float32 check).")
    bad = ~np.isclose(mine, fd, rtol=1e-6, atol=1e-8)
    expect(not bad.any(),
           "mlp_backward disagrees with central finite differences (eps 1e-6, float64) at "
           + "; ".join(f"{c}: got {m:.8g}, finite differences {f:.8g}"
                       for c, m, f in list(zip(got["coords"], mine, fd))[:4] if not np.isclose(m, f, rtol=1e-6, atol=1e-8))
           + ".")
    expect_match(got["grads"], got["jax_grad"], call="mlp_backward on a random float64 net, versus jax.grad",
                 rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------------------------- per_example_grads
@pytest.mark.task("backprop.per_example_grads")
def test_per_example_grads_with_vmap(run):
    """Rejects: a Python loop over examples (program grows with n), the batch gradient repeated n times,
    per-example losses scaled by 1/n, vmapping over the parameters."""
    got, ref = run(probes.per_example_values)
    expect(got["program_grows_with_n"] is False,
           "The traced program of per_example_grads grows with the batch size: a Python loop over examples is "
           "unrolled. Write the gradient of one example and map it with jax.vmap.")
    expect_match(got["each"], got["oracle_each"],
                 call=f"per_example_grads(params, X, labels) on a random net and a batch of {probes.N}, versus "
                 "jax.vmap(jax.grad) of each example's own loss",
                 hint="entry i must be the gradient of example i's own loss (a batch of one), not the batch gradient.",
                 rtol=1e-4, atol=1e-6)
    expect_match(got["mean"], got["batch_grad"], call="The mean over examples of per_example_grads, versus the "
                 "batch gradient", rtol=1e-4, atol=1e-6)
    expect_match(got["jit"], got["oracle_each"], call="jax.jit(per_example_grads)", rtol=1e-4, atol=1e-6)


# ------------------------------------------------------------------------------------------- prepare_digits
@pytest.mark.task("backprop.prepare_digits")
def test_prepare_digits_scales_pixels(run):
    """Rejects: pixel values not scaled (0..16 fed to the network), dividing by 255 (the MNIST habit),
    not flattening, float64 or int inputs, float labels."""
    got, ref = run(probes.prepare_digits_values)
    expect(got["X_max"] <= 1.0 + 1e-6,
           f"The pixel values are not scaled: the largest input is {got['X_max']}, expected 1.0. Divide the "
           "0..16 pixel values by 16 so the network sees inputs in [0, 1].")
    expect(not abs(got["X_max"] - 16 / 255) < 1e-3,
           f"The largest input is {got['X_max']:.4f} = 16/255: these digits' pixels go up to 16, not 255. Divide by 16.")
    expect(got["X_dtype"] == "float32" and got["y_dtype"] == "int32",
           f"prepare_digits returned X as {got['X_dtype']} and y as {got['y_dtype']}, expected float32 and int32.")
    expect(got["input_unchanged"] is True, "prepare_digits modified the images array it was given.")
    expect_match(got, ref, call="prepare_digits(images, targets) on 7 random 8x8 images (float64 and int64)",
                 hint="X = images.reshape(n, 64) / 16 as float32, y = targets as int32.")


# ------------------------------------------------------------------------------------------------- sgd_step
@pytest.mark.task("backprop.sgd_step")
def test_sgd_step_is_gradient_descent(run):
    """Rejects: updating W2 before the backward pass has used it for dA1, gradient ascent (+ lr), modifying
    the caller's params dicts in place, returning the new loss instead of the old one, breaking under jit."""
    got, _ = run(probes.sgd_step_values)
    expect(got["params_intact"] is True,
           "sgd_step modified the params it was given (a dict or list was assigned into). Build new dicts: the "
           "caller may still need the old parameters.")
    expect(got["layer_ok"] != [False, True],
           "sgd_step updates the last layer correctly but not the first: the first layer's gradient was computed "
           "with the already-updated W2. Compute every gradient from the old parameters first, then update.")
    expect_match(got["new_params"], got["expected_params"],
                 call="new_params of sgd_step(params, X, labels, lr) on a random net, versus params - lr * jax.grad",
                 hint="every leaf p becomes p - lr * dL/dp (minus: descend), gradients taken at the old params.",
                 rtol=1e-4, atol=1e-6)
    expect_match(got["loss"], got["expected_loss"], call="the loss returned by sgd_step, versus the loss of the old "
                 "parameters", hint="return the loss computed in the forward pass, before the update.", rtol=1e-5)
    expect_match(got["jit_params"], got["expected_params"], call="jax.jit(sgd_step) with a traced lr",
                 rtol=1e-4, atol=1e-6)
    expect_match(got["jit_loss"], got["expected_loss"], call="the loss of jax.jit(sgd_step)", rtol=1e-5)


# ---------------------------------------------------------------------------------------------------- train
@pytest.mark.task("backprop.train")
def test_train_learns_the_digits(run):
    """Rejects: not carrying the new params into the next step (flat loss), re-initialising inside the loop,
    ignoring the key (np.random, a fixed seed), too few steps, a step that is not jitted (slow)."""
    got, _ = run(probes.train_on_digits)
    steps = got["steps"]
    expect(got["losses_shape"] == [steps],
           f"train(..., steps={steps}) returned losses of shape {got['losses_shape']}, expected [{steps}].")
    expect(got["finite"] is True, "train's losses contain inf or nan.")
    first = got["first_losses"]
    expect(bool(np.all(np.diff(first) < 0)),
           f"The loss did not decrease over the first 10 steps ({np.round(first, 4).tolist()}): feed the params "
           "returned by each step into the next one (params, loss = step(params, X, labels, lr)).")
    expect(got["same_key_same_losses"] is True,
           "Two calls of train with the same key gave different losses: all randomness must come from the key.")
    expect(got["other_key_differs"] is True,
           "Two different keys gave identical losses: initialise with he_init(key, ...) from the key you were given.")
    expect(got["test_accuracy"] >= 0.93,
           f"After train(key, X_train, y_train, steps=200, lr=0.5, hidden=32) the test accuracy is "
           f"{got['test_accuracy']:.3f}, expected at least 0.93.")
    expect(got["seconds"] < 30,
           f"train took {got['seconds']:.1f} s for 200 steps: jit the step once (step = jax.jit(sgd_step)) "
           "outside the loop.")
