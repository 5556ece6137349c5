"""A fixed-length fori_loop that stops counting at 1: it compiles to a scan, not a while loop."""
TASK = "gotchas.collatz_steps"
EXPECT = "no `while` primitive"

def collatz_steps(n):
    def step(_, carry):
        value, steps = carry
        done = value == 1
        return jnp.where(done, value, jnp.where(value % 2 == 0, value // 2, 3 * value + 1)), steps + (~done)
    return lax.fori_loop(0, 200, step, (jnp.asarray(n, jnp.int32), jnp.int32(0)))[1]
