# Generated from solutions/backprop.py (sha256 922d2cf8c21b) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Visible tests for topic `backprop`. Run `pytest` inside exercises/ (or `pytest exercises` from the kit root).

The hidden checks test more than these: passing them is necessary, not sufficient.
"""
from backprop import *  # noqa: F401,F403  (the functions you write)


# Task backprop.propagate
def test_propagate_multiplies_by_the_other_factor():
    a, b = Value(3.0), Value(-2.0)
    out = a * b
    out.grad = 0.5
    propagate(out)
    assert (a.grad, b.grad) == (-1.0, 1.5), (
        f"after propagate(a * b) with a=3, b=-2, out.grad=0.5 the grads are {(a.grad, b.grad)}, expected (-1.0, 1.5)")


def test_propagate_accumulates_for_a_square():
    a = Value(3.0)
    a.grad = 1.0
    out = a * a
    out.grad = 1.0
    propagate(out)
    assert a.grad == 7.0, (
        f"a.grad is {a.grad} after propagate(a * a) with a=3 and a.grad=1 before, expected 1 + 2*3 = 7: "
        "each use of a adds its term to what a.grad already holds")


# Task backprop.backward
def test_backward_of_a_node_used_twice():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    root = c * c + a  # d root/d a = 2 c b + 1, d root/d b = 2 c a
    root.backward()
    assert (a.grad, b.grad) == (37.0, -24.0), (
        f"after backward on (a*b)**2 + a with a=2, b=-3 the grads are {(a.grad, b.grad)}, expected (37.0, -24.0)")
    assert (root.grad, c.grad) == (1.0, -12.0), (
        f"after backward root.grad is {root.grad} and c.grad is {c.grad} (c = a*b), expected 1.0 and 2c = -12.0")


# Task backprop.log_softmax
def test_log_softmax_survives_large_logits():
    got = log_softmax(jnp.array([[1000.0, 1000.0], [-1000.0, -1001.0], [0.0, -200.0]]))
    expected = jnp.array([[-0.693147, -0.693147], [-0.313262, -1.313262], [0.0, -200.0]])
    assert bool(jnp.all(jnp.isfinite(got))), (
        f"log_softmax([[1000, 1000], [-1000, -1001], [0, -200]]) returned {got}, which is not finite everywhere")
    assert jnp.allclose(got, expected, rtol=0, atol=3e-4), (
        f"log_softmax([[1000, 1000], [-1000, -1001], [0, -200]]) returned {got}, expected {expected}")


# Task backprop.cross_entropy
def test_cross_entropy_of_uniform_logits():
    got = cross_entropy(jnp.zeros((4, 10)), jnp.array([0, 3, 9, 2]))
    assert jnp.allclose(got, jnp.log(10.0)), f"cross_entropy(zeros((4, 10)), labels) returned {got}, expected log(10) = 2.302585"


def test_cross_entropy_is_a_mean():
    one = cross_entropy(jnp.array([[2.0, 0.0]]), jnp.array([1]))
    two = cross_entropy(jnp.array([[2.0, 0.0], [2.0, 0.0]]), jnp.array([1, 1]))
    assert jnp.allclose(one, two), f"the same example once gave {one} and twice gave {two}: expected the same mean"


# Task backprop.he_init
def test_he_init_shapes_and_scale():
    params = he_init(jax.random.key(0), [400, 300, 300, 10])
    assert [tuple(layer["W"].shape) for layer in params] == [(400, 300), (300, 300), (300, 10)], (
        f"he_init(key, [400, 300, 300, 10]) gave W shapes {[layer['W'].shape for layer in params]}, "
        "expected [(400, 300), (300, 300), (300, 10)]")
    assert all(not bool(jnp.any(layer["b"])) for layer in params), "the biases must start at zero"
    std = float(jnp.std(params[0]["W"]))
    assert abs(std / math.sqrt(2 / 400) - 1) < 0.05, f"the first W has std {std:.4f}, expected sqrt(2/400) = {math.sqrt(2 / 400):.4f}"
    assert not bool(jnp.allclose(params[1]["W"].ravel()[:3000], params[2]["W"].ravel()[:3000])), (
        "layers 2 and 3 start with the same random numbers: give every layer its own subkey")


# Task backprop.mlp_forward
def test_mlp_forward_small_example():
    params = [{"W": jnp.array([[1.0, -1.0]]), "b": jnp.array([0.0, 0.5])},
              {"W": jnp.array([[2.0], [3.0]]), "b": jnp.array([-1.0])}]
    logits, cache = mlp_forward(params, jnp.array([[2.0]]))
    assert sorted(cache) == ["A1", "X", "Z1", "Z2"], f"the cache has keys {sorted(cache)}, expected A1, X, Z1, Z2"
    assert jnp.allclose(cache["A1"], jnp.array([[2.0, 0.0]])), f"A1 is {cache['A1']}, expected relu([[2, -1.5]]) = [[2, 0]]"
    assert jnp.allclose(logits, jnp.array([[3.0]])), f"the logits are {logits}, expected 2*2 + 0*3 - 1 = [[3.0]]"


# Task backprop.relu_backward
def test_relu_backward_matches_jax_vjp():
    Z = jnp.array([[-1.5, 0.0, 2.0], [0.5, -0.1, 3.0]])
    dA = jnp.array([[1.0, 2.0, 3.0], [-4.0, 5.0, -6.0]])
    _, vjp_fn = jax.vjp(jax.nn.relu, Z)
    expected = vjp_fn(dA)[0]
    got = relu_backward(dA, Z)
    assert got.shape == Z.shape and jnp.allclose(got, expected), f"relu_backward(dA, Z) returned {got}, expected {expected}"


# Task backprop.linear_backward
def test_linear_backward_matches_jax_vjp():
    A_prev = jax.random.normal(jax.random.key(0), (4, 3))
    W = jax.random.normal(jax.random.key(1), (3, 2))
    b = jnp.zeros(2)
    dZ = jax.random.normal(jax.random.key(2), (4, 2))
    _, vjp_fn = jax.vjp(lambda A, W, b: A @ W + b, A_prev, W, b)
    for name, got, expected in zip(("dA_prev", "dW", "db"), linear_backward(dZ, A_prev, W), vjp_fn(dZ)):
        assert got.shape == expected.shape, f"{name} has shape {got.shape}, expected {expected.shape}"
        assert jnp.allclose(got, expected, rtol=1e-4, atol=1e-5), f"{name} is {got}, expected {expected}"


# Task backprop.cross_entropy_backward
def test_cross_entropy_backward_matches_jax_grad():
    logits = jnp.array([[2.0, -1.0, 0.5], [0.0, 0.0, 0.0], [1000.0, 990.0, 1001.0]])
    labels = jnp.array([0, 2, 1])
    expected = jnp.array([[-0.071468, 0.013038, 0.05843], [0.111111, 0.111111, -0.222222],
                          [0.089646, -0.333329, 0.243683]])  # jax.grad of the mean cross-entropy
    got = cross_entropy_backward(logits, labels)
    assert got.shape == logits.shape and jnp.allclose(got, expected, rtol=1e-4, atol=2e-4), (
        f"cross_entropy_backward returned\n{got}\nexpected (jax.grad of the mean cross-entropy)\n{expected}")


# Task backprop.mlp_backward
def test_mlp_backward_matches_jax_grad():
    params = he_init(jax.random.key(1), [5, 4, 3])
    params[0]["b"] = jnp.full((4,), 0.1)  # biases away from zero so no ReLU input sits exactly at 0
    X = jax.random.normal(jax.random.key(2), (6, 5))
    labels = jnp.array([0, 1, 2, 0, 1, 2])
    _, cache = mlp_forward(params, X)
    grads = mlp_backward(params, cache, labels)
    expected = jax.grad(lambda p: cross_entropy(mlp_forward(p, X)[0], labels))(params)
    for layer in range(2):
        for name in ("W", "b"):
            assert grads[layer][name].shape == expected[layer][name].shape, (
                f"grads[{layer}]['{name}'] has shape {grads[layer][name].shape}, expected {expected[layer][name].shape}")
            assert jnp.allclose(grads[layer][name], expected[layer][name], rtol=1e-4, atol=1e-6), (
                f"grads[{layer}]['{name}'] differs from jax.grad: got\n{grads[layer][name]}\nexpected\n{expected[layer][name]}")


# Task backprop.per_example_grads
def test_per_example_grads_mean_is_batch_grad():
    params = he_init(jax.random.key(3), [5, 4, 3])
    X = jax.random.normal(jax.random.key(4), (6, 5))
    labels = jnp.array([2, 1, 0, 0, 1, 2])
    each = per_example_grads(params, X, labels)
    assert each[0]["W"].shape == (6, 5, 4), f"per_example_grads(...)[0]['W'] has shape {each[0]['W'].shape}, expected (6, 5, 4)"
    batch = jax.grad(lambda p: cross_entropy(mlp_forward(p, X)[0], labels))(params)
    assert jnp.allclose(each[1]["W"].mean(axis=0), batch[1]["W"], rtol=1e-4, atol=1e-6), (
        "the mean of the per-example gradients of W2 is not the batch gradient")
    first = jax.grad(lambda p: cross_entropy(mlp_forward(p, X[:1])[0], labels[:1]))(params)
    assert jnp.allclose(each[0]["b"][0], first[0]["b"], rtol=1e-4, atol=1e-6), (
        "entry 0 of per_example_grads is not the gradient of example 0's own loss")


# Task backprop.prepare_digits
def test_prepare_digits_scales_and_flattens():
    images = np.zeros((2, 8, 8))
    images[0, 0, 1] = 16.0
    images[1, 1, 0] = 8.0
    X, y = prepare_digits(images, np.array([3, 7]))
    assert X.shape == (2, 64) and X.dtype == jnp.float32, f"X is {X.dtype}{X.shape}, expected float32(2, 64)"
    assert float(X[0, 1]) == 1.0, f"pixel (0, 1) of 16 became X[0, 1] = {float(X[0, 1])}, expected 1.0"
    assert float(X[1, 8]) == 0.5, f"pixel (1, 0) of 8 became X[1, 8] = {float(X[1, 8])}, expected 0.5 (row by row)"
    assert y.dtype == jnp.int32 and y.tolist() == [3, 7], f"y is {y}, expected int32 [3, 7]"


# Task backprop.sgd_step
def test_sgd_step_lowers_the_loss():
    params = he_init(jax.random.key(5), [5, 8, 3])
    X = jax.random.normal(jax.random.key(6), (12, 5))
    labels = jnp.arange(12) % 3
    new_params, loss = sgd_step(params, X, labels, 0.1)
    _, next_loss = sgd_step(new_params, X, labels, 0.1)
    assert float(next_loss) < float(loss), f"the loss went from {float(loss):.4f} to {float(next_loss):.4f} after one step; expected it to drop"


# Task backprop.train
def test_train_lowers_the_loss():
    X = jax.random.normal(jax.random.key(7), (30, 6))
    labels = jnp.arange(30) % NUM_CLASSES
    params, losses = train(jax.random.key(8), X, labels, steps=20, lr=0.5, hidden=16)
    assert losses.shape == (20,), f"train(..., steps=20) returned losses of shape {losses.shape}, expected (20,)"
    assert float(losses[-1]) < float(losses[0]), f"the loss went from {float(losses[0]):.4f} to {float(losses[-1]):.4f}; expected a decrease"
    first_loss = cross_entropy(mlp_forward(he_init(jax.random.key(8), [6, 16, NUM_CLASSES]), X)[0], labels)
    assert jnp.allclose(losses[0], first_loss, rtol=1e-4), (
        f"the first loss is {float(losses[0]):.5f}, but he_init(key, [6, 16, 10]) has loss {float(first_loss):.5f}: "
        "start from he_init with the key you were given")
