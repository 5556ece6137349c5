"""db as the mean of dZ over the batch instead of the sum."""
TASK = "backprop.linear_backward"
EXPECT = 'db is the mean of dZ'


def linear_backward(dZ, A_prev, W):
    return dZ @ W.T, A_prev.T @ dZ, dZ.mean(axis=0)
