"""Atomic file writes: a reader never sees a half-written file.

Every result file goes to a temporary file in the same folder (so that the
final rename stays on one file system, where it is atomic), is flushed to
disk, and only then replaces the target.
"""
import contextlib
import json
import os
import re
import shutil
import stat
import tempfile

from legacy.errors import UsageError


def check_writable_path(path, flag_name="--output"):
    """Fail before any work is done if ``path`` cannot be written later: it
    must name a file (not an existing folder, not end in a slash) in an
    existing, writable folder."""
    if not path or path.endswith(("/", os.sep)) or os.path.isdir(path):
        raise UsageError("%s=%s is a folder, not a file; name a file%s" % (
            flag_name, path, " in it, e.g. %s" % os.path.join(path, "results.json") if path else ""))
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise UsageError("%s=%s: %s is a file, not a folder; pick another path" % (flag_name, path, folder))
    if not os.path.isdir(folder):
        raise UsageError("%s=%s: folder %s does not exist; create it or pick another path"
                         % (flag_name, path, folder))
    if not os.access(folder, os.W_OK):
        raise UsageError("%s=%s: folder %s is not writable" % (flag_name, path, folder))


def _umask():
    """The process's umask (os.umask can only be read by setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_open(path, mode="w"):
    """Open a temporary sibling of ``path``; rename it over ``path`` on success."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would make results private to the writer
        with os.fdopen(fd, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; give the file the mode a plain open() would,
        # so that data and results stay readable by other users, such as a
        # container's user reading a mounted data/mnist.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def temporary_name(name):
    """The pattern of the temporaries ``atomic_open`` makes for ``name``
    (mkstemp's ".<name>.<8 of [a-z0-9_]>.tmp")."""
    return re.escape("." + name) + r"\.[a-z0-9_]{8}\.tmp"


def remove_leftovers(folder, files=(), folders=()):
    """Delete the entries of ``folder`` whose whole name matches one of the
    regexes ``files`` (regular files) or ``folders`` (directories, removed
    with their content): what a killed earlier run of this project left.
    Symbolic links and anything else are never touched. Call it only while
    no other process can be writing such a temporary (under the folder's
    lock). Returns the names removed."""
    files = [re.compile(p) for p in files]
    folders = [re.compile(p) for p in folders]
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in sorted(names):
        path = os.path.join(folder, name)
        try:
            mode = os.lstat(path).st_mode
            if stat.S_ISREG(mode) and any(p.fullmatch(name) for p in files):
                os.unlink(path)
            elif stat.S_ISDIR(mode) and any(p.fullmatch(name) for p in folders):
                shutil.rmtree(path)
            else:
                continue
        except OSError:
            continue  # e.g. a read-only folder: leave it
        removed.append(name)
    return removed


def write_json(path, obj):
    with atomic_open(path, "w") as handle:
        json.dump(obj, handle, indent=2, sort_keys=False, ensure_ascii=False)
        handle.write("\n")


def write_text(path, text):
    with atomic_open(path, "w") as handle:
        handle.write(text)


def write_bytes(path, data):
    with atomic_open(path, "wb") as handle:
        handle.write(data)
