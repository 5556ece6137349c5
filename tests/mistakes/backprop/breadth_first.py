"""A breadth-first order from the root (with a seen set): a node reached by a short and a long path is propagated too early."""
TASK = "backprop.backward"
EXPECT = 'before their gradient was final'


def backward(root):
    order, seen, queue = [], {root}, [root]
    while queue:
        node = queue.pop(0)
        order.append(node)
        for child in node.children:
            if child not in seen:
                seen.add(child)
                queue.append(child)
    root.grad = 1.0
    for node in order:
        propagate(node)
