"""Correct-but-different solutions for topic `custom_pytrees`: every hidden check must accept them.

Each function overrides the reference's (the self-check appends this file to solutions/custom_pytrees.py),
so the checks are shown to test behaviour, not the reference's incidental choices (children as a list,
aux as a tuple, a different registration style, a jax.tree.static field).
"""
import dataclasses
from typing import Any

import jax
import jax.numpy as jnp
from jax.tree_util import GetAttrKey


def register_polynomial(cls):
    # Children as a list, aux as a 1-tuple; object.__new__ instead of the constructor.
    def flatten(p):
        return [p.coeffs], (p.var,)

    def unflatten(aux, children):
        p = object.__new__(cls)
        p.coeffs, p.var = children[0], aux[0]
        return p

    jax.tree_util.register_pytree_node(cls, flatten, unflatten)
    return cls


def make_dense_class():
    # Attach the methods with type(...) instead of a class statement; aux as a dict-free tuple.
    def tree_flatten(self):
        return [self.w, self.b], ("activation", self.activation)

    def tree_unflatten(cls, aux, children):
        w, b = children
        return cls(w, b, activation=aux[1])

    cls = type("Layer", (Dense,), {"tree_flatten": tree_flatten, "tree_unflatten": classmethod(tree_unflatten)})
    return jax.tree_util.register_pytree_node_class(cls)


def register_gaussian(cls):
    # Also pass the plain flatten_func (faster flattening without keys).
    def flatten_with_keys(g):
        return [(GetAttrKey("mean"), g.mean), (GetAttrKey("log_std"), g.log_std)], g.name

    def flatten(g):
        return (g.mean, g.log_std), g.name

    def unflatten(name, children):
        mean, log_std = children
        return cls(mean=mean, log_std=log_std, name=name)

    jax.tree_util.register_pytree_with_keys(cls, flatten_with_keys, unflatten, flatten)
    return cls


def make_train_state_class():
    # A mutable dataclass, jax.tree.static() for the static fields, explicit constructor call in apply_gradients.
    @jax.tree_util.register_dataclass
    @dataclasses.dataclass
    class State:
        params: Any
        step: Any
        learning_rate: float = jax.tree.static(default=0.1)
        optimizer: str = jax.tree.static(default="sgd")

        def apply_gradients(self, grads):
            new_params = jax.tree.map(lambda p, g: p - g * self.learning_rate, self.params, grads)
            return type(self)(params=new_params, step=self.step + 1, learning_rate=self.learning_rate,
                              optimizer=self.optimizer)

    return State


def register_interval(cls):
    # cls.__new__ plus setattr, through register_pytree_with_keys.
    def flatten_with_keys(interval):
        return ((GetAttrKey("lo"), interval.lo), (GetAttrKey("hi"), interval.hi)), None

    def unflatten(_, children):
        interval = cls.__new__(cls)
        for name, value in zip(("lo", "hi"), children):
            setattr(interval, name, value)
        return interval

    jax.tree_util.register_pytree_with_keys(cls, flatten_with_keys, unflatten)
    return cls


def pairwise_kl(q, p):
    # Flatten both trees up to the pairs, compute, unflatten: same result without tree.map.
    def is_pair(node):
        return type(node) is tuple

    q_pairs, treedef = jax.tree.flatten(q, is_leaf=is_pair)
    p_pairs = jax.tree.leaves(p, is_leaf=is_pair)
    values = []
    for (mq, sq), (mp, sp) in zip(q_pairs, p_pairs):
        variance_ratio = (sq / sp) ** 2
        values.append(0.5 * jnp.sum(variance_ratio + ((mq - mp) / sp) ** 2 - 1 - jnp.log(variance_ratio)))
    return jax.tree.unflatten(treedef, values)
