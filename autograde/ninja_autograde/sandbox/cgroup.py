"""Each student kernel's own share of the machine: a cgroup per kernel, in every controller the grader may use.

- pids: `pids.max`, a process cap that holds for root too (RLIMIT_NPROC does not bind root, even in a
  user namespace);
- memory: the whole jail's memory, every process counted (RLIMIT_AS caps each process alone: four forks
  would hold four caps): v1 `memory.limit_in_bytes` (and `memory.memsw.limit_in_bytes`, swap included),
  v2 `memory.max` and `memory.swap.max` 0. At the cap the kernel's biggest process is killed (`oom_kills`);
- cpu: the same weight for every kernel (v1 `cpu.shares`, v2 `cpu.weight`): a kernel with a hundred busy
  processes gets no more CPU than a classmate's with one;
- cpuacct: the kernel's own CPU time (`cpu_seconds`: v1 `cpuacct.usage`, v2 `cpu.stat` usage_usec), which
  the cells' time budgets count (preprocessors/graderexecute.py).

cgroup v1 has a hierarchy per controller (/sys/fs/cgroup/pids, /memory, ...), v2 one (/sys/fs/cgroup,
of which the grader may own a delegated subtree). The launch line joins the kernel's group in each, then
execs bubblewrap; every process of the kernel inherits them. Where no cgroup can be written (an ordinary
user without delegation) but systemd runs a user instance, the kernel starts in a transient scope of its
own (`systemd-run --user --scope`) with the same limits.

    group = KernelGroup.create(pids=128, memory=2 * 1024**3)   # None where nothing can be made here
    cmd = group.wrap(cmd)                  # join the groups, then exec cmd
    group.cpu_seconds(), group.oom_kills() # None where not measured
    group.remove()                         # after the kernel has ended
"""

import functools
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("pids", "memory", "cpu", "cpuacct")
JOIN = 'n=$0; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 1; shift; n=$((n - 1)); done; exec "$@"'


def v2():
    return (ROOT / "cgroup.controllers").exists()


def settings(pids, memory):
    """controller -> [(file, value)]: the first must be there (and written, unless None), the others where they exist."""
    if v2():
        wanted = {"pids": [("pids.max", pids)], "memory": [("memory.max", memory), ("memory.swap.max", 0)],
                  "cpu": [("cpu.weight", 100)], "cpuacct": [("cpu.stat", None)]}
    else:
        wanted = {"pids": [("pids.max", pids)], "cpu": [("cpu.shares", 1024)], "cpuacct": [("cpuacct.usage", None)],
                  "memory": [("memory.limit_in_bytes", memory), ("memory.memsw.limit_in_bytes", memory)]}
    return {c: files for c, files in wanted.items() if (c != "pids" or pids) and (c != "memory" or memory)}


def own_groups():
    """controller -> this process's group in the hierarchy that has it (from /proc/self/cgroup), where writable.
    On v2 one group for all: which controllers its children get shows in their files."""
    found = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, names, path = line.split(":", 2)
        if v2() and names == "":
            found.update(dict.fromkeys(CONTROLLERS, ROOT / path.lstrip("/")))
        elif not v2():
            found.update({c: ROOT / c / path.lstrip("/") for c in names.split(",") if c in CONTROLLERS})
    return {c: p for c, p in found.items() if p.is_dir() and os.access(p, os.W_OK)}


class KernelGroup:
    def __init__(self, paths, scope=None):
        self.paths = paths   # controller -> the kernel's group (on v2 one folder for all)
        self.scope = scope   # systemd-run's command line, where the kernel starts in a transient scope instead

    @classmethod
    def create(cls, pids, memory):
        """A fresh group in every controller this process may use, else a systemd user scope, else None."""
        name = f"backprop-ninja-{uuid.uuid4().hex[:12]}"
        wanted, parents = settings(pids, memory), own_groups()
        if v2() and parents:
            _delegate(parents["cpu"], wanted)
        made = {c: parents[c] / name for c in wanted if c in parents}
        paths = {c: path for c, path in made.items() if _apply(path, wanted[c])}
        for path in set(made.values()) - set(paths.values()):
            _rmdir(path)
        if paths:
            return cls(paths)
        return cls({}, scope=_scope_command(name, pids, memory)) if user_scopes() else None

    def wrap(self, cmd):
        if self.scope:
            return [*self.scope, *cmd]
        procs = sorted({str(p / "cgroup.procs") for p in self.paths.values()})
        return ["/bin/sh", "-c", JOIN, str(len(procs)), *procs, *cmd]

    def protects(self):
        """The controllers that hold this kernel: some of pids, memory, cpu, cpuacct."""
        return list(CONTROLLERS) if self.scope else sorted(self.paths)

    def cpu_seconds(self):
        """CPU seconds used by every process the kernel has had, or None where not measured."""
        path = self._path("cpuacct")
        try:
            if v2():
                return int(_fields(path / "cpu.stat")["usage_usec"]) / 1e6
            return int((path / "cpuacct.usage").read_text()) / 1e9
        except (OSError, TypeError, KeyError):
            return None

    def oom_kills(self):
        """Processes of the kernel killed at its memory cap so far, or None where not measured."""
        try:
            return int(_fields(self._path("memory") / ("memory.events" if v2() else "memory.oom_control"))["oom_kill"])
        except (OSError, TypeError, KeyError):
            return None

    def _path(self, controller):
        if self.scope and not self.paths:   # the scope's group, once the kernel has started in it
            unit = self.scope[-2].split("=", 1)[1] + ".scope"
            shown = subprocess.run(["systemctl", "--user", "show", "-P", "ControlGroup", unit],
                                   capture_output=True, text=True).stdout.strip()
            self.paths = dict.fromkeys(CONTROLLERS, ROOT / shown.lstrip("/")) if shown else {}
        return self.paths.get(controller)

    def remove(self, wait=1.0):
        """Remove the groups once their processes are gone: those of a killed jail take a few ms to exit.
        (A scope goes by itself with its last process.)"""
        end = time.monotonic() + wait
        for path in set(self.paths.values()) if not self.scope else ():
            while not _rmdir(path) and time.monotonic() < end:   # a process still in it
                time.sleep(0.005)   # past the wait it goes with the kernel's PID namespace; the folder stays


def _delegate(parent, controllers):
    """v2: hand these controllers down to parent's children, where parent may (a delegated subtree)."""
    for c in set(controllers) - {"cpuacct"}:
        try:
            (parent / "cgroup.subtree_control").write_text(f"+{c}")
        except OSError:   # not delegated, or parent holds processes itself (v2's no-internal-process rule)
            pass


def _apply(path, files):
    """Whether the group at path (made if need be) has its controller, its settings written."""
    (first, value), *rest = files
    try:
        path.mkdir(exist_ok=True)
        if value is not None:
            (path / first).write_text(str(value))
        for name, value in rest:
            if (path / name).exists():
                (path / name).write_text(str(value))
        return (path / first).exists()
    except OSError:
        return False


def _rmdir(path):
    """Whether path is gone."""
    try:
        path.rmdir()
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return True


def _fields(path):
    return dict(line.split() for line in path.read_text().splitlines())


@functools.cache
def user_scopes():
    """Whether this user may start transient systemd scopes (systemd-run --user) on cgroup v2."""
    if not v2() or os.getuid() == 0 or not shutil.which("systemd-run"):
        return False
    return subprocess.run(["systemd-run", "--user", "--scope", "--quiet", "true"], capture_output=True).returncode == 0


def _scope_command(unit, pids, memory):
    properties = ["CPUWeight=100", *([f"TasksMax={pids}"] if pids else []),
                  *([f"MemoryMax={memory}", "MemorySwapMax=0"] if memory else [])]
    return ["systemd-run", "--user", "--scope", "--quiet", "--collect",
            *(arg for p in properties for arg in ("-p", p)), f"--unit={unit}", "--"]
