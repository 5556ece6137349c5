"""Multiplying by the ReLU's output instead of its derivative."""
TASK = "backprop.relu_backward"
EXPECT = 'dA * relu(Z)'


def relu_backward(dA, Z):
    return dA * jnp.maximum(Z, 0.0)
