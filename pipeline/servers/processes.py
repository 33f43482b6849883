"""Background servers the project starts itself (Neo4j, a local Prefect server).

A pid file plus a marker string that must appear in the process's command line: a stale
pid file, or a pid reused by an unrelated process, is never mistaken for our server.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True)
class ManagedProcess:
    pid_file: Path
    marker: str

    def pid(self) -> int | None:
        """The pid if our process is alive, else None (stale pid files are removed)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            alive = _alive(pid) and self.marker in "\0".join(psutil.Process(pid).cmdline())
        except psutil.Error:
            alive = False
        if not alive:
            self.pid_file.unlink(missing_ok=True)
            return None
        return pid

    def spawn(self, cmd: list[str], log: Path, cwd: Path, env: dict[str, str] | None = None
              ) -> subprocess.Popen[bytes]:
        """Start detached (own session, so our Ctrl-C does not kill it); log to a file."""
        log.parent.mkdir(parents=True, exist_ok=True)
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as handle:
            proc = subprocess.Popen(
                cmd, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, cwd=cwd, env=env,
            )
        self.pid_file.write_text(str(proc.pid), encoding="utf-8")
        return proc

    def stop(self, timeout_s: float = 60) -> bool:
        """SIGTERM the process group, SIGKILL after the timeout; False if not running."""
        pid = self.pid()
        if pid is None:
            return False
        _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.3)
        if _alive(pid):
            _signal_group(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        return True

    def kill(self) -> bool:
        """SIGKILL, as a crash would (fault tests)."""
        pid = self.pid()
        if pid is None:
            return False
        _signal_group(pid, signal.SIGKILL)
        while _alive(pid):
            time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        return True


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie (reaped here if it is our child)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def port_open(port: int) -> bool:
    """Something accepts connections on 127.0.0.1:port (our servers bind nowhere else)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0
