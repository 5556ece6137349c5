"""Hidden checks for topic `sharding`.

Each check compares what the student's functions returned (``got.out``) with what the reference returned on the
same fresh random inputs, computed in the grader's own process (``ref``). For arrays that is the value *and* the
block each device holds, so a layout is graded like a number: a batch copied where it should be split, a weight
split along the wrong dimension or a result left on one device shows as blocks that differ from the
reference's. The reference's numbers are themselves held to a single-device float64 computation from
``ref.given`` (a kit bug fails the reference's own run). Before the comparison a check may name what it
*detected* in ``got.out`` (an update that is exactly n times the right one, a chunk missing one device's
contribution); properties measured beside the student's code (``got.report``: collectives in the compiled
program, primitives in a jaxpr, which mesh a shard_map ran on) only ever take points away. Docstrings list the
mistakes each check rejects.
"""
import numpy as np
import pytest

from autograder.grading.compare import expect, expect_match, float_array, part
from autograder.sandbox.probes import sharding as probes


# ------------------------------------------------------------------------------------------ helpers


def _layout_problem(got, ref, what: str, rtol: float = 1e-5, atol: float = 1e-6) -> str | None:
    """What differs between the blocks the devices hold (probes._layout data), as a phrase; None when nothing.

    Call it once the values agree: then blocks that differ are a different layout, not different numbers."""
    if type(got) is not dict or type(got.get("shards")) is not list:
        return f"{what} is not a jax.Array on the mesh"
    devices, wanted = got.get("devices"), ref["devices"]
    if devices != wanted:
        return (f"{what} is stored on the devices {devices}; the layout asked for puts a block on each of the devices "
                f"{wanted}")
    for device, mine, right in zip(wanted, got["shards"], ref["shards"]):
        if type(mine) is not np.ndarray or mine.shape != right.shape:
            shape = mine.shape if type(mine) is np.ndarray else type(mine).__name__
            return f"device {device} holds a block of {what} of shape {shape}, the layout asked for gives {right.shape}"
    for device, mine, right in zip(wanted, got["shards"], ref["shards"]):
        if right.dtype.kind == "f":
            same = mine.dtype.kind == "f" and np.allclose(mine, right, rtol=rtol, atol=atol)
        else:
            same = np.array_equal(mine, right)
        if not same:
            return f"device {device} holds another block of {what} than the layout asked for places there"
    return None


def _expect_layout(got, ref, what: str, call: str, hint: str, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """The value of an array (exact dtype), then the block on every device."""
    expect_match(part(got, "value"), ref["value"], exact_dtype=True, rtol=rtol, atol=atol, call=f"{call}: {what}",
                 hint=hint)
    problem = _layout_problem(got, ref, what, rtol, atol)
    expect(problem is None, f"{call}: {problem}. Hint: {hint}")


def _tree_layouts(got, ref, path: str = ""):
    """(path, got leaf, ref leaf) for every probes._layout leaf of a reference tree; got's leaf may be anything."""
    if type(ref) is dict and "shards" in ref and "devices" in ref:
        yield path, got, ref
    elif type(ref) is dict:
        for key, value in ref.items():
            yield from _tree_layouts(part(got, key), value, f"{path}/{key}" if path else key)
    elif type(ref) is list:
        for i, value in enumerate(ref):
            mine = got[i] if type(got) is list and i < len(got) else None
            yield from _tree_layouts(mine, value, f"{path}[{i}]")


def _values(tree):
    """A tree of probes._layout leaves reduced to their values (for one expect_match over the whole tree)."""
    if type(tree) is dict and "shards" in tree and "devices" in tree:
        return tree.get("value")
    if type(tree) is dict:
        return {key: _values(value) for key, value in tree.items()}
    if type(tree) is list:
        return [_values(value) for value in tree]
    return tree


def _close_trees(tree, oracle, rtol=1e-4, atol=1e-5) -> bool:
    """The reference's tree equals a float64 oracle (same structure, dict or list nodes)."""
    if type(oracle) is dict:
        return type(tree) is dict and set(tree) == set(oracle) and all(_close_trees(tree[k], oracle[k]) for k in oracle)
    if type(oracle) is list:
        return type(tree) is list and len(tree) == len(oracle) and all(map(_close_trees, tree, oracle))
    return np.shape(tree) == np.shape(oracle) and np.allclose(tree, oracle, rtol=rtol, atol=atol)


def _ratio(mine, right) -> float | None:
    """r when `mine` is r times `right` (float64 vectors, r not 1), else None."""
    if mine is None or right is None or mine.shape != right.shape or not np.any(right):
        return None
    mine, right = mine.ravel(), right.ravel()
    ratio = float(mine @ right / (right @ right))
    if abs(ratio - 1) < 1e-3 or not np.allclose(mine, ratio * right, rtol=1e-3, atol=1e-6):
        return None
    return ratio


# ------------------------------------------------------------------------------------------ layout_of
def _numpy_number(got, ref, path: str = "") -> str | None:
    """The first path where `got` has a NumPy number (an array after the channel) and `ref` a Python int."""
    if type(ref) is int and type(got) is np.ndarray:
        return path or "the result"
    if type(ref) is dict and type(got) is dict:
        for key in ref:
            found = _numpy_number(got.get(key), ref[key], f"{path}/{key}" if path else key)
            if found:
                return found
    if type(ref) is list and type(got) is list:
        for i, (mine, right) in enumerate(zip(got, ref)):
            found = _numpy_number(mine, right, f"{path}[{i}]")
            if found:
                return found
    return None


@pytest.mark.task("sharding.layout_of")
def test_layout_of_reads_every_layout(run):
    """Rejects: the PartitionSpec as stored (shorter than the rank), x.sharding or x.addressable_shards (no such
    thing on a traced array), a tuple of axes kept as one name or reordered, the global shape or the shape divided
    by the device count as the block shape, copies counted as mesh axes or as devices, NumPy ints, a mesh read
    as a dict or in another order."""
    got, ref = run(probes.layout_cases)
    for name, case in ref.given["cases"].items():
        where = f" (traced inside jax.jit: layout_of({case['traced']}))" if "traced" in case else ""
        call = (f"layout_of(x) for x of shape {tuple(case['shape'])} laid out by NamedSharding(mesh, {case['spec']}) "
                f"on the {case['mesh']}{where}")
        numpy_at = _numpy_number(part(got.out, name), ref.out[name])
        expect(numpy_at is None, f"{call}: `{numpy_at}` holds NumPy numbers, not Python ints.")
        expect_match(part(got.out, name), ref.out[name], call=call,
                     hint="spec has one list of axis names per dimension of x; shard_shape is the block one device "
                          "holds; copies is the product of the sizes of the mesh axes that split nothing; all plain "
                          "Python ints, strs and lists.")


# ------------------------------------------------------------------------------------------ place_mlp
@pytest.mark.task("sharding.place_mlp")
def test_place_mlp_blocks_on_every_device(run):
    """Rejects: w1 split by rows (or w2 by columns), b1 replicated, b2 split, the batch split over "model" or over
    both axes or not at all, everything replicated, parameters split over "data", arrays left off the mesh
    (NumPy, or one device), values or dtypes changed."""
    got, ref = run(probes.placement_runs)
    for name, given in ref.given.items():
        data, model = given["shape"]
        call = (f"place_mlp(jax.make_mesh(({data}, {model}), ('data', 'model')), params, x) with w1 ({given['d']}, "
                f"{given['h']}), w2 ({given['h']}, {given['o']}) and a batch of {given['rows']} rows"
                + (" (NumPy inputs)" if given["numpy_inputs"] else " (JAX inputs)"))
        specs = part(got.report, name, "specs") if type(part(got.report, name, "specs")) is dict else {}
        for leaf, ref_leaf in (*((k, v) for k, v in ref.out[name]["params"].items()), ("x", ref.out[name]["x"])):
            mine = part(got.out, name, "params", leaf) if leaf != "x" else part(got.out, name, "x")
            laid_out = f" (it is laid out by {specs[leaf]})" if type(specs.get(leaf)) is str and specs[leaf] else ""
            _expect_layout(mine, ref_leaf, f"`{leaf}`{laid_out}", call,
                           hint="w1 split by columns and b1 over 'model', w2 split by rows over 'model', b2 on every "
                                "device whole, x split by rows over 'data', each with jax.device_put and a "
                                "NamedSharding on the mesh given.")
        expect(set(part(got.out, name, "params") or {}) == set(ref.out[name]["params"]),
               f"{call}: the params returned have the keys {sorted(part(got.out, name, 'params') or {})}, expected "
               f"{sorted(ref.out[name]['params'])}.")


# ------------------------------------------------------------------------------------------ data_parallel_step
def _single_device_step(given) -> dict:
    """The full-batch SGD step and the per-example losses on one device, in float64."""
    w, b = given["params"]["w"].astype(np.float64), np.float64(given["params"]["b"])
    x, y, lr = given["x"].astype(np.float64), given["y"].astype(np.float64), given["lr"]
    residual = x @ w + b - y
    return {"w": w - lr * 2 * x.T @ residual / len(y), "b": b - lr * 2 * residual.mean(), "losses": residual ** 2}


def _dp_update(given, params) -> np.ndarray | None:
    if type(params) is not dict or set(params) != {"w", "b"}:
        return None
    w, b = float_array(part(params, "w", "value"), given["params"]["w"].shape), \
        float_array(part(params, "b", "value"), ())
    if w is None or b is None:
        return None
    return np.concatenate([given["params"]["w"] - w, [given["params"]["b"] - b]])


@pytest.mark.task("sharding.data_parallel_step")
def test_data_parallel_step_is_the_single_device_step(run):
    """Rejects: the pmap habit (per-shard gradients summed, or averaged twice: n or 1/n times the step), a summed
    instead of a mean loss (B times the step), the losses after the update, the batch left on one device or copied
    whole onto every device (no all-reduce in the compiled step: in-process rule), the batch split over "model"
    or both axes, parameters not replicated on the mesh, code that fails inside jax.jit."""
    got, ref = run(probes.dp_runs)
    for name, given in ref.given.items():
        data, model = given["shape"]
        call = (f"data_parallel_step(jax.make_mesh(({data}, {model}), ('data', 'model')), params, x, y, "
                f"lr={given['lr']:.3f}) for {given['rows']} rows of {given['d']} features"
                + (" inside jax.jit" if name.startswith("jit") else ", called eagerly"))
        oracle = _single_device_step(given)
        right = _dp_update(given, ref.out[name]["params"])
        assert right is not None and np.allclose(right, np.concatenate(
            [given["params"]["w"] - oracle["w"], [given["params"]["b"] - oracle["b"]]]), rtol=1e-4, atol=1e-6), \
            "kit bug: the reference differs from the single-device step"
        mine = part(got.out, name)
        ratio = _ratio(_dp_update(given, part(mine, "params")), right)
        if ratio is not None:
            known = [(data, f" (exactly {data}, the size of 'data': the devices' gradients were summed, not "
                            "averaged)"),
                     (1 / data, f" (exactly 1 / {data}: the mean over the batch was divided by the number of devices "
                                "once more)"),
                     (given["rows"], " (exactly the batch size: the loss summed the squared errors instead of "
                                     "averaging them)")]
            matches = [text for factor, text in known if factor != 1 and abs(ratio - factor) < 1e-3 * factor]
            why = matches[0] if len(matches) == 1 else ""  # name a cause only when one explains it
            expect(False, f"{call}: the update is {ratio:.4g} times the single-device full-batch SGD step{why}.")
        hint = ("put x and y on the mesh split over 'data' and the params replicated, and run the single-device step "
                "(mean of mse_losses) under jax.jit; return the new params and the losses at the old params.")
        for leaf in ("w", "b"):
            _expect_layout(part(mine, "params", leaf), ref.out[name]["params"][leaf], f"new params `{leaf}`", call,
                           hint, rtol=2e-5, atol=2e-6)
        spec = part(got.report, name, "specs", "losses")
        laid_out = f" (laid out by {spec})" if type(spec) is str and spec else ""
        _expect_layout(part(mine, "losses"), ref.out[name]["losses"], f"`losses`{laid_out}", call, hint,
                       rtol=2e-5, atol=2e-6)
        if name.startswith("jit") and data > 1:
            found = part(got.report, name, "collectives")
            expect(type(found) is list and "all-reduce" in found,
                   f"{call}: the compiled step holds no all-reduce, so no device combined its rows' gradient with the "
                   "others': every device worked on the whole batch. Split the batch over 'data' before the jitted "
                   "step (in-process rule).")


# ------------------------------------------------------------------------------------------ tp_mlp_forward
def _mlp64(given) -> np.ndarray:
    p = {k: v.astype(np.float64) for k, v in given["params"].items()}
    return np.maximum(given["x"].astype(np.float64) @ p["w1"] + p["b1"], 0) @ p["w2"] + p["b2"]


@pytest.mark.task("sharding.tp_mlp_forward")
def test_tp_mlp_forward_is_the_mlp_split_by_rows(run):
    """Rejects: the contraction left ambiguous (ShardingTypeError), w2 or the hidden activations gathered whole
    (an all-gather in the compiled program: in-process rule), the output split over "model" too or copied whole
    onto every device, b2 added on every "model" device before the sum, no relu, b1 added after the relu."""
    got, ref = run(probes.tp_runs)
    for name, given in ref.given.items():
        data, model = given["shape"]
        call = (f"with jax.set_mesh(jax.make_mesh(({data}, {model}), ('data', 'model'))): jax.jit(tp_mlp_forward)"
                f"(params, x) for w1 ({given['d']}, {given['h']}), w2 ({given['h']}, {given['o']}) and {given['rows']} "
                "rows laid out by place_mlp")
        oracle = _mlp64(given)
        assert np.allclose(ref.out[name]["value"], oracle, rtol=1e-4, atol=1e-4), "kit bug: the reference is no MLP"
        found = part(got.report, name, "collectives")
        expect(type(found) is list and "all-gather" not in found,
               f"{call}: the compiled program holds an all-gather: weights or activations were gathered whole onto "
               "devices, which is what tensor parallelism avoids. Keep the hidden units split over 'model' and let "
               "layer 2's partial products be summed (in-process rule).")
        mine = float_array(part(got.out, name, "value"), oracle.shape)
        if mine is not None and model > 1 and not np.allclose(mine, oracle, rtol=1e-4, atol=1e-4):
            b2 = given["params"]["b2"].astype(np.float64)
            expect(not np.allclose(mine, oracle + (model - 1) * b2, rtol=1e-4, atol=1e-4),
                   f"{call}: the result is the MLP plus {model - 1} extra copies of b2: b2 was added on each of the "
                   f"{model} 'model' devices before their partial products were summed. Add it once, after the sum.")
        spec = part(got.report, name, "spec")
        _expect_layout(part(got.out, name), ref.out[name],
                       "the output" + (f" (laid out by {spec})" if type(spec) is str and spec else ""), call,
                       hint="relu(x @ w1 + b1) is local to each device; multiply by w2 with out_sharding=P('data', "
                            "None) (the partial products summed over 'model'), then add b2.", rtol=1e-4, atol=1e-4)


# ------------------------------------------------------------------------------------------ pmap_on_mesh
def _pmap_oracle(name, given):
    """What jax.pmap of the probe's per-device function returns, in float64 (ints stay ints)."""
    n, args = given["n"], given["args"]
    if name == "grad_step":
        params, x, y = args
        w, b = params["w"].astype(np.float64), np.float64(params["b"])
        residual = x.astype(np.float64) @ w + b - y
        grad_w = 2 * np.einsum("nb,nbd->nd", residual, x) / x.shape[1]
        grad_b = 2 * residual.mean(1)
        loss = (residual ** 2).mean(1)
        stack = lambda v: np.broadcast_to(v.mean(0), v.shape)  # noqa: E731 - pmean, then one row per device
        return {"grads": {"w": stack(grad_w), "b": stack(grad_b)}, "loss": stack(loss)}
    if name == "neighbours":
        v, scale = args
        shifted = np.concatenate([np.zeros_like(v[:1]), v[:-1]]).astype(np.float64)
        return [shifted * scale + np.arange(n)[:, None], np.arange(n)]
    batch = args[0]
    hits = (batch["pred"] == batch["label"]).sum(1)
    return {"hits": np.full(n, hits.sum()), "share": hits / hits.sum(), "mean": batch["score"].mean(1)}


@pytest.mark.task("sharding.pmap_on_mesh")
def test_pmap_on_mesh_equals_pmap(run):
    """Rejects: check_vma left on (gradients w.r.t. unmapped arguments summed over devices: n times pmap's), the
    leading block axis not squeezed or not restored, out_specs P() (one device's output instead of the stacked
    rows), unmapped arguments treated as mapped, an axis name written in, jax.pmap or jax.vmap instead of
    shard_map over the given mesh (in-process rule), outputs left off the mesh."""
    got, ref = run(probes.pmap_runs)
    for name, given in ref.given.items():
        n, axis = given["n"], given["axis"]
        call = (f"pmap_on_mesh(f, jax.make_mesh(({n},), ('{axis}',)), in_axes={tuple(given['in_axes'])}) called on "
                f"the per-device function `{name}`")
        expect(part(got.report, name, "shard_map_on_mesh") is True,
               f"{call}: no jax.shard_map over the mesh given ran. Run f inside jax.shard_map over `mesh` (in-process "
               "rule).")
        oracle = _pmap_oracle(name, given)
        expected = _values(ref.out[name])
        mine = _values(part(got.out, name))
        assert _close_trees(expected, oracle), "kit bug: the reference differs from pmap"
        if name == "grad_step":
            ratio = _ratio(float_array(part(mine, "grads", "w")), np.asarray(expected["grads"]["w"], np.float64))
            if ratio is not None:
                why = (f" (exactly {n}, the number of devices: shard_map with check_vma=True sums the gradient of an "
                       "argument that is the same on every device, which pmap does not)") if abs(ratio - n) < 1e-3 * n \
                    else ""
                expect(False, f"{call}: the gradients are {ratio:.4g} times what jax.pmap gives{why}.")
        expect_match(mine, expected, exact_dtype=True, rtol=2e-5, atol=2e-6, call=f"{call} (against jax.pmap)",
                     hint="f sees, on device i, slice i of every mapped argument and the whole unmapped ones; every "
                          "output leaf gets a leading axis of size n, row i from device i.")
        for path, mine_leaf, ref_leaf in _tree_layouts(part(got.out, name), ref.out[name]):
            problem = _layout_problem(mine_leaf, ref_leaf, f"output `{path}`", rtol=2e-5, atol=2e-6)
            expect(problem is None, f"{call}: {problem}. Hint: row i of every output is stored on device i of the "
                                    "mesh, as pmap's outputs are.")


# ------------------------------------------------------------------------------------------ ring_all_reduce
API_NAMES = {"psum": "lax.psum", "psum_invariant": "lax.psum (or lax.pmean)", "pmax": "lax.pmax", "pmin": "lax.pmin",
             "all_gather": "lax.all_gather", "all_gather_invariant": "lax.all_gather",
             "reduce_scatter": "lax.psum_scatter", "all_to_all": "lax.all_to_all",
             "ragged_all_to_all": "lax.ragged_all_to_all", "pbroadcast": "a broadcast collective",
             "ppermute": "lax.ppermute"}


def _api_names(primitives) -> str:
    """Collective primitives named as the lax functions that make them (e.g. psum_invariant -> lax.psum)."""
    if type(primitives) not in (list, set):
        return repr(primitives)[:100]
    return ", ".join(sorted({API_NAMES.get(str(name), str(name)[:50]) for name in primitives}))


def _mapped_call(function: str, given, in_specs: str = "P({a})", out_specs: str = "P({a})",
                 in_axes: str = "0") -> str:
    """How a probe called a per-device function, as code ({a} stands for the axis name)."""
    n, axis = given["n"], f"'{given['axis']}'"
    if given["how"] == "shard_map":
        return (f"jax.shard_map({function}, mesh=jax.make_mesh(({n},), ({axis},)), in_specs={in_specs.format(a=axis)}, "
                f"out_specs={out_specs.format(a=axis)}) over {n} devices")
    return f"jax.jit(jax.vmap({function}, in_axes={in_axes}, axis_name={axis})) over {n} devices"


@pytest.mark.task("sharding.ring_all_reduce")
def test_ring_all_reduce_equals_psum(run):
    """Rejects: lax.psum (or another collective) instead of the ring, the naive ring that passes the whole vector
    (in-process rules), a reduce-scatter that stops one step early, chunks indexed for the other direction, no
    all-gather phase (one summed chunk per device), a ring written for a fixed number of devices."""
    got, ref = run(probes.ring_runs)
    for name, given in ref.given.items():
        n, chunk, x = given["n"], given["chunk"], given["x"]
        call = (f"{_mapped_call('ring_all_reduce', given)}, vectors of {n * chunk} values (chunks of {chunk}), "
                f"axis_name='{given['axis']}'")
        total = x.astype(np.float64).sum(0)
        expected = ref.out[name]
        assert np.allclose(expected.reshape(n, -1), total, rtol=1e-5, atol=1e-5), "kit bug: the reference is not psum"
        if given["how"] == "shard_map":
            rules = part(got.report, name) if type(part(got.report, name)) is dict else {}
            others = rules.get("other_collectives")
            expect(others == [], f"{call}: it uses {_api_names(others)}; build the sum from lax.ppermute alone "
                                 "(in-process rule).")
            sizes = rules.get("ppermute_sizes")
            expect(type(sizes) is list and len(sizes) > 0 or n == 1,
                   f"{call}: lax.ppermute is never called; pass the chunks around the ring with it (in-process rule).")
            expect(sizes == [chunk] or n == 1,
                   f"{call}: the messages lax.ppermute sends hold {sizes} values; each must be one chunk of {chunk} "
                   "(x split into one chunk per device), not the whole vector (in-process rule).")
        mine = float_array(part(got.out, name), expected.shape)
        if mine is not None and not np.allclose(mine, expected, rtol=1e-5, atol=1e-5):
            rows = mine.reshape(n, n, chunk)
            full = total.reshape(n, chunk)
            complete = np.isclose(rows, full, rtol=1e-5, atol=1e-5).all(-1)  # (device, chunk) fully summed
            if complete.any() and (complete.sum(1) == 1).all():
                expect(False, f"{call}: every device has exactly one chunk fully summed and the others not: the "
                              "reduce-scatter ran, the all-gather that passes the summed chunks on is missing.")
            parts = x.astype(np.float64).reshape(n, n, chunk)
            missing = np.array([[[np.allclose(rows[d, c], full[c] - parts[k, c], rtol=1e-5, atol=1e-5)
                                  for k in range(n)] for c in range(n)] for d in range(n)]).any(-1)
            if n > 1 and missing.all():
                expect(False, f"{call}: every chunk on every device is the sum of all devices but one: the "
                              "reduce-scatter stopped one step early.")
        expect_match(part(got.out, name), expected, exact_dtype=True, rtol=1e-5, atol=1e-5,
                     call=call + " (against lax.psum)",
                     hint="n - 1 reduce-scatter steps, in which each device adds its own copy of the chunk it "
                          "receives, then n - 1 all-gather steps, all with the same ring direction and chunk "
                          "bookkeeping.")


# ------------------------------------------------------------------------------------------ zero_momentum_step
def _zero_oracle(given) -> dict:
    """The step of every device in float64, laid out as the probe's run returns it."""
    n, rows = given["n"], given["rows"]
    per = rows // n
    mean = given["grads"].astype(np.float64).mean(0)
    momentum = given["beta"] * given["momentum"].astype(np.float64) + mean.reshape(n, per, -1)
    params = given["params"].astype(np.float64) - given["lr"] * momentum.reshape(rows, -1)
    stacked = np.broadcast_to(params, (n, *params.shape))
    if given["how"] == "shard_map":
        return {"params": stacked.reshape(n * rows, -1), "momentum": momentum.reshape(rows, -1)}
    return {"params": stacked, "momentum": momentum}


@pytest.mark.task("sharding.zero_momentum_step")
def test_zero_momentum_step_shards_the_state(run):
    """Rejects: the psum_scatter'd gradient not divided by n (n times the mean), lax.psum or pmean of the full
    gradient and a slice of it (in-process rule), all_gather without tiled (a new axis) or along the columns, the
    update applied to the wrong rows (another device's, or always the first), this device's own gradient only,
    (1 - beta) weighting, a fixed number of devices."""
    got, ref = run(probes.zero_runs)
    for name, given in ref.given.items():
        n, rows, cols = given["n"], given["rows"], given["cols"]
        mapped = _mapped_call("zero_momentum_step", given, "(P(), P({a}), P({a}))", "(P({a}), P({a}))", "(None, 0, 0)")
        call = (f"{mapped} with params ({rows}, {cols}), momentum rows of {rows // n} per device, "
                f"lr={given['lr']:.3f}, beta={given['beta']:.3f}")
        oracle = _zero_oracle(given)
        assert all(np.allclose(ref.out[name][k], oracle[k], rtol=1e-4, atol=1e-5) for k in oracle), \
            "kit bug: the reference differs from the float64 step"
        if given["how"] == "shard_map":
            rules = part(got.report, name) if type(part(got.report, name)) is dict else {}
            used, others = rules.get("primitives"), rules.get("other_collectives")
            extra = set(map(str, others)) - {"reduce_scatter", "all_gather"} if type(others) is list else others
            expect(type(others) is list and not extra,
                   f"{call}: it uses {_api_names(extra)}: communicate only with lax.psum_scatter for the gradients and "
                   "lax.all_gather for the parameters; no device may hold the whole averaged gradient (in-process "
                   "rule).")
            expect(type(used) is list and {"reduce_scatter", "all_gather"} <= set(map(str, used)),
                   f"{call}: it does not use both lax.psum_scatter and lax.all_gather (it uses "
                   f"{_api_names(used) or 'neither'}) (in-process rule).")
        mine = part(got.out, name)
        new_momentum = float_array(part(mine, "momentum"), oracle["momentum"].shape)
        if new_momentum is not None:
            update = (new_momentum - given["beta"] * given["momentum"].astype(np.float64).reshape(new_momentum.shape))
            right = oracle["momentum"] - given["beta"] * given["momentum"].astype(np.float64).reshape(update.shape)
            ratio = _ratio(update.ravel(), right.ravel())
            if ratio is not None:
                why = (f" (exactly {n}, the number of devices: lax.psum_scatter sums the gradients; the mean divides "
                       "by n)") if abs(ratio - n) < 1e-3 * n else ""
                expect(False, f"{call}: the gradient in the new momentum is {ratio:.4g} times the devices' mean "
                              f"gradient{why}.")
        expect_match(mine, ref.out[name], exact_dtype=True, rtol=2e-5, atol=2e-6, call=call,
                     hint="momentum: beta * momentum + this device's rows of the mean gradient; params: the updated "
                          "rows of every device, concatenated along the rows, identical on every device.")
