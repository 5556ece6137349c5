"""Convolutions with their default bias, right before BatchNorm cancels it."""
TASK = "nnx.make_cnn"
EXPECT = "unexpected ['conv1/bias', 'conv2/bias']"


def make_cnn(channels, num_classes, dropout_rate, rngs):
    c1, c2 = channels

    class CNN(nnx.Module):
        def __init__(self):
            self.conv1 = nnx.Conv(1, c1, kernel_size=(3, 3), padding="SAME", rngs=rngs)
            self.bn1 = nnx.BatchNorm(c1, momentum=0.9, rngs=rngs)
            self.conv2 = nnx.Conv(c1, c2, kernel_size=(3, 3), strides=(2, 2), padding="SAME",
                                  rngs=rngs)
            self.bn2 = nnx.BatchNorm(c2, momentum=0.9, rngs=rngs)
            self.dropout = nnx.Dropout(dropout_rate, rngs=rngs)
            self.head = nnx.Linear(4 * 4 * c2, num_classes, rngs=rngs)

        def __call__(self, x):
            x = nnx.relu(self.bn1(self.conv1(x)))
            x = nnx.relu(self.bn2(self.conv2(x)))
            x = x.reshape(x.shape[0], -1)
            return self.head(self.dropout(x))

    return CNN()
