"""Trains the caller's objects from inside the scanned function: NNX refuses to put traced values into objects
from outside the trace."""
TASK = "nnx.train_scan"
EXPECT = "raised"


def train_scan(model, optimizer, xs, ys):
    def body(carry, batch):
        return carry, train_step(model, optimizer, *batch)

    _, losses = jax.lax.scan(body, 0, (xs, ys))
    return losses
