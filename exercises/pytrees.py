# Generated from solutions/pytrees.py (sha256 f8ecb12fa11a) by `python -m autograder build`. Do not edit: edit the master and rebuild.
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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
