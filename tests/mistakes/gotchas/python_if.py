"""A Python `if` on array values."""
TASK = "gotchas.soft_clip"
EXPECT = "Python control flow"


def soft_clip(x):
    def one(v):
        if jnp.abs(v) > 1:
            return jnp.sign(v) * (1 + jnp.log(jnp.abs(v)))
        return v

    return jnp.stack([one(v) for v in x.reshape(-1)]).reshape(x.shape)
