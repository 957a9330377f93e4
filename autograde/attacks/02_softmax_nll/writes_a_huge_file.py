"""Writes a file as big as it can (the file size cap and the small tmpfs stop it), then fills /dev/shm and /tmp."""
FAILS = ["test_nll_random", "test_nll_extreme"]


def nll_loss(z, y):
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].sum()

import os
for path in ("huge.bin", "/dev/shm/huge.bin", "/tmp/huge.bin"):
    try:
        with open(path, "wb") as f:
            for _ in range(4096):
                f.write(b"\0" * 1024 * 1024)
    except OSError as error:
        print(path, type(error).__name__, os.path.getsize(path) // 1024**2, "MB")
