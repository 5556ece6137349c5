"""The hidden width of the digits model, 64, hard-coded."""
TASK = "trainstate.build_model"
EXPECT = "its layers described by their shapes"


def build_model(hidden, num_classes, dropout_rate):
    class MLP(nn.Module):
        @nn.compact
        def __call__(self, x, train: bool):
            x = nn.Dense(64)(x)
            x = nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)
            x = nn.relu(x)
            x = nn.Dropout(rate=dropout_rate, deterministic=not train)(x)
            return nn.Dense(num_classes)(x)

    return MLP()
