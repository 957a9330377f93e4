"""nbgrader's Execute with the course's guards, configured in nbgrader_config.py.

- every student kernel starts under a memory cap (`GraderKernelManager.memory_limit`);
- hidden tests are decided by the referee, in this process, not in the student's kernel;
- a kernel that dies (os._exit, a segfault) costs the cell it died in and every later one,
  each marked with why, and grading moves on to the next student.
"""

import os
import sys
import tempfile
import uuid

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import DeadKernelError
from nbgrader.preprocessors import Execute
from traitlets import Integer

from . import referee


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
    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", GraderKernelManager)
        super().__init__(**kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._died_in = None
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return super().preprocess_cell(cell, resources, index)
        if self._died_in is not None:
            cell.outputs = [referee.error("KernelDied", f"not run: the kernel died in cell {self._died_in + 1}")]
            return cell, resources
        source = cell.source
        cell.source, test = referee.prepare(source)
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._died_in = index
            cell.outputs.append(referee.error(
                "KernelDied", "the kernel died while running this cell (os._exit, a crash, or the memory limit)"))
            self.log.error("The kernel died in cell %d; the remaining cells are marked as not run", index)
        finally:
            cell.source = source
        if test is not None:
            referee.rule(cell, test)
        return cell, resources
