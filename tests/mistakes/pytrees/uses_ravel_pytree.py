"""Handing the whole task to jax.flatten_util.ravel_pytree, which the docstring forbids."""
TASK = "pytrees.ravel_tree"
EXPECT = "ravel_pytree must not be called"

from jax.flatten_util import ravel_pytree as _ravel_pytree


def ravel_tree(tree):
    return _ravel_pytree(tree)
