"""Recursing into a param called `jaxpr` only: cond branches and while loops are missed."""
TASK = "transforms.count_primitives"
EXPECT = "`branchy`"


def count_primitives(f, *args):
    counts = {}

    def visit(jaxpr):
        for eqn in jaxpr.eqns:
            counts[eqn.primitive.name] = counts.get(eqn.primitive.name, 0) + 1
            if "jaxpr" in eqn.params:
                visit(eqn.params["jaxpr"])

    visit(jax.make_jaxpr(f)(*args))
    return counts
