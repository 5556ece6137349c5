"""BatchNorm with its default momentum 0.99 instead of 0.9."""
TASK = "trainstate.build_model"
EXPECT = "momentum 0.990"


def build_model(hidden, num_classes, dropout_rate):
    class MLP(nn.Module):
        @nn.compact
        def __call__(self, x, train: bool):
            x = nn.Dense(hidden)(x)
            x = nn.BatchNorm(use_running_average=not train)(x)
            x = nn.relu(x)
            x = nn.Dropout(rate=dropout_rate, deterministic=not train)(x)
            return nn.Dense(num_classes)(x)

    return MLP()
