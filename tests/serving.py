"""Helpers for tests that start the forum as a real process and fetch pages from it."""
from __future__ import annotations

import socket
import subprocess
import urllib.request

from tests.waiting import wait_until


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, timeout: float = 10) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        assert response.status == 200, url
        return response.read().decode()


def wait_until_serving(process: subprocess.Popen, url: str, seconds: float = 90) -> str:
    """The body of `url` once the process answers it; fails with the process's output if it exits first."""

    def answered() -> str | None:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"the server exited with {process.returncode}:\n{output[-4000:]}")
        try:
            return fetch(url, timeout=5)
        except OSError:
            return None

    return wait_until(answered, seconds, what=f"{url} answering")
