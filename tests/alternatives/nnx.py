"""Correct-but-different solutions for topic `nnx`: every hidden check must accept them.

Each function overrides the reference's (the self-check appends this file to solutions/nnx.py), so the checks
are shown to test behaviour, not the reference's incidental choices.
"""
import jax
import jax.numpy as jnp
import optax
import orbax.checkpoint as ocp
from flax import nnx
from jax import lax


def conv2d(x, kernel, strides, padding):
    # One matrix product per kernel tap, accumulated; padding from lax.padtype_to_pads (no convolution in it).
    kh, kw, _, _ = kernel.shape
    sh, sw = strides
    pads = lax.padtype_to_pads(x.shape[1:3], (kh, kw), strides, padding)
    x = jnp.pad(x, ((0, 0), *pads, (0, 0)))
    out_h, out_w = (x.shape[1] - kh) // sh + 1, (x.shape[2] - kw) // sw + 1
    total = 0.0
    for a in range(kh):
        for b in range(kw):
            window = lax.slice(x, (0, a, b, 0), (x.shape[0], a + (out_h - 1) * sh + 1, b + (out_w - 1) * sw + 1,
                                                 x.shape[3]), (1, sh, sw, 1))
            total = total + window @ kernel[a, b]
    return total


def receptive_field(kernel_sizes, strides):
    # Backwards from one output: r_before = (r_after - 1) * stride + kernel.
    field = 1
    for size, stride in reversed(list(zip(kernel_sizes, strides))):
        field = (field - 1) * stride + size
    return int(field)


def linen_to_nnx(variables, model):
    # One nnx.update with a pure dict laid out like the NNX model.
    params, stats = variables["params"], variables["batch_stats"]
    nnx.update(model, {
        "linear1": dict(params["Dense_0"]),
        "linear2": dict(params["Dense_1"]),
        "bn": {**params["BatchNorm_0"], **stats["BatchNorm_0"]},
    })


class _CNN(nnx.Module):
    # A module-level class with constructor arguments, layers created in another order, an int stride.
    def __init__(self, channels, num_classes, dropout_rate, rngs):
        c1, c2 = channels
        self.head = nnx.Linear(16 * c2, num_classes, rngs=rngs)
        self.dropout = nnx.Dropout(rate=dropout_rate, rngs=rngs)
        self.conv2 = nnx.Conv(c1, c2, (3, 3), strides=2, use_bias=False, rngs=rngs)
        self.conv1 = nnx.Conv(1, c1, (3, 3), use_bias=False, rngs=rngs)
        self.bn2 = nnx.BatchNorm(c2, momentum=0.9, rngs=rngs)
        self.bn1 = nnx.BatchNorm(c1, momentum=0.9, rngs=rngs)

    def __call__(self, x):
        for conv, bn in ((self.conv1, self.bn1), (self.conv2, self.bn2)):
            x = jax.nn.relu(bn(conv(x)))
        return self.head(self.dropout(jnp.reshape(x, (len(x), -1))))


def make_cnn(channels, num_classes, dropout_rate, rngs):
    return _CNN(tuple(channels), num_classes, dropout_rate, rngs)


def train_step(model, optimizer, x, y):
    # nnx.grad with the loss as aux, one-hot cross-entropy.
    def loss_fn(model):
        logits = model(x)
        loss = jnp.mean(optax.softmax_cross_entropy(logits, jax.nn.one_hot(y, logits.shape[-1])))
        return loss, loss

    grads, loss = nnx.grad(loss_fn, has_aux=True)(model)
    optimizer.update(model, grads)
    return loss


def fit(model, data, *, num_epochs, batch_size, learning_rate, key):
    # Batches gathered with jnp.take, evaluation under nnx.jit, mean by Python arithmetic.
    optimizer = nnx.Optimizer(model, tx=optax.adam(learning_rate=learning_rate), wrt=nnx.Param)
    step = nnx.jit(train_step)
    predict = nnx.jit(lambda m, images: jnp.argmax(m(images), axis=1))
    n_train = len(data["train_y"])
    train_losses, accuracies = [], []
    for epoch in range(num_epochs):
        model.train()
        order = jax.random.permutation(jax.random.fold_in(key, epoch), n_train)
        total = 0.0
        batches = n_train // batch_size
        for b in range(batches):
            idx = order[b * batch_size:(b + 1) * batch_size]
            total += float(step(model, optimizer, jnp.take(jnp.asarray(data["train_x"]), idx, axis=0),
                                jnp.take(jnp.asarray(data["train_y"]), idx, axis=0)))
        train_losses.append(total / batches)
        model.eval()
        correct = predict(model, jnp.asarray(data["test_x"])) == jnp.asarray(data["test_y"])
        accuracies.append(float(jnp.sum(correct)) / len(data["test_y"]))
    return {"train_loss": train_losses, "test_accuracy": accuracies}


def train_scan(model, optimizer, xs, ys):
    # Model and optimizer split separately; the carry is a pair of states.
    model_def, model_state = nnx.split(model)
    opt_def, opt_state = nnx.split(optimizer)

    def body(carry, batch):
        m = nnx.merge(model_def, carry[0])
        o = nnx.merge(opt_def, carry[1])
        loss = train_step(m, o, batch[0], batch[1])
        return (nnx.split(m)[1], nnx.split(o)[1]), loss

    (model_state, opt_state), losses = lax.scan(body, (model_state, opt_state), (xs, ys))
    nnx.update(model, model_state)
    nnx.update(optimizer, opt_state)
    return losses


def save_model(model, path):
    # A synchronous Checkpointer with the standard handler writes the same format.
    checkpointer = ocp.Checkpointer(ocp.StandardCheckpointHandler())
    checkpointer.save(path, args=ocp.args.StandardSave(nnx.state(model)))
    checkpointer.close()


def restore_model(path, channels, num_classes, dropout_rate):
    # Restore with args=StandardRestore, then fill the abstract model in place with nnx.update.
    model = nnx.eval_shape(lambda: make_cnn(channels, num_classes, dropout_rate, nnx.Rngs(0)))
    checkpointer = ocp.Checkpointer(ocp.StandardCheckpointHandler())
    nnx.update(model, checkpointer.restore(path, args=ocp.args.StandardRestore(nnx.state(model))))
    checkpointer.close()
    model.eval()
    return model
