"""The number of classes derived from the data: not known under jit."""
TASK = "gotchas.one_hot"
EXPECT = "keep shapes static"


def one_hot(labels, num_classes):
    return jax.nn.one_hot(labels, int(labels.max()) + 1)
