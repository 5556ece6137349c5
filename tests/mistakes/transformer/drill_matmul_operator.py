"""The batched product with @ (it broadcasts over the batch): the task asks for einsum."""
TASK = "transformer.einsum_drills"
EXPECT = "called the @ operator or jnp.matmul"

def einsum_drills(a, b, x, w, y, q, k, m):
    return {"batched_matmul": a @ b, "bilinear": jnp.einsum("ci,ij,cj->c", x, w, y),
            "scores": jnp.einsum("cthd,cshd->chts", q, k), "trace": jnp.einsum("cii->c", m)}
