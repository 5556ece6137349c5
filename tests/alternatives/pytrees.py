"""Correct-but-different solutions for topic `pytrees`: every hidden check must accept them.

Each function overrides the reference's (the self-check appends this file to solutions/pytrees.py), so the
checks are shown to test behaviour, not the reference's incidental choices.
"""
import jax
import jax.numpy as jnp
import numpy as np


def tree_stats(tree):
    # One concatenated vector and jnp.linalg.norm; jax.tree.reduce for the counts.
    leaves = jax.tree.leaves(tree)
    if not leaves:
        return {"num_leaves": 0, "num_params": 0, "global_norm": jnp.zeros((), jnp.float32)}
    vector = jnp.concatenate([jnp.ravel(jnp.asarray(leaf, jnp.float32)) for leaf in leaves])
    num_params = jax.tree.reduce(lambda total, leaf: total + np.size(leaf), tree, 0)
    return {"num_leaves": len(leaves), "num_params": int(num_params), "global_norm": jnp.linalg.norm(vector)}


def ravel_tree(tree):
    # jnp.split at static cut points and the treedef's own unflatten method.
    leaves, treedef = jax.tree.flatten(tree)
    shapes = [np.shape(leaf) for leaf in leaves]
    cuts = np.cumsum([int(np.prod(shape, dtype=int)) for shape in shapes])[:-1].tolist()
    flat = jnp.concatenate([jnp.reshape(leaf, -1) for leaf in leaves])

    def unravel(vector):
        pieces = jnp.split(vector, cuts)
        return treedef.unflatten([jnp.reshape(piece, shape) for piece, shape in zip(pieces, shapes)])

    return flat, unravel


def momentum_update(params, grads, velocity, lr, beta):
    # Flatten all three trees by hand and unflatten with params' treedef.
    leaves, treedef = jax.tree.flatten(params)
    grad_leaves = treedef.flatten_up_to(grads)
    velocity_leaves = treedef.flatten_up_to(velocity)
    new_velocity = [beta * v + g for v, g in zip(velocity_leaves, grad_leaves)]
    new_params = [p - lr * v for p, v in zip(leaves, new_velocity)]
    return jax.tree.unflatten(treedef, new_params), jax.tree.unflatten(treedef, new_velocity)


def mlp_loss(params, x, y):
    # Index-based loop; mean written as sum / size.
    h = x
    for index, layer in enumerate(params):
        h = jnp.dot(h, layer["w"]) + layer["b"]
        if index < len(params) - 1:
            h = jnp.tanh(h)
    error = h - y
    return jnp.sum(error * error) / error.size


def decay_mask(params):
    # flatten_with_path and isinstance on the key classes, then unflatten.
    tu = jax.tree_util
    pairs, treedef = jax.tree.flatten_with_path(params)
    marks = []
    for path, _ in pairs:
        last = path[-1] if path else None
        if isinstance(last, tu.DictKey):
            marks.append(last.key in ("w", "kernel"))
        elif isinstance(last, tu.GetAttrKey):
            marks.append(last.name in ("w", "kernel"))
        else:
            marks.append(False)
    return jax.tree.unflatten(treedef, marks)


def zeros_from_shapes(shapes):
    # Rule out NamedTuples by their _fields attribute; build with numpy and convert.
    def is_shape(node):
        return isinstance(node, tuple) and not hasattr(node, "_fields")

    return jax.tree.map(lambda shape: jnp.asarray(np.zeros(shape, np.float32)), shapes, is_leaf=is_shape)


def stack_trees(trees):
    # Leaves of every tree, zipped position by position, unflattened into the first tree's structure.
    treedef = jax.tree.structure(trees[0])
    columns = zip(*(treedef.flatten_up_to(tree) for tree in trees))
    return jax.tree.unflatten(treedef, [jnp.stack(column) for column in columns])
