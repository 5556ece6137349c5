"""Right value, computed with NumPy: a NumPy integer, not the promised Python int."""
TASK = "nnx.receptive_field"
EXPECT = "Python int"


def receptive_field(kernel_sizes, strides):
    jumps = np.cumprod([1] + list(strides))[:len(kernel_sizes)]
    return 1 + np.sum((np.asarray(kernel_sizes, dtype=np.int64) - 1) * jumps)
