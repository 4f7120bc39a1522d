"""Watch the content and theme folders and call back once writes have settled.

The only module that uses watchdog.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

# Editors write a file in several steps (truncate, write, rename a temp file): wait
# for this long without a new event before rebuilding.
SETTLE_SECONDS = 0.15

_IGNORED_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", ".part", ".crdownload")


def interesting(path: str) -> bool:
    """False for editor scratch files, which would only cause needless rebuilds."""
    name = Path(path).name
    return not (name.startswith((".#", "#")) or name.endswith(_IGNORED_SUFFIXES) or name == "4913")


class Debouncer:
    """Calls ``action`` once, ``delay`` seconds after the last of a burst of pokes."""

    def __init__(self, action: Callable[[], None], delay: float = SETTLE_SECONDS) -> None:
        self.action = action
        self.delay = delay
        self._last = 0.0
        self._pending = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bangtin-rebuild", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def poke(self) -> None:
        self._last = time.monotonic()
        self._pending.set()

    def stop(self) -> None:
        self._stopped.set()
        self._pending.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stopped.is_set():
            self._pending.wait()
            if self._stopped.is_set():
                return
            # A poke from here on sets the flag again and causes one more rebuild.
            self._pending.clear()
            # wait until no poke has arrived for `delay` seconds
            while (quiet := time.monotonic() - self._last) < self.delay:
                time.sleep(self.delay - quiet)
            self.action()


class _Handler(FileSystemEventHandler):
    def __init__(self, debouncer: Debouncer) -> None:
        self.debouncer = debouncer

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return
        paths = [str(event.src_path), str(getattr(event, "dest_path", "") or "")]
        if any(p and interesting(p) for p in paths):
            self.debouncer.poke()


class Watcher:
    """Watches folders recursively; ``on_change`` runs in a single background thread."""

    def __init__(self, folders: Iterable[Path], on_change: Callable[[], None]) -> None:
        self.debouncer = Debouncer(on_change)
        self.observer = Observer()
        handler = _Handler(self.debouncer)
        for folder in sorted({f.resolve() for f in folders if f.is_dir()}):
            self.observer.schedule(handler, str(folder), recursive=True)

    def start(self) -> None:
        self.debouncer.start()
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)
        self.debouncer.stop()
