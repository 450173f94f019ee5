"""Sliced Wasserstein distance between two image sets (Karras et al. 2018, Appendix D).

As the official ``metrics/sliced_wasserstein.py``, in numpy only:

1. each image set's Laplacian pyramid, from the full resolution down to
   16x16 (the last level is the Gaussian 16x16 image itself); the 5x5
   binomial filter with mirrored borders, as ``cv2.pyrDown``/``pyrUp``;
2. per level, 128 descriptors per image: the 7x7 neighbourhood (all
   channels) around a uniformly random pixel at least 3 pixels from the border;
3. each set's descriptors normalised by its own per-channel mean and
   standard deviation;
4. the sliced Wasserstein distance: 4 repeats of 128 random unit directions;
   per direction, the sorted projections of both sets matched in order, the
   mean absolute difference; averaged over directions and repeats;
5. reported x10^3 per level (``SWDx1e3_<res>``), and their mean.

Images are uint8 values [N, H, W, C] (NHWC; generated images are turned
into uint8 as the official ``convert_to_uint8`` does before measuring). Both
sets must be the same size. Random positions and directions come from a
seeded ``RandomState``, so a measurement repeats exactly.
"""
import numpy as np

NHOOD_SIZE = 7
NHOODS_PER_IMAGE = 128
DIR_REPEATS = 4
DIRS_PER_REPEAT = 128
DIRS_PER_CHUNK = 32  # directions projected at once (memory only; the value is the same)
GAUSSIAN_1D = np.float32([1, 4, 6, 4, 1]) / 16.0  # outer product = the official 5x5 filter / 256


def to_uint8(images, drange=(-1.0, 1.0)):
    """Network output in ``drange`` -> uint8, as misc.convert_to_uint8."""
    scale = 255.0 / (drange[1] - drange[0])
    return np.rint((np.asarray(images, np.float32) - drange[0]) * scale).clip(0, 255).astype(np.uint8)


def _blur(x, kernel):
    """Separable 5x5 convolution of NCHW images, mirrored borders
    (scipy.ndimage mode='mirror' is numpy's pad mode 'reflect')."""
    x = np.pad(x, [(0, 0), (0, 0), (2, 2), (0, 0)], mode="reflect")
    x = sum(kernel[i] * x[:, :, i:i + x.shape[2] - 4, :] for i in range(5))
    x = np.pad(x, [(0, 0), (0, 0), (0, 0), (2, 2)], mode="reflect")
    return sum(kernel[i] * x[:, :, :, i:i + x.shape[3] - 4] for i in range(5))


def pyr_down(x):
    return _blur(x, GAUSSIAN_1D)[:, :, ::2, ::2]


def pyr_up(x):
    up = np.zeros(x.shape[:2] + (x.shape[2] * 2, x.shape[3] * 2), x.dtype)
    up[:, :, ::2, ::2] = x
    return _blur(up, GAUSSIAN_1D * 2.0)  # the 2D filter x 4


def laplacian_pyramid(images, levels):
    """NCHW float32 images -> ``levels`` arrays, finest first."""
    pyramid = [np.array(images, dtype=np.float32)]  # a copy: the levels are changed in place
    for _ in range(1, levels):
        pyramid.append(pyr_down(pyramid[-1]))
        pyramid[-2] -= pyr_up(pyramid[-1])
    return pyramid


def resolutions(resolution):
    """The measured levels: R, R/2, ..., 16 (none below 16x16)."""
    out = []
    while resolution >= 16:
        out.append(resolution)
        resolution //= 2
    return out


def neighbourhood_positions(rng, count, height, width, per_image=NHOODS_PER_IMAGE, size=NHOOD_SIZE):
    """(image, y, x) centres: ``per_image`` per image, uniform over the
    pixels at least size // 2 from the border."""
    half = size // 2
    n = count * per_image
    xs = rng.randint(half, width - half, size=n)
    ys = rng.randint(half, height - half, size=n)
    return np.arange(n) // per_image, ys, xs


def descriptors(level, positions, size=NHOOD_SIZE):
    """[n, C, size, size] neighbourhoods of NCHW ``level`` at ``positions``."""
    img, ys, xs = positions
    half = size // 2
    offsets = np.arange(-half, half + 1)
    rows = (ys[:, None] + offsets)[:, None, :, None]
    cols = (xs[:, None] + offsets)[:, None, None, :]
    chans = np.arange(level.shape[1])[None, :, None, None]
    return level[img[:, None, None, None], chans, rows, cols]


def normalise(desc):
    """Per-channel zero mean, unit standard deviation over the set; flattened."""
    desc = desc - np.mean(desc, axis=(0, 2, 3), keepdims=True)
    desc = desc / np.std(desc, axis=(0, 2, 3), keepdims=True)
    return desc.reshape(desc.shape[0], -1)


def sliced_wasserstein(a, b, directions):
    """Mean over ``directions`` (a list of [dim, k] unit-column matrices) of the
    mean absolute difference of the sorted projections of ``a`` and ``b``."""
    assert a.ndim == 2 and a.shape == b.shape
    results = []
    a_t, b_t = np.ascontiguousarray(a.T), np.ascontiguousarray(b.T)
    for dirs in directions:
        # DIRS_PER_CHUNK directions at a time, sorted in place: the
        # projections of 8,192 images (1M descriptors) then take 2 x 128 MB
        # instead of 4 x 512 MB. The chunks are the same size, so the mean of
        # their means is the mean over all directions.
        for start in range(0, dirs.shape[1], DIRS_PER_CHUNK):
            chunk = dirs[:, start:start + DIRS_PER_CHUNK].T
            # [direction, neighbourhood]: each row contiguous, so the sorts are fast
            proj_a = np.matmul(chunk, a_t)
            proj_a.sort(axis=1)
            proj_b = np.matmul(chunk, b_t)
            proj_b.sort(axis=1)
            proj_a -= proj_b
            results.append((np.mean(np.abs(proj_a, out=proj_a)), chunk.shape[0]))
    return float(sum(m * k for m, k in results) / sum(k for _, k in results))


def random_directions(rng, dim, repeats=DIR_REPEATS, per_repeat=DIRS_PER_REPEAT):
    out = []
    for _ in range(repeats):
        dirs = rng.randn(dim, per_repeat)
        dirs /= np.sqrt(np.sum(np.square(dirs), axis=0, keepdims=True))
        out.append(dirs.astype(np.float32))
    return out


def set_descriptors(images, rng, nhoods_per_image=NHOODS_PER_IMAGE):
    """Per level, the normalised descriptors of uint8 NHWC ``images``."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1] != images.shape[2] or images.shape[1] < 16:
        raise ValueError("SWD needs square NHWC images of at least 16x16, got %s" % (images.shape,))
    nchw = np.transpose(images, (0, 3, 1, 2)).astype(np.float32)
    levels = resolutions(images.shape[1])
    out = []
    for level in laplacian_pyramid(nchw, len(levels)):
        positions = neighbourhood_positions(rng, len(images), level.shape[2], level.shape[3], nhoods_per_image)
        out.append(normalise(descriptors(level, positions)))
    return out


def swd(reals, fakes, seed=0, nhoods_per_image=NHOODS_PER_IMAGE, dir_repeats=DIR_REPEATS,
        dirs_per_repeat=DIRS_PER_REPEAT, real_descriptors=None):
    """{"SWDx1e3_<res>": ..., "SWDx1e3_avg": ...} between uint8 NHWC image sets
    of equal size. ``real_descriptors`` (from ``set_descriptors``) skips
    recomputing the reals' side (make them with ``RandomState(seed)``).
    Reals, fakes and directions draw from three RandomStates (seed, seed + 1,
    seed + 2): the fakes' positions are independent of the reals', as in the
    official metric, and the same in every measurement of a run."""
    desc_real = real_descriptors or set_descriptors(reals, np.random.RandomState(seed), nhoods_per_image)
    desc_fake = set_descriptors(fakes, np.random.RandomState(seed + 1), nhoods_per_image)
    rng = np.random.RandomState(seed + 2)
    out = {}
    for res, a, b in zip(resolutions(np.shape(fakes)[1]), desc_real, desc_fake):
        if a.shape != b.shape:
            raise ValueError("SWD needs equal-size sets: %s reals, %s fakes descriptors" % (a.shape, b.shape))
        dirs = random_directions(rng, a.shape[1], dir_repeats, dirs_per_repeat)
        out["SWDx1e3_%d" % res] = sliced_wasserstein(a, b, dirs) * 1e3
    out["SWDx1e3_avg"] = float(np.mean(list(out.values())))
    return out


def floor(images, count, draws=5, seed=0):
    """The metric's noise floor: SWD of ``count`` reals against ``count``
    other reals (drawn without replacement from ``images``, disjoint within a
    draw), ``draws`` times. Returns {"count", "draws", "values": [per draw
    {"SWDx1e3_<res>", "SWDx1e3_avg"}], "mean": {...}, "sd": {...}} (sd with
    ddof 1). A generator whose SWD is within a few sd of ``mean`` is as close
    to the data as this many images can tell."""
    images = np.asarray(images)
    if 2 * count > len(images):
        raise ValueError("a floor at %d images needs %d distinct reals, have %d" % (count, 2 * count, len(images)))
    rng = np.random.RandomState(seed)
    values = []
    for draw in range(draws):
        pick = rng.choice(len(images), size=2 * count, replace=False)
        values.append(swd(images[pick[:count]], images[pick[count:]], seed=seed + 10 * draw))
    keys = sorted(values[0])
    mean = {k: float(np.mean([v[k] for v in values])) for k in keys}
    sd = {k: float(np.std([v[k] for v in values], ddof=1)) if draws > 1 else 0.0 for k in keys}
    return {"count": int(count), "draws": int(draws), "seed": int(seed), "values": values, "mean": mean, "sd": sd}
