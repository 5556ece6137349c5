"""dW = dZ.T @ A_prev: the transpose of the weight gradient."""
TASK = "backprop.linear_backward"
EXPECT = "the transpose of W's shape"


def linear_backward(dZ, A_prev, W):
    return dZ @ W.T, dZ.T @ A_prev, dZ.sum(axis=0)
