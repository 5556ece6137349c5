# Generated from solutions/custom_pytrees.py (sha256 5a55dae8fa6a) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Visible tests for topic `custom_pytrees`. Run `pytest` inside exercises/ (or `pytest exercises` from the kit root).

The hidden checks test more than these: passing them is necessary, not sufficient.
"""
from custom_pytrees import *  # noqa: F401,F403  (the functions you write)


# Task custom_pytrees.register_polynomial
def test_register_polynomial_children_and_aux():
    @register_polynomial
    class Quadratic(Polynomial):
        pass

    p = Quadratic(jnp.array([1.0, 2.0, 3.0]), "t")
    leaves = jax.tree.leaves(p)
    assert len(leaves) == 1 and jnp.array_equal(leaves[0], p.coeffs), (
        f"jax.tree.leaves(p) is {leaves}, expected [p.coeffs]: the coeffs are the only child, var is aux data")
    grad = jax.grad(lambda q: q(2.0))(p)
    assert isinstance(grad, Quadratic), f"jax.grad(lambda q: q(2.0))(p) returned a {type(grad).__name__}, expected Quadratic"
    assert grad.var == "t" and jnp.allclose(grad.coeffs, jnp.array([1.0, 2.0, 4.0])), (
        f"jax.grad(lambda q: q(2.0))(p) returned {grad}, expected coeffs [1, 2, 4] (the powers of 2) and var 't'")


# Task custom_pytrees.make_dense_class
def test_make_dense_class_through_jit_and_grad():
    Layer = make_dense_class()
    layer = Layer(jnp.ones((2, 3)), jnp.zeros(3), "tanh")
    x = jnp.ones((4, 2))
    out = jax.jit(lambda l, v: l(v))(layer, x)
    assert out.shape == (4, 3), f"jax.jit(lambda l, v: l(v))(layer, x) has shape {out.shape}, expected (4, 3)"
    grad = jax.grad(lambda l: jnp.sum(l(x)))(layer)
    assert isinstance(grad, Layer) and grad.activation == "tanh", (
        f"jax.grad with respect to the layer returned a {type(grad).__name__} with activation "
        f"{getattr(grad, 'activation', None)!r}, expected the registered class with activation 'tanh'")
    assert make_dense_class() is not Layer, "make_dense_class() returned the same class twice: build a new class on every call"


# Task custom_pytrees.register_gaussian
def test_register_gaussian_key_paths():
    @register_gaussian
    class Posterior(Gaussian):
        pass

    tree = {"z": Posterior(jnp.zeros(2), jnp.ones(2), "z")}
    paths = [jax.tree_util.keystr(path) for path, _ in jax.tree.flatten_with_path(tree)[0]]
    assert paths == ["['z'].mean", "['z'].log_std"], (
        f"the key paths of {{'z': Posterior(...)}} are {paths}, expected ['z'].mean and ['z'].log_std")


# Task custom_pytrees.make_train_state_class
def test_make_train_state_class_static_fields():
    TrainState = make_train_state_class()
    state = TrainState(params={"w": jnp.ones(3)}, step=jnp.int32(0), learning_rate=0.5, optimizer="sgd")
    leaves = jax.tree.leaves(state)
    assert len(leaves) == 2, (
        f"jax.tree.leaves(state) has {len(leaves)} leaves, expected 2 (params['w'] and step): "
        "learning_rate and optimizer must be static fields")
    new = jax.jit(lambda s: s.apply_gradients({"w": jnp.ones(3)}))(state)
    assert jnp.allclose(new.params["w"], 0.5) and int(new.step) == 1, (
        f"apply_gradients gave params {new.params} and step {new.step}, expected w = 1 - 0.5 * 1 = 0.5 and step 1")


def test_make_train_state_class_leaves_self_alone():
    TrainState = make_train_state_class()
    state = TrainState(params={"w": jnp.ones(3)}, step=jnp.int32(0), learning_rate=0.5, optimizer="sgd")
    state.apply_gradients({"w": jnp.ones(3)})
    assert jnp.allclose(state.params["w"], 1.0) and int(state.step) == 0, (
        f"after state.apply_gradients(grads) the state itself has params {state.params} and step {state.step}, "
        "expected its old values (w = 1, step 0): return a new state, leave self as it was")


# Task custom_pytrees.register_interval
def test_register_interval_jacobian():
    @register_interval
    class Box(Interval):
        pass

    box = Box(jnp.zeros(2), jnp.ones(2))
    jacobian = jax.jacobian(lambda t: t.width())(box)
    assert isinstance(jacobian, Box), f"jax.jacobian(lambda t: t.width())(box) returned a {type(jacobian).__name__}, expected Box"
    assert jnp.allclose(jacobian.hi, jnp.eye(2)) and jnp.allclose(jacobian.lo, -jnp.eye(2)), (
        f"the jacobian of width() is lo={jacobian.lo}, hi={jacobian.hi}; expected -eye(2) and eye(2)")
    mask = jax.tree.map(lambda x: x > 0.5, box)
    assert mask.hi.dtype == jnp.bool_, (
        f"jax.tree.map(lambda x: x > 0.5, box).hi has dtype {mask.hi.dtype}, expected bool: unflatten must keep "
        "the children it is given")


# Task custom_pytrees.pairwise_kl
def test_pairwise_kl_one_value_per_pair():
    q = {"z": (jnp.zeros(2), jnp.ones(2)), "layers": [(jnp.ones(3), jnp.ones(3))]}
    p = {"z": (jnp.zeros(2), jnp.ones(2)), "layers": [(jnp.zeros(3), jnp.ones(3))]}
    kl = pairwise_kl(q, p)
    assert jax.tree.structure(kl) == jax.tree.structure({"z": 0, "layers": [0]}), (
        f"pairwise_kl returned structure {jax.tree.structure(kl)}, expected one value per pair: "
        "{'layers': [*], 'z': *}")
    assert jnp.allclose(kl["z"], 0.0) and jnp.allclose(kl["layers"][0], 1.5), (
        f"pairwise_kl gave z: {kl['z']} and layers[0]: {kl['layers'][0]}, expected 0 (same Gaussians) and 3 * 0.5 = 1.5")
