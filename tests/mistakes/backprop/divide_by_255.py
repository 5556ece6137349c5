"""Dividing by 255 out of MNIST habit: these digits' pixels go up to 16."""
TASK = "backprop.prepare_digits"
EXPECT = 'divided by 255'


def prepare_digits(images, targets):
    images = np.asarray(images)
    return jnp.asarray(images.reshape(images.shape[0], -1) / 255.0, jnp.float32), jnp.asarray(targets, jnp.int32)
