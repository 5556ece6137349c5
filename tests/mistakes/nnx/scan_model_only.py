"""Writes the final state back into the model only: the optimizer's step and moments stay where they were."""
TASK = "nnx.train_scan"
EXPECT = "optimizer.step is 0"


def train_scan(model, optimizer, xs, ys):
    graphdef, state = nnx.split((model, optimizer))

    def body(state, batch):
        inner_model, inner_optimizer = nnx.merge(graphdef, state)
        loss = train_step(inner_model, inner_optimizer, *batch)
        return nnx.state((inner_model, inner_optimizer)), loss

    state, losses = jax.lax.scan(body, state, (xs, ys))
    nnx.update(model, state[0])
    return losses
