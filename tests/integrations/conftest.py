from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    """Wait until something listens on ``port``; fail with the process's output if it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"process exited {process.returncode}:\n{out.decode()}\n{err.decode()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    process.kill()
    raise AssertionError(f"nothing listened on port {port} within {timeout} s")


def stop(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """Terminate a server started by a test, killing it if it does not exit in time."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def installed_mitmdump() -> str | None:
    """mitmdump: LEAKGUARD_MITMDUMP, the project's ``.venv-mitmproxy`` (made by .ci/run), or
    one on the PATH; None when there is none."""
    root = Path(__file__).resolve().parents[2]
    for candidate in (os.environ.get("LEAKGUARD_MITMDUMP"), str(root / ".venv-mitmproxy" / "bin" / "mitmdump")):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("mitmdump")
