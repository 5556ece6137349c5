"""Indexing an identity matrix: invalid labels are clamped or wrap instead of giving zero rows."""
TASK = "gotchas.one_hot"
EXPECT = "a row of zeros for invalid labels"


def one_hot(labels, num_classes):
    return jnp.eye(num_classes, dtype=jnp.float32)[labels]
