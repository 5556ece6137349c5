"""Switches the model to evaluation mode inside the step: no dropout, no statistics updated."""
TASK = "nnx.train_step"
EXPECT = "did not move"


def train_step(model, optimizer, x, y):
    model.eval()

    def loss_fn(model):
        return optax.softmax_cross_entropy_with_integer_labels(model(x), y).mean()

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)
    return loss
