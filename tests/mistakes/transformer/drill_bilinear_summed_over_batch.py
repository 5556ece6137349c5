"""The batch letter left out of the output: one number for the whole batch."""
TASK = "transformer.einsum_drills"
EXPECT = "`general/bilinear`"

def einsum_drills(a, b, x, w, y, q, k, m):
    return {"batched_matmul": jnp.einsum("bnr,brp->bnp", a, b), "bilinear": jnp.einsum("ci,ij,cj->", x, w, y),
            "scores": jnp.einsum("cthd,cshd->chts", q, k), "trace": jnp.einsum("cii->c", m)}
