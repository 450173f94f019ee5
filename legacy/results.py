"""The results JSON every experiment writes, and the environment it records.

A number without its versions, seed and code revision cannot be compared
with anything, so each result carries them.
"""
import os
import platform
import subprocess
import sys
import time

import legacy
from legacy import fileio

from legacy import REPO


def git_revision():
    """HEAD's commit, with "-dirty" when tracked files differ from it.

    A Docker image has no .git: there the commit it was built from
    ($SWU_GIT_REVISION, set by docker/Dockerfile) stands in.
    """
    fallback = os.environ.get("SWU_GIT_REVISION") or "unknown"
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=10).stdout.decode().strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               timeout=10).stdout.decode().strip()
    except (OSError, subprocess.SubprocessError):
        return fallback
    if not rev:
        return fallback
    return rev + ("-dirty" if dirty else "")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def tensorpack_version():
    """tensorpack's version, without importing it where the run did not: its
    import inside absl's app.run (after absl's faulthandler) makes TF print
    five "backtrace signal handler ... overwrote previous handler" lines,
    which every animals_dnn run and its one-line interrupt showed."""
    if "tensorpack" in sys.modules:
        return sys.modules["tensorpack"].__version__
    try:
        from importlib import metadata
    except ImportError:  # Python 3.7 (the TF 1.15 lane): the backport, pinned in requirements.txt
        import importlib_metadata as metadata
    return metadata.version("tensorpack")


def environment():
    import numpy
    from legacy.tf import ONEDNN, TF_VERSION
    return {
        "python": platform.python_version(),
        "tensorflow": TF_VERSION,
        "onednn": ONEDNN,  # TF 2's oneDNN kernels: other rounding, other speed
        "tensorpack": tensorpack_version(),
        "numpy": numpy.__version__,
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "git_revision": git_revision(),
    }


def flags_from_args(args):
    """``--name=value`` arguments as a results record's "flags" holds them
    (numbers as int or float, a comma list as a list of such values, a bare
    ``--name`` as True), so a command line can be matched against a record
    without importing the script that defines the flags."""
    values = {}
    for arg in args:
        name, _, value = arg[2:].partition("=")
        values[name] = (_typed(value) if "," not in value else [_typed(v) for v in value.split(",")]) if value else True
    return values


def _typed(value):
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def output_path(path, experiment):
    """The results path (default results/<experiment>.json), checked before any
    training so that a bad one fails in a second, not after an hour."""
    if not path:
        path = os.path.join("results", experiment + ".json")
    if os.path.normpath(os.path.dirname(path)) == "results":
        os.makedirs("results", exist_ok=True)  # the default folder; any other must exist
    fileio.check_writable_path(path)
    return path


def write_results(path, experiment, flag_values, metrics, status="ok"):
    record = {
        "experiment": experiment,
        "status": status,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": " ".join([os.path.basename(sys.argv[0])] + sys.argv[1:]),
        "flags": flag_values,
    }
    record.update(metrics)
    record["script_seconds"] = round(time.time() - legacy.STARTED, 1)
    record["environment"] = environment()
    fileio.write_json(path, record)
    return record
