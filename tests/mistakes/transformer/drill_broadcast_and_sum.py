"""Products by broadcasting and summing: right numbers, but no einsum for two of them."""
TASK = "transformer.einsum_drills"
EXPECT = "called jnp.einsum"

def einsum_drills(a, b, x, w, y, q, k, m):
    return {"batched_matmul": jnp.sum(a[:, :, :, None] * b[:, None, :, :], axis=2),
            "bilinear": jnp.sum(x[:, :, None] * w[None] * y[:, None, :], axis=(1, 2)),
            "scores": jnp.einsum("cthd,cshd->chts", q, k), "trace": jnp.einsum("cii->c", m)}
