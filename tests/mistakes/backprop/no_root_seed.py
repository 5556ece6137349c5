"""Forgetting to seed the pass with root.grad = 1.0: every gradient stays 0."""
TASK = "backprop.backward"
EXPECT = 'instead of 1.0'


def backward(root):
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for child in node.children:
                visit(child)
            order.append(node)

    visit(root)
    for node in reversed(order):
        propagate(node)
