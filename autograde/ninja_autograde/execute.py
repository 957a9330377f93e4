"""nbgrader's Execute with the course's guards, configured in nbgrader_config.py.

- every student kernel starts under a memory cap (`GraderKernelManager.memory_limit`);
- hidden tests are decided by the referee, in this process, not in the student's kernel;
- a kernel that dies (os._exit, a segfault), or is still stuck after a timed-out cell (a loop
  that swallows the interrupt), costs the cell it stopped in and every later one, each marked
  with why, and grading moves on to the next student without waiting out every later cell.
"""

import os
import sys
import tempfile
import uuid

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute
from traitlets import Integer, Unicode

from . import referee, secret


class GraderKernelManager(AsyncKernelManager):
    """A kernel under a memory cap, talking over Unix sockets named after its connection file.

    With TCP, kernels started at once by parallel graders can be handed the same free port
    (one of them then dies with "Address already in use"); socket files cannot collide."""
    memory_limit = Integer(
        2 * 1024**3, help="Address-space cap of each student kernel in bytes (0: none)."
    ).tag(config=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        # absolute: the kernel runs in the student's folder, its manager elsewhere
        kwargs.setdefault("ip", os.path.join(tempfile.gettempdir(), f"backprop-ninja-kernel-{uuid.uuid4().hex[:12]}"))
        super().__init__(**kwargs)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        return [sys.executable, "-m", "ninja_autograde.limits", str(self.memory_limit), "--", *cmd]


class GraderExecute(Execute):
    secret_file = Unicode(
        "", help="The course secret that keys each student's hidden-test data (created on first use; '': fresh random data)."
    ).tag(config=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", GraderKernelManager)
        super().__init__(**kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._stopped = None   # why no later cell runs, once the kernel is gone or stuck
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return super().preprocess_cell(cell, resources, index)
        if self._stopped:
            cell.outputs = [referee.error("KernelStopped", f"not run: {self._stopped}")]
            return cell, resources
        source = cell.source
        cell.source, test = referee.prepare(source, self.seed(cell, resources))
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stop(cell, index, "died", "(os._exit, a crash, or the memory limit)")
        except CellTimeoutError:   # interrupted after the timeout, and still busy: the interrupt was swallowed
            self._stop(cell, index, "was still stuck", f"{self.timeout} s after it started (a loop that ignores the interrupt?)")
        finally:
            cell.source = source
        if test is not None:
            referee.rule(cell, test)
        return cell, resources

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

    def _stop(self, cell, index, what, why):
        cell.outputs.append(referee.error("KernelStopped", f"the kernel {what} in this cell {why}"))
        self._stopped = f"the kernel {what} in cell {index + 1}"
        self.log.error("The kernel %s in cell %d; the later cells are marked as not run", what, index + 1)
