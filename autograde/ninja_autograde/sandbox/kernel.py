"""The kernel manager that starts each student kernel in the jail, and the check made before grading starts.

`GraderKernelManager` is nbgrader's kernel manager with the course's guards: the kernel in the jail
(`jail.py`: bubblewrap) under limits on memory, processes, CPU time and file size (`limits.py`), in
cgroups of its own where the grader may make them (`cgroup.py`), talking over Unix sockets in a
private runtime folder, no message larger than `max_message_size` read from it. `check_jail` refuses
to grade where the jail does not work (unless `GraderKernelManager.jail = "none"`) or where the
kernel's Python cannot import the course.
"""

import shutil
import sys
import tempfile
from pathlib import Path

import zmq
from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum, Integer, Unicode

from . import jail
from .cgroup import KernelGroup


# Run in the kernel before any cell: zmq's thread that frees a large message once sent. Started later, by the
# first answer over 64 KB (02's on a million logits are 8 MB), it fails in a kernel whose student has forked
# up to the process cap, and the kernel dies (autograde/attacks/02_softmax_nll/fork_bomb.py).
ZMQ_GC_FIRST = "--IPKernelApp.exec_lines=__import__('zmq.utils.garbage').utils.garbage.gc.start()"


class GraderKernelManager(AsyncKernelManager):
    """A student kernel in the jail (`jail.py`) under limits (`limits.py`), talking over Unix
    sockets in a private runtime folder.

    With TCP, kernels started at once by parallel graders can be handed the same free port
    (one of them then dies with "Address already in use"); socket files cannot collide.
    Interrupts travel as messages: signals do not cross into the jail's PID namespace."""
    bwrap = Unicode(jail.BWRAP, help="bubblewrap's executable (absolute path).").tag(config=True)
    jail = CaselessStrEnum(["bwrap", "none"], "bwrap", help=(
        'How student kernels are isolated: "bwrap" (bubblewrap; grading refuses to start when it does not '
        'work), or "none": student code runs as the grader, with the gradebook and the solutions in reach.'
    )).tag(config=True)
    memory_limit = Integer(
        2 * 1024**3, help="Memory cap of each student kernel in bytes, for all its processes where its cgroup can "
        "have one, and the address space of each (0: none)."
    ).tag(config=True)
    process_limit = Integer(128, help="Processes and threads a student kernel may have (0: no limit).").tag(config=True)
    cpu_limit = Integer(1800, help="CPU seconds of each process in a student kernel (0: no limit).").tag(config=True)
    file_size_limit = Integer(64 * 1024**2, help="Largest file a student kernel may write, in bytes.").tag(config=True)
    scratch_limit = Integer(128 * 1024**2, help="Bytes in each of the jail's HOME, /tmp and /dev/shm.").tag(config=True)
    max_message_size = Integer(128 * 1024**2, help=(
        "Bytes of the largest message the grader takes from a student kernel (0: no limit); ZeroMQ refuses a "
        "larger one unread and closes the kernel's output channel, so its later cells fail."
    )).tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(transport="ipc", **kwargs)
        self.submission = None   # the folder nbgrader runs the notebook in: copied into the jail
        if self.jail == "none":
            self.log.warning(NO_JAIL)
        else:
            jail.require(self.bwrap)
        self.runtime = None   # the private folder of the connection file and sockets, made at start
        self.group = None     # the kernel's cgroups, where this grader may make them (cgroup.KernelGroup)

    def client(self, **kwargs):
        """A client of the kernel whose sockets refuse any message over max_message_size."""
        client = super().client(**kwargs)
        client.context.setsockopt(zmq.MAXMSGSIZE, self.max_message_size or -1)
        return client

    @property
    def limits(self):
        # outside the jail RLIMIT_NPROC would count every process of the grader's account
        processes = self.process_limit if self.jail != "none" else 0
        return jail.limits(self.memory_limit, processes, self.cpu_limit, self.file_size_limit)

    async def _async_pre_start_kernel(self, **kw):
        if self.runtime is None:
            self.runtime = Path(tempfile.mkdtemp(prefix="backprop-ninja-kernel-"))
            self.ip = str(self.runtime / "kernel")
            self.connection_file = str(self.runtime / "kernel.json")
        self.kernel_spec.interrupt_mode = "message"
        self.submission = kw.get("cwd")
        if self.jail != "none":   # bwrap's own cwd and environment: its init inside the jail keeps them
            kw["cwd"], kw["env"] = str(self.runtime), jail.BWRAP_ENV
            if self.group is None:
                self.group = KernelGroup.create(self.process_limit, self.memory_limit)
        try:
            return await super()._async_pre_start_kernel(**kw)
        except BaseException:   # a kernel that never started (its Python cannot import the course) leaves nothing
            self._remove_folders()
            self.runtime = None
            raise

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments) + [ZMQ_GC_FIRST]
        jail.require_packages(jail.kernel_python(cmd[0]))   # else every test would fail with an ImportError
        if self.jail == "none":
            return jail.launcher(cmd, self.limits)
        workdir = f"{jail.HOME}/{Path(self.submission).name}" if self.submission else jail.HOME
        jailed = jail.command(cmd, self.runtime, workdir, self.limits, self.scratch_limit,
                              self.submission, self.bwrap)
        return self.group.wrap(jailed) if self.group else jailed

    async def _async_wait(self, pollinterval=0.01):
        """Wait until the kernel's process has ended, looking every 10 ms (jupyter_client: every 0.1 s,
        which every graded notebook would pay once more, in wall time, at its end)."""
        await super()._async_wait(pollinterval)

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart)
        if not restart:
            self._remove_folders()

    def _remove_folders(self):
        """The kernel's cgroups (first: removing them waits until the jail's last process has exited), then its
        runtime folder."""
        if self.group:
            self.group.remove()
            self.group = None
        if self.runtime:
            shutil.rmtree(self.runtime, ignore_errors=True)
            self.runtime = None


def check_jail(config, kernel_name="python3"):
    """Refuse (JailUnavailable or KernelCannotImport, saying how to fix it) unless the course's kernels
    can be jailed and import the kernel packages; returns the jail setting ("bwrap", or "none" after a
    loud warning)."""
    settings = config.get("GraderKernelManager", {})
    mode = settings.get("jail", "bwrap").lower()
    if mode == "none":
        print(f"WARNING: {NO_JAIL}", file=sys.stderr)
    else:
        jail.require(settings.get("bwrap", jail.BWRAP))
    jail.require_packages(kernelspec_python(kernel_name))
    return mode


def kernelspec_python(kernel_name):
    """The Python a kernel of that kernelspec starts, found as nbclient finds it."""
    from jupyter_client.kernelspec import KernelSpecManager

    return jail.kernel_python(KernelSpecManager().get_kernel_spec(kernel_name).argv[0])


NO_JAIL = ("GraderKernelManager.jail = 'none': student kernels run WITHOUT a jail, as this user, "
           "with the gradebook, the solutions and this machine in reach of every submission.")
