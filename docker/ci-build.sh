#!/usr/bin/env bash
# Proves docker/Dockerfile on a machine that has no Docker engine and cannot
# pull from Docker Hub (this project's CI): `make test-docker` runs it.
#
#  1. installs docker.io, debootstrap and iptables from Debian if missing;
#  2. starts a private dockerd (its own data root, socket and PID under a temp
#     folder; no bridge, no iptables rules), overlay2 or else vfs;
#  3. builds a Debian bookworm base (debootstrap --variant=minbase) holding
#     this machine's pyenv Python 3.7.16 at the same path, and imports it;
#  4. builds the project image from the same docker/Dockerfile with
#     BASE_IMAGE pointing at that base and HOROVOD=1 (Horovod compiled in,
#     against Debian's Open MPI: SWU_DOCKER_HOROVOD=0 leaves it out), the host
#     CA bundle passed to pip as a BuildKit secret, then checks that the
#     bundle is in no layer of it;
#  5. runs, with no network and MNIST mounted read-only: `make data` (the
#     fetch code verifies the mount), `make test`'s tier (it must pass,
#     and skip nothing but the slow reproductions, tests of the other lane and the doc tests that need
#     .git), tests/test_horovod.py's long tier (`mpirun -np 2` against one process; it must not skip),
#     and one short experiment
#     whose results JSON lands in a mounted folder and must match the same
#     run on the host;
#  6. stops running experiments with `docker stop`, the default command and
#     `make reproduce`: each must end with exit 143 and an "interrupted"
#     results JSON in the mounted folder, well within Docker's 10 s grace,
#     and prints the stop-to-exit time;
#  7. removes the images, stops the daemon by its PID and deletes the temp
#     folder, on success and on failure alike.
#
# Needs root (dockerd, debootstrap, mounts) and the MNIST files in data/mnist
# (`make data`; `make test-docker` does it first). The debootstrap tarball is
# cached in .cache/docker/ (git-ignored), keyed by everything that makes it,
# so a second run on the same machine saves about 50 s. Set
# SWU_DOCKER_NO_CACHE=1 to build it afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
T0=$(date +%s)

SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# What python3.7 (pyenv's build, linked against bookworm's libraries) needs,
# plus the CA store that python:3.7-slim has too.
BASE_PACKAGES=ca-certificates,libssl3,libffi8,libsqlite3-0,libreadline8,libncursesw6,libexpat1,libnsl2,libbz2-1.0,liblzma5,zlib1g,libuuid1,libgdbm6
PY_VERSION=3.7.16
HOST_CA=${HOST_CA:-/etc/ssl/certs/ca-certificates.crt}
CACHE_DIR=${SWU_DOCKER_CACHE:-$REPO/.cache/docker}

say() { printf 'ci-build: [%4ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
die() { printf 'ci-build: FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (it starts dockerd and runs debootstrap); CI runs as root"
[ "$(uname -s)" = Linux ] || die "needs Linux (dockerd, debootstrap)"

WORK=$(mktemp -d /tmp/swu-docker.XXXXXX)
RUN_ID=$(basename "$WORK" | tr 'A-Z' 'a-z' | tr -cd 'a-z0-9')
BASE_IMAGE=swu-ci-base-$RUN_ID:$SUITE
IMAGE=swu-ci-image-$RUN_ID:latest
DOCKERD_PID=
export DOCKER_HOST=unix://$WORK/docker.sock
export DOCKER_CONFIG=$WORK/cli-config

stop_dockerd() {
  [ -n "$DOCKERD_PID" ] || return 0
  if kill -0 "$DOCKERD_PID" 2>/dev/null; then
    kill -TERM "$DOCKERD_PID" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$DOCKERD_PID" 2>/dev/null; then
      say "dockerd $DOCKERD_PID did not stop in 30 s: SIGKILL"
      kill -KILL "$DOCKERD_PID" 2>/dev/null || true
    fi
    wait "$DOCKERD_PID" 2>/dev/null || true
  fi
  # containerd and its shims, started by that dockerd, live under $WORK: end
  # any that outlived it, by PID.
  local pid
  for pid in $(grep -l -a -s -F "$WORK/" /proc/[0-9]*/cmdline | cut -d/ -f3); do
    [ "$pid" != "$$" ] && kill -KILL "$pid" 2>/dev/null || true
  done
  DOCKERD_PID=
}

cleanup() {
  local rc=$?
  set +e
  if [ -n "$DOCKERD_PID" ]; then
    if [ "$rc" != 0 ] && ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
      echo "ci-build: dockerd died; its log ends:" >&2
      tail -5 "$WORK"/dockerd-*.log >&2
    fi
    docker ps -aq 2>/dev/null | xargs -r "$DOCKER" rm -f >/dev/null 2>&1
    say "cleanup: removing images $IMAGE $BASE_IMAGE"
    docker image rm -f "$IMAGE" "$BASE_IMAGE" >/dev/null 2>&1
    docker builder prune -af >/dev/null 2>&1
    say "cleanup: stopping dockerd (PID $DOCKERD_PID)"
    stop_dockerd
  fi
  # Overlay or bind mounts left by a killed daemon would make rm fail.
  grep -F " $WORK/" /proc/mounts | cut -d' ' -f2 | sort -r | xargs -r -n1 umount -l
  rm -rf "$WORK"
  [ -e "$WORK" ] && echo "ci-build: warning: could not remove $WORK" >&2
  if [ "$rc" = 0 ]; then
    say "PASSED: image built, tests passed in the container, experiment JSON checked, docker stop clean; total $(($(date +%s) - T0)) s"
  else
    echo "ci-build: FAILED after $(($(date +%s) - T0)) s (exit $rc); everything it started is stopped and removed" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. tools ---------------------------------------------------------------
if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null || ! command -v iptables >/dev/null; then
  say "installing docker.io debootstrap iptables from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$WORK/apt.log" 2>&1 || { tail -20 "$WORK/apt.log" >&2; die "apt-get update failed"; }
  apt-get install -y -qq --no-install-recommends docker.io debootstrap iptables >>"$WORK/apt.log" 2>&1 \
    || { tail -20 "$WORK/apt.log" >&2; die "apt-get install docker.io debootstrap iptables failed"; }
fi
# The client that comes with docker.io has BuildKit built in (--secret);
# a newer client without the buildx plugin would fall back to the legacy
# builder, which cannot mount secrets.
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=$(command -v docker) || die "no docker client after installing docker.io"
docker() { "$DOCKER" "$@"; }

PY_ROOT=$( (command -v pyenv >/dev/null && pyenv root) 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
PY_DIR=$PY_ROOT/versions/$PY_VERSION
[ -x "$PY_DIR/bin/python3.7" ] || die "no pyenv Python $PY_VERSION at $PY_DIR (run: pyenv install $PY_VERSION)"
# The project's venv runs the host-side checks (standard library only) and the
# host half of the experiment comparison.
HOST_PY=${VENV:-.venv}/bin/python
[ -x "$HOST_PY" ] || die "no $HOST_PY: run 'make data' first (make test-docker does)"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [ -s "data/mnist/$f.gz" ] || die "data/mnist/$f.gz missing: run 'make data' first (make test-docker does)"
done

# --- 2. a private dockerd ---------------------------------------------------
start_dockerd() {  # $1: storage driver
  mkdir -p "$WORK/docker" "$WORK/exec" "$DOCKER_CONFIG"
  dockerd --data-root "$WORK/docker" --exec-root "$WORK/exec" --pidfile "$WORK/dockerd.pid" \
    --host "$DOCKER_HOST" --storage-driver "$1" --bridge=none --iptables=false --ip-masq=false \
    >"$WORK/dockerd-$1.log" 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 60); do
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    if docker version >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "ci-build: dockerd with --storage-driver=$1 did not come up; its log ends:" >&2
  tail -5 "$WORK/dockerd-$1.log" >&2
  stop_dockerd
  rm -rf "$WORK/docker" "$WORK/exec"
  return 1
}
say "starting dockerd (data root $WORK/docker)"
start_dockerd overlay2 || start_dockerd vfs || die "dockerd does not start with overlay2 or vfs (logs above)"
say "dockerd PID $DOCKERD_PID, storage $(docker info --format '{{.Driver}}'), server $(docker version --format '{{.Server.Version}}')"

# --- 3. the local Python 3.7 base -------------------------------------------
key=$(printf '%s\n' "$SUITE" "$MIRROR" "$BASE_PACKAGES" "minbase-v1" | sha256sum | cut -c1-16)
tarball=$CACHE_DIR/debootstrap-$SUITE-minbase-$key.tar
if [ "${SWU_DOCKER_NO_CACHE:-0}" != 1 ] && [ -s "$tarball" ] && tar -tf "$tarball" ./usr/bin/apt-get >/dev/null 2>&1; then
  say "reusing debootstrap rootfs $tarball"
else
  say "debootstrap --variant=minbase $SUITE (about 50 s)"
  debootstrap --variant=minbase --include="$BASE_PACKAGES" "$SUITE" "$WORK/rootfs" "$MIRROR" \
    >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log" >&2; die "debootstrap $SUITE from $MIRROR failed"; }
  rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
  mkdir -p "$CACHE_DIR"
  tar -C "$WORK/rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
  rm -rf "$WORK/rootfs"
fi
mkdir -p "$WORK/rootfs"
tar -C "$WORK/rootfs" -xf "$tarball"
# pyenv's build has its prefix in its RUNPATH and script shebangs: same path.
mkdir -p "$WORK/rootfs$(dirname "$PY_DIR")"
cp -a "$PY_DIR" "$WORK/rootfs$PY_DIR"
find "$WORK/rootfs$PY_DIR" -name __pycache__ -prune -exec rm -rf {} +
# Only the interpreter and its standard library: this machine's site-packages
# holds its own pip, and may hold .pth hooks or CA patches of the sandbox it
# runs in, none of which belongs in an image (`python -m venv` gets pip from
# the standard library's ensurepip).
find "$WORK/rootfs$PY_DIR/lib/python3.7/site-packages" -mindepth 1 -maxdepth 1 ! -name README.txt \
  -exec rm -rf {} +
rm -f "$WORK/rootfs$PY_DIR/bin/"pip* "$WORK/rootfs$PY_DIR/bin/easy_install"*
# The image's non-root user must reach it (/root is 0700 in the rootfs).
d=$PY_DIR
while [ "$d" != / ]; do chmod a+rx "$WORK/rootfs$d"; d=$(dirname "$d"); done
for name in python3.7 python3 python; do
  ln -sf "$PY_DIR/bin/$name" "$WORK/rootfs/usr/local/bin/$name"
done
say "importing base image $BASE_IMAGE ($(du -sm "$WORK/rootfs" | cut -f1) MB)"
tar -C "$WORK/rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' - "$BASE_IMAGE" >/dev/null \
  || die "docker import of the debootstrap rootfs failed"
rm -rf "$WORK/rootfs"
docker run --rm --network none "$BASE_IMAGE" python3.7 -c \
  'import ssl, sqlite3, ctypes, lzma, bz2, zlib, readline, _uuid, curses, pyexpat, platform; print("ci-build: base has Python", platform.python_version(), ssl.OPENSSL_VERSION)' \
  || die "python3.7 does not run in the base image (a bookworm library missing from BASE_PACKAGES?)"

# --- 4. the project image, from the same Dockerfile --------------------------
secret=()
if [ -s "$HOST_CA" ]; then
  secret=(--secret "id=pip_ca,src=$HOST_CA")
else
  say "no $HOST_CA: pip in the build uses its own CA bundle"
fi
rev=$(git rev-parse HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || rev=$rev-dirty
HOROVOD=${SWU_DOCKER_HOROVOD:-1}
if [ "$HOROVOD" = 1 ]; then
  say "docker build -f docker/Dockerfile --build-arg HOROVOD=1 (requirements.txt 1.5 to 2.5 min, Horovod's compile 10 to 18 min)"
else
  say "docker build -f docker/Dockerfile (pip install of requirements.txt, 1.5 to 2.5 min)"
fi
t_build=$(date +%s)
DOCKER_BUILDKIT=1 docker build --progress=plain --network host "${secret[@]}" \
  --build-arg BASE_IMAGE="$BASE_IMAGE" --build-arg GIT_REVISION="$rev" --build-arg HOROVOD="$HOROVOD" \
  -f docker/Dockerfile -t "$IMAGE" . >"$WORK/build.log" 2>&1 \
  || { tail -40 "$WORK/build.log" >&2; die "docker build -f docker/Dockerfile failed (log tail above)"; }
say "built $IMAGE ($(($(docker image inspect --format '{{.Size}}' "$IMAGE") / 1000000)) MB) in $(($(date +%s) - t_build)) s"
grep -E "bootstrap: (Horovod ready|    \[)" "$WORK/build.log" | sed 's/^#[0-9]* [0-9.]* /ci-build: /' || true

user=$(docker image inspect --format '{{.Config.User}}' "$IMAGE")
case "$user" in ""|0|0:*|root|root:*) die "the image runs as root (USER '$user'); it must not";; esac
cmd=$(docker image inspect --format '{{json .Config.Cmd}}' "$IMAGE")
[ "$cmd" = '["python","scripts/mnist_dnn.py","--keep_prob=0.8"]' ] || die "default command is $cmd, not scripts/mnist_dnn.py --keep_prob=0.8"

if [ -s "$HOST_CA" ]; then
  say "checking that $HOST_CA is in no layer of the image"
  extra=()
  [ -d /usr/local/share/ca-certificates ] && extra=(/usr/local/share/ca-certificates)
  docker save "$IMAGE" | "$HOST_PY" "$REPO/docker/scan_layers.py" "$HOST_CA" "${extra[@]}" \
    || die "the host CA bundle (or a locally added CA) is inside the image: it must only be a build secret"
fi

# --- 5. tests and one experiment in the container, offline -------------------
mkdir -p "$WORK/mnist" "$WORK/results"
cp data/mnist/*.gz "$WORK/mnist/"
chmod a+r "$WORK/mnist/"*.gz  # fetched before fileio wrote 0644, they may be 0600
# The experiment runs as an arbitrary uid, as README's `--user "$(id -u):$(id -g)"`
# does: the image must not depend on being uid 1000.
chown 4321:4321 "$WORK/results"
run=(docker run --rm --network none -v "$WORK/mnist:/app/data/mnist:ro")

# `make data` as a user would run `make reproduce`: the image's venv must
# count as up to date (no second install), and the mount must verify.
say "make data in the container: verifies the mounted MNIST (scripts/fetch_mnist.py)"
"${run[@]}" "$IMAGE" make data >"$WORK/fetch.log" 2>&1 \
  || { cat "$WORK/fetch.log" >&2; die "make data (MNIST verification) failed inside the container"; }
grep -q "MNIST verified in /app/data/mnist" "$WORK/fetch.log" || { cat "$WORK/fetch.log" >&2; die "fetch_mnist.py did not report verified files"; }
if grep -q "bootstrap: creating" "$WORK/fetch.log"; then
  cat "$WORK/fetch.log" >&2; die "make in the container rebuilt the venv: /opt/venv's stamp does not match requirements.txt"
fi

# The fast tier, as `make test` (the long tier's subprocess runs are the host's `make test-all`; what the
# image adds, a container, is what the experiment and the docker stop checks below exercise).
say "make test's tier inside the container (pytest -m 'not long', no network)"
if ! "${run[@]}" "$IMAGE" python -m pytest tests -m "not long" -q -rfEs -p no:cacheprovider >"$WORK/pytest.log" 2>&1; then
  tail -60 "$WORK/pytest.log" >&2
  die "the test suite failed inside the container (log tail above)"
fi
summary=$(tail -1 "$WORK/pytest.log")
echo "ci-build: container pytest: $summary"
echo "$summary" | grep -Eq '[0-9]+ passed' || die "no test passed inside the container: $summary"
# Also allowed: the doc tests that read `git ls-files` (the image has no .git; the host tiers run them).
if grep '^SKIPPED' "$WORK/pytest.log" | grep -Ev 'slow reproduction|other lane:|not a git checkout \(the docker image has no \.git\)' >&2; then
  die "tests were skipped inside the container for a reason other than being slow (above): they must run"
fi

# Horovod inside the image: both tiers of tests/test_horovod.py (mpirun -np 2 against one process with the
# whole batch, for the project's loop and tensorpack's HorovodTrainer). Built in, they must run, not skip.
if [ "$HOROVOD" = 1 ]; then
  say "tests/test_horovod.py's long tier inside the container (mpirun -np 2, no network; its fast tests ran above)"
  if ! "${run[@]}" "$IMAGE" python -m pytest tests/test_horovod.py -m long -q -s -rfEs -p no:cacheprovider >"$WORK/horovod.log" 2>&1; then
    tail -60 "$WORK/horovod.log" >&2
    die "tests/test_horovod.py failed inside the container (log tail above)"
  fi
  grep -Eo "(horovod (loop|tensorpack)|pggan): .*" "$WORK/horovod.log" | sed "s/^/ci-build: container: /" || true
  summary=$(tail -1 "$WORK/horovod.log")
  echo "ci-build: container pytest tests/test_horovod.py: $summary"
  echo "$summary" | grep -Eq '[0-9]+ passed' || die "no Horovod test passed inside the container: $summary"
  if grep -E '^SKIPPED' "$WORK/horovod.log" >&2 || echo "$summary" | grep -q skipped; then
    die "Horovod tests were skipped inside the image that has Horovod built in (above): they must run"
  fi
fi

# Adam, so that one short epoch already learns something worth comparing;
# the same command on the host's venv must give the same numbers (same TF
# wheel, same CPU, same seed: docs/usage.md, "What is deterministic").
EXPERIMENT=(scripts/mnist_dnn.py --keep_prob=0.8 --train_limit=2000 --epochs=1 --optimizer=adam --learning_rate=0.001)
say "one short experiment in the container, as uid 4321: ${EXPERIMENT[*]}"
mkdir -p "$WORK/runs" && chown 4321:4321 "$WORK/runs"
# As a user runs it (docs/docker.md): results and the run folder (TensorBoard
# events, checkpoints) in mounted folders, whatever the uid.
"${run[@]}" --user 4321:4321 -v "$WORK/results:/app/results" -v "$WORK/runs:/app/runs" "$IMAGE" python "${EXPERIMENT[@]}" >"$WORK/run.log" 2>&1 \
  || { tail -30 "$WORK/run.log" >&2; die "mnist_dnn.py failed inside the container"; }
grep -E '^(Epoch: 0001 Avg\. cost = |정확도: )' "$WORK/run.log" | sed 's/^/ci-build: container: /'
[ -s "$WORK/results/mnist_dnn.json" ] || die "no results/mnist_dnn.json in the mounted folder after the run"
say "the same experiment on the host (.venv), to compare"
"$HOST_PY" "${EXPERIMENT[@]}" --output="$WORK/host.json" >"$WORK/host-run.log" 2>&1 \
  || { tail -30 "$WORK/host-run.log" >&2; die "the same experiment failed on the host"; }
"$HOST_PY" - "$WORK/results/mnist_dnn.json" "$WORK/host.json" "$rev" <<'EOF' || die "the results JSON from the container is wrong (above)"
import json, math, sys
r = json.load(open(sys.argv[1]))
host = json.load(open(sys.argv[2]))
problems = []
def want(cond, what):
    if not cond:
        problems.append(what)
want(r.get("status") == "ok", "status %r" % r.get("status"))
want(r["flags"].get("keep_prob") == 0.8 and r["flags"].get("train_limit") == 2000, "flags %r" % r["flags"])
cost, acc = r["epoch_avg_cost"], r["test_accuracy"]
want(len(cost) == 1 and math.isfinite(cost[0]), "epoch_avg_cost %r" % cost)
want(abs(cost[0] - host["epoch_avg_cost"][0]) <= 0.005,
     "cost %r in the container, %r on the host" % (cost, host["epoch_avg_cost"]))
want(abs(acc - host["test_accuracy"]) <= 0.01,
     "test accuracy %r in the container, %r on the host" % (acc, host["test_accuracy"]))
want(acc > 0.3, "test accuracy %r: the network learned nothing" % acc)
env = r.get("environment", {})
want(env.get("tensorflow") == "1.15.5" and env.get("python", "").startswith("3.7"), "environment %r" % env)
want(env.get("git_revision") == sys.argv[3],
     "git_revision %r, built from %r" % (env.get("git_revision"), sys.argv[3]))
for p in problems:
    print("ci-build: results JSON: " + p, file=sys.stderr)
if problems:
    sys.exit(1)
print("ci-build: results JSON ok: test accuracy %.4f (host %.4f), cost %.4f (host %.4f), TF %s, Python %s, "
      "revision %s" % (acc, host["test_accuracy"], cost[0], host["epoch_avg_cost"][0], env["tensorflow"],
                       env["python"], env["git_revision"][:12]))
EOF

# --- 6. docker stop stops training cleanly ----------------------------------
# README: SIGTERM finishes the current step, writes a checkpoint and an
# "interrupted" results JSON, exit 143. In the container the signal must get
# from `docker stop` through tini (-g: the command's process group) to the
# training process, also through make and scripts/reproduce.py, before
# Docker's 10 s grace runs out (then it would SIGKILL: exit 137, nothing saved).
stop_check() {  # $1: label, $2: the log to wait for (in the results mount, or "-" for docker logs), $3: the results JSON in it; then the command
  local label=$1 log=$2 json=$3 out=$WORK/stop-$1
  shift 3
  mkdir -p "$out/results" "$out/runs" && chown 4321:4321 "$out/results" "$out/runs"
  local cid
  cid=$(docker run -d --network none --user 4321:4321 -v "$WORK/mnist:/app/data/mnist:ro" \
        -v "$out/results:/app/results" -v "$out/runs:/app/runs" "$IMAGE" "$@") || die "docker run of $label failed"
  local waited=0
  # Stop it in the middle of its second epoch: the first epoch is printed and
  # its checkpoint (written after the epoch's validation and test passes) exists.
  until { if [ "$log" = - ]; then docker logs "$cid" 2>&1 | grep -q '^Epoch: 0001'; else grep -qs '^Epoch: 0001' "$out/results/$log"; fi; } \
        && [ -n "$(find "$out" -name checkpoint -print -quit)" ]; do
    [ "$(docker inspect --format '{{.State.Running}}' "$cid")" = true ] \
      || { docker logs "$cid" 2>&1 | tail -20 >&2; die "$label ended before its first epoch"; }
    [ "$waited" -lt 600 ] || die "$label printed no epoch in 300 s"
    sleep 0.5; waited=$((waited + 1))
  done
  sleep 1
  local t0 t1
  t0=$(date +%s%N)
  docker stop "$cid" >/dev/null
  t1=$(date +%s%N)
  local code
  code=$(docker inspect --format '{{.State.ExitCode}}' "$cid")
  docker logs "$cid" >"$out/docker.log" 2>&1
  docker rm "$cid" >/dev/null
  local ms=$(( (t1 - t0) / 1000000 ))
  echo "ci-build: docker stop of $label: exit $code, $ms ms from docker stop to the container's exit"
  [ "$code" = 143 ] || { tail -20 "$out/docker.log" >&2; die "docker stop of $label: exit $code, not 143 (137: SIGTERM never reached training)"; }
  # 143 means it stopped by itself within Docker's 10 s grace (after it, SIGKILL: 137). The time depends on
  # the machine's load (a step, a checkpoint, the results JSON, the interpreter's exit): a warning only.
  [ "$ms" -lt 5000 ] || echo "ci-build: warning: docker stop of $label took $ms ms (load average $(cut -d' ' -f1 /proc/loadavg))"
  "$HOST_PY" - "$out" "$json" "$label" <<'EOF2' || { tail -20 "$out/docker.log" >&2; die "docker stop of $label: no clean interrupted record (above)"; }
import json, os, sys
out, json_path, label = sys.argv[1:]
r = json.load(open(os.path.join(out, "results", json_path)))
info = r.get("interrupted") or {}
problems = []
if r.get("status") != "interrupted" or info.get("signal") != 15:
    problems.append("status %r, interrupted %r" % (r.get("status"), info))
ckpt = info.get("checkpoint") or ""
# The container's /app/results and /app/runs are out/results and out/runs here.
rel = os.path.relpath(os.path.join("/app", ckpt), "/app")
if not ckpt or rel.split(os.sep)[0] not in ("results", "runs") or not os.path.exists(os.path.join(out, rel + ".index")):
    problems.append("checkpoint %r is not in a mounted folder" % ckpt)
for p in problems:
    print("ci-build: %s: %s" % (label, p), file=sys.stderr)
if problems:
    sys.exit(1)
print("ci-build: %s: results JSON says interrupted at step %d (epoch %d), checkpoint %s" % (
    label, info["step"], info["epoch"], ckpt))
EOF2
}
say "docker stop of the default command (scripts/mnist_dnn.py --keep_prob=0.8) after its first epoch"
stop_check default-command - mnist_dnn.json
say "docker stop of make reproduce (make -> reproduce.py -> mnist_dnn.py) after its run's first epoch"
stop_check make-reproduce runs/dnn4_keep1-seed0.json.log runs/dnn4_keep1-seed0.json \
  make reproduce "REPRODUCE_ARGS=--seeds=1 --only=dnn4_keep1"
