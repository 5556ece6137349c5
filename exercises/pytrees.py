# Generated from solutions/pytrees.py (sha256 c4a3eb36facf) by `python -m autograder build`. Do not edit: edit the master and rebuild.
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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


# %%
if __name__ == "__main__":
    try:
        demo = {"dense": Affine(w=jnp.ones((2, 3)), b=jnp.zeros(3)), "head": [jnp.ones(3), None]}
        print(jax.tree.structure(demo))
        print(tree_stats(demo))
        print(decay_mask(demo))
    except NotImplementedError:
        print("Finish tree_stats and decay_mask to see a summary of a small parameter tree here.")
