# Generated from solutions/backprop.py (sha256 6d61a907750f) by `python -m autograder build`. Do not edit: edit the master and rebuild.
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
        f"after propagate(a * b) with a=3, b=-2, out.grad=0.5 the grads are {(a.grad, b.grad)}, "
        "expected (-1.0, 1.5): a.grad += b.data * out.grad and b.grad += a.data * out.grad")


def test_propagate_accumulates_for_a_square():
    a = Value(3.0)
    a.grad = 1.0
    out = a * a
    out.grad = 1.0
    propagate(out)
    assert a.grad == 7.0, (
        f"a.grad is {a.grad} after propagate(a * a) with a=3 and a.grad=1 before, expected 1 + 2*3 = 7: "
        "add to child.grad (+=), never assign")


# Task backprop.backward
def test_backward_of_a_node_used_twice():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    root = c * c + a  # d root/d a = 2 c b + 1, d root/d b = 2 c a
    root.backward()
    assert (a.grad, b.grad) == (37.0, -24.0), (
        f"after backward on (a*b)**2 + a with a=2, b=-3 the grads are {(a.grad, b.grad)}, expected (37.0, -24.0). "
        "Seed root.grad = 1.0 and propagate each node once, in reverse topological order")


# Task backprop.log_softmax
def test_log_softmax_survives_large_logits():
    got = log_softmax(jnp.array([[1000.0, 1000.0], [-1000.0, -1001.0]]))
    expected = jnp.array([[-0.693147, -0.693147], [-0.313262, -1.313262]])
    assert bool(jnp.all(jnp.isfinite(got))), (
        f"log_softmax([[1000, 1000], [-1000, -1001]]) returned {got}: exp(1000) overflows; subtract the row max first")
    assert jnp.allclose(got, expected, atol=1e-5), f"log_softmax([[1000, 1000], [-1000, -1001]]) returned {got}, expected {expected}"


# Task backprop.cross_entropy
def test_cross_entropy_of_uniform_logits():
    got = cross_entropy(jnp.zeros((4, 10)), jnp.array([0, 3, 9, 2]))
    assert jnp.allclose(got, jnp.log(10.0)), f"cross_entropy(zeros((4, 10)), labels) returned {got}, expected log(10) = 2.302585"


def test_cross_entropy_is_a_mean():
    one = cross_entropy(jnp.array([[2.0, 0.0]]), jnp.array([1]))
    two = cross_entropy(jnp.array([[2.0, 0.0], [2.0, 0.0]]), jnp.array([1, 1]))
    assert jnp.allclose(one, two), f"the same example once gave {one} and twice gave {two}: take the mean over the batch, not the sum"


# Task backprop.he_init
def test_he_init_shapes_and_scale():
    params = he_init(jax.random.key(0), [400, 300, 10])
    assert [tuple(layer["W"].shape) for layer in params] == [(400, 300), (300, 10)], (
        f"he_init(key, [400, 300, 10]) gave W shapes {[layer['W'].shape for layer in params]}, expected [(400, 300), (300, 10)]")
    assert all(not bool(jnp.any(layer["b"])) for layer in params), "the biases must start at zero"
    std = float(jnp.std(params[0]["W"]))
    assert abs(std / math.sqrt(2 / 400) - 1) < 0.05, f"the first W has std {std:.4f}, expected sqrt(2/400) = {math.sqrt(2 / 400):.4f}"


# Task backprop.mlp_forward
def test_mlp_forward_small_example():
    params = [{"W": jnp.array([[1.0, -1.0]]), "b": jnp.array([0.0, 0.5])},
              {"W": jnp.array([[2.0], [3.0]]), "b": jnp.array([-1.0])}]
    logits, cache = mlp_forward(params, jnp.array([[2.0]]))
    assert sorted(cache) == ["A1", "X", "Z1", "Z2"], f"the cache has keys {sorted(cache)}, expected A1, X, Z1, Z2"
    assert jnp.allclose(cache["A1"], jnp.array([[2.0, 0.0]])), f"A1 is {cache['A1']}, expected relu([[2, -1.5]]) = [[2, 0]]"
    assert jnp.allclose(logits, jnp.array([[3.0]])), f"the logits are {logits}, expected 2*2 + 0*3 - 1 = [[3.0]]"


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


# Task backprop.prepare_digits
def test_prepare_digits_scales_and_flattens():
    X, y = prepare_digits(np.full((2, 8, 8), 16.0), np.array([3, 7]))
    assert X.shape == (2, 64) and X.dtype == jnp.float32, f"X is {X.dtype}{X.shape}, expected float32(2, 64)"
    assert float(X.max()) == 1.0, f"a pixel of 16 became {float(X.max())}, expected 1.0: divide by 16"
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
