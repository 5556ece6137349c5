"""Scores ordered (example, head, key, query): the query and key axes swapped."""
TASK = "transformer.einsum_drills"
EXPECT = "`general/scores`"

def einsum_drills(a, b, x, w, y, q, k, m):
    return {"batched_matmul": jnp.einsum("bnr,brp->bnp", a, b), "bilinear": jnp.einsum("ci,ij,cj->c", x, w, y),
            "scores": jnp.einsum("cthd,cshd->chst", q, k), "trace": jnp.einsum("cii->c", m)}
