"""A Python while loop on a traced value."""
TASK = "gotchas.collatz_steps"
EXPECT = "Python control flow"


def collatz_steps(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return jnp.int32(steps)
