"""Counting the starting value as a step: collatz_steps(1) == 1."""
TASK = "gotchas.collatz_steps"
EXPECT = "`batched`"

def collatz_steps(n):
    def step(carry):
        value, steps = carry
        return jnp.where(value % 2 == 0, value // 2, 3 * value + 1), steps + 1
    return lax.while_loop(lambda c: c[0] != 1, step, (jnp.asarray(n, jnp.int32), jnp.int32(1)))[1]
