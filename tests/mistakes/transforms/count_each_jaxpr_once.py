"""Remembering the sub-jaxprs already visited: a jitted function called twice is counted once."""
TASK = "transforms.count_primitives"
EXPECT = "`reused_jit"


def count_primitives(f, *args):
    counts, seen = {}, set()

    def visit(jaxpr):
        for eqn in jaxpr.eqns:
            counts[eqn.primitive.name] = counts.get(eqn.primitive.name, 0) + 1
            for sub in jax.extend.core.jaxprs_in_params(eqn.params):
                if id(sub) not in seen:
                    seen.add(id(sub))
                    visit(sub)

    visit(jax.make_jaxpr(f)(*args).jaxpr)
    return counts
