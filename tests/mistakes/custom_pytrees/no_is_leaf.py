"""jax.tree.map without is_leaf: it descends into the (mean, std) tuples and hands kl single arrays."""
TASK = "custom_pytrees.pairwise_kl"
EXPECT = "Too many indices"


def pairwise_kl(q, p):
    def kl(a, b):
        mean_q, std_q, mean_p, std_p = a[0], a[1], b[0], b[1]
        return jnp.sum(jnp.log(std_p / std_q) + (std_q**2 + (mean_q - mean_p) ** 2) / (2 * std_p**2) - 0.5)

    return jax.tree.map(kl, q, p)
