"""nbgrader's Execute with the course's guards, configured in nbgrader_config.py.

- every student kernel runs in a jail (`sandbox/jail.py`: bubblewrap) under limits on memory, processes, CPU
  time and file size (`GraderKernelManager.memory_limit` and the others); when the jail does not
  work on this machine grading refuses to start, unless `GraderKernelManager.jail = "none"`;
- each kernel has its own cgroups (`sandbox/cgroup.py`) where the grader may make them: memory capped for the
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
import time

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader import utils
from nbgrader.preprocessors import Execute
from traitlets import Float, Integer, Unicode, default

from ninja_runner import ANSWERS_MIME

from .. import answers, referee, secret
from ..sandbox.kernel import GraderKernelManager
from .saveverdicts import cell_verdict


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
        verdict = cell_verdict(cell, judged)
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
