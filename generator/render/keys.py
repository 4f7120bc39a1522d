"""What each output file is made from, as a short digest, so unchanged files are not remade.

A page's key hashes everything its template is given: the page, the notices and
places it shows (each by a digest of the whole item and of its rendered Markdown),
and a base digest of what every page shares (the site settings, the theme's files,
bangtin's own code, the fingerprinted assets, the standing pages in the menu).  Two
builds that give a page the same key would render the same bytes, so the second
build keeps the file already in ``output/``.

A site theme that overrides templates may read anything (the whole plan), so for
such sites no page is ever kept: every page is rendered again, which is always right.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from generator.inputs.scan import source_files
from generator.models import Location, Notice, StandingPage

PACKAGE = Path(__file__).parent.parent  # generator/


def _digest(parts: Iterable[str]) -> str:
    text = "\0".join(parts)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _short(text: str) -> str:
    """Long texts digested: keys stay small however large a list is."""
    return text if len(text) <= 64 else _digest([text])


def files_digest(folders: Iterable[Path]) -> str:
    """Every file under ``folders`` (names and bytes), in a fixed order."""
    h = hashlib.sha256()
    for folder in folders:
        for path in source_files(folder):
            if path.suffix == ".pyc":
                continue
            h.update(f"\0{path.relative_to(folder).as_posix()}\0".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


_CODE: str | None = None


def code_digest() -> str:
    """bangtin's own code: a new version remakes every page."""
    global _CODE
    if _CODE is None:
        _CODE = files_digest([PACKAGE])
    return _CODE


class Keys:
    """Keys of output files: ``of(template, context)`` for a page, ``None`` to always remake."""

    def __init__(
        self,
        base: Iterable[str],
        body: Callable[[Path], str],
        summary: Callable[[Notice], str],
        reuse: bool,
        menu: str = "",
        digest: str | None = None,
    ) -> None:
        """``digest``: the base's digest as an earlier build worked it out (generator.quick)."""
        self.base = digest if digest is not None else _digest([code_digest(), *base])
        self.menu = menu  # what base.html shows on every page: added by `of(..., menu=True)`
        self.body = body  # content file -> what identifies its rendered Markdown
        self.summary = summary  # what a list shows of a notice's text
        self.reuse = reuse
        self._brief: dict[int, tuple[object, str]] = {}
        self._memo: dict[int, tuple[object, str]] = {}

    def of(
        self,
        name: str,
        context: Mapping[str, Any],
        brief: Collection[str] = (),
        menu: bool = False,
    ) -> str | None:
        """The key of the file that ``name`` renders from ``context``.

        ``brief``: context entries (tuples of notices or places) that the page shows
        only in brief, as the default theme's lists do: a notice's title, dates, pin,
        summary and link; a place's name and link.  Editing a notice's text then
        rewrites its own page, not every list it is in.
        """
        if not self.reuse:
            return None
        parts = [self.base, name, self.menu if menu else ""]
        for k in sorted(context):
            parts.append(k)
            parts.append(self.brief(context[k]) if k in brief else self.value(context[k]))
        return _digest(parts)

    def brief(self, items: Iterable[Notice | Location]) -> str:
        out = []
        for item in items:
            found = self._brief.get(id(item))
            if found is None or found[0] is not item:
                if isinstance(item, Notice):
                    shown: tuple[object, ...] = (
                        item.slug, item.title, item.date, item.expires, item.pinned,
                        self.summary(item),
                    )  # fmt: skip
                else:
                    shown = (item.id, item.name)
                found = (item, _short(repr(shown)))
                self._brief[id(item)] = found
            out.append(found[1])
        return "[" + ",".join(out) + "]"

    def value(self, value: Any) -> str:
        """A text that changes whenever ``value`` does (for the kinds of values pages get)."""
        if value is None or isinstance(value, str | int | float | dt.date):
            return repr(value)
        if isinstance(value, dict):
            items = ",".join(f"{k!r}:{self.value(v)}" for k, v in sorted(value.items()))
            return _short("{" + items + "}")
        if isinstance(value, list | tuple):
            return _short("(" + ",".join(self.value(v) for v in value) + ")")
        # A model (a notice, a place, a tag) is shared between pages: worked out once.
        # It is kept with its text, so its id cannot be reused by another object.
        found = self._memo.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        text = _short(self._text(value))
        self._memo[id(value)] = (value, text)
        return text

    def _text(self, value: Any) -> str:
        if isinstance(value, Notice | Location | StandingPage):
            # the whole item and its rendered Markdown
            return _digest([repr(value), self.body(value.source.path)])
        stamp = getattr(value, "key_text", None)
        if callable(stamp):
            return str(stamp())
        if hasattr(value, "__dataclass_fields__"):
            return repr(value)  # a frozen model of plain values: its repr is all of it
        raise TypeError(f"no key for a {type(value).__name__} in a page's context")
