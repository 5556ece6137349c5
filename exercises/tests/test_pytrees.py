# Generated from solutions/pytrees.py (sha256 c4a3eb36facf) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Visible tests for topic `pytrees`. Run `pytest` inside exercises/ (or `pytest exercises` from the kit root).

The hidden checks test more than these: passing them is necessary, not sufficient.
"""
from pytrees import *  # noqa: F401,F403  (the functions you write)


# Task pytrees.tree_stats
def test_tree_stats_counts_and_norm():
    tree = {"layer": Affine(w=jnp.full((2, 3), 2.0), b=None), "extra": [jnp.ones(4), {}]}
    stats = tree_stats(tree)
    assert stats["num_leaves"] == 2, f"tree_stats(...)['num_leaves'] is {stats['num_leaves']}, expected 2 (None and {{}} hold no leaves)"
    assert stats["num_params"] == 10, f"tree_stats(...)['num_params'] is {stats['num_params']}, expected 6 + 4 = 10 array elements"
    assert type(stats["num_leaves"]) is int and type(stats["num_params"]) is int, (
        f"the counts are a {type(stats['num_leaves']).__name__} and a {type(stats['num_params']).__name__}: expected Python ints")
    assert jnp.allclose(stats["global_norm"], jnp.sqrt(28.0)), (
        f"tree_stats(...)['global_norm'] is {stats['global_norm']}, expected sqrt(6 * 4 + 4 * 1) = {float(jnp.sqrt(28.0)):.4f}")


def test_tree_stats_norm_under_jit_and_without_leaves():
    norm = jax.jit(lambda t: tree_stats(t)["global_norm"])({"a": None, "b": []})
    assert isinstance(norm, jax.Array) and norm.dtype == jnp.float32 and float(norm) == 0.0, (
        f"jax.jit(lambda t: tree_stats(t)['global_norm'])({{'a': None, 'b': []}}) returned {norm!r}, expected float32 0.0")


# Task pytrees.ravel_tree
def test_ravel_tree_round_trip():
    tree = {"b": jnp.arange(3.0), "a": [jnp.ones((2, 2)), None]}
    flat, unravel = ravel_tree(tree)
    assert flat.shape == (7,), f"ravel_tree returned a flat vector of shape {flat.shape}, expected (7,)"
    assert flat.tolist() == [1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 2.0], (
        f"ravel_tree(...)[0] is {flat.tolist()}: expected the leaves in jax.tree.leaves order (key 'a' before 'b')")
    rebuilt = jax.jit(unravel)(jnp.arange(7.0))
    assert jax.tree.structure(rebuilt) == jax.tree.structure(tree), (
        f"jax.jit(unravel)(v) has structure {jax.tree.structure(rebuilt)}, expected {jax.tree.structure(tree)}")
    assert rebuilt["a"][0].tolist() == [[0.0, 1.0], [2.0, 3.0]] and rebuilt["b"].tolist() == [4.0, 5.0, 6.0], (
        f"jax.jit(unravel)(arange(7.)) returned {rebuilt}, expected a = [[[0, 1], [2, 3]], None], b = [4, 5, 6]")


# Task pytrees.momentum_update
def test_momentum_update_values_and_inputs():
    params = {"dense": Affine(w=jnp.ones(2), b=jnp.zeros(1))}
    grads = {"dense": Affine(w=jnp.full(2, 2.0), b=jnp.ones(1))}
    velocity = {"dense": Affine(w=jnp.ones(2), b=jnp.ones(1))}
    new_params, new_velocity = momentum_update(params, grads, velocity, lr=0.1, beta=0.5)
    assert isinstance(new_params["dense"], Affine), f"new_params['dense'] is a {type(new_params['dense']).__name__}, expected Affine"
    assert jnp.allclose(new_velocity["dense"].w, 2.5), f"new_velocity['dense'].w is {new_velocity['dense'].w}, expected 0.5 * 1 + 2 = 2.5"
    assert jnp.allclose(new_params["dense"].w, 0.75), f"new_params['dense'].w is {new_params['dense'].w}, expected 1 - 0.1 * 2.5 = 0.75"
    assert jnp.allclose(params["dense"].w, 1.0), "momentum_update changed the params it was given; build new trees instead"


# Task pytrees.mlp_loss
def test_mlp_loss_gradient_has_params_structure():
    params = [{"w": jnp.ones((2, 3)) * 0.1, "b": jnp.zeros(3)}, {"w": jnp.ones((3, 1)), "b": jnp.ones(1)}]
    x, y = jnp.ones((4, 2)), jnp.zeros((4, 1))
    grads = jax.grad(mlp_loss)(params, x, y)
    assert jax.tree.structure(grads) == jax.tree.structure(params), (
        f"jax.grad(mlp_loss) returned structure {jax.tree.structure(grads)}, expected {jax.tree.structure(params)}")
    expected = (3 * jnp.tanh(0.2) + 1) ** 2
    loss = mlp_loss(params, x, y)
    assert jnp.allclose(loss, expected), f"mlp_loss(...) is {loss}, expected (3 * tanh(0.2) + 1) ** 2 = {float(expected):.5f}"


# Task pytrees.decay_mask
def test_decay_mask_marks_only_weights():
    params = {"dense": Affine(w=jnp.ones((2, 2)), b=jnp.ones(2)), "norm": {"w_scale": jnp.ones(2), "kernel": jnp.ones(1)}}
    mask = decay_mask(params)
    expected = {"dense": Affine(w=True, b=False), "norm": {"w_scale": False, "kernel": True}}
    assert mask == expected, f"decay_mask(params) returned {mask}, expected {expected}"
    assert all(type(leaf) is bool for leaf in jax.tree.leaves(mask)), "the leaves of the mask must be Python bools"


# Task pytrees.zeros_from_shapes
def test_zeros_from_shapes_keeps_shape_tuples_whole():
    zeros = zeros_from_shapes({"w": (3, 4), "scale": ()})
    assert set(zeros) == {"w", "scale"}, f"zeros_from_shapes returned keys {sorted(zeros)}, expected ['scale', 'w']"
    assert getattr(zeros["w"], "shape", None) == (3, 4), (
        f"zeros_from_shapes(...)['w'] is {zeros['w']!r}, expected an array of shape (3, 4)")
    assert getattr(zeros["scale"], "shape", None) == (), f"zeros_from_shapes(...)['scale'] is {zeros['scale']!r}, expected a 0-d array"
    assert zeros["w"].dtype == jnp.float32 and not zeros["w"].any(), "zeros_from_shapes(...)['w'] must be float32 zeros"


def test_zeros_from_shapes_namedtuple_is_a_container():
    zeros = zeros_from_shapes({"layer": Affine(w=(2, 3), b=(3,))})
    assert isinstance(zeros["layer"], Affine), f"zeros_from_shapes(...)['layer'] is {zeros['layer']!r}, expected an Affine"
    assert zeros["layer"].w.shape == (2, 3) and zeros["layer"].b.shape == (3,), (
        f"zeros_from_shapes(...)['layer'] is {zeros['layer']!r}, expected Affine(w of shape (2, 3), b of shape (3,))")


# Task pytrees.stack_trees
def test_stack_trees_shapes():
    trees = [{"x": jnp.full(2, float(i)), "pair": (jnp.float32(i), None)} for i in range(3)]
    stacked = stack_trees(trees)
    assert jax.tree.structure(stacked) == jax.tree.structure(trees[0]), (
        f"stack_trees returned structure {jax.tree.structure(stacked)}, expected {jax.tree.structure(trees[0])}")
    assert stacked["x"].shape == (3, 2), f"stack_trees(...)['x'] has shape {stacked['x'].shape}, expected (3, 2)"
    assert stacked["pair"][0].tolist() == [0.0, 1.0, 2.0], f"stack_trees(...)['pair'][0] is {stacked['pair'][0]}, expected [0, 1, 2]"
    assert len(trees) == 3, "stack_trees changed the list it was given"


def test_stack_trees_single_tree_under_jit():
    stacked = jax.jit(stack_trees)([{"x": jnp.arange(3, dtype=jnp.int32)}])
    assert stacked["x"].shape == (1, 3) and stacked["x"].dtype == jnp.int32, (
        f"jax.jit(stack_trees)([{{'x': int32 array of shape (3,)}}]) gave {stacked['x'].dtype}{stacked['x'].shape}, "
        "expected int32 of shape (1, 3)")
