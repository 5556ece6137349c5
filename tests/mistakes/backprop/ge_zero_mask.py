"""The mask Z >= 0: lets the gradient through at an input of exactly 0."""
TASK = "backprop.relu_backward"
EXPECT = 'only where Z is exactly 0'


def relu_backward(dA, Z):
    return jnp.where(Z >= 0, dA, 0.0).astype(dA.dtype)
