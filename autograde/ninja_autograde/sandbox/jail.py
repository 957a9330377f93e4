"""The jail every student kernel runs in: bubblewrap (`/usr/bin/bwrap`, Debian's `bubblewrap`).

A student's answer cell is code the grader runs. In the jail that code sees

- the system (/usr, the /lib and /bin links, a few files of /etc) and the Python environment, read-only;
- the student package `backprop_ninja` and `ninja_runner` (what the test cells call), read-only,
  and nothing else of the course: not `ninja_autograde`, `source/`, the gradebook, `nbgrader_config.py`,
  other students' folders, the exchange, the grader's home or environment variables;
- a copy of its own submission folder, writable, in a small tmpfs (nothing it writes reaches the disk);
- a private runtime folder with its own connection file and sockets (the grader's end of them);

in namespaces of its own: no network, its own PIDs (everything it starts dies with the notebook), no
capabilities, no further user namespaces. Inside, `limits.py` caps memory, processes, CPU time and
file size before it starts the kernel. Nothing here is a container runtime: bwrap does the mounts.
"""

import compileall
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BWRAP = "/usr/bin/bwrap"
HOME = "/home/student"
SUBMISSION = "/run/submission"     # the submission folder, read-only; the launcher copies it into HOME
LAUNCHER = "/run/grader/limits.py"
LIMITS_PY = Path(__file__).with_name("limits.py")
ETC = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/fonts",
       "/etc/alternatives", "/etc/nsswitch.conf"]
KERNEL_PACKAGES = ("backprop_ninja", "ninja_runner")   # the only course code a student kernel sees
HIDDEN_PACKAGES = ("ninja_autograde",)
PASSED_ON = ("NBGRADER_EXECUTION",)   # the only grader variable a kernel gets (nbgrader sets it)
BWRAP_ENV = {"PATH": "/usr/bin:/bin"}   # bwrap's own: its init process inside the jail shows it in /proc/1/environ

FIX = """\
Student kernels must run in a jail (bubblewrap), and it does not work on this machine: {why}
To fix it:
  - install bubblewrap:                 sudo apt-get install bubblewrap   (Fedora: dnf install bubblewrap)
  - allow unprivileged user namespaces: sudo sysctl -w kernel.unprivileged_userns_clone=1
    (Ubuntu 24.04+: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor
    profile for /usr/bin/bwrap; in a container: run it with --security-opt seccomp=unconfined or
    grade on the host)
  - macOS / Windows: grade in a Linux VM or container (docs/security.md).
Check with `backprop-ninja doctor`. To grade WITHOUT a jail (student code then runs as you, with your
gradebook and solutions in reach), set in nbgrader_config.py:  c.GraderKernelManager.jail = "none"
"""


class JailUnavailable(RuntimeError):
    pass


class KernelCannotImport(RuntimeError):
    """The kernel's Python cannot import the course's kernel-side packages: every test would score 0."""


def limits(memory, processes, cpu, file_size):
    """limits.py's settings (0: no limit). The process cap only where it counts the jail's processes."""
    return {"as": memory, "nproc": processes if nproc_counts_the_jail_only() else 0, "cpu": cpu, "fsize": file_size}


def nproc_counts_the_jail_only():
    """Since Linux 5.14 RLIMIT_NPROC counts the processes of a user namespace; before, every process of
    the grader's account, so a cap set in the jail could stop a kernel from starting its threads."""
    release = tuple(int(n) for n in re.findall(r"\d+", os.uname().release)[:2])
    return release >= (5, 14)


FIND = """import importlib.util, json, sys
specs = {name: importlib.util.find_spec(name) for name in sys.argv[1:]}
print(json.dumps({name: spec and spec.submodule_search_locations[0] for name, spec in specs.items()}))"""


def kernel_python(cmd0):
    """The interpreter a kernel command line starts: a bare name is this one, as jupyter_client has it.
    Not resolved: a venv's python is a link, and resolved it would be the base interpreter, without the venv."""
    return cmd0 if os.path.isabs(cmd0) else sys.executable


@functools.cache
def packages(python):
    """{name: folder} of the kernel and hidden packages as the kernel's own interpreter imports them.

    Asked of that interpreter, isolated and from /, as the kernel starts (site-packages and their .pth
    files, editable installs included), never of the grader's sys.path: nbgrader puts its working
    folder first there, so a course folder copied for a new term would bind its own `backprop_ninja/`
    while the kernel imports the installed one, and find nothing. A missing package: None."""
    result = subprocess.run([python, "-I", "-c", FIND, *KERNEL_PACKAGES, *HIDDEN_PACKAGES], cwd="/",
                            capture_output=True, text=True, timeout=120, env=BWRAP_ENV)
    if result.returncode != 0:
        raise KernelCannotImport(f"the kernel's Python {python} did not start: {result.stderr.strip()[-500:]}")
    return {name: Path(folder).resolve() if folder else None for name, folder in json.loads(result.stdout).items()}


def require_packages(python):
    """Raise KernelCannotImport, saying how to fix it, unless the kernel's Python imports the kernel packages."""
    missing = [name for name in KERNEL_PACKAGES if packages(python)[name] is None]
    if missing:
        raise KernelCannotImport(
            f"the kernel's Python {python} cannot import {' and '.join(missing)}: every test would fail. "
            "Install the course into that environment (make .venv/.installed, or pip install -e . -e ./autograde "
            "in the course's clone), or point the kernelspec at the Python that has it; nothing was graded.")


def prefixes(python):
    """The Python environment's folders: the venv, its base interpreter, the kernel's own prefix."""
    kernel = Path(python).absolute()
    found = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, kernel.parents[1], kernel.resolve().parents[1])}
    return sorted(p for p in found if not any(q != p and q in p.parents for q in found))


def _system():
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for path in ETC:
        args += ["--ro-bind-try", path, path]
    return args


@functools.cache
def compile_bytecode(folder):
    """Write the package's bytecode (__pycache__) where the grader may, once per grading process:
    read-only in the jail, a package without it is compiled again by every kernel that imports it (an
    editable install has none until something imports it with bytecode writing on)."""
    compileall.compile_dir(folder, quiet=2)


def _python(python):
    bound = [p for p in prefixes(python) if p != Path("/usr")]
    args = [a for p in bound for a in ("--ro-bind", str(p), str(p))]
    found = packages(kernel_python(python))
    for name in KERNEL_PACKAGES:
        folder = found[name]
        if not folder:   # the grader refuses to start such a kernel (require_packages); a probe runs without
            continue
        compile_bytecode(folder)
        if not any(p in folder.parents for p in bound):
            args += ["--ro-bind", str(folder), str(folder)]
    for name in HIDDEN_PACKAGES:   # installed into site-packages (not editable): hide it under an empty folder
        folder = found[name]
        if folder and any(p in folder.parents for p in bound + [Path("/usr")]):
            args += ["--tmpfs", str(folder)]
    return args


@functools.cache
def _font_cache():
    """matplotlib's font list, so that a kernel need not rebuild it in its fresh HOME."""
    try:
        import matplotlib
        return sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    except Exception:  # noqa: BLE001 — no matplotlib, no cache: the kernel builds its own
        return []


def command(cmd, runtime, workdir, limits, scratch=128 * 1024**2, submission=None, bwrap=BWRAP):
    """bwrap's command line for cmd (a kernel's argv).

    runtime: the private folder for the connection file and sockets (same path inside and out);
    workdir: the working folder inside; submission: the host folder copied into it (read-only
    bind); limits: dict for limits.py; scratch: bytes for each of HOME, /tmp and /dev/shm."""
    env = {"PATH": f"{Path(cmd[0]).parent}:/usr/bin:/bin", "HOME": HOME, "TMPDIR": "/tmp", "LANG": "C.UTF-8",
           "JPY_PARENT_PID": "1",   # the kernel's parent is the jail's init: no parent polling, no banner
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           **{k: os.environ[k] for k in PASSED_ON if k in os.environ}}
    args = [bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL",
            "--die-with-parent", "--new-session", "--hostname", "jail", "--clearenv"]
    args += [a for k, v in env.items() for a in ("--setenv", k, v)]
    args += _system() + ["--proc", "/proc", "--dev", "/dev"]
    for folder in ("/dev/shm", "/tmp", HOME):
        args += ["--size", str(scratch), "--tmpfs", folder]
    args += _python(cmd[0])
    for font_list in _font_cache():
        args += ["--ro-bind", str(font_list), f"{HOME}/.cache/matplotlib/{font_list.name}"]
    args += ["--ro-bind", str(LIMITS_PY), LAUNCHER, "--bind", str(runtime), str(runtime)]
    copy = []
    if submission:
        args += ["--ro-bind", str(submission), SUBMISSION]
        copy = [f"copy={SUBMISSION}"]
    args += ["--dir", str(workdir), "--chdir", str(workdir), "--"]
    return args + launcher(cmd, limits, copy, path=LAUNCHER)


def launcher(cmd, limits, extra=(), path=LIMITS_PY):
    """limits.py's command line: isolated Python (-I: no cwd, no PYTHON* variables; -S: no site-packages)."""
    python = str(Path(cmd[0]).resolve()) if Path(cmd[0]).is_absolute() else sys.executable
    return [python, "-I", "-S", str(path), *(f"{k}={v}" for k, v in limits.items()), *extra, "--", *cmd]


def run(code, runtime, limits=None, timeout=60, bwrap=BWRAP, args=(), group=None):
    """Run Python code in the jail as a kernel would run (in `group`, a cgroup.KernelGroup, if given),
    returning the CompletedProcess."""
    cmd = command([sys.executable, "-c", code, *args], runtime, f"{HOME}/probe", limits or {}, bwrap=bwrap)
    return subprocess.run(group.wrap(cmd) if group else cmd, capture_output=True, text=True, timeout=timeout,
                          env=BWRAP_ENV)


@functools.cache
def why_not(bwrap=BWRAP):
    """'' when the jail works on this machine, else why not (checked by starting a jailed Python)."""
    if not Path(bwrap).exists():
        return f"{bwrap} is not installed"
    runtime = tempfile.mkdtemp(prefix="backprop-ninja-probe-")
    try:
        result = run("print('jailed')", runtime, bwrap=bwrap)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap could not start ({error})"
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
    if result.returncode != 0 or result.stdout.strip() != "jailed":
        return f"bwrap failed: {(result.stderr or result.stdout).strip()[-500:]}"
    return ""


def require(bwrap=BWRAP):
    """Raise JailUnavailable (with how to fix it) unless the jail works here."""
    why = why_not(bwrap)
    if why:
        raise JailUnavailable(FIX.format(why=why))
