"""Start a program under a memory cap: the student kernel's launcher when grading.

    python -m ninja_autograde.limits BYTES -- COMMAND...

Sets the address-space limit (soft and hard, so the student's code cannot raise it again)
and replaces itself with COMMAND. An allocation beyond the cap raises MemoryError in the
kernel; the machine and the other students' kernels never notice.
"""

import os
import resource
import sys


def main(argv):
    limit, separator, *command = argv
    if separator != "--" or not command:
        sys.exit("usage: python -m ninja_autograde.limits BYTES -- COMMAND...")
    if int(limit) > 0:
        resource.setrlimit(resource.RLIMIT_AS, (int(limit), int(limit)))
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
