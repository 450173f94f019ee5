#!/usr/bin/env bash
# Creates (or reuses) the virtual environment of a lane.
#
#   LANE=tf1 (default): TensorFlow 1.15, the reference. Its wheels exist only
#     for CPython <= 3.7, so the interpreter is looked for, in order: $PYTHON,
#     `python3.7` on PATH, pyenv's versions folder. Venv .venv, requirements.txt.
#   LANE=tf2: TensorFlow 2.21 through tf.compat.v1, with the machine's default
#     interpreter: $PYTHON, else `python3` on PATH; it must be 3.10-3.13 (the
#     Pythons TF 2.21 has wheels for). Venv .venv-tf2, requirements-tf2.txt.
#
# The venv is rebuilt only when the lane's requirements file or setup.py
# changed (a stamp file holds their checksum), so a second `make` call costs
# milliseconds.
#
#   HOROVOD=1 (tf1 lane; `make horovod`, the image's --build-arg HOROVOD=1):
#     then also builds requirements-horovod.txt into the venv, from source,
#     against its TensorFlow and the machine's Open MPI (with MPI, without
#     Gloo; Debian: libopenmpi-dev openmpi-bin g++ cmake). Its own stamp: a
#     later call without HOROVOD=1 keeps it, and a rebuilt venv loses it.
set -euo pipefail
cd "$(dirname "$0")/.."
LANE=${LANE:-tf1}
case "$LANE" in
  tf1) VENV=${VENV:-.venv}; REQUIREMENTS=requirements.txt ;;
  tf2) VENV=${VENV:-.venv-tf2}; REQUIREMENTS=requirements-tf2.txt ;;
  *) echo "error: LANE=$LANE is not a lane; use LANE=tf1 (TensorFlow 1.15, the default) or LANE=tf2 (TensorFlow 2.21)" >&2
     exit 2 ;;
esac

is_py37() { [ -n "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 7))' >/dev/null 2>&1; }
is_tf2_py() { [ -n "$1" ] && "$1" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))' >/dev/null 2>&1; }

find_python_tf1() {
  if [ -n "${PYTHON:-}" ]; then
    if is_py37 "$PYTHON"; then echo "$PYTHON"; return 0; fi
    echo "error: PYTHON=$PYTHON is not a working Python 3.7 interpreter (TF 1.15 needs 3.7); unset it or point it at one" >&2
    return 1
  fi
  local c
  if c=$(command -v python3.7 2>/dev/null) && is_py37 "$c"; then echo "$c"; return 0; fi
  local root
  root=$( (command -v pyenv >/dev/null && pyenv root) 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
  for c in $(ls -d "$root"/versions/3.7*/bin/python 2>/dev/null | sort -rV); do
    if is_py37 "$c"; then echo "$c"; return 0; fi
  done
  echo "error: no Python 3.7 found (TF 1.15 has no wheels for newer Pythons): run 'pyenv install 3.7.16' or set PYTHON=/path/to/python3.7, or use the Docker image (docs/docker.md)" >&2
  return 1
}

find_python_tf2() {
  local c=${PYTHON:-}
  local name="PYTHON=$c"
  if [ -z "$c" ]; then
    c=$(command -v python3 2>/dev/null || true)
    name="python3 (${c:-not on PATH})"
  fi
  if is_tf2_py "$c"; then echo "$c"; return 0; fi
  local version
  version=$("$c" --version 2>&1 | head -n 1 || true)
  case "$version" in Python*) ;; *) version="not a Python interpreter" ;; esac
  echo "error: LANE=tf2 needs Python 3.10-3.13 (TensorFlow 2.21 wheels); $name is $version: set PYTHON=/path/to/python3.11" >&2
  return 1
}

stamp="$VENV/.requirements.md5"
want=$(cat "$REQUIREMENTS" setup.py | md5sum | cut -d' ' -f1)
if ! { [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; }; then
  py=$(find_python_"$LANE")
  echo "bootstrap: creating $VENV ($LANE lane) with $py ($("$py" --version 2>&1))"
  rm -rf "$VENV"
  "$py" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.0"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
  echo "$want" > "$stamp"
  echo "bootstrap: $VENV ready"
fi

[ "${HOROVOD:-0}" = 1 ] || exit 0
if [ "$LANE" != tf1 ]; then
  echo "error: HOROVOD=1 builds Horovod for the TF 1.15 lane only (LANE=tf1); LANE=$LANE has none" >&2
  exit 2
fi
hstamp="$VENV/.horovod.md5"
hwant=$(cat requirements-horovod.txt "$stamp" | md5sum | cut -d' ' -f1)
if [ "$(cat "$hstamp" 2>/dev/null)" = "$hwant" ]; then
  exit 0
fi
missing=""
for tool in mpicxx mpirun c++ cmake make; do
  command -v "$tool" >/dev/null || missing="$missing $tool"
done
if [ -n "$missing" ]; then
  echo "error: HOROVOD=1 needs$missing on PATH (Debian: apt-get install libopenmpi-dev openmpi-bin g++ cmake make)" >&2
  exit 2
fi
t0=$(date +%s)
echo "bootstrap: building Horovod into $VENV (requirements-horovod.txt; C++, about 10-18 minutes on 2 cores)"
HOROVOD_WITH_MPI=1 HOROVOD_WITHOUT_GLOO=1 HOROVOD_WITH_TENSORFLOW=1 HOROVOD_WITHOUT_PYTORCH=1 HOROVOD_WITHOUT_MXNET=1 \
  MAKEFLAGS="${MAKEFLAGS:--j$(nproc)}" \
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir --no-build-isolation --no-deps -r requirements-horovod.txt
# What it was built with: TensorFlow and the MPI controller and operations, no Gloo.
# Read whole before grep: `horovodrun ... | grep -q` let grep close the pipe at its first match, and
# under pipefail horovodrun's BrokenPipeError then failed a good build (CI image build, 2026-12-07).
build=$("$VENV/bin/horovodrun" --check-build)
sed 's/^/bootstrap: /' <<<"$build"
grep -q '\[X\] MPI' <<<"$build" || { echo "error: Horovod was built without MPI" >&2; exit 1; }
echo "$hwant" > "$hstamp"
echo "bootstrap: Horovod ready in $VENV ($(($(date +%s) - t0)) s)"
