"""Scans over the split state and returns the losses, but never writes the final state back: the caller's model
and optimizer are untouched."""
TASK = "nnx.train_scan"
EXPECT = "optimizer.step is 0"


def train_scan(model, optimizer, xs, ys):
    graphdef, state = nnx.split((model, optimizer))

    def body(state, batch):
        inner_model, inner_optimizer = nnx.merge(graphdef, state)
        loss = train_step(inner_model, inner_optimizer, *batch)
        return nnx.state((inner_model, inner_optimizer)), loss

    _, losses = jax.lax.scan(body, state, (xs, ys))
    return losses
