"""Image datasets for PGGAN, with their resolution pyramid built once and cached.

As the official ``dataset_tool.py``: every image is stored at its full
resolution R and at R/2, R/4, ..., 4, each level the 2x2 box average of the
level above (averaged in float, rounded to uint8 per level). Training feeds
the level of the current level of detail (legacy/pggan/networks.py
``process_reals``).

Sources:
- ``mnist32``: MNIST's 60,000 training images padded from 28x28 to 32x32
  with zeros (``create_mnist``), from the verified files (legacy/data/mnist_files.py);
- ``fashion32``: Fashion-MNIST the same way, from Debian's
  ``dataset-fashion-mnist`` package (``apt-get install dataset-fashion-mnist``
  puts the four IDX .gz files in /usr/share/datasets/fashion-mnist),
  verified by the MD5 of their uncompressed content and their IDX headers;
- a folder of PNG/JPEG images: a tensorpack dataflow that reads each file,
  centre-crops it to a square, resizes it to R (a power of two) and makes it
  RGB (or grey if all images are grey).

The pyramid goes to ``<cache_dir>/<name>-<key>.npz`` (atomic write), keyed
by the content that made it (file names, sizes and times for a folder), so a
changed folder is rebuilt and an unchanged one is read in a second.
"""
import gzip
import hashlib
import io
import os
import struct
import zlib

import numpy as np

from legacy import fileio
from legacy.data.mnist_files import ensure_mnist, read_verified
from legacy.errors import DataError, UsageError

FASHION_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_APT = "apt-get install dataset-fashion-mnist"
# MD5 of the uncompressed files as Debian's dataset-fashion-mnist
# 0.0~git20200523.55506a9-1 ships them (its .gz files are recompressed, so
# their own MD5s differ from Zalando's); with the IDX magic, count and size.
FASHION_FILES = {
    "train-images-idx3-ubyte": ("f4a8712d7a061bf5bd6d2ca38dc4d50a", 2051, 60000),
    "train-labels-idx1-ubyte": ("9018921c3c673c538a1fc5bad174d6f9", 2049, 60000),
    "t10k-images-idx3-ubyte": ("8181f5470baa50b63fa0f6fddb340f0a", 2051, 10000),
    "t10k-labels-idx1-ubyte": ("15d484375f8d13e6eb1aabb0c3f46965", 2049, 10000),
}
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg")
BUILTIN = ("mnist32", "fashion32")


def pyramid(images):
    """{resolution: uint8 [N, r, r, C]} from full-resolution uint8 images, down
    to 4x4; each level averages the previous level's unrounded floats, as
    dataset_tool.py's TFRecordExporter."""
    levels = {images.shape[1]: images}
    t = images.astype(np.float32)
    while t.shape[1] > 4:
        t = (t[:, 0::2, 0::2] + t[:, 0::2, 1::2] + t[:, 1::2, 0::2] + t[:, 1::2, 1::2]) * 0.25
        levels[t.shape[1]] = np.rint(t).clip(0, 255).astype(np.uint8)
    return levels


def pad_mnist(raw_images):
    """IDX image bytes -> uint8 [N, 32, 32, 1], zero-padded by 2 (create_mnist)."""
    images = np.frombuffer(raw_images, np.uint8, offset=16).reshape(-1, 28, 28)
    images = np.pad(images, [(0, 0), (2, 2), (2, 2)], "constant", constant_values=0)
    return images[..., np.newaxis]


def labels_of(raw_labels):
    return np.frombuffer(raw_labels, np.uint8, offset=8).copy()


def check_fashion_idx(name, raw, where):
    md5_want, magic_want, count_want = FASHION_FILES[name]
    if len(raw) < 8 or struct.unpack(">II", raw[:8]) != (magic_want, count_want):
        raise DataError("%s: not the Fashion-MNIST IDX file %s (header); reinstall it: %s"
                        % (where, name, FASHION_APT))
    md5 = hashlib.md5(raw).hexdigest()
    if md5 != md5_want:
        raise DataError("%s: content MD5 %s, expected %s (corrupt or another version); reinstall it: %s"
                        % (where, md5, md5_want, FASHION_APT))


def read_fashion(name, data_dir=FASHION_DIR):
    path = os.path.join(data_dir, name + ".gz")
    if not os.path.exists(path):
        raise DataError("Fashion-MNIST is not installed (%s missing); install it as root: %s" % (path, FASHION_APT))
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError, zlib.error) as err:
        raise DataError("%s: cannot be read (%s); reinstall it: %s" % (path, err, FASHION_APT))
    check_fashion_idx(name, raw, path)
    return raw


def _cache_path(cache_dir, name, key):
    return os.path.join(cache_dir, "%s-%s.npz" % (name, hashlib.sha1(key.encode()).hexdigest()[:12]))


def _load_or_build(cache_dir, name, key, build, log):
    path = _cache_path(cache_dir, name, key) if cache_dir else None
    if path and os.path.exists(path):
        try:
            with np.load(path) as npz:
                levels = {int(k[3:]): npz[k] for k in npz.files if k.startswith("res")}
                labels = npz["labels"] if "labels" in npz.files else None
            return levels, labels
        except (OSError, ValueError, KeyError, zlib.error) as err:
            log("pggan data: cache %s unreadable (%s); rebuilding it" % (path, err))
    images, labels = build()
    levels = pyramid(images)
    if path:
        try:
            os.makedirs(cache_dir, exist_ok=True)
        except OSError as err:
            raise UsageError("--cache_dir=%s: cannot create it (%s)" % (cache_dir, err.strerror))
        buf = io.BytesIO()
        arrays = {"res%d" % r: v for r, v in levels.items()}
        if labels is not None:
            arrays["labels"] = labels
        np.savez(buf, **arrays)
        fileio.write_bytes(path, buf.getvalue())
        log("pggan data: pyramid %s cached in %s" % (sorted(levels), path))
    return levels, labels


class ImageData(object):
    """The pyramid of one dataset: ``levels[r]`` uint8 [N, r, r, C]; ``labels``
    (MNIST-like sources only) uint8 [N]."""

    def __init__(self, name, levels, labels=None):
        self.name, self.levels, self.labels = name, levels, labels
        self.resolution = max(levels)
        self.channels = levels[self.resolution].shape[-1]
        self.count = len(levels[self.resolution])


def load_mnist32(data_dir, cache_dir=None, download=True, log=print):
    data_dir = ensure_mnist(data_dir, download=download)

    def build():
        images = pad_mnist(read_verified(os.path.join(data_dir, "train-images-idx3-ubyte.gz"),
                                         "train-images-idx3-ubyte"))
        labels = labels_of(read_verified(os.path.join(data_dir, "train-labels-idx1-ubyte.gz"),
                                         "train-labels-idx1-ubyte"))
        return images, labels
    # The verified content's MD5 names the cache: the files cannot differ.
    levels, labels = _load_or_build(cache_dir, "mnist32", "mnist-6bbc9ace898e44ae57da46a324031adb", build, log)
    return ImageData("mnist32", levels, labels)


def load_fashion32(cache_dir=None, data_dir=FASHION_DIR, log=print):
    def build():
        return (pad_mnist(read_fashion("train-images-idx3-ubyte", data_dir)),
                labels_of(read_fashion("train-labels-idx1-ubyte", data_dir)))
    # Verify the installed files every time (cheap) so a cache never hides a bad install.
    read_fashion("train-labels-idx1-ubyte", data_dir)
    levels, labels = _load_or_build(cache_dir, "fashion32", "fashion-" + FASHION_FILES["train-images-idx3-ubyte"][0],
                                    build, log)
    return ImageData("fashion32", levels, labels)


# --- a folder of images -------------------------------------------------------

def list_images(folder, flag="--dataset"):
    """The image files directly in ``folder`` (sorted); UsageError if none.
    Only regular files inside the folder are read: symlinks that leave it are refused."""
    if not os.path.isdir(folder):
        raise UsageError("%s=%s: no such folder; pass a folder of PNG/JPEG images" % (flag, folder))
    try:
        names = sorted(os.listdir(folder))
    except OSError as err:
        raise UsageError("%s=%s: cannot list it (%s)" % (flag, folder, err.strerror))
    root = os.path.realpath(folder)
    paths = []
    for name in names:
        path = os.path.join(folder, name)
        if not name.lower().endswith(IMAGE_EXTENSIONS) or not os.path.isfile(path):
            continue
        if os.path.dirname(os.path.realpath(path)) != root:
            raise UsageError("%s=%s: %s links outside the folder; copy the image in instead" % (flag, folder, name))
        paths.append(path)
    if not paths:
        raise UsageError("%s=%s holds no .png/.jpg/.jpeg images; put the training images directly in it"
                         % (flag, folder))
    return paths


def load_image(path, resolution, flag="--dataset"):
    """One image file -> uint8 [R, R, 3]: centre square crop, resize to R."""
    from PIL import Image
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as err:
        raise UsageError("%s: %s cannot be read (%s); fix its permissions or remove it"
                         % (flag, path, err.strerror))
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except Exception as err:  # PIL raises many kinds for a broken file
        raise UsageError("%s: %s is not a readable image (%s); remove it from the folder"
                         % (flag, path, str(err).splitlines()[0] if str(err) else type(err).__name__))
    width, height = img.size
    side = min(width, height)
    if side < resolution:
        raise UsageError("%s: %s is %dx%d, smaller than --resolution=%d; remove it or lower --resolution"
                         % (flag, path, width, height, resolution))
    left, top = (width - side) // 2, (height - side) // 2
    img = img.convert("RGB").crop((left, top, left + side, top + side))
    if side != resolution:
        img = img.resize((resolution, resolution), Image.LANCZOS)
    return np.asarray(img, dtype=np.uint8)


def folder_dataflow(paths, resolution):
    """tensorpack dataflow of [uint8 R x R x 3 image] per file, in order."""
    from tensorpack.dataflow import DataFromList, MapData
    return MapData(DataFromList([[p] for p in paths], shuffle=False),
                   lambda dp: [load_image(dp[0], resolution)])


def load_folder(folder, resolution, cache_dir=None, log=print):
    if resolution < 4 or resolution & (resolution - 1):
        raise UsageError("--resolution=%d must be a power of two >= 4, e.g. 64" % resolution)
    paths = list_images(folder)
    stats = []
    for path in paths:
        st = os.stat(path)
        stats.append("%s:%d:%d" % (os.path.basename(path), st.st_size, int(st.st_mtime)))
    key = "folder-%s-%d-%s" % (os.path.realpath(folder), resolution, "|".join(stats))

    def build():
        df = folder_dataflow(paths, resolution)
        df.reset_state()
        images = np.stack([dp[0] for dp in df])
        if np.array_equal(images[..., 0], images[..., 1]) and np.array_equal(images[..., 0], images[..., 2]):
            images = images[..., :1]  # all grey: one channel
        return images, None
    levels, _ = _load_or_build(cache_dir, "folder%d" % resolution, key, build, log)
    return ImageData(os.path.basename(os.path.normpath(folder)), levels)


def load(dataset, resolution=None, data_dir="data/mnist", cache_dir=None, download=True, log=print):
    """The ImageData that ``--dataset`` names: mnist32, fashion32 or a folder."""
    if dataset == "mnist32":
        return load_mnist32(data_dir, cache_dir, download, log)
    if dataset == "fashion32":
        return load_fashion32(cache_dir, log=log)
    return load_folder(dataset, resolution, cache_dir, log)
