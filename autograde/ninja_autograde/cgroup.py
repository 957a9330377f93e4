"""A process-count cap for one student kernel that holds for root too: the kernel's own pids cgroup.

RLIMIT_NPROC (set in the jail by limits.py) does not bind root, even in a user namespace, so a
grader running as root (a CI machine, a container) would let a fork bomb fill the machine until its
notebook ends. Where the grader may create cgroups, each kernel gets one with `pids.max` set: the
launch line joins it before it starts bubblewrap, and every process of the kernel inherits it.

    group = KernelGroup.create(128)        # None where cgroups cannot be made here
    cmd = group.wrap(cmd)                  # sh joins the group, then execs cmd
    group.remove()                         # after the kernel has ended
"""

import os
import time
import uuid
from pathlib import Path

ROOTS = ("/sys/fs/cgroup/pids", "/sys/fs/cgroup")   # cgroup v1's pids hierarchy, or the v2 unified one
JOIN = 'echo $$ > "$0" && exec "$@"'


def _root():
    """The first hierarchy whose pids controller this process may use, or None."""
    for root in map(Path, ROOTS):
        own = _own_group(root)
        if own is None:
            continue
        if (root / "cgroup.controllers").exists() and "pids" not in (root / "cgroup.controllers").read_text().split():
            continue
        if os.access(own, os.W_OK):
            return own
    return None


def _own_group(root):
    """This process's group in the hierarchy mounted at root (from /proc/self/cgroup)."""
    v2 = (root / "cgroup.controllers").exists()
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if (v2 and controllers == "") or (not v2 and "pids" in controllers.split(",")):
            group = root / path.lstrip("/")
            return group if group.is_dir() else None
    return None


class KernelGroup:
    def __init__(self, path):
        self.path = path

    @classmethod
    def create(cls, max_pids):
        """A fresh pids cgroup capped at max_pids, or None where this process may not make one."""
        parent = _root()
        if parent is None or max_pids <= 0:
            return None
        path = parent / f"backprop-ninja-{uuid.uuid4().hex[:12]}"
        try:
            path.mkdir()
            (path / "pids.max").write_text(str(max_pids))
        except OSError:
            path.rmdir() if path.exists() else None
            return None
        return cls(path)

    def wrap(self, cmd):
        return ["/bin/sh", "-c", JOIN, str(self.path / "cgroup.procs"), *cmd]

    def remove(self, wait=1.0):
        """Remove the group once its processes are gone: those of a killed jail take a few ms to exit."""
        end = time.monotonic() + wait
        while True:
            try:
                self.path.rmdir()
                return
            except OSError:   # a process still in it
                if time.monotonic() > end:   # it goes with the kernel's PID namespace; the folder stays
                    return
                time.sleep(0.005)
