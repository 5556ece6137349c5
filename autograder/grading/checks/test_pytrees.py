"""Hidden checks for topic `pytrees`.

Each check compares what a probe returns for the student with what it returns for the reference on the
same fresh random trees (with None, empty subtrees, tuples and NamedTuples), or with a property any correct
answer has. Structures are compared as ``str(jax.tree.structure(...))`` and leaves by key path. Docstrings
list the classic mistakes each check rejects.
"""
import pytest

from autograder.compare import expect, expect_match
from autograder.sandbox.probes import pytrees as probes


@pytest.mark.task("pytrees.tree_stats")
def test_tree_stats_counts(run):
    """Rejects: counting None or empty containers as leaves, num_params = number of leaves, counting
    only the first dimension, Python-side recursion that misses NamedTuples."""
    got, ref = run(probes.tree_stats_values)
    for name in ref:
        if name == "jit_global_norm":
            continue
        for key in ("num_leaves", "num_params"):
            expect_match(got[name][key], ref[name][key], call=f"tree_stats(tree)['{key}'] on the `{name}` tree",
                         hint="use jax.tree.leaves: None and empty containers hold no leaves; num_params is the "
                              "sum of the leaves' sizes (number of elements), not the number of leaves.")


@pytest.mark.task("pytrees.tree_stats")
def test_tree_stats_global_norm(run):
    """Rejects: a sum of per-leaf norms, a norm of the first leaf only, a mean instead of a sum of squares,
    Python floats that break under jit."""
    got, ref = run(probes.tree_stats_values)
    norms = {name: got[name]["global_norm"] if isinstance(got.get(name), dict) else got.get(name) for name in ref}
    expected = {name: ref[name]["global_norm"] if isinstance(ref[name], dict) else ref[name] for name in ref}
    expect_match(norms, expected, call="tree_stats(tree)['global_norm'] on random trees (eager and jitted)",
                 hint="the global_norm is sqrt(sum of every squared element of every leaf): one square root of "
                      "the total, not the sum of the leaves' norms.", rtol=1e-4)


@pytest.mark.task("pytrees.ravel_tree")
def test_ravel_tree_order_and_round_trip(run):
    """Rejects: concatenating leaves in dict insertion order (walking dict.values() by hand), forgetting to
    reshape in unravel (flat pieces), rebuilding as plain lists instead of with the treedef, mutating the input."""
    got, ref = run(probes.ravel_round_trip)
    expect(got["input_intact"] is True, "ravel_tree modified the tree it was given; read it, do not change it.")
    expect_match(got["flat"], ref["flat"], call="ravel_tree(tree)[0] on a random tree whose dict keys were inserted "
                 "out of sorted order", hint="the flat vector must follow jax.tree.leaves order: dict keys sorted, "
                 "never dict insertion order. Build it from jax.tree.flatten(tree).")
    expect_match(got["structure"], got["input_structure"], call="jax.tree.structure(unravel(flat))",
                 hint="rebuild with jax.tree.unflatten(treedef, pieces) so that None, empty subtrees, tuples and "
                      "NamedTuples come back as they were.")
    expect_match(got, ref, call="unravel(flat), unravel(other_vector) and jax.jit(unravel)(other_vector)",
                 hint="slice the vector with the leaves' sizes, reshape each piece to its leaf's shape.")


@pytest.mark.task("pytrees.momentum_update")
def test_momentum_update_new_trees(run):
    """Rejects: assigning into the params (or velocity) dict in place, returning a dict where a NamedTuple or
    tuple was given, using the old velocity for the params step, swapping beta and lr."""
    got, ref = run(probes.momentum_step)
    for name, intact in got["inputs_intact"].items():
        expect(intact is True, f"momentum_update modified the {name} tree it was given (a leaf at some path was "
               "replaced in place). Build new trees with jax.tree.map: the caller still holds the old ones, and "
               "under jax.jit an in-place assignment does not do what it seems to.")
    for name, structure in got["structures"].items():
        expect_match(structure, got["input_structure"], call=f"jax.tree.structure({name}) after momentum_update",
                     hint="jax.tree.map keeps every container's type: NamedTuples, tuples, None and empty subtrees.")
    expect_match(got["values"], ref["values"], call="momentum_update(params, grads, velocity, lr, beta) on random "
                 "trees (eager and jitted)",
                 hint="new_velocity = beta * velocity + grads first, then new_params = params - lr * new_velocity.")


@pytest.mark.task("pytrees.mlp_loss")
def test_mlp_loss_gradients(run):
    """Rejects: tanh after the last layer, summing instead of averaging the squared error, averaging over the
    batch only, a fixed two-layer loop that ignores extra layers."""
    got, ref = run(probes.mlp_loss_and_grads)
    for name in ref:
        expect_match(got[name]["grads_structure"], got[name]["params_structure"],
                     call=f"jax.grad(mlp_loss) on the {name.replace('_', ' ')} MLP: the gradient's structure",
                     hint="differentiate with respect to the whole params list.")
    expect_match(got, ref, call="mlp_loss and jax.grad(mlp_loss) on random 3-layer and 1-layer MLPs, compared "
                 "with jax.grad of the reference loss",
                 hint="tanh after every layer but the last; the loss is jnp.mean((h - y) ** 2) over all entries.",
                 rtol=1e-4, atol=1e-5)


@pytest.mark.task("pytrees.decay_mask")
def test_decay_mask_by_key_path(run):
    """Rejects: a substring test on keystr(path) (also marks "w_scale" and "bw"), looking only at dict keys
    (misses NamedTuple fields), matching any entry of the path instead of the last one, None instead of False."""
    got, ref = run(probes.decay_mask_paths)
    expect_match(got["structure"], got["input_structure"], call="jax.tree.structure(decay_mask(params))",
                 hint="return one bool per leaf with jax.tree.map_with_path; False, not None, for the others.")
    for path, expected in ref["mask"].items():
        value = got["mask"].get(path)
        expect(value == expected and type(value) is bool,
               f"decay_mask got the leaf at `{path}` wrong: returned {value!r}, expected {expected}. Only a last "
               "key-path entry named exactly 'w' or 'kernel' (a DictKey's .key or a NamedTuple GetAttrKey's .name) "
               "means True.")


@pytest.mark.task("pytrees.zeros_from_shapes")
def test_zeros_from_shapes_stops_at_shape_tuples(run):
    """Rejects: jax.tree.map(jnp.zeros, shapes) (a shape tuple is a node: one array per int), dropping the
    scalar shape () (an empty tuple is an empty subtree), the wrong dtype."""
    got, ref = run(probes.zeros_plain_tree)
    expect_match(got["structure"], ref["structure"], call="jax.tree.structure(zeros_from_shapes(shapes))",
                 hint="a shape tuple such as (3, 4) is itself a pytree node, so jax.tree.map descends into it and "
                      "calls jnp.zeros on each int; () is an empty node and disappears. Pass is_leaf to stop at "
                      "tuples of ints.")
    expect_match(got, ref, call="zeros_from_shapes(shapes) on a random tree of shapes",
                 hint="every leaf is jnp.zeros(shape, jnp.float32).")


@pytest.mark.task("pytrees.zeros_from_shapes")
def test_zeros_from_shapes_namedtuple_container(run):
    """Rejects: is_leaf=lambda x: isinstance(x, tuple) (a NamedTuple of shapes is a tuple too, so it is taken
    for a shape)."""
    got, ref = run(probes.zeros_namedtuple_tree)
    expect(got["error"] is None,
           f"zeros_from_shapes failed on a tree holding a NamedTuple of shapes ({got['error']}). A NamedTuple is a "
           "tuple too: an is_leaf test with isinstance(x, tuple) takes the whole NamedTuple for one shape. Test for "
           "a plain tuple of ints instead.")
    expect_match(got, ref, call="zeros_from_shapes({'affine': NamedTuple(w=shape, b=shape), 'bias': shape})",
                 hint="the NamedTuple is a container; only plain tuples of ints are shapes.")


@pytest.mark.task("pytrees.stack_trees")
def test_stack_trees_structure_and_values(run):
    """Rejects: jax.tree.map(jnp.stack, trees) (maps over the list as one tree), stacking jax.tree.leaves into
    one array, a list of trees back, stacking along the last axis, mutating the input list."""
    got, ref = run(probes.stack_values)
    expect(got["input_intact"] is True, "stack_trees modified the list of trees it was given.")
    expect_match(got["structure"], got["input_structure"], call="jax.tree.structure(stack_trees(trees))",
                 hint="the result must have the structure of ONE tree: use jax.tree.map(lambda *xs: jnp.stack(xs), "
                      "*trees) so that the list is unpacked into separate trees.")
    expect_match(got, ref, call="stack_trees(trees) on a list of 3 random trees (eager and jitted)",
                 hint="each leaf is jnp.stack of the matching leaves, in list order, along a new first axis.")
