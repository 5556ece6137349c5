"""Correct-but-different solutions for topic `backprop`: every hidden check must accept them.

Each function overrides the reference's (the self-check appends this file to solutions/backprop.py), so
the checks are shown to test behaviour, not the reference's incidental choices: another loop order, NumPy
instead of jnp where the task allows it, a truncated-normal He initialisation, lax.scan for training.
"""
import jax
import jax.numpy as jnp
import numpy as np


def _local_derivatives(node):
    """d node / d child for each child, as a list (a table instead of an if-chain)."""
    x = [child.data for child in node.children]
    rules = {
        "+": lambda: [1.0, 1.0],
        "*": lambda: [x[1], x[0]],
        "**": lambda: [node.exponent * x[0] ** (node.exponent - 1)],
        "tanh": lambda: [1.0 - math.tanh(x[0]) ** 2],
        "exp": lambda: [math.exp(x[0])],
        "log": lambda: [1.0 / x[0]],
        "relu": lambda: [float(x[0] > 0)],
    }
    return rules[node.op]() if node.op in rules else []


def propagate(node):
    for child, local in zip(node.children, _local_derivatives(node)):
        child.grad = child.grad + local * node.grad


def backward(root):
    # Iterative post-order DFS with an explicit stack (no recursion), nodes keyed by id.
    order, seen, stack = [], set(), [(root, iter(root.children))]
    seen.add(id(root))
    while stack:
        node, children = stack[-1]
        for child in children:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append((child, iter(child.children)))
                break
        else:
            stack.pop()
            order.append(node)
    root.grad = 1.0
    for node in order[::-1]:
        propagate(node)


def log_softmax(logits):
    return logits - jax.scipy.special.logsumexp(logits, axis=-1, keepdims=True)


def cross_entropy(logits, labels):
    # One-hot weighting instead of a gather.
    onehot = jax.nn.one_hot(labels, logits.shape[-1], dtype=logits.dtype)
    return -jnp.sum(onehot * log_softmax(logits)) / logits.shape[0]


def he_init(key, sizes):
    # Truncated normal (variance-corrected) from Flax/JAX's initializer, keys split one at a time.
    init = jax.nn.initializers.he_normal()
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        key, sub = jax.random.split(key)
        params.append({"W": init(sub, (fan_in, fan_out), jnp.float32), "b": jnp.zeros(fan_out, jnp.float32)})
    return params


def mlp_forward(params, X):
    first, second = params
    Z1 = jnp.dot(X, first["W"]) + first["b"]
    A1 = jax.nn.relu(Z1)
    Z2 = jnp.dot(A1, second["W"]) + second["b"]
    return Z2, dict(X=X, Z1=Z1, A1=A1, Z2=Z2)


def mlp_backward(params, cache, labels):
    # Plain NumPy: allowed here, since the task is never traced.
    X, Z1, A1, Z2 = (np.asarray(cache[name]) for name in ("X", "Z1", "A1", "Z2"))
    labels = np.asarray(labels)
    n = Z2.shape[0]
    e = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    dZ2 = e / e.sum(axis=1, keepdims=True)
    dZ2[np.arange(n), labels] -= 1.0
    dZ2 /= n
    dZ1 = (dZ2 @ np.asarray(params[1]["W"]).T) * (Z1 > 0)
    return [{"b": dZ1.sum(axis=0), "W": X.T @ dZ1}, {"b": dZ2.sum(axis=0), "W": A1.T @ dZ2}]


def per_example_grads(params, X, labels):
    def loss(p, x, y):
        return cross_entropy(mlp_forward(p, x[None])[0], y[None])

    return jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))(params, X, labels)


def prepare_digits(images, targets):
    flat = np.asarray(images, np.float32).reshape(len(images), 64)
    return jnp.asarray(flat * np.float32(1 / 16)), jnp.asarray(np.asarray(targets).astype(np.int32))


def sgd_step(params, X, labels, lr):
    logits, cache = mlp_forward(params, X)
    grads = mlp_backward(params, cache, labels)
    new = [{name: layer[name] - lr * grad[name] for name in layer} for layer, grad in zip(params, grads)]
    return new, cross_entropy(logits, labels)


def train(key, X, labels, steps, lr, hidden):
    # The whole loop in one compiled lax.scan instead of a Python loop over a jitted step.
    params = he_init(key, [X.shape[1], hidden, NUM_CLASSES])

    @jax.jit
    def run(params):
        return jax.lax.scan(lambda p, _: sgd_step(p, X, labels, lr), params, None, length=steps)

    return run(params)
