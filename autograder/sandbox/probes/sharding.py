"""Probes for topic `sharding`. The verdicts live in autograder/grading/checks/test_sharding.py.

Every process of the kit runs with 4 simulated CPU devices (XLA_FLAGS). Arrays go on meshes of shape (2, 2),
(4, 1), (1, 4) and 1-D meshes of 1 to 4 devices; per-device functions also run under a jitted ``jax.vmap`` with
axis sizes 1 and 3, so a device count written into a solution shows. A layout is not plain data, so a probe
sends, for every array a student's function returned, its value *and* the block each device holds (by device
id): the blocks are what the student's layout put there, and they earn points only by equalling the
reference's. Compiled-program texts and jaxprs are read here and sent as reports (kinds of collective,
primitives used), which only take points away. Each probe draws every argument from ``rng``, puts every edge
case its docstring names in every run, and keeps the number of distinct compiled programs small.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import NamedSharding, PartitionSpec as P

from autograder.sandbox.probing import mesh_key, primitive_names, result, shard_map_meshes, type_name

COLLECTIVE_KINDS = ("all-gather", "all-reduce", "all-to-all", "collective-permute", "reduce-scatter")
# Collective primitives other than ppermute (names inside shard_map jaxprs).
OTHER_COLLECTIVES = ("psum", "psum_invariant", "pmax", "pmin", "all_gather", "all_gather_invariant", "reduce_scatter",
                     "all_to_all", "pbroadcast", "ragged_all_to_all")
NAME_PAIRS = (("data", "model"), ("rows", "cols"), ("dp", "tp"), ("x", "y"))
LINE_NAMES = ("batch", "devices", "ring", "i", "shards")


def _floats(rng, *shape, scale=1.0):
    return (rng.normal(size=shape) * scale).astype(np.float32)


def _collectives(compiled_text: str) -> list[str]:
    return [kind for kind in COLLECTIVE_KINDS if kind in compiled_text]


def _layout(value):
    """A returned array as plain data: its value, and for a jax.Array the block each device holds (by device id)."""
    if not isinstance(value, jax.Array):
        return {"value": value, "shards": None, "devices": None}
    shards = sorted(value.addressable_shards, key=lambda shard: shard.device.id)
    return {"value": value, "shards": [np.asarray(shard.data) for shard in shards],
            "devices": [int(shard.device.id) for shard in shards]}


def _spec(value) -> str:
    """The PartitionSpec of a returned array, as text for messages ('' when it has none)."""
    sharding = getattr(value, "sharding", None)
    return str(getattr(sharding, "spec", ""))[:200] if isinstance(value, jax.Array) else ""


def _line_names(rng, k: int) -> list[str]:
    return [str(name) for name in rng.permutation(LINE_NAMES)[:k]]


# ------------------------------------------------------------------------------------------ layout_of
def _traced_layouts(impl, x, w) -> dict:
    """layout_of called while jax.jit traces: on x itself, its transpose, a product and a reduction."""
    seen = {}

    def body(v, m):
        seen["traced"] = impl.layout_of(v)
        seen["traced_transpose"] = impl.layout_of(v.T)
        seen["traced_product"] = impl.layout_of(v @ m)
        seen["traced_column_sums"] = impl.layout_of(jnp.sum(v, axis=0))
        return v

    jax.jit(body).trace(x, w)  # tracing only: nothing is compiled
    return seen


def layout_cases(impl, rng):
    """layout_of describes arrays on (2, 2), (4, 1), (1, 4) and 1-D meshes (split rows, split columns, a dimension
    split over two axes in either order, a spec shorter than the rank, full replicas, a 0-d array, an axis of size
    1), concrete and traced inside jax.jit"""
    a, b = NAME_PAIRS[int(rng.integers(len(NAME_PAIRS)))]
    (line_name,) = _line_names(rng, 1)
    meshes = {"2x2": jax.make_mesh((2, 2), (a, b)), "4x1": jax.make_mesh((4, 1), (a, b)),
              "1x4": jax.make_mesh((1, 4), (a, b)), "line": jax.make_mesh((4,), (line_name,))}
    i, j, k = (int(v) for v in rng.integers(1, 4, size=3))
    cases = {  # name: (mesh, shape, spec)
        "rows_short_spec": ("2x2", (2 * i, j + 1), P(a)),
        "replicated": ("2x2", (i + 1, j), P()),
        "scalar": ("line", (), P()),
        "two_axes": ("2x2", (4 * i, j, 2), P((a, b))),
        "two_axes_reversed": ("2x2", (4 * j, k), P((b, a), None)),
        "second_axis_only": ("2x2", (i, 2 * k), P(None, b)),
        "size_one_axis": ("4x1", (4 * j, k), P(a, b)),
        "both_axes_swapped": ("1x4", (4 * k, i), P(b, a)),
        "line": ("line", (i, 4 * j, 2), P(None, line_name)),
    }
    out = {}
    for name, (mesh, shape, spec) in cases.items():
        array = jax.device_put(np.zeros(shape, np.float32), NamedSharding(meshes[mesh], spec))
        out[name] = impl.layout_of(array)
    x = jax.device_put(np.zeros((2 * i, j + 1), np.float32), NamedSharding(meshes["2x2"], P(a)))
    w = jax.device_put(np.zeros((j + 1, 2 * k), np.float32), NamedSharding(meshes["2x2"], P(None, b)))
    out.update(_traced_layouts(impl, x, w))
    described = {name: {"mesh": f"{mesh} mesh {dict(meshes[mesh].shape)}", "shape": list(shape), "spec": str(spec)}
                 for name, (mesh, shape, spec) in cases.items()}
    described["traced"] = {"mesh": f"2x2 mesh {dict(meshes['2x2'].shape)}", "shape": [2 * i, j + 1],
                           "spec": str(P(a)), "traced": "x"}
    described["traced_transpose"] = {**described["traced"], "traced": "x.T"}
    described["traced_product"] = {**described["traced"], "traced": f"x @ w, w of shape ({j + 1}, {2 * k}) laid out "
                                                                    f"by {P(None, b)}"}
    described["traced_column_sums"] = {**described["traced"], "traced": "jnp.sum(x, axis=0)"}
    return result(out=out, given={"cases": described})


# ------------------------------------------------------------------------------------------ place_mlp
def _mlp_params(rng, d: int, h: int, o: int) -> dict:
    b2 = rng.uniform(0.5, 1.5, size=o) * rng.choice([-1.0, 1.0], size=o)  # far from 0: a b2 added twice shows
    return {"w1": _floats(rng, d, h), "b1": _floats(rng, h), "w2": _floats(rng, h, o), "b2": b2.astype(np.float32)}


def _mlp_sizes(rng, shape):
    """(d, h, o, B) for a mesh shape: d, h and o multiples of the "model" size (d != h, so the blocks of a split
    along the wrong dimension have other shapes; o so that an output split over "model" is possible), B a multiple
    of the "data" size; one hidden unit per device on (1, 4), one row per device on (4, 1)."""
    data, model = shape
    k_h = 1 if shape == (1, 4) else int(rng.integers(1, 4))
    k_d = int(rng.choice([k for k in (1, 2, 3) if k != k_h]))
    o = model * int(rng.integers(1, 3)) if model > 1 else int(rng.integers(2, 5))
    rows = 1 if shape == (4, 1) else int(rng.integers(1, 4))
    return model * k_d, model * k_h, o, data * rows


def placement_runs(impl, rng):
    """place_mlp lays out the MLP's parameters and batch on (2, 2), (4, 1) and (1, 4) meshes, for NumPy and JAX
    inputs, with one hidden unit per "model" device and one row per "data" device among the cases"""
    out, report, given = {}, {}, {}
    for name, shape, as_jax in (("2x2", (2, 2), False), ("4x1", (4, 1), True), ("1x4", (1, 4), False)):
        mesh = jax.make_mesh(shape, ("data", "model"))
        d, h, o, rows = _mlp_sizes(rng, shape)
        params, x = _mlp_params(rng, d, h, o), _floats(rng, rows, d)
        arguments = ({k: jnp.asarray(v) for k, v in params.items()}, jnp.asarray(x)) if as_jax else (params, x)
        placed, batch = impl.place_mlp(mesh, *arguments)
        leaves = {**(placed if type(placed) is dict else {}), "x": batch}
        out[name] = {"params": jax.tree.map(_layout, placed), "x": _layout(batch)}
        report[name] = {"types": {k: type_name(v) for k, v in leaves.items()},
                        "specs": {k: _spec(v) for k, v in leaves.items()}}
        given[name] = {"shape": list(shape), "d": d, "h": h, "o": o, "rows": rows, "numpy_inputs": not as_jax}
    return result(out=out, report=report, given=given)


# ------------------------------------------------------------------------------------------ data_parallel_step
def _regression(rng, rows: int, d: int):
    """Random parameters and a regression batch (float32) drawn from a noisy linear model."""
    x = _floats(rng, rows, d)
    y = (x @ rng.normal(size=d) + rng.normal() + 0.3 * rng.normal(size=rows)).astype(np.float32)
    params = {"w": _floats(rng, d, scale=0.5), "b": np.asarray(rng.normal() * 0.5, np.float32)}
    return params, x, y


def _dp_inside_jit(impl, mesh, lr):
    def step(params, x, y):
        return impl.data_parallel_step(mesh, params, x, y, lr)
    return step


def dp_runs(impl, rng):
    """data_parallel_step takes the single-device SGD step with the batch split over "data", eagerly on a (2, 2)
    mesh and inside jax.jit on (4, 1) (one row per device) and (1, 4) meshes, with random sizes and learning
    rates"""
    out, report, given = {}, {}, {}
    for name, shape in (("eager_2x2", (2, 2)), ("jit_4x1", (4, 1)), ("jit_1x4", (1, 4))):
        mesh = jax.make_mesh(shape, ("data", "model"))
        per = 1 if shape == (4, 1) else int(rng.integers(2, 4))
        d, lr = int(rng.integers(2, 5)), float(np.float32(rng.uniform(0.05, 0.3)))
        params, x, y = _regression(rng, shape[0] * per, d)
        if name.startswith("eager"):
            new, losses = impl.data_parallel_step(mesh, params, x, y, lr)
            report[name] = {}
        else:
            compiled = jax.jit(_dp_inside_jit(impl, mesh, lr)).lower(params, x, y).compile()
            new, losses = compiled(params, x, y)
            report[name] = {"collectives": _collectives(compiled.as_text())}
        out[name] = {"params": jax.tree.map(_layout, new), "losses": _layout(losses)}
        report[name]["specs"] = {"losses": _spec(losses)}
        given[name] = {"shape": list(shape), "rows": shape[0] * per, "d": d, "lr": lr, "params": params, "x": x,
                       "y": y}
    return result(out=out, report=report, given=given)


# ------------------------------------------------------------------------------------------ tp_mlp_forward
def tp_runs(impl, rng):
    """tp_mlp_forward, jitted under jax.set_mesh on inputs laid out by place_mlp, equals the single-device MLP with
    its rows split over "data", on (2, 2), (1, 4) and (4, 1) meshes"""
    out, report, given = {}, {}, {}
    for name, shape in (("2x2", (2, 2)), ("1x4", (1, 4)), ("4x1", (4, 1))):
        mesh = jax.make_mesh(shape, ("data", "model"))
        d, h, o, rows = _mlp_sizes(rng, shape)
        params, x = _mlp_params(rng, d, h, o), _floats(rng, rows, d)
        placed, batch = impl.place_mlp(mesh, params, x)
        with jax.set_mesh(mesh):
            compiled = jax.jit(impl.tp_mlp_forward).lower(placed, batch).compile()
            result_ = compiled(placed, batch)
        out[name] = _layout(result_)
        report[name] = {"collectives": _collectives(compiled.as_text()), "spec": _spec(result_)}
        given[name] = {"shape": list(shape), "d": d, "h": h, "o": o, "rows": rows, "params": params, "x": x}
    return result(out=out, report=report, given=given)


# ------------------------------------------------------------------------------------------ pmap_on_mesh
def _grad_step(axis):
    """A pmap-style data-parallel gradient: pmean of each device's gradient w.r.t. the unmapped params."""
    def f(params, x, y):
        def loss(p):
            return jnp.mean((x @ p["w"] + p["b"] - y) ** 2)
        value, grads = jax.value_and_grad(loss)(params)
        return {"grads": jax.lax.pmean(grads, axis), "loss": jax.lax.pmean(value, axis)}
    return f


def _neighbours(axis):
    """A non-cyclic shift to the next device, scaled by an unmapped scalar, plus the device's index."""
    def f(v, scale):
        n = jax.lax.axis_size(axis)
        shifted = jax.lax.ppermute(v, axis, [(i, i + 1) for i in range(n - 1)])
        return shifted * scale + jax.lax.axis_index(axis), jax.lax.axis_index(axis)
    return f


def _counts(axis):
    """Metrics from a mapped dict: an int32 psum of hits, this device's share of them, a per-device mean."""
    def f(batch):
        hits = jnp.sum(batch["pred"] == batch["label"], dtype=jnp.int32)
        total = jax.lax.psum(hits, axis)
        return {"hits": total, "share": hits / total, "mean": jnp.mean(batch["score"])}
    return f


def pmap_runs(impl, rng):
    """the function pmap_on_mesh returns equals jax.pmap of a per-device function, for a data-parallel gradient
    w.r.t. unmapped params on 4 devices, a non-cyclic ppermute with an unmapped scalar on 3, and psum'd int counts
    of a mapped dict on 1, with the axis named differently each time"""
    names = _line_names(rng, 3)
    out, report, given = {}, {}, {}
    for (name, n, make), axis in zip((("grad_step", 4, _grad_step), ("neighbours", 3, _neighbours),
                                      ("counts", 1, _counts)), names):
        mesh = jax.make_mesh((n,), (axis,))
        if name == "grad_step":
            per, d = int(rng.integers(2, 4)), int(rng.integers(2, 5))
            args = ({"w": _floats(rng, d, scale=0.5), "b": np.asarray(rng.normal(), np.float32)},
                    _floats(rng, n, per, d), _floats(rng, n, per))
            in_axes = (None, 0, 0)
        elif name == "neighbours":
            args = (_floats(rng, n, int(rng.integers(2, 5))), np.asarray(rng.uniform(1.5, 3.0), np.float32))
            in_axes = (0, None)
        else:
            rows = int(rng.integers(4, 8))
            label = rng.integers(0, 3, size=(n, rows)).astype(np.int32)
            pred = np.where(rng.random((n, rows)) < 0.6, label, (label + 1) % 3).astype(np.int32)
            pred[:, 0] = label[:, 0]  # every device has a hit: no 0 / 0
            args = ({"pred": pred, "label": label, "score": _floats(rng, n, rows)},)
            in_axes = (0,)
        value, meshes = shard_map_meshes(lambda: impl.pmap_on_mesh(make(axis), mesh, in_axes)(*args))
        out[name] = jax.tree.map(_layout, value)
        report[name] = {"shard_map_on_mesh": mesh_key(mesh) in meshes}
        given[name] = {"n": n, "axis": axis, "in_axes": list(in_axes), "args": list(args)}
    return result(out=out, report=report, given=given)


# ------------------------------------------------------------------------------------------ ring_all_reduce
def _ppermute_sizes(jaxpr) -> list[int]:
    """The number of values every ppermute in a (closed) jaxpr sends, sub-jaxprs included."""
    import jax.extend.core as jex

    sizes = []
    for eqn in getattr(jaxpr, "jaxpr", jaxpr).eqns:
        if eqn.primitive.name == "ppermute":
            sizes += [int(np.prod(var.aval.shape)) for var in eqn.invars]
        for param in eqn.params.values():
            for sub in param if isinstance(param, (list, tuple)) else (param,):
                if isinstance(sub, (jex.ClosedJaxpr, jex.Jaxpr)):
                    sizes += _ppermute_sizes(sub)
    return sizes


def _per_device_rules(jaxpr) -> dict:
    names = primitive_names(jaxpr)
    return {"other_collectives": sorted(names & set(OTHER_COLLECTIVES)), "ppermute_sizes": sorted(set(_ppermute_sizes(
        jaxpr))), "primitives": sorted(names & {"ppermute", "reduce_scatter", "all_gather"})}


def _ring_on(impl, axis):
    def per_device(v):
        return impl.ring_all_reduce(v, axis)
    return per_device


def ring_runs(impl, rng):
    """ring_all_reduce equals lax.psum under jax.shard_map over 4 devices and under jax.vmap over 3 and 1, with
    chunks of one value and of several"""
    runs = (("shard_map_4", 4, int(rng.integers(2, 4))), ("vmap_3", 3, 1),
            ("vmap_1", 1, int(rng.integers(2, 5))))
    out, report, given = {}, {}, {}
    for (name, n, chunk), axis in zip(runs, _line_names(rng, len(runs))):
        # Each device's vector gets an offset of its own, so a missing contribution is far from the sum.
        x = (_floats(rng, n, n * chunk) + rng.uniform(1.0, 2.0, size=(n, 1)) * rng.choice([-1.0, 1.0], size=(n, 1))
             ).astype(np.float32)

        per_device = _ring_on(impl, axis)
        if name.startswith("shard_map"):
            mesh = jax.make_mesh((n,), (axis,))
            mapped = jax.shard_map(per_device, mesh=mesh, in_specs=P(axis), out_specs=P(axis))
            flat = jax.device_put(x.reshape(-1), NamedSharding(mesh, P(axis)))
            report[name] = _per_device_rules(jax.make_jaxpr(mapped)(flat))
            out[name] = jax.jit(mapped)(flat)
        else:
            out[name] = jax.jit(jax.vmap(per_device, axis_name=axis))(jnp.asarray(x))
        given[name] = {"n": n, "chunk": chunk, "axis": axis, "x": x,
                       "how": "shard_map" if name.startswith("shard_map") else "vmap"}
    return result(out=out, report=report, given=given)


# ------------------------------------------------------------------------------------------ zero_momentum_step
def _zero_on(impl, lr, beta, axis):
    def per_device(params, grads, momentum):
        return impl.zero_momentum_step(params, grads, momentum, lr, beta, axis)
    return per_device


def zero_runs(impl, rng):
    """zero_momentum_step averages the devices' gradients into each device's rows, updates them with momentum and
    gathers the parameters, under jax.shard_map over 4 devices and jax.vmap over 3 (one row per device) and 1, with
    random learning rates and momentum coefficients"""
    runs = (("shard_map_4", 4, int(rng.integers(1, 3))), ("vmap_3", 3, 1), ("vmap_1", 1, int(rng.integers(2, 4))))
    out, report, given = {}, {}, {}
    for (name, n, per), axis in zip(runs, _line_names(rng, len(runs))):
        rows, cols = n * per, int(rng.integers(2, 4))
        lr, beta = float(np.float32(rng.uniform(0.05, 0.3))), float(np.float32(rng.uniform(0.5, 0.95)))
        params = _floats(rng, rows, cols)
        # Every device's gradient has an offset of its own: the mean, the sum and one device's gradient all differ.
        grads = (_floats(rng, n, rows, cols) + rng.uniform(0.5, 1.5, size=(n, 1, 1))).astype(np.float32)
        momentum = _floats(rng, n, per, cols)

        per_device = _zero_on(impl, lr, beta, axis)
        if name.startswith("shard_map"):
            mesh = jax.make_mesh((n,), (axis,))
            mapped = jax.shard_map(per_device, mesh=mesh, in_specs=(P(), P(axis), P(axis)),
                                   out_specs=(P(axis), P(axis)))
            args = (jax.device_put(params, NamedSharding(mesh, P())),
                    jax.device_put(grads.reshape(n * rows, cols), NamedSharding(mesh, P(axis))),
                    jax.device_put(momentum.reshape(rows, cols), NamedSharding(mesh, P(axis))))
            report[name] = _per_device_rules(jax.make_jaxpr(mapped)(*args))
            new_params, new_momentum = jax.jit(mapped)(*args)
        else:
            mapped = jax.jit(jax.vmap(per_device, in_axes=(None, 0, 0), axis_name=axis))
            new_params, new_momentum = mapped(jnp.asarray(params), jnp.asarray(grads), jnp.asarray(momentum))
        out[name] = {"params": new_params, "momentum": new_momentum}
        given[name] = {"n": n, "rows": rows, "cols": cols, "lr": lr, "beta": beta, "axis": axis, "params": params,
                       "grads": grads, "momentum": momentum,
                       "how": "shard_map" if name.startswith("shard_map") else "vmap"}
    return result(out=out, report=report, given=given)
