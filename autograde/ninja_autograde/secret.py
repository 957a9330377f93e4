"""The course secret: the key from which every student's hidden-test data is drawn.

Each hidden test draws its data from a seed

    seed = HMAC-SHA256(secret, student ‖ assignment ‖ test id)

so the data is the same on every regrade, different for every student and every test, and
unpredictable to anyone who cannot read the secret. The secret is a file of 32 random bytes,
created on first use with mode 0600 at the path `c.GraderExecute.secret_file` of
nbgrader_config.py (never released, never committed).
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path


def load(path):
    """The secret at path, created (readable by its owner only) if there is none yet."""
    path = Path(path)
    if not path.exists():
        _create(path)
    return path.read_bytes()


def _create(path):
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_bytes(32))
    try:
        os.link(draft, path)   # atomic: of several graders starting at once, one secret wins
    except FileExistsError:
        pass
    finally:
        os.unlink(draft)


def seed(key, student, assignment, test_id):
    """The seed of one student's hidden test (a 256-bit integer)."""
    message = "\0".join((student, assignment, test_id)).encode()
    return int.from_bytes(hmac.new(key, message, hashlib.sha256).digest(), "little")
