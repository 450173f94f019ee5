"""Start a TF1 cluster on this machine (scripts/launch_cluster.py)::

    python scripts/launch_cluster.py --ps=1 --workers=2 -- scripts/mnist_cnn.py --variant=swu --epochs=1

starts ``--ps`` parameter servers and ``--workers`` workers of the script
after ``--``, each as its own process on 127.0.0.1 with a free port, adding
``--job_name --task_index --ps_hosts --worker_hosts`` to the script's own
flags. It streams every task's output with a ``[ps0]`` / ``[worker1]``
prefix, and stops every task by its PID when the chief (worker 0) has
finished, when any task fails, after ``--timeout`` seconds, or on Ctrl-C /
SIGTERM; it leaves no process behind. A stop goes to the chief first (the
signal the launcher got, or SIGTERM), which finishes its step while the
others still serve it, saves a checkpoint and records the run as
"interrupted"; then the other tasks get SIGTERM, then SIGKILL after a grace
period. Its exit code is the chief's when the chief finished, 128 + the
signal when the launcher was stopped (130 / 143), else 1 (another task failed
first) or 124 (--timeout).

Only the scripts that take part in a cluster (CLUSTER_SCRIPTS) may be
launched; any other is refused in one line.

Network: TF's gRPC servers listen on every interface (``0.0.0.0:port``; TF
1.15 and 2.21 have no setting for the address), and they are
unauthenticated: whoever reaches the port runs graphs in the task, which
read and write files. So by default (``--network=private``) the launcher
moves itself into a new network namespace whose only interface is its own
loopback, and starts the tasks there: they reach each other on 127.0.0.1,
and nothing outside the launcher's namespace reaches them (root, or a kernel
that allows unprivileged user namespaces; otherwise it stops with one line).
``--network=host`` runs them in this machine's network, reachable from every
network it is on, only when asked. For several machines start the same roles
by hand (docs/distributed.md, "Several machines" and "Security").
"""
import ctypes
import fcntl
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

from legacy.distributed import cluster
from legacy.errors import UsageError

CLUSTER_FLAGS = ("job_name", "task_index", "ps_hosts", "worker_hosts")
# The scripts that take part in a cluster: those whose module calls
# cluster.define_cluster_flags() (tests/test_cluster.py checks the two agree).
CLUSTER_SCRIPTS = ("mnist_dnn", "mnist_cnn")
LOOPBACK = "127.0.0.1"
GRACE_SECONDS = 5.0
# How long the chief may take to finish its step, save and record after a stop.
CHIEF_STOP_SECONDS = 30.0

CLONE_NEWNET, CLONE_NEWUSER = 0x40000000, 0x10000000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def private_network():
    """Move this process into a new network namespace with only its loopback
    up, so that the tasks it starts are reachable from nowhere else. As root
    a network namespace; otherwise a user namespace (this user mapped to
    itself) holding one. UsageError when the kernel allows neither."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        first = ctypes.get_errno()
        uid, gid = os.getuid(), os.getgid()
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
            raise UsageError("--network=private: cannot make a private network for the cluster (unshare: %s, then "
                             "with a user namespace: %s; needs root or unprivileged user namespaces); pass "
                             "--network=host to let the tasks listen on every interface of this machine (TF's "
                             "servers are unauthenticated: only on a trusted network)"
                             % (os.strerror(first), os.strerror(ctypes.get_errno())))
        for name, text in (("setgroups", "deny"), ("uid_map", "%d %d 1" % (uid, uid)),
                           ("gid_map", "%d %d 1" % (gid, gid))):
            with open("/proc/self/%s" % name, "w") as handle:
                handle.write(text)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        request = struct.pack("16sH22x", b"lo", 0)
        flags_now = struct.unpack("16sH22x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags_now | IFF_UP))
    except OSError as err:
        raise UsageError("--network=private: cannot bring up the private network's loopback (%s); pass "
                         "--network=host (TF's servers then listen on every interface)" % err.strerror)
    finally:
        sock.close()


def interfaces():
    """The network interfaces of this process's network namespace (/proc/self/net/dev)."""
    try:
        with open("/proc/self/net/dev") as handle:
            return sorted(line.split(":")[0].strip() for line in handle if ":" in line)
    except OSError:
        return []


def free_ports(count):
    """``count`` distinct free TCP ports on 127.0.0.1 (held open together so
    they differ, released just before the tasks bind them)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((LOOPBACK, 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


def plan(ps, workers, script_args, ps_hosts="", worker_hosts=""):
    """The command line of every task, as [(name, argv)]; UsageError before
    anything starts when the spec is bad."""
    if not script_args:
        raise UsageError("nothing to launch: give the training script and its flags after --, "
                         "e.g. -- scripts/mnist_cnn.py --variant=swu --epochs=1")
    script = script_args[0]
    if not os.path.isfile(script):
        raise UsageError("%s: no such training script" % script)
    name = os.path.splitext(os.path.basename(script))[0]
    if not script.endswith(".py") or name not in CLUSTER_SCRIPTS:
        raise UsageError("%s does not take part in a cluster (only %s read --job_name, --task_index, --ps_hosts "
                         "and --worker_hosts); run it without the launcher"
                         % (script, " and ".join("scripts/%s.py" % n for n in CLUSTER_SCRIPTS)))
    for arg in script_args[1:]:
        name = arg.lstrip("-").split("=")[0]
        if name in CLUSTER_FLAGS:
            raise UsageError("%s: the launcher sets the cluster flags itself; remove it" % arg)
    if ps_hosts or worker_hosts:
        ps_list = [h for h in ps_hosts.split(",") if h]
        worker_list = [h for h in worker_hosts.split(",") if h]
    else:
        if ps < 1 or workers < 1:
            raise UsageError("--ps=%d --workers=%d: a cluster needs at least one of each" % (ps, workers))
        ports = free_ports(ps + workers)
        ps_list = ["%s:%d" % (LOOPBACK, p) for p in ports[:ps]]
        worker_list = ["%s:%d" % (LOOPBACK, p) for p in ports[ps:]]
    for host in ps_list + worker_list:
        if host.rpartition(":")[0] not in (LOOPBACK, "localhost"):
            raise UsageError("%s: the launcher starts local processes only; use 127.0.0.1 (on several machines "
                             "start each task by hand)" % host)
    ps_text, worker_text = ",".join(ps_list), ",".join(worker_list)
    tasks = []
    for job, hosts in (("ps", ps_list), ("worker", worker_list)):
        for index in range(len(hosts)):
            cluster.parse(job, index, ps_text, worker_text)  # the same check every task makes
            tasks.append(("%s%d" % (job, index),
                          [sys.executable, "-u"] + list(script_args) + [
                              "--job_name=%s" % job, "--task_index=%d" % index,
                              "--ps_hosts=%s" % ps_text, "--worker_hosts=%s" % worker_text]))
    return tasks


class Cluster(object):
    """The running tasks: processes, their output pumps, and their end."""

    def __init__(self, tasks, out=None):
        self.tasks = tasks
        self.out = out or sys.stdout
        self.procs = []  # (name, Popen)
        self.pumps = []
        self.lock = threading.Lock()

    def say(self, name, line):
        with self.lock:
            self.out.write("[%s] %s\n" % (name, line.rstrip("\n")))
            self.out.flush()

    def start(self):
        env = dict(os.environ)
        env.pop("TF_CONFIG", None)  # the flags say who is who
        env["PYTHONUNBUFFERED"] = "1"
        for name, argv in self.tasks:
            # Own session: a Ctrl-C on the terminal reaches the launcher only,
            # which stops each task itself, in order.
            proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                                    start_new_session=True, universal_newlines=True, errors="backslashreplace")
            self.procs.append((name, proc))
            self.say("launcher", "%s: pid %d: %s" % (name, proc.pid, " ".join(argv[1:])))
            pump = threading.Thread(target=self._pump, args=(name, proc), daemon=True)
            pump.start()
            self.pumps.append(pump)

    def _pump(self, name, proc):
        for line in proc.stdout:
            self.say(name, line)

    def wait(self, timeout):
        """Until the chief ends, a task fails, or ``timeout``; returns the exit code."""
        deadline = time.time() + timeout if timeout else None
        chief = dict(self.procs)["worker0"]
        while True:
            code = chief.poll()
            if code is not None:
                self.say("launcher", "chief finished with exit code %d" % code)
                return code, True
            for name, proc in self.procs:
                ended = proc.poll()
                # A ps ends by itself (0) only after every worker said it is done.
                if ended is not None and ended != 0:
                    self.say("launcher", "%s (pid %d) ended with %s before the chief; stopping the cluster"
                             % (name, proc.pid, _describe(ended)))
                    return 1, False
            if deadline and time.time() > deadline:
                self.say("launcher", "--timeout=%d s reached; stopping the cluster" % timeout)
                return 124, False
            time.sleep(0.2)

    def stop(self, graceful, chief_signal=signal.SIGTERM):
        """Every task ends. After a normal end of the chief the others get a
        grace period to end by themselves. Otherwise the chief first gets
        ``chief_signal`` and up to CHIEF_STOP_SECONDS to finish its step,
        checkpoint and record (the others still serve it meanwhile). Then
        those still running get SIGTERM, then SIGKILL."""
        if graceful:
            end = time.time() + GRACE_SECONDS * 2
            while time.time() < end and any(p.poll() is None for _, p in self.procs):
                time.sleep(0.2)
        chief = dict(self.procs).get("worker0")
        if chief is not None and chief.poll() is None:
            self.say("launcher", "stopping worker0 (pid %d) with %s" % (chief.pid, chief_signal.name))
            try:
                os.killpg(chief.pid, chief_signal)
            except ProcessLookupError:
                pass
            end = time.time() + CHIEF_STOP_SECONDS
            while time.time() < end and chief.poll() is None:
                time.sleep(0.1)
            if chief.poll() is not None:
                self.say("launcher", "worker0 ended with %s" % _describe(chief.returncode))
        for sig in (signal.SIGTERM, signal.SIGKILL):
            alive = [(n, p) for n, p in self.procs if p.poll() is None]
            for name, proc in alive:
                self.say("launcher", "stopping %s (pid %d) with %s" % (name, proc.pid, sig.name))
                try:
                    os.killpg(proc.pid, sig)  # its own process group (start_new_session): pid == pgid
                except ProcessLookupError:
                    pass
            end = time.time() + GRACE_SECONDS
            while time.time() < end and any(p.poll() is None for _, p in alive):
                time.sleep(0.1)
        for _, proc in self.procs:
            proc.wait()
        for pump in self.pumps:
            pump.join(timeout=2)


def _describe(code):
    return "signal %d" % -code if code < 0 else "exit code %d" % code


def launch(ps, workers, script_args, timeout=0, ps_hosts="", worker_hosts="", out=None, network="private"):
    if network == "private":
        plan(ps, workers, script_args, ps_hosts, worker_hosts)  # a bad spec is refused before anything changes
        private_network()
    tasks = plan(ps, workers, script_args, ps_hosts, worker_hosts)
    running = Cluster(tasks, out)
    if network == "private":
        running.say("launcher", "private network: the tasks listen in this launcher's own network namespace "
                                "(interfaces: %s)" % ", ".join(interfaces()))
    else:
        running.say("launcher", "--network=host: the tasks listen on every interface of this machine")

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(signum)

    previous = signal.signal(signal.SIGTERM, on_signal)
    code, graceful, chief_signal = 130, False, signal.SIGTERM
    try:
        running.start()
        code, graceful = running.wait(timeout)
    except KeyboardInterrupt as err:
        chief_signal = signal.Signals(err.args[0] if err.args and isinstance(err.args[0], int)
                                      else getattr(err, "signum", signal.SIGINT))
        running.say("launcher", "interrupted by %s; stopping the cluster, the chief first" % chief_signal.name)
        code, graceful = 128 + chief_signal, False
    finally:
        try:
            running.stop(graceful, chief_signal)
        except KeyboardInterrupt:  # a second signal: no more waiting
            running.stop(False, signal.SIGKILL)
        signal.signal(signal.SIGTERM, previous)
    return code


# scripts/launch_cluster.py: ``--`` separates the launcher's flags from the script's.
POSITIONAL = True


def define_flags():
    """scripts/launch_cluster.py's flags (defined when it runs, not on import)."""
    from absl import flags
    flags.DEFINE_integer("ps", 1, "Parameter servers to start.")
    flags.DEFINE_integer("workers", 2, "Workers to start (worker 0 is the chief).")
    flags.DEFINE_integer("timeout", 3600, "Stop every task after this many seconds (0: no limit).")
    flags.DEFINE_string("ps_hosts", "", "Instead of --ps: these 127.0.0.1:port addresses.")
    flags.DEFINE_string("worker_hosts", "", "Instead of --workers: these 127.0.0.1:port addresses.")
    flags.DEFINE_enum("network", "private", ["private", "host"],
                      "private: the tasks run in a network namespace of their own, reachable only from each other "
                      "(root or unprivileged user namespaces); host: in this machine's network, where TF's "
                      "unauthenticated servers listen on every interface.")


def main(argv):
    """scripts/launch_cluster.py: start the cluster, wait for it, exit with the chief's code."""
    from absl import flags
    given = flags.FLAGS
    sys.exit(launch(given.ps, given.workers, argv[1:], timeout=given.timeout, ps_hosts=given.ps_hosts,
                    worker_hosts=given.worker_hosts, network=given.network))
