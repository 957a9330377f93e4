"""Where a student's kernel runs: the jail, its share of the machine, its limits, and the manager that starts it.

- `jail.py`: bubblewrap; what the kernel sees of the machine (the system and the Python environment
  read-only, its own empty home, no network, no other process);
- `cgroup.py`: each kernel's own cgroups (memory for the whole jail, an equal CPU share, its CPU seconds);
- `limits.py`: the launcher inside the jail, run by absolute path, setting the resource limits;
- `kernel.py`: `GraderKernelManager`, nbgrader's kernel manager starting kernels that way, and
  `check_jail`, the check before grading starts.
"""
