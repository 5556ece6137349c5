"""The dropout rate is hard-coded to 0.5 instead of the dropout_rate argument."""
TASK = "trainstate.build_model"
EXPECT = "as a dropout rate of 0.5000 would scale them"


def build_model(hidden, num_classes, dropout_rate):
    class MLP(nn.Module):
        @nn.compact
        def __call__(self, x, train: bool):
            x = nn.Dense(hidden)(x)
            x = nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)
            x = nn.relu(x)
            x = nn.Dropout(rate=0.5, deterministic=not train)(x)
            return nn.Dense(num_classes)(x)

    return MLP()
