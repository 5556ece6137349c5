"""Computes the gradients and never applies them."""
TASK = "nnx.train_step"
EXPECT = "optimizer.step is still 0"


def train_step(model, optimizer, x, y):
    def loss_fn(model):
        return optax.softmax_cross_entropy_with_integer_labels(model(x), y).mean()

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    return loss
