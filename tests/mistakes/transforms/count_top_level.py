"""Counting the top-level equations only."""
TASK = "transforms.count_primitives"
EXPECT = "`branchy`"


def count_primitives(f, *args):
    counts = {}
    for eqn in jax.make_jaxpr(f)(*args).eqns:
        counts[eqn.primitive.name] = counts.get(eqn.primitive.name, 0) + 1
    return counts
