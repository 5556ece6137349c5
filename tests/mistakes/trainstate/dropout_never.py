"""Dropout is deterministic in both modes: the dropout key is never used."""
TASK = "trainstate.build_model"
EXPECT = "Two different dropout keys gave the same train-mode logits"


def build_model(hidden, num_classes, dropout_rate):
    class MLP(nn.Module):
        @nn.compact
        def __call__(self, x, train: bool):
            x = nn.Dense(hidden)(x)
            x = nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)
            x = nn.relu(x)
            x = nn.Dropout(rate=dropout_rate, deterministic=True)(x)
            return nn.Dense(num_classes)(x)

    return MLP()
