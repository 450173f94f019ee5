"""Does a model fit this machine's memory: TF's out-of-memory error as one
line naming the flag that made a tensor too large, and a check of the
variables' size before TensorFlow tries."""
import os
import re

import numpy as np

from legacy.errors import UsageError
from legacy.tf import tf


def _culprit(shape, batch_size, widths):
    """Which flag makes a tensor of ``shape`` large (``widths``: an MLP's --hidden, else empty)."""
    widths = list(widths or [])
    if shape and batch_size in shape and not set(shape) & set(widths):
        return "lower --batch_size=%d" % batch_size
    if shape and set(shape) & set(widths):
        return "lower --hidden=%s" % ",".join(map(str, widths))
    return "use a smaller model or --batch_size"


def out_of_memory(err, during, batch_size, widths=()):
    """TF's ResourceExhaustedError ``err`` as one line naming the flag that made the tensor too large."""
    match = re.search(r"shape\s*\[([\d,\s]+)\]", err.message or "")
    shape = [int(d) for d in match.group(1).split(",")] if match else []
    size = "a [%s] float tensor (%.1f GB)" % (", ".join(map(str, shape)), 4.0 * np.prod(shape) / 1e9) \
        if shape else "a tensor"
    return "out of memory allocating %s while %s; it does not fit this machine: %s" % (
        size, during, _culprit(shape, batch_size, widths))


def check_fits(batch_size, widths=()):
    """UsageError when the graph's variables (weights and optimizer slots)
    alone are larger than the machine's memory: refused before TF tries (which
    fails in ways that differ by version and optimizer, not always as
    ResourceExhaustedError)."""
    variables = tf.global_variables()
    need = sum(v.shape.num_elements() * v.dtype.base_dtype.size for v in variables if v.shape.is_fully_defined())
    try:
        have = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return
    if need > have:
        big = max(variables, key=lambda v: v.shape.num_elements() or 0)
        raise UsageError("the model's variables need %.1f GB (%s is %s), more than this machine's %.1f GB of "
                         "memory: %s" % (need / 1e9, big.op.name, big.shape.as_list(), have / 1e9,
                                         _culprit(big.shape.as_list(), batch_size, widths)))
