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

Out of scope: registering your own classes as pytree nodes (topic ``custom_pytrees``), optimizers (topic
``optimizers``: one look ahead below shows where a mask of this topic goes).
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
# >>> tree = {"b": [jnp.ones(2), None], "a": (jnp.zeros(3), {})}
# >>> jax.tree.leaves(tree)      # 'a' comes before 'b'; None and {} hold no leaves
# [Array([0., 0., 0.], dtype=float32), Array([1., 1.], dtype=float32)]
# >>> jax.tree.structure(tree)
# PyTreeDef({'a': (*, {}), 'b': [*, None]})
# >>> jax.tree.leaves([None, (), {}, []])   # None is an empty subtree, not a leaf
# []
# >>> jax.tree.structure(jnp.ones(3))      # a lone array is a tree with one leaf
# PyTreeDef(*)
# ```
#
# Two trees have the same structure only when their treedefs are equal, and the container types are part of
# the treedef: a list and a tuple with the same leaves are different trees.
#
# ```python
# >>> jax.tree.structure([1.0, 2.0]) == jax.tree.structure((1.0, 2.0))
# False
# ```

# %%
class Affine(NamedTuple):
    """A NamedTuple is a pytree node: its fields are its children."""
    w: jax.Array
    b: jax.Array


# %% [markdown]
# A NamedTuple's fields are its children, and it keeps its own type in the treedef:
#
# ```python
# >>> jax.tree.leaves(Affine(w=jnp.ones(2), b=None))
# [Array([1., 1.], dtype=float32)]
# >>> jax.tree.structure(Affine(w=jnp.ones(2), b=None))
# PyTreeDef(CustomNode(namedtuple[Affine], [*, None]))
# ```

# %%
def tree_stats(tree) -> dict:
    """Task pytrees.tree_stats: count the leaves and parameters of a tree, and take its global norm.

    Args:
        tree: any pytree: dicts (string keys), lists, tuples, NamedTuples, ``None`` and empty containers,
            whose leaves are float32 arrays (JAX or NumPy) of any shape, 0-d scalars included. A lone array
            is a tree with one leaf, and a tree may hold no leaves at all.

    Returns:
        ``{"num_leaves": ..., "num_params": ..., "global_norm": ...}``. ``num_leaves`` is the number of
        leaves (``None`` and empty containers hold none) and ``num_params`` the total number of array elements
        over all leaves; both are Python ints. ``global_norm`` is
        ``sqrt(sum over every element of every leaf of element ** 2)``, a float32 0-d ``jax.Array`` (``0.0``
        for a tree with no leaves). ``jax.jit(lambda t: tree_stats(t)["global_norm"])`` must work, on a tree
        with no leaves too.
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
    assert type(stats["num_leaves"]) is int and type(stats["num_params"]) is int, (
        f"the counts are a {type(stats['num_leaves']).__name__} and a {type(stats['num_params']).__name__}: expected Python ints")
    assert jnp.allclose(stats["global_norm"], jnp.sqrt(28.0)), (
        f"tree_stats(...)['global_norm'] is {stats['global_norm']}, expected sqrt(6 * 4 + 4 * 1) = {float(jnp.sqrt(28.0)):.4f}")


def test_tree_stats_norm_under_jit_and_without_leaves():
    norm = jax.jit(lambda t: tree_stats(t)["global_norm"])({"a": None, "b": []})
    assert isinstance(norm, jax.Array) and norm.dtype == jnp.float32 and float(norm) == 0.0, (
        f"jax.jit(lambda t: tree_stats(t)['global_norm'])({{'a': None, 'b': []}}) returned {norm!r}, expected float32 0.0")


# %% [markdown]
# ## Flatten, unflatten and the order of leaves
#
# `leaves, treedef = jax.tree.flatten(tree)` takes a tree apart; `jax.tree.unflatten(treedef, new_leaves)` puts
# new leaves back into the same containers. The order of the leaves is fixed by the structure, and for dicts
# it is the **sorted** key order, not the order you inserted the keys in:
#
# ```python
# >>> params = {"zeta": 1.0, "alpha": 2.0}
# >>> list(params.values())          # a dict remembers insertion order...
# [1.0, 2.0]
# >>> leaves, treedef = jax.tree.flatten(params)
# >>> leaves                         # ...jax.tree sorts the keys
# [2.0, 1.0]
# >>> jax.tree.unflatten(treedef, [10.0, 20.0])
# {'alpha': 10.0, 'zeta': 20.0}
# ```
#
# Code that walks `dict.values()` by hand and pairs the result with `jax.tree.leaves` scrambles parameters
# silently.

# %%
def ravel_tree(tree):
    """Task pytrees.ravel_tree: flatten a tree of float32 arrays into one vector, and give a way back.

    Args:
        tree: a pytree (dicts with string keys, lists, tuples, NamedTuples, ``None``, empty containers) with
            at least one leaf; its leaves are float32 JAX arrays of any shape, 0-d included. A lone array is a
            tree too.

    Returns:
        ``(flat, unravel)``. ``flat`` is a 1-D float32 array: every leaf raveled (row-major) and concatenated
        **in the order of** ``jax.tree.leaves(tree)`` (dict keys sorted, whatever their insertion order).
        ``unravel(v)`` takes any 1-D float32 vector ``v`` of the same length and returns a tree with the
        structure of ``tree`` (tuples, NamedTuples, ``None`` and empty containers included) whose leaves have
        the original shapes and are filled from ``v`` in that same order; so ``unravel(flat)`` rebuilds
        ``tree``. ``unravel`` must work under ``jax.jit``. Do not modify ``tree``, and do not use
        ``jax.flatten_util.ravel_pytree`` (it does this whole task for you).
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
    rebuilt = jax.jit(unravel)(jnp.arange(7.0))
    assert jax.tree.structure(rebuilt) == jax.tree.structure(tree), (
        f"jax.jit(unravel)(v) has structure {jax.tree.structure(rebuilt)}, expected {jax.tree.structure(tree)}")
    assert rebuilt["a"][0].tolist() == [[0.0, 1.0], [2.0, 3.0]] and rebuilt["b"].tolist() == [4.0, 5.0, 6.0], (
        f"jax.jit(unravel)(arange(7.)) returned {rebuilt}, expected a = [[[0, 1], [2, 3]], None], b = [4, 5, 6]")


# %% [markdown]
# ## `jax.tree.map` over several trees
#
# `jax.tree.map(f, t1, t2, t3)` calls `f(leaf1, leaf2, leaf3)` for matching leaves and builds a **new** tree
# of the results with the structure of `t1`; every tree must have that structure.
#
# ```python
# >>> jax.tree.map(lambda a, b: a * b, {"x": 2.0, "y": (3.0, None)}, {"x": 10.0, "y": (4.0, None)})
# {'x': 20.0, 'y': (12.0, None)}
# >>> jax.tree.map(lambda a, b: a + b, [1.0, 2.0], (1.0, 2.0))
# Traceback (most recent call last):
# ValueError: pytree structure error: different types at key path
# ```
#
# `jax.tree.map` never changes its inputs, and neither should you. Assigning into a params dict changes the
# caller's parameters behind their back when called eagerly, and under `jax.jit` it does not even do that:
# the function works on a copy of the containers, so the same code behaves differently in the two cases.
#
# ```python
# >>> def scale_in_place(params):
# ...     params["w"] = params["w"] * 2
# ...     return params["w"]
# >>> params = {"w": jnp.ones(2)}
# >>> _ = scale_in_place(params); params["w"]           # eagerly: the caller's dict changed
# Array([2., 2.], dtype=float32)
# >>> params = {"w": jnp.ones(2)}
# >>> _ = jax.jit(scale_in_place)(params); params["w"]  # under jit: it did not
# Array([1., 1.], dtype=float32)
# ```

# %%
def momentum_update(params, grads, velocity, lr: float, beta: float):
    """Task pytrees.momentum_update: one step of SGD with momentum over whole parameter trees.

    ``new_velocity = beta * velocity + grads`` and ``new_params = params - lr * new_velocity``, leaf by leaf.

    Args:
        params, grads, velocity: pytrees of identical structure (dicts with string keys, lists, tuples,
            NamedTuples, ``None``, empty containers) with float32 array leaves.
        lr, beta: Python floats, ``lr > 0`` and ``0 <= beta < 1``.

    Returns:
        ``(new_params, new_velocity)``: two new trees with exactly the structure of ``params`` (a NamedTuple
        stays that NamedTuple, a tuple stays a tuple, ``None`` and empty containers stay) and float32 leaves.
        The inputs must not be modified: after the call, the caller's trees hold the same leaves as before.
        It must work eagerly and under ``jax.jit`` (with ``lr`` and ``beta`` as Python floats).
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
    assert jnp.allclose(params["dense"].w, 1.0), "momentum_update changed the params it was given; build new trees instead"


# %% [markdown]
# ## Parameters and their gradients
#
# A model's parameters are just a pytree. `jax.grad` differentiates with respect to every leaf of its first
# argument and returns the gradient **as a tree of the same structure** (`None` stays `None`), so an update
# like the one above applies to it directly.
#
# ```python
# >>> params = {"w": jnp.array([1.0, 2.0]), "skip": None, "layers": [Affine(w=jnp.float32(3.0), b=jnp.float32(0.5))]}
# >>> def loss(p):
# ...     return jnp.sum(p["w"] ** 2) + p["layers"][0].w * p["layers"][0].b
# >>> jax.grad(loss)(params)
# {'layers': [Affine(w=Array(0.5, dtype=float32), b=Array(3., dtype=float32))], 'skip': None, 'w': Array([2., 4.], dtype=float32)}
# ```

# %%
def mlp_loss(params: list, x: jax.Array, y: jax.Array) -> jax.Array:
    """Task pytrees.mlp_loss: mean squared error of a multi-layer perceptron stored as a list of layers.

    Args:
        params: a list of layers, each ``{"w": (d_in, d_out) float32 array, "b": (d_out,) float32 array}``;
            any number of layers, a single layer included, consecutive sizes matching.
        x: float32 inputs of shape ``(n, d_in)`` of the first layer.
        y: float32 targets of shape ``(n, d_out)`` of the last layer.

    Returns:
        A float32 0-d ``jax.Array``: ``h = x``; for every layer ``h = h @ w + b``, followed by ``jnp.tanh``
        for every layer **except the last** (a single layer is purely linear); the loss is the mean of
        ``(h - y) ** 2`` over all ``n * d_out`` entries. It must work under ``jax.jit`` and ``jax.grad``
        (``jax.jit(jax.grad(mlp_loss))(params, x, y)`` has the structure of ``params``).
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
# `jax.tree.flatten_with_path(tree)` returns `(path, leaf)` pairs and `jax.tree_util.keystr(path)` prints a
# path. A path is a tuple of entries: a `DictKey` for a dict key (attribute `.key`), a `GetAttrKey` for a
# NamedTuple field (`.name`) and a `SequenceKey` for a list or tuple position (`.idx`). A lone leaf has the
# empty path `()`.
#
# ```python
# >>> pairs, _ = jax.tree.flatten_with_path({"dense": Affine(w=1.0, b=2.0), "layers": [3.0]})
# >>> [jax.tree_util.keystr(path) for path, _ in pairs]
# ["['dense'].w", "['dense'].b", "['layers'][0]"]
# >>> pairs[0][0]
# (DictKey(key='dense'), GetAttrKey(name='w'))
# >>> pairs[2][0][-1]
# SequenceKey(idx=0)
# >>> jax.tree.flatten_with_path(jnp.ones(2))[0]
# [((), Array([1., 1.], dtype=float32))]
# >>> jax.tree.map_with_path(lambda path, leaf: len(path), {"a": [1.0, 2.0], "b": 3.0, "c": None})
# {'a': [2, 2], 'b': 1, 'c': None}
# ```
#
# Optimizers use such paths to decide, for example, which parameters get weight decay.

# %%
def decay_mask(params):
    """Task pytrees.decay_mask: mark the weight matrices of a parameter tree for weight decay.

    Args:
        params: a pytree (dicts with string keys, lists, tuples, NamedTuples, ``None``, empty containers) with
            array leaves. A lone array is a tree too.

    Returns:
        A tree with exactly the structure of ``params`` (``None`` and empty containers stay where they are)
        whose leaves are Python bools (``True``/``False``, not arrays): ``True`` exactly for a leaf whose
        **last** key-path entry is a dict key or a NamedTuple field named ``"w"`` or ``"kernel"`` (exactly that
        name, case included); ``False`` for every other leaf: other names (``"b"``, ``"w_scale"``, ``"bw"``,
        ``"W"``, ``"kernels"`` ...), list and tuple positions (also inside a ``"w"`` entry), and a lone array
        (its path is empty).
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
    assert all(type(leaf) is bool for leaf in jax.tree.leaves(mask)), "the leaves of the mask must be Python bools"


# %% [markdown]
# Looking ahead to the `optimizers` topic: `optax.adamw` takes such a tree of bools as its `mask` and applies
# weight decay only where it is `True`. With zero gradients the update is the weight decay alone:
#
# ```python
# >>> import optax
# >>> params = {"w": jnp.ones(2), "b": jnp.ones(2)}
# >>> adamw = optax.adamw(0.1, weight_decay=0.5, mask={"w": True, "b": False})
# >>> updates, _ = adamw.update(jax.tree.map(jnp.zeros_like, params), adamw.init(params), params)
# >>> updates
# {'b': Array([-0., -0.], dtype=float32), 'w': Array([-0.05, -0.05], dtype=float32)}
# ```

# %% [markdown]
# ## The tuple trap and `is_leaf`
#
# A shape such as `(3, 4)` is a tuple, and tuples are pytree nodes. So `jax.tree.map(jnp.zeros, ...)` over a
# tree of shapes does not build a 3x4 array: it maps over the *integers* 3 and 4, and the scalar shape `()`
# is an empty node that holds no leaf at all.
#
# ```python
# >>> jax.tree.map(jnp.zeros, {"w": (3, 4), "scale": ()})
# {'scale': (), 'w': (Array([0., 0., 0.], dtype=float32), Array([0., 0., 0., 0.], dtype=float32))}
# ```
#
# `is_leaf=` tells the `jax.tree` functions where to stop descending: a node for which it returns `True` is
# handed over whole, as a leaf. Be precise about what you stop at: a NamedTuple is a tuple too.
#
# ```python
# >>> jax.tree.leaves({"w": (3, 4)}, is_leaf=lambda node: isinstance(node, tuple))
# [(3, 4)]
# >>> isinstance(Affine(w=(3, 4), b=(4,)), tuple)
# True
# ```

# %%
def zeros_from_shapes(shapes):
    """Task pytrees.zeros_from_shapes: build float32 zero arrays from a tree of shapes.

    Args:
        shapes: a pytree whose containers are dicts (string keys), lists and NamedTuples, and whose "leaves"
            are shapes: plain tuples of Python ints, such as ``(3, 4)``, ``(5,)`` or ``()`` (a scalar). A
            NamedTuple is always a container, never a shape.

    Returns:
        A tree with the structure of ``shapes`` (NamedTuples stay NamedTuples) in which every shape is
        replaced by a float32 ``jax.Array`` of zeros of that shape (a 0-d array for ``()``).
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
        f"zeros_from_shapes(...)['w'] is {zeros['w']!r}, expected an array of shape (3, 4)")
    assert getattr(zeros["scale"], "shape", None) == (), f"zeros_from_shapes(...)['scale'] is {zeros['scale']!r}, expected a 0-d array"
    assert zeros["w"].dtype == jnp.float32 and not zeros["w"].any(), "zeros_from_shapes(...)['w'] must be float32 zeros"


def test_zeros_from_shapes_namedtuple_is_a_container():
    zeros = zeros_from_shapes({"layer": Affine(w=(2, 3), b=(3,))})
    assert isinstance(zeros["layer"], Affine), f"zeros_from_shapes(...)['layer'] is {zeros['layer']!r}, expected an Affine"
    assert zeros["layer"].w.shape == (2, 3) and zeros["layer"].b.shape == (3,), (
        f"zeros_from_shapes(...)['layer'] is {zeros['layer']!r}, expected Affine(w of shape (2, 3), b of shape (3,))")


# %% [markdown]
# ## A list of trees to a tree of stacked arrays
#
# Per-example or per-episode results often arrive as a list of trees with the same structure, while
# `jax.vmap` and `jax.lax.scan` want the opposite layout: **one** tree whose leaves carry a leading axis.
#
# ```python
# >>> stacked = {"x": jnp.arange(6.0).reshape(3, 2)}    # three examples, stacked
# >>> jax.vmap(lambda example: example["x"].sum())(stacked)
# Array([1., 5., 9.], dtype=float32)
# >>> total, _ = jax.lax.scan(lambda total, example: (total + example["x"].sum(), None), 0.0, stacked)
# >>> total
# Array(15., dtype=float32)
# ```
#
# Careful: a list of trees is itself a pytree, with the list as its root. A function that takes "a tree"
# sees the list as one tree and walks into it:
#
# ```python
# >>> jax.tree.structure([{"x": jnp.ones(2)}, {"x": jnp.zeros(2)}])
# PyTreeDef([{'x': *}, {'x': *}])
# ```

# %%
def stack_trees(trees: list):
    """Task pytrees.stack_trees: turn a list of same-structured trees into one tree of stacked arrays.

    Args:
        trees: a non-empty list of pytrees (a list of one tree is allowed) with identical structure (dicts
            with string keys, lists, tuples, NamedTuples, ``None``, empty containers) whose matching leaves
            are arrays of the same shape and dtype (float32, int32 ..., 0-d included).

    Returns:
        One tree with the structure of ``trees[0]`` whose leaf at each position is the leaves at that position
        stacked in list order along a new leading axis: shape ``(len(trees), *leaf.shape)``, the leaves' dtype.
        It must work eagerly and under ``jax.jit`` (``jax.jit(stack_trees)(trees)``). Do not modify ``trees``
        (neither the list nor the trees in it).
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
    assert len(trees) == 3, "stack_trees changed the list it was given"


def test_stack_trees_single_tree_under_jit():
    stacked = jax.jit(stack_trees)([{"x": jnp.arange(3, dtype=jnp.int32)}])
    assert stacked["x"].shape == (1, 3) and stacked["x"].dtype == jnp.int32, (
        f"jax.jit(stack_trees)([{{'x': int32 array of shape (3,)}}]) gave {stacked['x'].dtype}{stacked['x'].shape}, "
        "expected int32 of shape (1, 3)")


# %%
if __name__ == "__main__":
    try:
        demo = {"dense": Affine(w=jnp.ones((2, 3)), b=jnp.zeros(3)), "head": [jnp.ones(3), None]}
        print(jax.tree.structure(demo))
        print(tree_stats(demo))
        print(decay_mask(demo))
    except NotImplementedError:
        print("Finish tree_stats and decay_mask to see a summary of a small parameter tree here.")
