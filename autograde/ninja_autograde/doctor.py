"""`backprop-ninja doctor`: which of the jail's protections work on this machine.

Each line is checked by starting a jailed probe with the course's settings (nbgrader_config.py)
and trying what a hostile submission would: reach the network, see the grader's processes,
files and environment, allocate beyond the memory cap (in one process, and in forks that each stay
under it), leave a process behind. The kernel's share of the machine (sandbox/cgroup.py) is said too: memory
for the whole jail, CPU shared fairly, time budgets in CPU seconds, the process cap.
"""

import json
import os
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path

from .sandbox import jail
from .sandbox.cgroup import KernelGroup

PROBE = r"""
import json, os, resource, socket, subprocess, sys
port, paths, marker = int(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
seen = {}
def connect():
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except OSError:
        return False
def import_(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False
def allocate(size):
    try:
        bytearray(size)
        return True
    except MemoryError:
        return False
def forks_hold(size, n=2):   # each fork fills its share and holds it a while: together over the cap
    children = []
    for _ in range(n):
        child = os.fork()
        if child == 0:
            try:
                held = b"x" * size
                __import__("time").sleep(3)
                os._exit(0)
            except MemoryError:
                os._exit(1)
        children.append(child)
    return all(os.waitpid(c, 0)[1] == 0 for c in children)
seen["network"] = connect()
seen["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
seen["paths"] = {p: os.path.exists(p) for p in paths}
seen["imports"] = {n: import_(n) for n in ("backprop_ninja", "ninja_runner", "ninja_autograde.referee")}
seen["environ"] = sorted(os.environ)
for path in [f"/proc/{p}/environ" for p in seen["pids"]]:
    try:
        seen["environ"] += [v.split(b"=")[0].decode() for v in open(path, "rb").read().split(b"\0") if v]
    except OSError:
        pass
seen["limits"] = {n: resource.getrlimit(getattr(resource, "RLIMIT_" + n))[0] for n in ("AS", "NPROC", "CPU", "FSIZE")}
seen["over_memory_cap"] = allocate(int(sys.argv[4])) if int(sys.argv[4]) else None
seen["forks_over_memory_cap"] = forks_hold(int(sys.argv[5])) if int(sys.argv[5]) else None
seen["caps"] = [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0]
if os.fork() == 0:   # the classic escape: double fork, new session, outlive the kernel
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(30)", marker])
    os._exit(0)
os.wait()
print(json.dumps(seen))
"""


def settings(course):
    """The course's jail settings (GraderKernelManager in nbgrader_config.py), with their defaults."""
    from traitlets.config import Config

    from .sandbox.kernel import GraderKernelManager
    from .grading import load_config

    config = load_config(course) if (Path(course) / "nbgrader_config.py").exists() else Config()
    traits = GraderKernelManager.class_traits(config=True)
    section = config.get("GraderKernelManager", {})
    return {name: section.get(name, trait.default_value) for name, trait in traits.items()
            if name in ("bwrap", "jail", "memory_limit", "process_limit", "cpu_limit", "file_size_limit")}


def secret_paths(course):
    """What a student kernel must not see: the course's instructor files and the grader's home."""
    course = Path(course).resolve()
    names = ["nbgrader_config.py", "gradebook.db", "source", "submitted", "autograded", "feedback"]
    bound = jail.prefixes(sys.executable)   # the Python environment may live in the home folder
    home = [p for p in Path.home().iterdir() if not any(p == b or p in b.parents for b in bound)]
    return [str(course / n) for n in names if (course / n).exists()] + [
        str(p) for p in home[:50]] + [str(jail.packages(sys.executable)["ninja_autograde"])]


def survivors(marker):
    """Processes on this machine whose command line holds marker: only the probe's own, so that the
    kernels of graders running beside the doctor are never counted."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes() if entry.name.isdigit() else b""
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(int(entry.name))
    return found


def imports(course):
    """[(check, ok, detail)]: the kernel's Python imports the kernel packages, and the grader, with
    nbgrader's import rule (its working folder, the course, first on sys.path), judges with the same
    `backprop_ninja` as the kernel."""
    from .sandbox.kernel import kernelspec_python

    python = kernelspec_python("python3")
    found = jail.packages(python)
    missing = [n for n in jail.KERNEL_PACKAGES if found[n] is None]
    rows = [("kernel imports backprop_ninja and ninja_runner", not missing,
             f"{python}: " + (f"cannot import {', '.join(missing)}" if missing else
                              ", ".join(str(found[n]) for n in jail.KERNEL_PACKAGES)))]
    local = Path(course).resolve() / "backprop_ninja"
    grader, kernel = (local if (local / "__init__.py").exists() else found["backprop_ninja"]), found["backprop_ninja"]
    same = kernel is not None and _sources(grader) == _sources(kernel)
    rows.append(("grader and kernel use the same backprop_ninja", same,
                 str(kernel) if grader == kernel else f"grader (nbgrader imports the course folder's first): "
                 f"{grader}; kernel: {kernel}; " + ("same files" if same else "the files differ")))
    return rows


def _sources(folder):
    return {p.name: p.read_bytes() for p in sorted(Path(folder).glob("*.py"))} if folder else None


def examine(course="."):
    """[(protection, active?, detail)], each from a jailed probe run with the course's settings."""
    conf = settings(course)
    if conf["jail"].lower() == "none":
        return [("jail", False, 'GraderKernelManager.jail = "none": student kernels are not jailed')]
    why = jail.why_not(conf["bwrap"])
    rows = [("bubblewrap", Path(conf["bwrap"]).exists(), conf["bwrap"]),
            ("user namespaces (jailed Python starts)", not why, why or "ok")]
    if why:
        return rows
    canary, marker = f"BACKPROP_NINJA_DOCTOR_{uuid.uuid4().hex}", f"backprop-ninja-doctor-{uuid.uuid4().hex}"
    paths = secret_paths(course)
    limits = jail.limits(conf["memory_limit"], conf["process_limit"], conf["cpu_limit"], conf["file_size_limit"])
    with socket.socket() as listener, tempfile.TemporaryDirectory(prefix="backprop-ninja-doctor-") as runtime:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        os.environ[canary] = "secret"
        group = KernelGroup.create(conf["process_limit"], conf["memory_limit"])
        shares = group.protects() if group else []
        each = int(0.6 * conf["memory_limit"]) if "memory" in shares else 0   # without the cap, it would really fill
        try:
            result = jail.run(PROBE, runtime, limits, bwrap=conf["bwrap"], group=group, args=[
                str(listener.getsockname()[1]), json.dumps(paths), marker, str(2 * conf["memory_limit"]), str(each)])
            cpu = group.cpu_seconds() if group else None
        finally:
            del os.environ[canary]
            if group:
                group.remove()
    if result.returncode != 0:
        return rows + [("probe", False, result.stderr.strip()[-500:])]
    seen = json.loads(result.stdout)
    time.sleep(0.2)
    left = survivors(marker)
    visible = [p for p, there in seen["paths"].items() if there]
    lim = seen["limits"]
    return rows + imports(course) + [
        ("network blocked (loopback port of this machine unreachable)", not seen["network"], ""),
        ("own PID namespace (grader's processes invisible)", os.getpid() not in seen["pids"] and len(seen["pids"]) < 10,
         f"{len(seen['pids'])} processes visible"),
        ("nothing outlives the kernel (double fork + setsid)", not left, f"survivors: {left}" if left else ""),
        ("no capabilities", int(seen["caps"], 16) == 0, f"CapEff {seen['caps']}"),
        ("grader's environment hidden", canary not in seen["environ"], f"{len(seen['environ'])} variables"),
        ("instructor files and home invisible", not visible, ", ".join(visible) or f"{len(paths)} paths checked"),
        ("ninja_autograde not importable", not seen["imports"]["ninja_autograde.referee"], ""),
        ("backprop_ninja and ninja_runner importable",
         seen["imports"]["backprop_ninja"] and seen["imports"]["ninja_runner"], ""),
        ("memory cap per process", bool(conf["memory_limit"]) and seen["over_memory_cap"] is False,
         f"RLIMIT_AS {lim['AS']} bytes"),
        ("memory cap for the whole jail (every process counted)", seen["forks_over_memory_cap"] is False,
         f"the kernel's memory cgroup, {conf['memory_limit']} bytes" if each else
         "no memory cap set" if not conf["memory_limit"] else
         "no memory cgroup could be made: two forks may each hold a cap (" + NO_CGROUP + ")"),
        ("CPU shared fairly (one weight per kernel, however many processes)", "cpu" in shares,
         "the kernel's cpu cgroup" if "cpu" in shares else "no cpu cgroup: a kernel's busy processes slow its "
         "classmates' (" + NO_CGROUP + ")"),
        ("time budgets in the kernel's own CPU seconds", cpu is not None,
         f"its cgroup's CPU time ({cpu:.2f} s for the probe)" if cpu is not None else "no CPU reading: "
         "Execute.timeout counts wall clock, so a busy machine can cost a right answer a test (" + NO_CGROUP + ")"),
        ("process cap", "pids" in shares or (limits["nproc"] > 0 and os.getuid() != 0),
         _process_cap("pids" in shares, limits, lim)),
        ("CPU time cap", lim["CPU"] > 0, f"RLIMIT_CPU {lim['CPU']} s"),
        ("file size cap", lim["FSIZE"] > 0, f"RLIMIT_FSIZE {lim['FSIZE']} bytes"),
    ]


NO_CGROUP = ("run the grader where it may write cgroups: as root, in a delegated cgroup v2 subtree, or as a user "
             "with systemd's user instance (systemd-run --user --scope)")


def _process_cap(pids_cgroup, limits, lim):
    if pids_cgroup:
        return f"the kernel's own pids cgroup, pids.max {limits['nproc'] or lim['NPROC']}"
    if not limits["nproc"]:
        return "RLIMIT_NPROC not set: before Linux 5.14 it counts all of the grader's processes"
    if os.getuid() == 0:
        return (f"RLIMIT_NPROC {lim['NPROC']} not enforced: Linux exempts root even in a user namespace, and no pids "
                "cgroup could be made; grade as an ordinary user or give the grader a cgroup")
    return f"RLIMIT_NPROC {lim['NPROC']}"


def main(course="."):
    rows = examine(course)
    for name, active, detail in rows:
        print(f"{'ok ' if active else 'NO '} {name}{': ' + detail if detail else ''}")
    if len(rows) <= 2:   # no jailed Python could start
        print("\n" + jail.FIX.format(why=rows[-1][2]))
    if not all(active for _, active, _ in rows):
        return 1
    return 0
