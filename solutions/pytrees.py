"""PyTrees: how JAX sees nested containers of arrays.

Learning goals
--------------
- Tell containers (list, tuple, dict, None, NamedTuple) from leaves, and know that ``None`` and empty
  containers hold no leaves at all.
- Walk trees with ``jax.tree.leaves``, ``jax.tree.structure``, ``jax.tree.flatten`` and
  ``jax.tree.unflatten``; know that dict keys come out sorted, whatever the insertion order.
- Map a function over one tree, or over several trees of the same structure, with ``jax.tree.map``.
- Name leaves by their key paths (``jax.tree.flatten_with_path``, ``jax.tree.map_with_path``,
  ``jax.tree_util.keystr``).
- Treat model parameters as a tree: ``jax.grad`` returns a tree of the same structure, and an optimizer
  update is a ``jax.tree.map`` that builds a new tree instead of mutating the old one.
- Avoid the tuple-as-node trap with ``is_leaf``, and stack a list of trees into one tree of arrays.

Out of scope: registering your own classes as pytree nodes (topic ``custom_pytrees``), optax.
"""

# %%
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

# %% [markdown]
# ## What is a pytree?
#
# A pytree is any nesting of containers JAX knows (lists, tuples, dicts, `None`, NamedTuples and registered
# classes) whose ends are **leaves**: arrays, numbers, anything JAX does not know as a container.
#
# ```python
# tree = {"b": [jnp.ones(2), None], "a": (jnp.zeros(3), {})}
# jax.tree.leaves(tree)      # [zeros(3), ones(2)]: keys sorted ('a' before 'b'), None and {} hold nothing
# jax.tree.structure(tree)   # PyTreeDef({'a': (*, {}), 'b': [*, None]})
# ```
#
# `None` is an *empty subtree*, not a leaf. Two trees have the same structure only when their treedefs are
# equal: a list and a tuple with the same leaves are different trees.

# %%
class Affine(NamedTuple):
    """A NamedTuple is a pytree node: its fields are its children."""
    w: jax.Array
    b: jax.Array


def tree_stats(tree) -> dict:
    """Task pytrees.tree_stats: count the leaves and parameters of a tree, and take its global norm.

    Args:
        tree: any pytree (dicts, lists, tuples, NamedTuples, ``None``, empty containers) whose leaves are
            float arrays (JAX or NumPy) of any shape, scalars included.

    Returns:
        ``{"num_leaves": int, "num_params": int, "global_norm": float32 scalar jax.Array}``:
        ``num_leaves`` is the number of leaves (``None`` and empty containers hold none), ``num_params`` the
        total number of array elements over all leaves, and ``global_norm`` is
        ``sqrt(sum over every element of every leaf of element**2)`` (``0.0`` for a tree with no leaves).
        The two counts are Python ints. ``jax.jit(lambda t: tree_stats(t)["global_norm"])`` must work.
    """
    ### BEGIN SOLUTION
    leaves = jax.tree.leaves(tree)  # None and empty containers contribute nothing
    # Sizes come from shapes, which are static under jit: Python ints are fine there.
    num_params = sum(int(np.prod(jnp.shape(leaf))) for leaf in leaves)
    squares = sum((jnp.sum(jnp.square(jnp.asarray(leaf, jnp.float32))) for leaf in leaves), jnp.float32(0.0))
    # One square root of the total, not a sum of per-leaf norms.
    return {"num_leaves": len(leaves), "num_params": num_params, "global_norm": jnp.sqrt(squares)}
    ### END SOLUTION


# %% checks="pytrees.tree_stats"
def test_tree_stats_counts_and_norm():
    tree = {"layer": Affine(w=jnp.full((2, 3), 2.0), b=None), "extra": [jnp.ones(4), {}]}
    stats = tree_stats(tree)
    assert stats["num_leaves"] == 2, f"tree_stats(...)['num_leaves'] is {stats['num_leaves']}, expected 2 (None and {{}} hold no leaves)"
    assert stats["num_params"] == 10, f"tree_stats(...)['num_params'] is {stats['num_params']}, expected 6 + 4 = 10 array elements"
    assert jnp.allclose(stats["global_norm"], jnp.sqrt(28.0)), (
        f"tree_stats(...)['global_norm'] is {stats['global_norm']}, expected sqrt(6 * 4 + 4 * 1) = {float(jnp.sqrt(28.0)):.4f}")


# %% [markdown]
# ## Flatten, unflatten and the order of leaves
#
# `leaves, treedef = jax.tree.flatten(tree)` takes a tree apart; `jax.tree.unflatten(treedef, new_leaves)` puts
# new leaves back into the same containers. The order of the leaves is fixed by the structure, and for dicts
# it is the **sorted** key order, not the order you inserted the keys in. Code that walks `dict.values()` by
# hand and pairs the result with `jax.tree.leaves` scrambles parameters silently.

# %%
def ravel_tree(tree):
    """Task pytrees.ravel_tree: flatten a tree of float32 arrays into one vector, and give a way back.

    Args:
        tree: a pytree whose leaves are float32 arrays (at least one leaf; ``None`` and empty containers
            may appear).

    Returns:
        ``(flat, unravel)``. ``flat`` is a 1-D float32 array: every leaf raveled (row-major) and concatenated
        **in the order of** ``jax.tree.leaves(tree)``. ``unravel`` is a function taking any 1-D float32 vector
        of the same length and returning a tree with the structure of ``tree`` whose leaves have the
        original shapes, filled from the vector in the same order; ``unravel(flat)`` rebuilds ``tree``.
        ``unravel`` must work under ``jax.jit``. Do not modify ``tree``.
    """
    ### BEGIN SOLUTION
    leaves, treedef = jax.tree.flatten(tree)
    shapes = [jnp.shape(leaf) for leaf in leaves]
    sizes = [int(np.prod(shape)) for shape in shapes]
    flat = jnp.concatenate([jnp.ravel(leaf) for leaf in leaves])
    offsets = np.cumsum([0, *sizes])  # plain ints: static slices under jit

    def unravel(vector):
        pieces = [vector[offsets[i]:offsets[i + 1]].reshape(shape) for i, shape in enumerate(shapes)]
        # The treedef remembers every container, None and empty subtree included.
        return jax.tree.unflatten(treedef, pieces)

    return flat, unravel
    ### END SOLUTION


# %% checks="pytrees.ravel_tree"
def test_ravel_tree_round_trip():
    tree = {"b": jnp.arange(3.0), "a": [jnp.ones((2, 2)), None]}
    flat, unravel = ravel_tree(tree)
    assert flat.shape == (7,), f"ravel_tree returned a flat vector of shape {flat.shape}, expected (7,)"
    assert flat.tolist() == [1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 2.0], (
        f"ravel_tree(...)[0] is {flat.tolist()}: expected the leaves in jax.tree.leaves order (key 'a' before 'b')")
    rebuilt = unravel(flat)
    assert jax.tree.structure(rebuilt) == jax.tree.structure(tree), (
        f"unravel(flat) has structure {jax.tree.structure(rebuilt)}, expected {jax.tree.structure(tree)}")


# %% [markdown]
# ## `jax.tree.map` over several trees
#
# `jax.tree.map(f, t1, t2, t3)` calls `f(leaf1, leaf2, leaf3)` for matching leaves and builds a **new** tree
# of the results with the structure of `t1`. All the trees must have the same structure. It never changes its
# inputs, and neither should you: assigning into a params dict (`params["w"] = ...`) changes the caller's
# parameters behind their back, and under `jit` it does not even do what it seems to.

# %%
def momentum_update(params, grads, velocity, lr: float, beta: float):
    """Task pytrees.momentum_update: one step of SGD with momentum over whole parameter trees.

    ``new_velocity = beta * velocity + grads`` and ``new_params = params - lr * new_velocity``, leaf by leaf.

    Args:
        params, grads, velocity: pytrees of the same structure (dicts, lists, tuples, NamedTuples, ``None``)
            with float32 array leaves.
        lr, beta: Python floats.

    Returns:
        ``(new_params, new_velocity)``: two new trees with the structure of ``params`` (a NamedTuple stays that
        NamedTuple, a tuple stays a tuple). The inputs must not be modified.
    """
    ### BEGIN SOLUTION
    # tree.map over several trees pairs leaves by position and returns new containers.
    new_velocity = jax.tree.map(lambda v, g: beta * v + g, velocity, grads)
    new_params = jax.tree.map(lambda p, v: p - lr * v, params, new_velocity)
    return new_params, new_velocity
    ### END SOLUTION


# %% checks="pytrees.momentum_update"
def test_momentum_update_values_and_inputs():
    params = {"dense": Affine(w=jnp.ones(2), b=jnp.zeros(1))}
    grads = {"dense": Affine(w=jnp.full(2, 2.0), b=jnp.ones(1))}
    velocity = {"dense": Affine(w=jnp.ones(2), b=jnp.ones(1))}
    new_params, new_velocity = momentum_update(params, grads, velocity, lr=0.1, beta=0.5)
    assert isinstance(new_params["dense"], Affine), f"new_params['dense'] is a {type(new_params['dense']).__name__}, expected Affine"
    assert jnp.allclose(new_velocity["dense"].w, 2.5), f"new_velocity['dense'].w is {new_velocity['dense'].w}, expected 0.5 * 1 + 2 = 2.5"
    assert jnp.allclose(new_params["dense"].w, 0.75), f"new_params['dense'].w is {new_params['dense'].w}, expected 1 - 0.1 * 2.5 = 0.75"
    assert jnp.allclose(params["dense"].w, 1.0), "momentum_update changed the params it was given; build new trees with jax.tree.map"


# %% [markdown]
# ## Parameters and their gradients
#
# A model's parameters are just a pytree. `jax.grad(loss)(params, x, y)` differentiates with respect to every
# leaf of `params` and returns the gradient **as a tree of the same structure**, so the update above applies
# to it directly.

# %%
def mlp_loss(params: list, x: jax.Array, y: jax.Array) -> jax.Array:
    """Task pytrees.mlp_loss: mean squared error of a multi-layer perceptron stored as a list of layers.

    Args:
        params: a list of layers, each ``{"w": (d_in, d_out) array, "b": (d_out,) array}``; any number of
            layers (at least one), consecutive sizes matching.
        x: inputs of shape ``(n, d_in)`` of the first layer.
        y: targets of shape ``(n, d_out)`` of the last layer.

    Returns:
        A float32 scalar: ``h = x``; for every layer ``h = h @ w + b``, followed by ``jnp.tanh`` for every
        layer **except the last**; the loss is the mean of ``(h - y) ** 2`` over all ``n * d_out`` entries.
        ``jax.grad(mlp_loss)(params, x, y)`` then has the structure of ``params``.
    """
    ### BEGIN SOLUTION
    h = x
    for layer in params[:-1]:
        h = jnp.tanh(h @ layer["w"] + layer["b"])
    last = params[-1]
    # The output layer stays linear: a regression head must be able to leave [-1, 1].
    prediction = h @ last["w"] + last["b"]
    return jnp.mean((prediction - y) ** 2)
    ### END SOLUTION


# %% checks="pytrees.mlp_loss"
def test_mlp_loss_gradient_has_params_structure():
    params = [{"w": jnp.ones((2, 3)) * 0.1, "b": jnp.zeros(3)}, {"w": jnp.ones((3, 1)), "b": jnp.ones(1)}]
    x, y = jnp.ones((4, 2)), jnp.zeros((4, 1))
    grads = jax.grad(mlp_loss)(params, x, y)
    assert jax.tree.structure(grads) == jax.tree.structure(params), (
        f"jax.grad(mlp_loss) returned structure {jax.tree.structure(grads)}, expected {jax.tree.structure(params)}")
    expected = (3 * jnp.tanh(0.2) + 1) ** 2
    loss = mlp_loss(params, x, y)
    assert jnp.allclose(loss, expected), f"mlp_loss(...) is {loss}, expected (3 * tanh(0.2) + 1) ** 2 = {float(expected):.5f}"


# %% [markdown]
# ## Key paths
#
# Every leaf has a **key path**: the keys, indices and attribute names that lead to it.
# `jax.tree.flatten_with_path(tree)` returns `(path, leaf)` pairs, `jax.tree_util.keystr(path)` prints a path as
# `['dense'].w` or `[0]['b']`, and `jax.tree.map_with_path(f, tree)` calls `f(path, leaf)`. The last entry of
# a path is a `DictKey` (attribute `.key`), a `GetAttrKey` for NamedTuple fields (`.name`) or a `SequenceKey`
# for lists and tuples (`.idx`). Optimizers use such paths to decide, for example, which parameters get weight
# decay.

# %%
def decay_mask(params):
    """Task pytrees.decay_mask: mark the weight matrices of a parameter tree for weight decay.

    Args:
        params: a pytree (dicts, lists, tuples, NamedTuples, ``None``) with array leaves.

    Returns:
        A tree with the structure of ``params`` whose leaves are Python bools: ``True`` exactly for leaves whose
        **last** key-path entry is named ``"w"`` or ``"kernel"`` (a dict key, or a NamedTuple field name),
        ``False`` for every other leaf (``"b"``, ``"w_scale"``, list positions, ...).
    """
    ### BEGIN SOLUTION
    def is_weight(path, leaf):
        last = path[-1] if path else None
        # DictKey keeps the key in .key, GetAttrKey the field in .name; SequenceKey has neither.
        name = getattr(last, "key", getattr(last, "name", None))
        return name in ("w", "kernel")

    return jax.tree.map_with_path(is_weight, params)
    ### END SOLUTION


# %% checks="pytrees.decay_mask"
def test_decay_mask_marks_only_weights():
    params = {"dense": Affine(w=jnp.ones((2, 2)), b=jnp.ones(2)), "norm": {"w_scale": jnp.ones(2), "kernel": jnp.ones(1)}}
    mask = decay_mask(params)
    expected = {"dense": Affine(w=True, b=False), "norm": {"w_scale": False, "kernel": True}}
    assert mask == expected, f"decay_mask(params) returned {mask}, expected {expected}"


# %% [markdown]
# ## The tuple trap and `is_leaf`
#
# A shape such as `(3, 4)` is a tuple, and tuples are pytree nodes. So
# `jax.tree.map(jnp.zeros, {"w": (3, 4)})` does not build a 3x4 array: it maps over the *integers* 3 and 4 and
# returns `{"w": (zeros(3), zeros(4))}`. Pass `is_leaf=` to tell `jax.tree.map` where to stop descending. Be
# precise: a NamedTuple is a tuple too.

# %%
def zeros_from_shapes(shapes):
    """Task pytrees.zeros_from_shapes: build float32 zero arrays from a tree of shapes.

    Args:
        shapes: a pytree whose containers are dicts, lists and NamedTuples, and whose "leaves" are shapes:
            plain tuples of Python ints, such as ``(3, 4)``, ``(5,)`` or ``()`` (a scalar).

    Returns:
        The same tree with every shape tuple replaced by ``jnp.zeros(shape, jnp.float32)``.
    """
    ### BEGIN SOLUTION
    def is_shape(node):
        # type(...) is tuple: a NamedTuple of shapes is a container, not a shape.
        return type(node) is tuple and all(isinstance(d, int) for d in node)

    return jax.tree.map(lambda shape: jnp.zeros(shape, jnp.float32), shapes, is_leaf=is_shape)
    ### END SOLUTION


# %% checks="pytrees.zeros_from_shapes"
def test_zeros_from_shapes_keeps_shape_tuples_whole():
    zeros = zeros_from_shapes({"w": (3, 4), "scale": ()})
    assert set(zeros) == {"w", "scale"}, f"zeros_from_shapes returned keys {sorted(zeros)}, expected ['scale', 'w']"
    assert getattr(zeros["w"], "shape", None) == (3, 4), (
        f"zeros_from_shapes(...)['w'] is {zeros['w']!r}, expected an array of shape (3, 4): (3, 4) is a tuple, "
        "and jax.tree.map descends into tuples unless is_leaf stops it")
    assert getattr(zeros["scale"], "shape", None) == (), f"zeros_from_shapes(...)['scale'] is {zeros['scale']!r}, expected a scalar array"


# %% [markdown]
# ## A list of trees to a tree of stacked arrays
#
# Per-example or per-episode results often arrive as a list of trees with the same structure. `jax.tree.map`
# accepts several trees: `jax.tree.map(lambda *xs: jnp.stack(xs), *trees)` stacks matching leaves along a new
# first axis, which is the layout `jax.vmap` and `jax.lax.scan` want.

# %%
def stack_trees(trees: list):
    """Task pytrees.stack_trees: turn a list of same-structured trees into one tree of stacked arrays.

    Args:
        trees: a non-empty list of pytrees with identical structure (dicts, lists, tuples, NamedTuples,
            ``None``) whose matching leaves are arrays of equal shape and dtype.

    Returns:
        A tree with the structure of ``trees[0]`` whose leaf at each position is ``jnp.stack`` of the leaves
        at that position, in list order (a new leading axis of length ``len(trees)``). Do not modify ``trees``.
    """
    ### BEGIN SOLUTION
    # Unpack the list: tree.map then walks the trees in parallel, leaf by leaf.
    return jax.tree.map(lambda *leaves: jnp.stack(leaves), *trees)
    ### END SOLUTION


# %% checks="pytrees.stack_trees"
def test_stack_trees_shapes():
    trees = [{"x": jnp.full(2, float(i)), "pair": (jnp.float32(i), None)} for i in range(3)]
    stacked = stack_trees(trees)
    assert jax.tree.structure(stacked) == jax.tree.structure(trees[0]), (
        f"stack_trees returned structure {jax.tree.structure(stacked)}, expected {jax.tree.structure(trees[0])}")
    assert stacked["x"].shape == (3, 2), f"stack_trees(...)['x'] has shape {stacked['x'].shape}, expected (3, 2)"
    assert stacked["pair"][0].tolist() == [0.0, 1.0, 2.0], f"stack_trees(...)['pair'][0] is {stacked['pair'][0]}, expected [0, 1, 2]"


# %%
if __name__ == "__main__":
    try:
        demo = {"dense": Affine(w=jnp.ones((2, 3)), b=jnp.zeros(3)), "head": [jnp.ones(3), None]}
        print(jax.tree.structure(demo))
        print(tree_stats(demo))
        print(decay_mask(demo))
    except NotImplementedError:
        print("Finish tree_stats and decay_mask to see a summary of a small parameter tree here.")
