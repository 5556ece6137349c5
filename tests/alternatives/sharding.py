"""Correct-but-different solutions for topic `sharding`: every hidden check must accept them.

Each function overrides the reference's (the self-check appends this file to solutions/sharding.py), so the
checks are shown to test behaviour, not the reference's incidental choices.
"""
import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.sharding import NamedSharding, PartitionSpec as P


def layout_of(x):
    # Block shape and copies worked out by hand from the axis sizes; the spec normalised through a tuple.
    sharding = jax.typeof(x).sharding
    sizes = dict(zip(sharding.mesh.axis_names, sharding.mesh.axis_sizes))
    shape = tuple(np.shape(x))
    entries = tuple(sharding.spec) + (None,) * (len(shape) - len(sharding.spec))
    spec = []
    for entry in entries:
        names = () if entry is None else (entry,) if type(entry) is str else tuple(entry)
        spec.append(list(names))
    block = [dim // math.prod(sizes[name] for name in names) for dim, names in zip(shape, spec)]
    split = math.prod(sizes[name] for names in spec for name in names)
    return {"spec": spec, "copies": math.prod(sizes.values()) // split, "shard_shape": block,
            "mesh": [[str(name), int(size)] for name, size in sizes.items()]}


def place_mlp(mesh, params, x):
    # Bare PartitionSpecs under jax.set_mesh, trailing Nones spelled out, one device_put per leaf.
    specs = {"w1": P(None, "model"), "b1": P("model"), "w2": P("model", None), "b2": P(None)}
    with jax.set_mesh(mesh):
        placed = {name: jax.device_put(jnp.asarray(params[name]), spec) for name, spec in specs.items()}
        return placed, jax.device_put(jnp.asarray(x), P("data", None))


def data_parallel_step(mesh, params, x, y, lr):
    # jit with in_shardings/out_shardings instead of device_put; the gradient written out by hand.
    rows = NamedSharding(mesh, P("data"))
    everywhere = NamedSharding(mesh, P())

    @partial(jax.jit, in_shardings=(everywhere, rows, rows), out_shardings=(everywhere, rows))
    def step(p, features, targets):
        residual = features @ p["w"] + p["b"] - targets
        count = targets.shape[0]
        grads = {"w": 2 * residual @ features / count, "b": 2 * jnp.sum(residual) / count}
        return {"w": p["w"] - lr * grads["w"], "b": p["b"] - lr * grads["b"]}, residual ** 2

    return step(params, x, y)


def tp_mlp_forward(params, x):
    # The Megatron layer by hand: shard_map over the current mesh, psum over "model", b2 added after the sum.
    def local(w1, b1, w2, rows):
        hidden = jax.nn.relu(rows @ w1 + b1)
        return lax.psum(jnp.einsum("bh,ho->bo", hidden, w2), "model")

    summed = jax.shard_map(local, in_specs=(P(None, "model"), P("model"), P("model", None), P("data", None)),
                           out_specs=P("data", None))(params["w1"], params["b1"], params["w2"], x)
    return summed + params["b2"]


def pmap_on_mesh(f, mesh, in_axes):
    # Unmapped arguments become copies along the mapped axis (so they vary and their gradients are not summed),
    # and check_vma stays on; specs given as bare PartitionSpecs under jax.set_mesh.
    axis = mesh.axis_names[0]
    n = mesh.devices.size

    def per_device(*blocks):
        return jax.tree.map(lambda leaf: leaf[None], f(*jax.tree.map(lambda leaf: leaf[0], blocks)))

    mapped = jax.jit(jax.shard_map(per_device, mesh=mesh, in_specs=P(axis), out_specs=P(axis)))

    def g(*args):
        stacked = [arg if mapped_axis == 0 else jax.tree.map(lambda leaf: np.stack([np.asarray(leaf)] * n), arg)
                   for arg, mapped_axis in zip(args, in_axes)]
        with jax.set_mesh(mesh):
            return mapped(*jax.device_put(stacked, P(axis)))

    return g


def ring_all_reduce(x, axis_name):
    # The ring the other way round (to the previous device), in lax.fori_loops, chunks moved with dynamic slices.
    n = lax.axis_size(axis_name)
    me = lax.axis_index(axis_name)
    size = x.shape[0] // n
    to_previous = [(i, (i - 1) % n) for i in range(n)]

    def chunk(index):
        return lax.dynamic_slice_in_dim(x, (index % n) * size, size)

    def reduce_step(step, partial_sum):
        return lax.ppermute(partial_sum, axis_name, to_previous) + chunk(me + step)

    owned = lax.fori_loop(1, n, reduce_step, chunk(me))  # the full sum of chunk (me + n - 1) mod n
    out = lax.dynamic_update_slice_in_dim(jnp.zeros_like(x), owned, ((me + n - 1) % n) * size, 0)

    def gather_step(step, carry):
        moving, result = carry
        moving = lax.ppermute(moving, axis_name, to_previous)
        return moving, lax.dynamic_update_slice_in_dim(result, moving, ((me + n - 1 + step) % n) * size, 0)

    return lax.fori_loop(1, n, gather_step, (owned, out))[1]


def zero_momentum_step(params, grads, momentum, lr, beta, axis_name):
    # Untiled collectives on a (n, rows, C) view; the mean as a multiplication by 1 / n.
    n = lax.axis_size(axis_name)
    rows, cols = momentum.shape
    blocks = grads.reshape(n, rows, cols)
    mine = lax.psum_scatter(blocks, axis_name, scatter_dimension=0, tiled=False) * (1.0 / n)
    new_momentum = momentum * beta + mine
    updated = params.reshape(n, rows, cols)[lax.axis_index(axis_name)] - lr * new_momentum
    return lax.all_gather(updated, axis_name, axis=0).reshape(params.shape), new_momentum
