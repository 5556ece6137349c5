"""BatchNorm always uses the running averages: they never update, and training normalises with them."""
TASK = "trainstate.build_model"
EXPECT = "returned the running averages unchanged"


def build_model(hidden, num_classes, dropout_rate):
    class MLP(nn.Module):
        @nn.compact
        def __call__(self, x, train: bool):
            x = nn.Dense(hidden)(x)
            x = nn.BatchNorm(use_running_average=True, momentum=0.9)(x)
            x = nn.relu(x)
            x = nn.Dropout(rate=dropout_rate, deterministic=not train)(x)
            return nn.Dense(num_classes)(x)

    return MLP()
