"""The keep probability passed as Dropout's rate (rate is the fraction dropped)."""
TASK = "trainstate.build_model"
EXPECT = "but dropout_rate was"


def build_model(hidden, num_classes, dropout_rate):
    class MLP(nn.Module):
        @nn.compact
        def __call__(self, x, train: bool):
            x = nn.Dense(hidden)(x)
            x = nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)
            x = nn.relu(x)
            x = nn.Dropout(rate=1.0 - dropout_rate, deterministic=not train)(x)
            return nn.Dense(num_classes)(x)

    return MLP()
