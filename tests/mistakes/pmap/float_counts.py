"""Counting in float32: the counts are not int32."""
TASK = "pmap.global_accuracy"
EXPECT = "dtype float32, expected int32"


def global_accuracy(logits, labels, valid):
    hits = ((jnp.argmax(logits, axis=-1) == labels) & valid).astype(jnp.float32)
    correct = lax.psum(jnp.sum(hits), AXIS)
    count = lax.psum(jnp.sum(valid.astype(jnp.float32)), AXIS)
    return {"correct": correct, "count": count, "accuracy": correct / count}
