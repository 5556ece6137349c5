"""The mask taken from the incoming gradient instead of the ReLU's input."""
TASK = "backprop.relu_backward"
EXPECT = 'the mask was taken from dA'


def relu_backward(dA, Z):
    return jnp.maximum(dA, 0.0).astype(dA.dtype)
