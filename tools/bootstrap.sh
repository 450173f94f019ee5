#!/usr/bin/env bash
# Creates (or reuses) the virtual environment of the TF 1.15 lane.
#
# TensorFlow 1.15 wheels exist only for CPython <= 3.7, so the interpreter is
# looked for, in order: $PYTHON, `python3.7` on PATH, pyenv's versions folder.
# The venv is rebuilt only when requirements.txt or setup.py changed (a stamp
# file holds their checksum), so a second `make` call costs milliseconds.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

is_py37() { [ -n "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 7))' >/dev/null 2>&1; }

find_python() {
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
  echo "error: no Python 3.7 found (TF 1.15 has no wheels for newer Pythons): run 'pyenv install 3.7.16' or set PYTHON=/path/to/python3.7, or use the Docker image (README, section Docker)" >&2
  return 1
}

stamp="$VENV/.requirements.md5"
want=$(cat requirements.txt setup.py | md5sum | cut -d' ' -f1)
if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
py=$(find_python)
echo "bootstrap: creating $VENV with $py ($("$py" --version 2>&1))"
rm -rf "$VENV"
"$py" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.0"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
echo "$want" > "$stamp"
echo "bootstrap: $VENV ready"
