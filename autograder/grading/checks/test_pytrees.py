"""Hidden checks for topic `pytrees`.

Each check compares what the student's functions returned (``got.out``) with what the reference returned on
the same fresh random trees, computed in the grader's own process (``ref``). Trees arrive as ``{"structure":
str(jax.tree.structure(t)), "leaves": {keystr(path): leaf}}``, so a message can name the leaf path that
differs. Properties measured beside the student's code (``got.report``: types, mutated inputs, forbidden
calls) only ever take points away. Docstrings list the mistakes each check rejects.
"""
import numpy as np
import pytest

from autograder.grading.compare import expect, expect_match, part
from autograder.sandbox.probes import pytrees as probes


def expect_structure(got_tree, expected: str, *, call: str, hint: str = "") -> None:
    """The structure of a returned tree (described by the probe) must be `expected`, a structure the student's
    own inputs have (so it may be shown)."""
    structure = part(got_tree, "structure")
    expect(structure == expected, f"{call} has structure {structure}, expected {expected}." + (f" {hint}" if hint else ""))


def close(a, b, rtol=1e-5, atol=1e-6) -> bool:
    """Whether a returned value (plain data, possibly of any form) is numerically b."""
    try:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


# ------------------------------------------------------------------------------------------------ tree_stats
@pytest.mark.task("pytrees.tree_stats")
def test_tree_stats_counts(run):
    """Rejects: counting None or empty containers as leaves, num_params = the number of leaves, counting only
    the first dimension, counts as NumPy or JAX integers instead of Python ints."""
    got, ref = run(probes.tree_stats_values)
    for name in ref.out:
        for key in ("num_leaves", "num_params"):
            kind = part(got.report, "types", name, key)
            expect(kind in (None, "int"),
                   f"tree_stats(tree)['{key}'] on the `{name}` tree is a {kind}; the docstring promises a Python int "
                   "(shapes are static, so the counts are plain Python numbers).")
    counts = {name: {key: part(got.out, name, key) for key in ("num_leaves", "num_params")} for name in ref.out}
    expected = {name: {key: ref.out[name][key] for key in ("num_leaves", "num_params")} for name in ref.out}
    expect_match(counts, expected,
                 call="tree_stats(tree) on trees holding None, empty dicts, lists and tuples, a tuple, NamedTuples, "
                      "NumPy and 0-d leaves (`mixed`, `nested_lists`), on a tree with no leaves, a lone array and a "
                      "lone 0-d array",
                 hint="num_leaves counts the leaves (None and empty containers hold none; a lone array is one leaf); "
                      "num_params adds up the number of elements of every leaf.")


@pytest.mark.task("pytrees.tree_stats")
def test_tree_stats_global_norm(run):
    """Rejects: a sum of per-leaf norms, the squared norm, a mean instead of a sum of squares, the norm of the
    first leaf only, a NumPy or Python float instead of a float32 jax.Array, failing on a tree with no leaves."""
    got, ref = run(probes.tree_stats_values)
    for name in ref.out:
        kind = part(got.report, "types", name, "global_norm")
        expect(kind in (None, "jax.Array"),
               f"tree_stats(tree)['global_norm'] on the `{name}` tree is a {kind}; the docstring promises a float32 "
               "0-d jax.Array: compute it with jax.numpy.")
    for name, norms in ref.given["leaf_norms"].items():
        value = part(got.out, name, "global_norm")
        if len(norms) > 1 and close(value, sum(norms), rtol=1e-4) and not close(value, ref.out[name]["global_norm"]):
            expect(False, f"tree_stats(tree)['global_norm'] on the `{name}` tree is the sum of the leaves' own norms. "
                          "The global norm is one square root of the sum of every squared element of every leaf.")
    norms = {name: part(got.out, name, "global_norm") for name in ref.out}
    expect_match(norms, {name: ref.out[name]["global_norm"] for name in ref.out}, exact_dtype=True,
                 call="tree_stats(tree)['global_norm'] on trees with None, empty containers, tuples, NamedTuples, "
                      "NumPy and 0-d leaves, a tree with no leaves, a lone array and a lone 0-d array",
                 hint="sqrt(sum over every element of every leaf of element ** 2), a float32 0-d array; 0.0 when the "
                      "tree has no leaves.")


@pytest.mark.task("pytrees.tree_stats")
def test_tree_stats_norm_under_jit(run):
    """Rejects: float() or NumPy on the norm (fails on tracers), Python control flow on leaf values, a norm that
    is wrong under jit or for a tree with no leaves."""
    got, ref = run(probes.tree_stats_under_jit)
    expect_match(got.out, ref.out, exact_dtype=True,
                 call="jax.jit(lambda t: tree_stats(t)['global_norm']) on a random tree (None, empty containers, "
                      "tuples, NamedTuples) and on a tree with no leaves",
                 hint="the norm must be computed with jax.numpy from the leaves, a float32 0-d array.")


# ------------------------------------------------------------------------------------------------ ravel_tree
@pytest.mark.task("pytrees.ravel_tree")
def test_ravel_tree_flat_order(run):
    """Rejects: concatenating leaves in dict insertion order (walking dict.values() by hand), another order,
    a vector of another dtype or length, modifying the input tree, calling jax.flatten_util.ravel_pytree
    (in-process rule)."""
    got, ref = run(probes.ravel_round_trip)
    forbidden = got.report.get("forbidden")
    expect(forbidden in (None, []), f"ravel_tree called {forbidden}: this task is to write it yourself with "
                                    "jax.tree.flatten and jax.tree.unflatten (the docstring forbids ravel_pytree).")
    expect(got.report.get("input_intact") in (None, True),
           "ravel_tree modified the tree it was given (a leaf at some path was replaced): read it, do not change it.")
    flat, size = part(got.out, "flat"), ref.given["size"]
    insertion = ref.given["insertion_order_flat"]
    if close(flat, insertion, rtol=0, atol=0) and not close(flat, ref.out["flat"], rtol=0, atol=0):
        expect(False, "ravel_tree(tree)[0] holds the leaves in dict insertion order. jax.tree.leaves sorts dict keys, "
                      "and the docstring asks for that order: take the leaves from jax.tree.flatten(tree), never from "
                      "dict.values().")
    expect_match({"flat": flat, "lone_flat": part(got.out, "lone_flat")},
                 {"flat": ref.out["flat"], "lone_flat": ref.out["lone_flat"]}, exact_dtype=True, rtol=0, atol=0,
                 call=f"ravel_tree(tree)[0] on a random tree of {size} elements (dict keys inserted out of sorted "
                      f"order, None, empty containers, a tuple, a NamedTuple, a 0-d leaf) and on a lone array of shape "
                      f"{tuple(ref.given['lone_shape'])}",
                 hint="every leaf raveled row-major, concatenated in jax.tree.leaves order, float32.")


@pytest.mark.task("pytrees.ravel_tree")
def test_ravel_tree_unravel(run):
    """Rejects: unravel without reshaping (flat pieces), rebuilding as plain lists or dicts instead of with the
    treedef (tuples, NamedTuples, None and empty containers lost), an unravel that returns the original leaves
    whatever vector it gets, NumPy slicing that fails under jax.jit."""
    got, ref = run(probes.ravel_round_trip)
    structure = ref.given["structure"]
    for name in ("rebuilt", "other", "other_jit"):
        expect_structure(part(got.out, name), structure,
                         call=f"The tree unravel returned ({name.replace('_', ' ')})",
                         hint="It must have the structure of the tree given to ravel_tree: tuples, NamedTuples, None "
                              "and empty containers included.")
    other = part(got.out, "other", "leaves")
    if _same(other, ref.out["rebuilt"]["leaves"]) and not _same(other, ref.out["other"]["leaves"]):
        expect(False, "unravel(v) returned the leaves of the original tree for a vector v that holds other values: "
                      "fill the leaves from the vector you are given.")
    expect_match({k: part(got.out, k) for k in ("rebuilt", "other", "other_jit", "lone_other_jit")},
                 {k: ref.out[k] for k in ("rebuilt", "other", "other_jit", "lone_other_jit")},
                 exact_dtype=True, rtol=0, atol=0,
                 call=f"unravel(flat), unravel(v) and jax.jit(unravel)(v) for a random float32 vector v of length "
                      f"{ref.given['size']}, and jax.jit(unravel)(v) for the lone array",
                 hint="slice the vector in jax.tree.leaves order with the leaves' sizes, reshape each piece to its "
                      "leaf's shape, and rebuild the containers from the treedef.")


def _same(got_leaves, expected_leaves, rtol=0.0, atol=0.0) -> bool:
    """Whether returned leaves {path: array} hold these values (exactly, by default: ravel moves data only)."""
    if type(got_leaves) is not dict or set(got_leaves) != set(expected_leaves):
        return False
    return all(close(got_leaves[key], expected_leaves[key], rtol=rtol, atol=atol) for key in expected_leaves)


# ------------------------------------------------------------------------------------------- momentum_update
@pytest.mark.task("pytrees.momentum_update")
def test_momentum_update_leaves_inputs_alone(run):
    """Rejects: assigning into the params, grads or velocity containers (dicts, lists) in place."""
    got, ref = run(probes.momentum_steps)
    intact = got.report.get("inputs_intact")
    changed = sorted(name for name, ok in intact.items() if ok is not True) if type(intact) is dict else []
    expect(not changed,
           f"momentum_update modified the {' and '.join(changed)} tree(s) it was given: after an eager call a leaf at "
           "some path was replaced. Build new trees: the caller still holds the old ones, and under jax.jit the same "
           "assignment would not reach the caller at all.")


@pytest.mark.task("pytrees.momentum_update")
def test_momentum_update_values(run):
    """Rejects: stepping the params with the old velocity, swapping lr and beta, an EMA velocity
    (beta * v + (1 - beta) * g), adding instead of subtracting the step, hard-coded lr or beta, returning dicts or
    lists where the params hold tuples and NamedTuples, failing under jax.jit."""
    got, ref = run(probes.momentum_steps)
    given = ref.given
    for name in ("eager_1", "eager_2", "jit"):
        for tree in ("new_params", "new_velocity"):
            expect_structure(part(got.out, name, tree), given["structure"],
                             call=f"{tree} returned by momentum_update ({name.replace('_', ' call ')})",
                             hint="Both results keep the structure of params: a NamedTuple stays that NamedTuple, a "
                                  "tuple a tuple, None and empty containers stay.")
    for name, (lr, beta) in zip(("eager_1", "eager_2", "jit"), given["settings"]):
        new_params = part(got.out, name, "new_params", "leaves")
        old_step = {k: given["params"][k] - lr * given["velocity"][k] for k in given["params"]}
        if _same(new_params, old_step, 1e-5, 1e-6) and \
                not _same(new_params, ref.out[name]["new_params"]["leaves"], 1e-5, 1e-6):
            expect(False, f"momentum_update(..., lr={lr:.4f}, beta={beta:.4f}) returned params - lr * velocity with the "
                          "velocity you were given: step the params with the new velocity.")
    settings = ", ".join(f"(lr={lr:.4f}, beta={beta:.4f})" for lr, beta in given["settings"])
    expect_match(got.out, ref.out, exact_dtype=True, rtol=1e-5, atol=1e-6,
                 call=f"momentum_update on random trees with {settings}: the first two called eagerly (eager_1, "
                      "eager_2), the third under jax.jit (jit)",
                 hint="new_velocity = beta * velocity + grads, then new_params = params - lr * new_velocity, leaf by "
                      "leaf; float32 leaves.")


# ---------------------------------------------------------------------------------------------------- mlp_loss
@pytest.mark.task("pytrees.mlp_loss")
def test_mlp_loss_values_and_gradients(run):
    """Rejects: tanh after the last layer too, tanh nowhere, summing instead of averaging the squared error,
    averaging over the batch only, a fixed two-layer network, a loss that is not a float32 0-d jax.Array, NumPy on
    the inputs (fails under jax.jit)."""
    got, ref = run(probes.mlp_loss_values)
    for name in ref.out:
        kind = part(got.report, "types", name)
        expect(kind in (None, "jax.Array"), f"mlp_loss on the {name.replace('_', ' ')} MLP returned a {kind}; the "
                                            "docstring promises a float32 0-d jax.Array.")
        expect_structure(part(got.out, name, "grads"), ref.out[name]["grads"]["structure"],
                         call=f"jax.grad(mlp_loss) on the {name.replace('_', ' ')} MLP",
                         hint="The gradient has the structure of params when the loss uses every layer's w and b.")
    calls = "; ".join(f"{name}: sizes {ref.given[name]['sizes']}, n = {ref.given[name]['n']}" for name in ref.out)
    expect_match(got.out, ref.out, exact_dtype=True, rtol=1e-4, atol=1e-5,
                 call=f"jax.jit(jax.value_and_grad(mlp_loss))(params, x, y) on random MLPs ({calls}), and "
                      "mlp_loss(params, x, y) called eagerly on the two-layer one",
                 hint="tanh after every layer but the last (one layer is purely linear); the loss is the mean of "
                      "(h - y) ** 2 over all n * d_out entries.")


# -------------------------------------------------------------------------------------------------- decay_mask
@pytest.mark.task("pytrees.decay_mask")
def test_decay_mask_by_last_key(run):
    """Rejects: a substring or prefix test (marks "w_scale", "bw", "kernels"), a case-insensitive test (marks "W"),
    looking only at dict keys (misses NamedTuple fields), matching any entry of the path instead of the last one,
    None instead of False, failing on a lone array (empty path), arrays or NumPy bools instead of Python bools."""
    got, ref = run(probes.decay_mask_values)
    structures = ref.given["structures"]
    for name in ref.out:
        expect_structure(part(got.out, name), structures[name], call=f"decay_mask(params) on the `{name}` params",
                         hint="The mask has exactly the structure of params: one Python bool per leaf (False, not "
                              "None, for the other leaves), None and empty containers left where they are.")
        types = part(got.report, "types", name)
        wrong = sorted(f"`{path}` is a {kind}" for path, kind in types.items() if kind != "bool") \
            if type(types) is dict else []
        expect(not wrong, f"decay_mask(params) on the `{name}` params: {'; '.join(wrong[:3])}. The docstring asks for "
                          "Python bools (True or False) as leaves, not arrays.")
    expect_match(got.out, ref.out,
                 call="decay_mask(params) on a deep tree (dict keys and NamedTuple fields named w, kernel, b, bias, "
                      "w_scale, bw, W, kernels; lists and tuples, also inside a 'w' entry; None and empty containers), "
                      "on a list of layers, and on a lone array",
                 hint="True exactly when the last key-path entry is a dict key or NamedTuple field named exactly 'w' "
                      "or 'kernel'; False for every other leaf, a lone array included.")


# ------------------------------------------------------------------------------------------- zeros_from_shapes
def _zeros_verdict(got, ref, call):
    structure = part(got.out, "structure")
    expect(structure != ref.given["ints_as_leaves"] or structure == ref.out["structure"],
           f"{call}: the result holds one array per int of each shape (structure {structure}): jax.tree.map walked "
           "into the shape tuples. Stop it at the shapes with is_leaf.")
    expect(structure == ref.out["structure"],
           f"{call}: the result has structure {structure}, expected the structure of the shapes tree with one leaf "
           "per shape (NamedTuples kept as containers, and () a shape too).")
    types = part(got.report, "types")
    wrong = sorted(f"`{path}` is a {kind}" for path, kind in types.items() if kind != "jax.Array") \
        if type(types) is dict else []
    expect(not wrong, f"{call}: {'; '.join(wrong[:3])}; the docstring promises float32 jax.Array zeros.")
    expect_match(part(got.out, "leaves"), ref.out["leaves"], exact_dtype=True, call=call,
                 hint="every shape becomes a float32 array of zeros of exactly that shape.")


@pytest.mark.task("pytrees.zeros_from_shapes")
def test_zeros_from_shapes_plain_tree(run):
    """Rejects: jax.tree.map(jnp.zeros, shapes) (a shape tuple is a node: one array per int, and () vanishes), an
    is_leaf that misses the empty shape (), NumPy arrays, another dtype."""
    got, ref = run(probes.zeros_plain_tree)
    _zeros_verdict(got, ref, "zeros_from_shapes(shapes) on a random tree of dicts and lists of shapes, () included")


@pytest.mark.task("pytrees.zeros_from_shapes")
def test_zeros_from_shapes_namedtuple_container(run):
    """Rejects: is_leaf=lambda x: isinstance(x, tuple) (a NamedTuple of shapes is a tuple too, and is taken for a
    shape), rebuilding NamedTuples as plain tuples."""
    got, ref = run(probes.zeros_namedtuple_tree)
    _zeros_verdict(got, ref, "zeros_from_shapes(shapes) on a tree holding NamedTuples of shapes")


# ------------------------------------------------------------------------------------------------ stack_trees
@pytest.mark.task("pytrees.stack_trees")
def test_stack_trees_structure_and_values(run):
    """Rejects: jax.tree.map over the list itself (a list of trees comes back), stacking along the last axis,
    concatenating instead of stacking, returning a lone tree unstacked, only two trees, NumPy stacking (fails
    under jit), changing the dtype, modifying the list (popping a tree)."""
    got, ref = run(probes.stack_values)
    given = ref.given
    expect(got.report.get("input_intact") in (None, True),
           "stack_trees modified the list of trees it was given (its length or items changed after an eager call). "
           "Read the list, do not change it.")
    for name in ("several", "single", "several_jit", "single_jit"):
        case = name.split("_")[0]
        count = given["count"] if case == "several" else 1
        structure = part(got.out, name, "structure")
        expect(structure != given["list_structures"][case],
               f"stack_trees on a list of {count} tree(s) ({name.replace('_', ' ')}) returned a list of trees with the "
               "structure of the input list: the result must be ONE tree with the structure of trees[0].")
        expect_structure(part(got.out, name), given["structures"][case],
                         call=f"stack_trees on a list of {count} tree(s) ({name.replace('_', ' ')})")
    expect_match(got.out, ref.out, exact_dtype=True, rtol=0, atol=0,
                 call=f"stack_trees on a list of {given['count']} random trees and on a list of one tree (None, empty "
                      "containers, tuples, NamedTuples, 0-d and int32 leaves), eagerly and under jax.jit",
                 hint="each leaf is the matching leaves stacked in list order along a new leading axis, shape "
                      "(len(trees), *leaf.shape), in the leaves' dtype.")
