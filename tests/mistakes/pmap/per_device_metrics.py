"""No collective: each device reports its own numbers."""
TASK = "pmap.global_accuracy"
EXPECT = "differs between devices"


def global_accuracy(logits, labels, valid):
    hits = (jnp.argmax(logits, axis=-1) == labels) & valid
    correct, count = jnp.sum(hits, dtype=jnp.int32), jnp.sum(valid, dtype=jnp.int32)
    return {"correct": correct, "count": count, "accuracy": (correct / count).astype(jnp.float32)}
