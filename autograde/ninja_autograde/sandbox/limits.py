"""Start a program under limits: the student kernel's launcher when grading.

    python -I -S /path/to/limits.py as=BYTES nproc=N cpu=SECONDS fsize=BYTES [copy=FOLDER] -- COMMAND...

Run by absolute path with -I -S (only the standard library, nothing from the working folder or
the environment can stand in for it). Sets each limit soft and hard, so the student's code cannot
raise it again (0: no limit), copies FOLDER's files into the working folder (in the jail: the
submission into the kernel's own tmpfs) and replaces itself with COMMAND.

- as: address space; a bigger allocation raises MemoryError in the kernel;
- nproc: processes and threads (in the jail: counted in its own user namespace), so a fork bomb stops;
- cpu: CPU seconds of each process; fsize: the largest file it may write.
"""

import os
import resource
import shutil
import sys

LIMITS = {"as": resource.RLIMIT_AS, "nproc": resource.RLIMIT_NPROC,
          "cpu": resource.RLIMIT_CPU, "fsize": resource.RLIMIT_FSIZE}


def main(argv):
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        sys.exit(__doc__.split("\n\n")[1])
    split = argv.index("--")
    options = dict(arg.split("=", 1) for arg in argv[:split])
    if "copy" in options:
        shutil.copytree(options.pop("copy"), os.getcwd(), symlinks=True, dirs_exist_ok=True)
    for name, value in options.items():
        if int(value) > 0:
            resource.setrlimit(LIMITS[name], (int(value), int(value)))
    command = argv[split + 1:]
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
