"""A hand-written map over dicts and sequences that rebuilds every tuple and NamedTuple as a list."""
TASK = "pytrees.momentum_update"
EXPECT = "has structure"


def _map(f, *trees):
    first = trees[0]
    if first is None:
        return None
    if isinstance(first, dict):
        return {key: _map(f, *(tree[key] for tree in trees)) for key in first}
    if isinstance(first, (list, tuple)):
        return [_map(f, *items) for items in zip(*trees)]
    return f(*trees)


def momentum_update(params, grads, velocity, lr, beta):
    new_velocity = _map(lambda v, g: beta * v + g, velocity, grads)
    return _map(lambda p, v: p - lr * v, params, new_velocity), new_velocity
