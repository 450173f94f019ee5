"""Running a script as a user would, for the script tests."""
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_script(name, *args, check=True):
    proc = subprocess.run([sys.executable, os.path.join(REPO, "scripts", name)] + list(args), cwd=REPO,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def read_json(path):
    with open(str(path)) as handle:
        return json.load(handle)
