"""Dividing dW by the batch size at every layer, although dZ already carries the mean's 1/n."""
TASK = "backprop.linear_backward"
EXPECT = 'divided by the batch size n once more'


def linear_backward(dZ, A_prev, W):
    return dZ @ W.T, A_prev.T @ dZ / dZ.shape[0], dZ.sum(axis=0)
