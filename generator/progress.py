"""A one-line progress display for long builds: on a terminal only, after about 2 s."""

from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

from generator.i18n import Language, Message

DELAY = 2.0  # quick builds print nothing but their summary


class Progress:
    """``with Progress(lang) as p: p.stage(_("QR codes"))``; a no-op when not on a terminal."""

    def __init__(self, lang: Language, stream: TextIO | None = None) -> None:
        self.lang = lang
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() and not os.environ.get("CI")
        self.current = ""
        self.started = time.monotonic()
        self.shown = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bangtin-progress", daemon=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout=2)
            if self.shown:
                self.stream.write("\r\x1b[2K")
                self.stream.flush()

    def stage(self, name: Message) -> None:
        self.current = self.lang.text(name)
        # The display's thread starts with the first stage: a build with nothing to do
        # runs no thread.
        if self.enabled and self._thread.ident is None and not self._stop.is_set():
            self._thread.start()

    def _run(self) -> None:
        if self._stop.wait(max(0.0, DELAY - (time.monotonic() - self.started))):
            return
        while not self._stop.is_set():
            elapsed = time.monotonic() - self.started
            self.stream.write(f"\r\x1b[2K{self.current}… {elapsed:.0f} s")
            self.stream.flush()
            self.shown = True
            self._stop.wait(0.5)
