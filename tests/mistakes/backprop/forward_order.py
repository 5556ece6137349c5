"""Propagating in topological order (leaves first) instead of reverse topological order."""
TASK = "backprop.backward"
EXPECT = 'before their gradient was final'


def backward(root):
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for child in node.children:
                visit(child)
            order.append(node)

    visit(root)
    root.grad = 1.0
    for node in order:
        propagate(node)
