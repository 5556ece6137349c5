"""Probes for topic `pytrees`. The verdicts live in autograder/grading/checks/test_pytrees.py.

Each probe draws every argument the student's function receives from ``rng`` and puts every edge case the
docstring names into every run: dict keys inserted out of sorted order, ``None``, empty dicts, lists and
tuples, tuples, NamedTuples, 0-d leaves, a lone array. Trees travel as plain data: ``described(tree)`` is
``{"structure": str(jax.tree.structure(tree)), "leaves": {keystr(path): leaf}}``, so a verdict can name the
leaf path that differs. ``out`` holds only what the student's functions returned; ``report`` what only code
beside them can see (types, mutated inputs, forbidden calls); ``given`` the inputs the probe drew.
"""
from __future__ import annotations

from typing import NamedTuple

import jax
import jax.flatten_util
import jax.numpy as jnp
import numpy as np

from autograder.sandbox.probing import forbidden, result, type_name

keystr = jax.tree_util.keystr

# Dict keys of the random trees; every tree uses some of them in an order that is not sorted.
_KEYS = ("zeta", "alpha", "mid", "encoder", "head", "norm", "skip", "embed", "blocks", "out")


class Pair(NamedTuple):
    w: object
    b: object


class Dense(NamedTuple):
    kernel: object
    bias: object


class _Spec:
    """A leaf to be drawn: shape, dtype, and whether it is a NumPy array. Not a pytree node, so a leaf."""

    def __init__(self, shape, dtype="float32", numpy=False):
        self.shape, self.dtype, self.numpy = tuple(shape), dtype, numpy


def _dim(rng, low=1, high=5):
    return int(rng.integers(low, high))


def _a(rng, *shape, scale=1.0):
    return jnp.asarray((rng.normal(size=shape) * scale).astype(np.float32))


def _unsorted(names):
    """The names in an order that is never sorted (a random order, rotated when it happens to be sorted)."""
    names = list(names)
    return names[1:] + names[:1] if names == sorted(names) else names


def skeleton(rng, *, numpy_leaf=False, int_leaf=False):
    """A random tree of leaf specs holding, every time: a nested dict whose keys are inserted out of sorted order,
    a list holding a tuple, None and an empty list, a NamedTuple with a 0-d leaf, an empty dict and None."""
    m, n = _dim(rng, 2, 5), _dim(rng, 2, 5)
    parts = [
        {"w": _Spec((m, n)), "b": _Spec((n,))},  # w inserted before b: insertion order is not sorted order
        [_Spec((_dim(rng),), "int32" if int_leaf else "float32"),
         (_Spec((_dim(rng, 2), _dim(rng, 2)), numpy=numpy_leaf), None), []],
        Pair(w=_Spec((_dim(rng, 2),)), b=_Spec(())),
        {},
        None,
    ]
    keys = _unsorted(rng.choice(_KEYS, size=len(parts), replace=False).tolist())
    return dict(zip(keys, parts))


def fill(spec, rng, scale=1.0):
    """Draw every leaf of a skeleton, keeping each dict's insertion order (jax.tree.map would sort the keys)."""
    if isinstance(spec, _Spec):
        if spec.dtype == "int32":
            value = rng.integers(-20, 20, size=spec.shape).astype(np.int32)
        else:
            value = (rng.normal(size=spec.shape) * scale).astype(np.float32)
        return value if spec.numpy else jnp.asarray(value)
    if isinstance(spec, dict):
        return {key: fill(value, rng, scale) for key, value in spec.items()}
    if isinstance(spec, Pair):
        return Pair(*(fill(value, rng, scale) for value in spec))
    if isinstance(spec, (list, tuple)):
        return type(spec)(fill(value, rng, scale) for value in spec)
    return spec  # None


def structure(tree) -> str:
    return str(jax.tree.structure(tree))


def by_path(tree) -> dict:
    return {keystr(path): leaf for path, leaf in jax.tree.flatten_with_path(tree)[0]}


def described(tree) -> dict:
    return {"structure": structure(tree), "leaves": by_path(tree)}


def snapshot(tree):
    """What a caller still holds: the structure and the identity of the leaf at every path."""
    return [structure(tree), [(keystr(path), id(leaf)) for path, leaf in jax.tree.flatten_with_path(tree)[0]]]


def leaf_types(tree) -> dict:
    return {keystr(path): type_name(leaf) for path, leaf in jax.tree.flatten_with_path(tree)[0]}


def _insertion_order_leaves(tree) -> list:
    """The leaves as a hand-written walk over dict.values() meets them (not jax.tree.leaves order)."""
    if tree is None:
        return []
    if isinstance(tree, dict):
        return [leaf for value in tree.values() for leaf in _insertion_order_leaves(value)]
    if isinstance(tree, (list, tuple)):
        return [leaf for value in tree for leaf in _insertion_order_leaves(value)]
    return [tree]


# ------------------------------------------------------------------------------------------------ tree_stats
def _stats_trees(rng) -> dict:
    return {
        "mixed": fill(skeleton(rng, numpy_leaf=True), rng),
        "nested_lists": [[_a(rng, 2, _dim(rng, 2))], [], [None, [_a(rng, _dim(rng))], ()]],
        "no_leaves": {"a": None, "b": [], "c": ({}, ()), "d": Pair(w=None, b=None)},
        "lone_array": _a(rng, _dim(rng, 2), _dim(rng, 2)),
        "lone_scalar": _a(rng),
    }


def tree_stats_values(impl, rng):
    """tree_stats counts leaves and elements and takes the global norm of trees with None, empty containers,
    tuples, NamedTuples, NumPy and 0-d leaves, of a lone array, a lone scalar and a tree with no leaves"""
    trees = _stats_trees(rng)
    out, types = {}, {}
    for name, tree in trees.items():
        stats = impl.tree_stats(tree)
        out[name] = stats
        types[name] = {key: type_name(value) for key, value in stats.items()} if isinstance(stats, dict) \
            else type_name(stats)
    leaf_norms = {name: [float(np.sqrt(np.sum(np.square(np.asarray(leaf, np.float64))))) for leaf in
                         jax.tree.leaves(tree)] for name, tree in trees.items()}
    return result(out=out, report={"types": types}, given={"leaf_norms": leaf_norms})


def tree_stats_under_jit(impl, rng):
    """jax.jit(lambda t: tree_stats(t)["global_norm"]) works on a tree with None, empty containers, tuples and
    NamedTuples, and on a tree with no leaves"""
    norm = jax.jit(lambda tree: impl.tree_stats(tree)["global_norm"])
    return result(out={"mixed": norm(fill(skeleton(rng), rng)),
                       "no_leaves": norm({"a": None, "b": [{}], "c": ()})})


# ------------------------------------------------------------------------------------------------ ravel_tree
def ravel_round_trip(impl, rng):
    """ravel_tree flattens a tree (dict keys inserted out of sorted order, None, empty containers, a tuple, a
    NamedTuple, a 0-d leaf) and a lone array in jax.tree.leaves order, and unravel rebuilds them from any vector,
    eagerly and under jax.jit"""
    tree = fill(skeleton(rng), rng)
    lone = _a(rng, _dim(rng, 2), _dim(rng, 2))
    before = snapshot(tree)
    with forbidden(impl, jax.flatten_util, ("ravel_pytree",), "jax.flatten_util") as calls:
        flat, unravel = impl.ravel_tree(tree)
        lone_flat, lone_unravel = impl.ravel_tree(lone)
    intact = snapshot(tree) == before
    size = sum(int(np.size(leaf)) for leaf in jax.tree.leaves(tree))
    other = jnp.asarray(rng.normal(size=size).astype(np.float32))
    lone_other = jnp.asarray(rng.normal(size=lone.size).astype(np.float32))
    out = {"flat": flat,
           "rebuilt": described(unravel(flat)),
           "other": described(unravel(other)),
           "other_jit": described(jax.jit(unravel)(other)),
           "lone_flat": lone_flat,
           "lone_other_jit": described(jax.jit(lone_unravel)(lone_other))}
    insertion = np.concatenate([np.ravel(np.asarray(leaf)) for leaf in _insertion_order_leaves(tree)])
    return result(out=out, report={"input_intact": intact, "forbidden": sorted(set(calls))},
                  given={"size": size, "lone_shape": list(lone.shape), "insertion_order_flat": insertion,
                         "structure": structure(tree)})


# ------------------------------------------------------------------------------------------- momentum_update
def _settings(rng) -> tuple[float, float]:
    """lr and beta from disjoint ranges, so that swapping them never passes."""
    return float(np.float32(rng.uniform(0.02, 0.3))), float(np.float32(rng.uniform(0.55, 0.95)))


def momentum_steps(impl, rng):
    """momentum_update steps random parameter trees (None, empty containers, tuples, NamedTuples, 0-d leaves)
    eagerly with two different (lr, beta) and under jax.jit with a third, without modifying its inputs"""
    spec = skeleton(rng)
    params, grads, velocity = fill(spec, rng), fill(spec, rng), fill(spec, rng, scale=0.5)
    settings = [_settings(rng) for _ in range(3)]
    inputs = (params, grads, velocity)
    before = [snapshot(tree) for tree in inputs]
    out = {}
    for name, (lr, beta) in zip(("eager_1", "eager_2"), settings):
        new_params, new_velocity = impl.momentum_update(params, grads, velocity, lr, beta)
        out[name] = {"new_params": described(new_params), "new_velocity": described(new_velocity)}
    intact = {name: snapshot(tree) == shot for name, tree, shot in zip(("params", "grads", "velocity"), inputs, before)}
    lr, beta = settings[2]
    new_params, new_velocity = jax.jit(lambda p, g, v: impl.momentum_update(p, g, v, lr, beta))(*inputs)
    out["jit"] = {"new_params": described(new_params), "new_velocity": described(new_velocity)}
    return result(out=out, report={"inputs_intact": intact},
                  given={"settings": [list(s) for s in settings], "structure": structure(params),
                         "params": by_path(params), "grads": by_path(grads), "velocity": by_path(velocity)})


# ---------------------------------------------------------------------------------------------------- mlp_loss
def _mlp(rng, sizes):
    return [{"w": _a(rng, d_in, d_out, scale=0.8), "b": _a(rng, d_out, scale=0.3)}
            for d_in, d_out in zip(sizes[:-1], sizes[1:])]


def mlp_loss_values(impl, rng):
    """mlp_loss works eagerly and under jax.jit(jax.value_and_grad(mlp_loss)) on random MLPs of 1, 2 and 3 or 4
    layers"""
    out, types, given = {}, {}, {}
    value_and_grad = jax.jit(jax.value_and_grad(impl.mlp_loss))
    for name, depth in (("one_layer", 1), ("two_layers", 2), ("deep", _dim(rng, 3, 5))):
        sizes = [_dim(rng, 2, 5) for _ in range(depth)] + [_dim(rng, 2, 4)]
        params = _mlp(rng, sizes)
        n = _dim(rng, 3, 8)
        x, y = _a(rng, n, sizes[0]), _a(rng, n, sizes[-1], scale=2.0)
        value, grads = value_and_grad(params, x, y)
        out[name] = {"value": value, "grads": described(grads)}
        given[name] = {"sizes": sizes, "n": n}
        if name == "two_layers":  # one eager call: what a plain call returns (its type, its value)
            loss = impl.mlp_loss(params, x, y)
            out[name]["loss"], types[name] = loss, type_name(loss)
    return result(out=out, report={"types": types}, given=given)


# -------------------------------------------------------------------------------------------------- decay_mask
def _decay_params(rng) -> dict:
    """Every kind of last key-path entry, look-alike names, None and empty containers, in a random order."""
    a = lambda: _a(rng, _dim(rng))  # noqa: E731
    parts = {
        "encoder": [{"w": _a(rng, 2, 2), "b": a()}, Pair(w=a(), b=a()), Dense(kernel=a(), bias=a())],
        "kernel": a(),
        "norm": {"w_scale": a(), "bw": a(), "W": a(), "kernels": a(), "wide": {"b": a(), "kernel": a()}},
        "head": (a(), {"w": a(), "b": None}),
        "w": [a(), {"b": a()}],
        "kernel_pair": Pair(w=None, b=a()),
        "skip": None,
        "empty": {},
        "blocks": [Dense(kernel=Pair(w=a(), b=a()), bias=a()), []],
    }
    order = list(parts)
    rng.shuffle(order)
    return {key: parts[key] for key in _unsorted(order)}


def decay_mask_values(impl, rng):
    """decay_mask marks exactly the leaves whose last key-path entry is "w" or "kernel" (dict keys and NamedTuple
    fields) in a deep tree with lists, tuples, None, empty containers and look-alike names, in a list of layers,
    and for a lone array"""
    params = _decay_params(rng)
    layers = [{"w": _a(rng, 3, 2), "b": _a(rng, 2)} for _ in range(_dim(rng, 1, 4))]
    layers.append(Dense(kernel=_a(rng, 2, 2), bias=_a(rng, 2)))
    lone = _a(rng, _dim(rng, 2), 2)
    masks = {"tree": impl.decay_mask(params), "layers": impl.decay_mask(layers), "lone": impl.decay_mask(lone)}
    return result(out={name: described(mask) for name, mask in masks.items()},
                  report={"types": {name: leaf_types(mask) for name, mask in masks.items()}},
                  given={"structures": {"tree": structure(params), "layers": structure(layers),
                                        "lone": structure(lone)}})


# ------------------------------------------------------------------------------------------- zeros_from_shapes
def _shape(rng):
    return tuple(_dim(rng) for _ in range(_dim(rng, 1, 4)))


def _zeros_call(impl, shapes):
    zeros = impl.zeros_from_shapes(shapes)
    # The structure the shapes have when their ints are taken for leaves: what the tuple trap returns.
    return (described(zeros), leaf_types(zeros), structure(shapes))


def zeros_plain_tree(impl, rng):
    """zeros_from_shapes builds one float32 zero array per shape in a tree of dicts and lists (the scalar shape ()
    included)"""
    shapes = {"dense": {"w": _shape(rng), "b": (_dim(rng),)}, "layers": [_shape(rng), (), [_shape(rng)]],
              "scale": ()}
    zeros, types, as_ints = _zeros_call(impl, shapes)
    return result(out=zeros, report={"types": types}, given={"ints_as_leaves": as_ints})


def zeros_namedtuple_tree(impl, rng):
    """zeros_from_shapes treats a NamedTuple of shapes as a container and builds one float32 zero array per shape"""
    shapes = {"affine": Pair(w=_shape(rng), b=(_dim(rng),)), "bias": _shape(rng),
              "stack": [Pair(w=(), b=_shape(rng)), Dense(kernel=(_dim(rng), _dim(rng)), bias=())]}
    zeros, types, as_ints = _zeros_call(impl, shapes)
    return result(out=zeros, report={"types": types}, given={"ints_as_leaves": as_ints})


# ------------------------------------------------------------------------------------------------ stack_trees
def stack_values(impl, rng):
    """stack_trees stacks a list of several trees and a list of one tree (None, empty containers, tuples,
    NamedTuples, 0-d and int32 leaves) along a new leading axis, eagerly and under jax.jit, without modifying
    the list"""
    count = _dim(rng, 2, 6)
    spec = skeleton(rng, int_leaf=True)
    trees = [fill(spec, rng) for _ in range(count)]
    single = [fill(skeleton(rng, int_leaf=True), rng)]
    kept, before = list(trees), [snapshot(tree) for tree in trees]
    several = impl.stack_trees(trees)
    intact = len(trees) == count and all(t is k for t, k in zip(trees, kept)) \
        and [snapshot(tree) for tree in kept] == before
    one = impl.stack_trees(list(single))
    stack = jax.jit(impl.stack_trees)
    out = {"several": described(several), "single": described(one),
           "several_jit": described(stack(list(kept))), "single_jit": described(stack(list(single)))}
    return result(out=out, report={"input_intact": intact},
                  given={"count": count, "structures": {"several": structure(kept[0]), "single": structure(single[0])},
                         "list_structures": {"several": structure(kept), "single": structure(single)}})
