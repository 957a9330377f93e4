"""What the tests need of the machine: Debian's packages, installed when missing (CI starts from a clean machine),
and free ports on loopback."""

import socket
import subprocess


def debian_package(package, find):
    """What find() finds (a path; None while it is missing), once Debian's `package` is installed."""
    if not find():
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, capture_output=True)
    found = find()
    assert found, f"Debian's {package} could not be installed"
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
