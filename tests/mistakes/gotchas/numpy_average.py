"""np.average: a NumPy float64, and it cannot trace under jit."""
TASK = "gotchas.weighted_average"
EXPECT = "TracerArrayConversionError"

import numpy as np


def weighted_average(values, weights):
    return np.average(np.asarray(values, np.float32), weights=np.asarray(weights, np.float32))
