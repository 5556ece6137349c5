"""BatchNorm always uses the running averages: the statistics never update while training."""
TASK = "trainstate.build_model"
EXPECT = "left the batch_stats unchanged"


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
