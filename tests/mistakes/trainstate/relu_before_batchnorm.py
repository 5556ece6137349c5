"""relu before BatchNorm: the normalised values can be negative and reach the next layer."""
TASK = "trainstate.build_model"
EXPECT = "model.apply(variables, x, train=False)"


def build_model(hidden, num_classes, dropout_rate):
    class MLP(nn.Module):
        @nn.compact
        def __call__(self, x, train: bool):
            x = nn.relu(nn.Dense(hidden)(x))
            x = nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)
            x = nn.Dropout(rate=dropout_rate, deterministic=not train)(x)
            return nn.Dense(num_classes)(x)

    return MLP()
