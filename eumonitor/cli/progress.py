"""The status line a terminal shows while sources are collected: every running source with its pages."""

from __future__ import annotations

import shutil
import sys
import threading
from typing import TextIO

from eumonitor.model import SourceRun


class CollectDisplay:
    """One line, redrawn in place: how many sources are done, and each running one with the page it is on.

    Told from several threads at once (collect scans hosts side by side), hence the lock.
    """

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.running: dict[str, str] = {}
        self.done = 0
        self.failed = 0
        self._shown = 0
        self._lock = threading.Lock()

    def page(self, source: str, done: int, expected: int | None) -> None:
        with self._lock:
            self.running[source] = f"side {done}/{expected}" if expected else (f"side {done}" if done else "starter")
            self._draw()

    def finished(self, run: SourceRun) -> None:
        with self._lock:
            self.running.pop(run.source, None)
            self.done += 1
            self.failed += run.status == "error"
            self._draw()

    def close(self) -> None:
        """Wipe the line, so what is printed next starts clean."""
        with self._lock:
            self.stream.write("\r" + " " * self._shown + "\r")
            self.stream.flush()
            self._shown = 0

    def line(self) -> str:
        failed = f", {self.failed} feilet" if self.failed else ""
        running = "; ".join(f"{source} {where}" for source, where in self.running.items())
        return f"Innhenting: {self.done}/{self.total} kilder ferdig{failed}" + (f" – {running}" if running else "")

    def _draw(self) -> None:
        width = max(20, shutil.get_terminal_size((100, 20)).columns - 1)
        text = self.line()
        text = text if len(text) <= width else text[: width - 1] + "…"
        self.stream.write("\r" + text.ljust(self._shown))
        self.stream.flush()
        self._shown = len(text)
