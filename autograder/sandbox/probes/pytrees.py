"""Probes for topic `pytrees`. Each returns plain data; the verdicts live in autograder/grading/checks.

Trees are described as plain data: ``str(jax.tree.structure(t))`` for the structure and ``{keystr(path):
leaf}`` dicts (or lists) for the leaves, so a verdict can name the leaf path that differs.
"""
from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

keystr = jax.tree_util.keystr


class Pair(NamedTuple):
    w: object
    b: object


def _a(rng, *shape, scale=1.0):
    return jnp.asarray((rng.normal(size=shape) * scale).astype(np.float32))


def _random_tree(rng):
    """Dict keys inserted out of sorted order, None, empty subtrees, a tuple, a list and a NamedTuple."""
    return {
        "zeta": {"w": _a(rng, 3, 2), "b": _a(rng, 2)},
        "alpha": [_a(rng, 4), (_a(rng, 2, 2), None), []],
        "mid": Pair(w=_a(rng, 3), b=_a(rng)),
        "empty": {},
        "none": None,
    }


def _structure(tree) -> str:
    return str(jax.tree.structure(tree))


def _by_path(tree) -> dict:
    return {keystr(path): leaf for path, leaf in jax.tree.flatten_with_path(tree)[0]}


def _snapshot(tree):
    """What a caller still holds: the structure and the identity of the leaf at every path."""
    return [_structure(tree), [(keystr(path), id(leaf)) for path, leaf in jax.tree.flatten_with_path(tree)[0]]]


def _number(value):
    try:
        return float(np.asarray(value)) if np.size(value) == 1 else repr(value)[:80]
    except Exception:  # noqa: BLE001
        return repr(value)[:80]


# ------------------------------------------------------------------------------------------------ tree_stats
def tree_stats_values(impl, rng):
    """tree_stats counts leaves and elements and takes the global norm of trees with None, empty containers and NamedTuples"""
    trees = {
        "mixed": _random_tree(rng),
        "nested_lists": [[_a(rng, 2, 3)], [], [None, [_a(rng, 5)]]],
        "no_leaves": {"a": None, "b": [], "c": ({}, ())},
        "single_array": _a(rng, 4, 2),
    }
    out = {}
    for name, tree in trees.items():
        stats = impl.tree_stats(tree)
        out[name] = {"num_leaves": _number(stats["num_leaves"]), "num_params": _number(stats["num_params"]),
                     "global_norm": _number(stats["global_norm"])}
    jitted = jax.jit(lambda t: impl.tree_stats(t)["global_norm"])(trees["mixed"])
    out["jit_global_norm"] = _number(jitted)
    return out


# ------------------------------------------------------------------------------------------------ ravel_tree
def ravel_round_trip(impl, rng):
    """ravel_tree flattens a tree in jax.tree.leaves order and unravel rebuilds its structure, eagerly and under jit"""
    tree = _random_tree(rng)
    before = _snapshot(tree)
    flat, unravel = impl.ravel_tree(tree)
    flat = jnp.asarray(flat)
    other = jnp.asarray(rng.normal(size=flat.shape).astype(np.float32))
    back, moved = unravel(flat), unravel(other)
    jitted = jax.jit(unravel)(other)
    return {"flat": flat, "input_structure": _structure(tree), "structure": _structure(back),
            "rebuilt": jax.tree.leaves(back), "from_other_vector": jax.tree.leaves(moved),
            "under_jit": jax.tree.leaves(jitted), "input_intact": _snapshot(tree) == before}


# ------------------------------------------------------------------------------------------- momentum_update
def momentum_step(impl, rng):
    """momentum_update updates random parameter trees (with None, empty subtrees, tuples and NamedTuples) without touching its inputs"""
    params, grads, velocity = _random_tree(rng), _random_tree(rng), _random_tree(rng)
    lr, beta = float(np.float32(rng.uniform(0.01, 0.5))), float(np.float32(rng.uniform(0.5, 0.95)))
    snapshots = [_snapshot(t) for t in (params, grads, velocity)]
    new_params, new_velocity = impl.momentum_update(params, grads, velocity, lr, beta)
    intact = [_snapshot(t) == s for t, s in zip((params, grads, velocity), snapshots)]
    jit_params, jit_velocity = jax.jit(lambda p, g, v: impl.momentum_update(p, g, v, lr, beta))(params, grads, velocity)
    return {"inputs_intact": dict(zip(("params", "grads", "velocity"), intact)),
            "input_structure": _structure(params),
            "structures": {"new_params": _structure(new_params), "new_velocity": _structure(new_velocity)},
            "values": {"new_params": _by_path(new_params), "new_velocity": _by_path(new_velocity),
                       "jit_new_params": _by_path(jit_params), "jit_new_velocity": _by_path(jit_velocity)}}


# ---------------------------------------------------------------------------------------------------- mlp_loss
def _mlp(rng, sizes):
    return [{"w": _a(rng, d_in, d_out, scale=0.7), "b": _a(rng, d_out, scale=0.2)}
            for d_in, d_out in zip(sizes[:-1], sizes[1:])]


def mlp_loss_and_grads(impl, rng):
    """jax.grad(mlp_loss) on random 3-layer and 1-layer MLPs matches jax.grad of the reference loss, structure included"""
    out = {}
    for name, sizes in (("three_layers", [3, 5, 4, 2]), ("one_layer", [3, 2])):
        params = _mlp(rng, sizes)
        x, y = _a(rng, 6, sizes[0]), _a(rng, 6, sizes[-1])
        loss, grads = jax.value_and_grad(impl.mlp_loss)(params, x, y)
        out[name] = {"loss": loss, "params_structure": _structure(params), "grads_structure": _structure(grads),
                     "grads": _by_path(grads)}
    return out


# -------------------------------------------------------------------------------------------------- decay_mask
def _as_bool(leaf):
    if type(leaf) is bool:
        return leaf
    try:
        array = np.asarray(leaf)
    except Exception:  # noqa: BLE001
        return f"a {type(leaf).__name__}"
    if array.dtype == np.bool_ and array.size == 1:
        return bool(array)
    return f"a {type(leaf).__name__} of dtype {array.dtype} and shape {array.shape}"


def decay_mask_paths(impl, rng):
    """decay_mask marks exactly the leaves named "w" or "kernel" in a deep tree of dicts, lists, tuples and NamedTuples"""
    parts = {
        "encoder": [{"w": _a(rng, 2, 2), "b": _a(rng, 2)}, Pair(w=_a(rng, 3), b=_a(rng, 1))],
        "kernel": _a(rng, 2),
        "norm": {"w_scale": _a(rng, 2), "wide": {"b": _a(rng, 1), "kernel": _a(rng, 1)}},
        "head": (_a(rng, 2), {"w": _a(rng, 1), "bw": _a(rng, 1)}),
        "skip": None,
        "w": [_a(rng, 1)],
    }
    order = list(parts)
    rng.shuffle(order)  # the insertion order must not matter
    params = {key: parts[key] for key in order}
    mask = impl.decay_mask(params)
    return {"input_structure": _structure(params), "structure": _structure(mask),
            "mask": {keystr(path): _as_bool(leaf) for path, leaf in jax.tree.flatten_with_path(mask)[0]}}


# ------------------------------------------------------------------------------------------- zeros_from_shapes
def _describe_arrays(tree):
    leaves = []
    for path, leaf in jax.tree.flatten_with_path(tree)[0]:
        try:
            array = np.asarray(leaf)
            leaves.append({"path": keystr(path), "shape": list(array.shape), "dtype": str(array.dtype),
                           "all_zero": bool(array.size == 0 or not array.any())})
        except Exception:  # noqa: BLE001
            leaves.append({"path": keystr(path), "shape": None, "dtype": type(leaf).__name__, "all_zero": False})
    return {"structure": _structure(tree), "leaves": leaves}


def _shape(rng):
    return tuple(int(d) for d in rng.integers(1, 5, size=int(rng.integers(1, 3))))


def zeros_plain_tree(impl, rng):
    """zeros_from_shapes builds one float32 zero array per shape tuple in a tree of dicts and lists"""
    shapes = {"dense": {"w": _shape(rng), "b": _shape(rng)}, "layers": [_shape(rng), ()], "scale": ()}
    return _describe_arrays(impl.zeros_from_shapes(shapes))


def zeros_namedtuple_tree(impl, rng):
    """zeros_from_shapes treats a NamedTuple of shapes as a container"""
    shapes = {"affine": Pair(w=_shape(rng), b=_shape(rng)), "bias": _shape(rng)}
    try:
        return {"error": None, **_describe_arrays(impl.zeros_from_shapes(shapes))}
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - the classic mistake raises here; report it as data
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"}


# ------------------------------------------------------------------------------------------------ stack_trees
def stack_values(impl, rng):
    """stack_trees stacks three random trees (with None, empty subtrees, tuples and NamedTuples) leaf by leaf, eagerly and under jit"""
    trees = [_random_tree(rng) for _ in range(3)]
    before = [_snapshot(t) for t in trees]
    stacked = impl.stack_trees(trees)
    intact = len(trees) == 3 and all(_snapshot(t) == s for t, s in zip(trees, before))
    jitted = jax.jit(impl.stack_trees)(trees)
    return {"input_intact": intact, "input_structure": _structure(trees[0]), "structure": _structure(stacked),
            "stacked": _by_path(stacked), "jit": _by_path(jitted)}
