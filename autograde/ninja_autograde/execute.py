"""nbgrader's Execute with the course's guards, configured in nbgrader_config.py.

- every student kernel runs in a jail (`jail.py`: bubblewrap) under limits on memory, processes, CPU
  time and file size (`GraderKernelManager.memory_limit` and the others); when the jail does not
  work on this machine grading refuses to start, unless `GraderKernelManager.jail = "none"`;
- each kernel has its own cgroups (`cgroup.py`) where the grader may make them: memory capped for the
  whole jail, CPU shared equally between kernels, and a cell's time budget (`Execute.timeout`) counted
  in the kernel's own CPU seconds, so neither the machine's load nor a classmate's kernel costs it;
  wall clock is then only a hang guard (`GraderExecute.hang_guard`). Without a CPU reading the budget
  is wall clock, as in nbgrader;
- hidden tests are decided by the referee, in this process, not in the student's kernel, reading
  each answer message with bounded work and within the notebook's budget (`answers.py`);
- a kernel that dies (os._exit, a segfault), or is still stuck after a timed-out cell (a loop
  that swallows the interrupt), costs the cell it stopped in and every later one, each marked
  with why, and grading moves on to the next student without waiting out every later cell;
- a cell whose output the grader could not all read in time (a flood of displays) gets an error
  (a test cell then fails: its verdict may have been in what was lost); the next cells still run;
- no message larger than `GraderKernelManager.max_message_size` is read from a kernel (ZeroMQ refuses
  it before allocating; the kernel's output channel stays closed, so every later cell fails saying so);
- what the grader holds of a notebook's outputs while it runs is capped (`max_outputs` per cell,
  `notebook_output_chars` per notebook, a cell's answer messages after its first emptied): later
  outputs are dropped unread, errors kept without their traceback, so no flood can exhaust its memory.
"""

import asyncio
import json
import queue
import shutil
import sys
import tempfile
import time
from pathlib import Path

import zmq
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader import utils
from nbgrader.preprocessors import Execute
from traitlets import CaselessStrEnum, Float, Integer, Unicode, default

from ninja_runner import ANSWERS_MIME

from . import answers, jail, referee, saveverdicts, secret
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


def characters(content):
    """The length of an output message's text, data and traceback, as the grader holds them."""
    data = content.get("data")
    parts = [content.get("text"), content.get("evalue"), *(content.get("traceback") or []),
             *(data.values() if isinstance(data, dict) else [data])]
    return sum(len(p) if isinstance(p, str) else len(json.dumps(p, default=str)) for p in parts if p is not None)


IOPUB_TIMEOUT = "Timeout waiting for IOPub output"   # nbclient's words when a cell's output outlasts iopub_timeout
LOOK = 0.5   # seconds between looks at a running cell's CPU time


class CellTime:
    """One cell's time: `seconds` of the kernel's own CPU time where its cgroup measures it (`cpu`), else
    of wall clock; and `guard` seconds of wall clock whatever its CPU use (a kernel asleep, or starved)."""

    def __init__(self, group, seconds, guard):
        self.cpu = group.cpu_seconds if group and group.cpu_seconds() is not None else None
        self.seconds, self.guard = seconds, guard
        self.start, self.cpu_start, self.looked = time.monotonic(), self.cpu and self.cpu(), time.monotonic()

    def spent(self):
        now = self.cpu and self.cpu()
        return now - self.cpu_start if now is not None else time.monotonic() - self.start

    def left(self):
        return self.spent() < self.seconds and time.monotonic() - self.start < self.guard

    def next_look(self):
        """Seconds until the next look is due (nbclient may ask again at once)."""
        self.looked = max(self.looked + LOOK, time.monotonic())
        return self.looked - time.monotonic()

    def __str__(self):
        return f"{self.seconds} CPU seconds" if self.cpu else f"{self.seconds} s"


class GraderExecute(Execute):
    max_outputs = Integer(1000, help=(
        "Outputs a cell keeps while it runs; later ones (errors excepted) are dropped unread: "
        "nbformat validates each output, so a flood of displays would otherwise cost the grader minutes."
    )).tag(config=True)
    notebook_output_chars = Integer(64 * 1024**2, help=(
        "Characters of output (answer messages aside) the grader holds for one notebook while it runs; later "
        "outputs are dropped unread, errors kept without their traceback."
    )).tag(config=True)
    max_answer_size = Integer(answers.Budget.MESSAGE_CHARS, help=(
        "Characters of one answer message the referee reads (base64: 3/4 as many bytes); a longer one is no answer."
    )).tag(config=True)
    max_answer_members = Integer(answers.Budget.MEMBERS, help="Arrays in one answer message; more is no answer.").tag(
        config=True)
    notebook_answer_bytes = Integer(answers.Budget.NOTEBOOK_BYTES, help=(
        "Decoded answer bytes the referee reads for one notebook; once spent, later tests fail unjudged."
    )).tag(config=True)
    notebook_judging_seconds = Float(answers.Budget.NOTEBOOK_SECONDS, help=(
        "CPU seconds of the grader's own process judging one notebook's answers; once spent, later tests fail unjudged."
    )).tag(config=True)
    secret_file = Unicode(
        "", help="The course secret that keys each student's hidden-test data (created on first use; '': fresh random data)."
    ).tag(config=True)

    stuck_seconds = Integer(5, help=(
        "Seconds of its own CPU time a kernel interrupted at a cell's timeout may spend without answering before "
        "it is called stuck and the later cells are marked as not run (wall clock where no cgroup measures it)."
    )).tag(config=True)
    hang_guard = Integer(600, help=(
        "Wall-clock seconds after which a cell is stopped whatever its CPU use. Where the kernel's cgroup "
        "measures its CPU time, Execute.timeout is a budget of the kernel's own CPU seconds and this is the only "
        "wall-clock limit (a kernel that sleeps, or waits for a CPU on a busy machine)."
    )).tag(config=True)

    @default("shutdown_kernel")
    def _kill_when_done(self):
        """A graded kernel is killed once its last cell has run, not asked to shut down: its outputs are
        in, its files go with the jail, and its atexit hooks are student code (one that sleeps would hold
        the grader for shutdown_wait_time)."""
        return "immediate"

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", GraderKernelManager)
        super().__init__(**kwargs)
        self.timeout_func = self._wait_for_reply

    def _wait_for_reply(self, cell):
        """nbclient's timeout_func: seconds to wait for a cell's reply before `_async_handle_timeout` is asked."""
        return LOOK if self.timeout and self._clock.cpu else self.timeout

    async def _async_handle_timeout(self, timeout, cell=None):
        """No reply yet: wait on while the cell has budget left, else nbclient's (interrupt: "ran out of time")."""
        if self._clock.left():
            await asyncio.sleep(self._clock.next_look())
            return None
        self._interrupted = True
        return await super()._async_handle_timeout(self.timeout, cell)

    def preprocess(self, nb, resources=None, km=None):
        self._stopped = None   # why no later cell runs, once the kernel is gone or stuck
        self._held = 0         # characters of output held so far, answer messages aside
        self._reading = answers.Budget(self.max_answer_size, self.max_answer_members,
                                      self.notebook_answer_bytes, self.notebook_judging_seconds)
        self.ruled = {}        # cell index -> the referee's Test in that cell (replay shows its data)
        if resources is not None:   # test id -> its Verdict, for SaveVerdicts: this notebook's only
            resources.setdefault("backprop_ninja", {})["verdicts"] = {}
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return super().preprocess_cell(cell, resources, index)
        if self._stopped:
            cell.outputs = [referee.error("KernelStopped", f"not run: {self._stopped}")]
            return cell, resources
        self._dropped = 0
        source = cell.source
        cell.source, test = referee.prepare(source, self.seed(cell, resources))
        group = getattr(self.km, "group", None)
        self._clock, kills = CellTime(group, self.timeout, self.hang_guard), group and group.oom_kills()
        self._interrupted = False   # set when the cell's budget ran out and the kernel was interrupted
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            hit = self._memory_limit_hit(group, kills)
            self._stop(cell, index, "died", f"at {hit}" if hit else "(os._exit, a crash, or the memory limit)")
        except CellTimeoutError as error:
            stuck = self._interrupted and self._still_stuck(group)   # never idle after the interrupt
            if IOPUB_TIMEOUT in str(error) and not stuck:   # the cell ended; its flood of output outlasted the grader
                cell.outputs.append(referee.error("OutputTimeout", f"this cell's output did not all arrive within "
                                                  f"{self.iopub_timeout} s of its end (too much output, or a message "
                                                  "larger than the grader takes?)"))
            else:   # interrupted after its budget, and still busy without answering: the interrupt was swallowed
                self._stop(cell, index, "was still stuck",
                           f"after {self._clock} (a loop that ignores the interrupt?)")
        finally:
            cell.source = source
        if not self._stopped and (hit := self._memory_limit_hit(group, kills)):
            cell.outputs.append(referee.error("MemoryError", f"a process of this kernel was killed at {hit}"))
        if self._dropped:
            cell.outputs.append(referee.stream(f"... {self._dropped} more outputs dropped by the grader ...\n"))
        judged = None
        if test is not None:
            judged = referee.rule(cell, test, self._reading)
            self.ruled[index] = test
        verdict = saveverdicts.cell_verdict(cell, judged)
        if utils.is_grade(cell) and resources is not None:
            verdicts = resources.setdefault("backprop_ninja", {}).setdefault("verdicts", {})
            verdicts[cell.metadata.nbgrader["grade_id"]] = verdict
        return cell, resources

    def output(self, outs, msg, display_id, cell_index):
        content, error = msg["content"], msg["msg_type"] == "error"
        if len(outs) >= self.max_outputs and not error:
            self._dropped += 1
            return None
        data = content.get("data")
        if isinstance(data, dict) and ANSWERS_MIME in data:   # the referee's to read, and let go once the cell is ruled
            if any(ANSWERS_MIME in o.get("data", {}) for o in outs):
                content["data"] = {ANSWERS_MIME: ""}   # a second answer message: counted by the referee, not kept
            return super().output(outs, msg, display_id, cell_index)
        self._held += characters(content)
        if self._held > self.notebook_output_chars:
            if not error:
                self._dropped += 1
                return None
            content.update(evalue=str(content.get("evalue", ""))[:1000], traceback=[])
        return super().output(outs, msg, display_id, cell_index)
    def on_comm_open_jupyter_widget(self, msg):
        """No stand-in for Output widgets: grading has no front end to show them.

        nbclient's stand-in answers the kernel with comm messages on the shell channel while the
        cell runs (ε explorer: clear_output, display); one sent as the cell's execute reply arrives
        can leave the reply unread until the cell timeout (a 60 s stall, then an interrupt)."""
        return None

    def seed(self, cell, resources):
        """The keyed seed of this student's test in this cell, or None (no secret, or not grading a student)."""
        who = (resources or {}).get("nbgrader", {})
        if not self.secret_file or "student" not in who:
            return None
        test_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        return secret.seed(secret.load(self.secret_file), who["student"], who["assignment"], test_id)

    def _memory_limit_hit(self, group, kills):
        """'its memory limit (...)' if a process of the kernel was killed there since `kills`, else ''."""
        if kills is None or (group.oom_kills() or 0) <= kills:
            return ""
        return f"its memory limit ({self.km.memory_limit / 1024**3:g} GiB for all its processes together)"

    def _still_stuck(self, group):
        """After an interrupted cell that did not end in time: whether the kernel stays busy without answering
        the cell for another `stuck_seconds` of its own CPU time (a loop that swallows the interrupt), rather
        than being slow to answer on a busy machine (wall clock: only the hang guard)."""
        clock = CellTime(group, self.stuck_seconds, self.hang_guard)
        while clock.left():
            try:
                if run_sync(self.kc.shell_channel.get_msg)(timeout=LOOK)["msg_type"] == "execute_reply":
                    return False   # the interrupted cell's own reply: nbclient answered for it at the timeout
            except queue.Empty:
                continue
        return True

    def _stop(self, cell, index, what, why):
        cell.outputs.append(referee.error("KernelStopped", f"the kernel {what} in this cell {why}"))
        self._stopped = f"the kernel {what} in cell {index + 1}"
        self.log.error("The kernel %s in cell %d; the later cells are marked as not run", what, index + 1)
