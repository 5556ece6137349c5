"""Averaging the elementwise KL instead of summing it."""
TASK = "custom_pytrees.pairwise_kl"
EXPECT = "`tree/"


def pairwise_kl(q, p):
    def kl(q_pair, p_pair):
        (mean_q, std_q), (mean_p, std_p) = q_pair, p_pair
        return jnp.mean(jnp.log(std_p / std_q) + (std_q**2 + (mean_q - mean_p) ** 2) / (2 * std_p**2) - 0.5)

    return jax.tree.map(kl, q, p, is_leaf=lambda node: isinstance(node, tuple))
