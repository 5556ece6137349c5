"""Leaving out the equations that hold sub-jaxprs (jit, cond, while, scan)."""
TASK = "transforms.count_primitives"
EXPECT = "keys"


def count_primitives(f, *args):
    counts = {}

    def visit(jaxpr):
        for eqn in jaxpr.eqns:
            subs = list(jax.extend.core.jaxprs_in_params(eqn.params))
            if not subs:
                counts[eqn.primitive.name] = counts.get(eqn.primitive.name, 0) + 1
            for sub in subs:
                visit(sub)

    visit(jax.make_jaxpr(f)(*args).jaxpr)
    return counts
