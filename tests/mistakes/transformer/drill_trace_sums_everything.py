"""Two different letters for the matrix axes: the sum of every entry, not the trace."""
TASK = "transformer.einsum_drills"
EXPECT = "`general/trace`"

def einsum_drills(a, b, x, w, y, q, k, m):
    return {"batched_matmul": jnp.einsum("bnr,brp->bnp", a, b), "bilinear": jnp.einsum("ci,ij,cj->c", x, w, y),
            "scores": jnp.einsum("cthd,cshd->chts", q, k), "trace": jnp.einsum("cij->c", m)}
