"""Host processes of the run: started with a log file each, every one stopped at the end."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (the kernel's choice)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(check: Callable[[], bool], seconds: float, what: str, step: float = 0.5) -> None:
    """Poll ``check`` until it holds; raise :class:`E2EFailure` naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except (OSError, subprocess.SubprocessError):
            pass
        if time.monotonic() > deadline:
            raise E2EFailure(f"{what}: not within {seconds:.0f}s")
        time.sleep(step)


class E2EFailure(Exception):
    """The run failed: the message names the object and what was wrong."""


@dataclass
class Supervisor:
    """Starts host processes and stops every one of them on exit, failure or interrupt."""

    logs: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _sigterm: Any = None

    def start(
        self,
        name: str,
        argv: Sequence[str | Path],
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` in a process group of its own, output to ``logs/name.log``."""
        self.logs.mkdir(parents=True, exist_ok=True)
        with (self.logs / f"{name}.log").open("ab") as log:
            proc = subprocess.Popen(
                [str(a) for a in argv],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **(env or {})},
                cwd=cwd,
                start_new_session=True,
            )
        self.procs[name] = proc
        return proc

    def run(
        self, name: str, argv: Sequence[str | Path], env: dict[str, str], cwd: Path, timeout: float
    ) -> int:
        """Run ``argv`` to its end like :meth:`start` (stopped with the rest on failure or
        interrupt, its children too); its exit code (raise after ``timeout`` seconds)."""
        proc = self.start(name, argv, env, cwd)
        deadline = time.monotonic() + timeout
        while proc.poll() is None:
            # a control-plane process that died would leave ``argv`` waiting until its timeout
            self.check_alive(but=name)
            if time.monotonic() > deadline:
                raise E2EFailure(f"{name} did not finish within {timeout:.0f}s")
            time.sleep(0.5)
        del self.procs[name]
        return proc.returncode

    def check_alive(self, but: str = "") -> None:
        """Raise naming a process (other than ``but``) that exited early, with its log's end."""
        for name, proc in self.procs.items():
            if name != but and proc.poll() is not None:
                raise E2EFailure(
                    f"{name} exited with {proc.returncode}:\n{self.log_tail(name, 15)}"
                )

    def rss_mib(self) -> int:
        """The resident memory of every running process, summed (MiB)."""
        total = 0
        for proc in self.procs.values():
            try:
                status = Path(f"/proc/{proc.pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total // 1024

    def log_tail(self, name: str, lines: int = 20, grep: str = "") -> str:
        """The last ``lines`` lines of a process's log (those containing ``grep``)."""
        path = self.logs / f"{name}.log"
        if not path.is_file():
            return ""
        text = path.read_text(errors="replace").splitlines()
        picked = [line for line in text if grep in line] if grep else text
        return "\n".join("    " + line[:400] for line in picked[-lines:])

    def stop_all(self) -> None:
        """SIGTERM every process group, SIGKILL what is left after 10 seconds."""
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 10
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        self.procs.clear()

    def __enter__(self) -> Supervisor:
        self._sigterm = signal.signal(signal.SIGTERM, raise_interrupt)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop_all()
        signal.signal(signal.SIGTERM, self._sigterm)


def raise_interrupt(signum: int, frame: object) -> None:
    """A signal handler: SIGTERM stops a run as Ctrl-C does (every process stopped)."""
    raise KeyboardInterrupt(f"signal {signum}")
