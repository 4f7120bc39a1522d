"""What each output file is made from, recorded while it is rendered (Lektor's model).

A template reaches the site's data in two ways only:

* its **context**: every value is fingerprinted before the page is rendered (the
  output's key).  A plain value (text, number, date, a frozen model of plain values)
  is fingerprinted whole; a *tracked* object (the site, the plan, the rendered
  Markdown, a notice, a place, a page, a tag) only by its identity;
* **reads of tracked objects**: ``notice.title``, ``plan.standing``,
  ``bodies.summary(n)``: the template environment (render.templates) hands every
  attribute read and method call on a tracked object to the ``Recorder`` of the
  output being rendered, which notes the read and a fingerprint of what it gave.

A later build asks, for every read an earlier build recorded, whether it would give
the same today (``Registry.fingerprint_of``): an output whose key is the same and whose
every read still gives the same is the file already in ``output/``.  Nothing is listed
by hand: a template that reads something new records it the first time it does.

Tracked objects can be asked again in a later build because each has a stable name
(``n:<slug>``, ``l:<id>``, ``site``, ...), and items carry a stamp (``Source.stamp``:
their file's text, the settings and bangtin's code) so that reads of an item whose
stamp is unchanged need no asking at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from generator.i18n import Message, _

Json = Any
_LONG = 64  # fingerprints longer than this are digested


class Untracked(TypeError):
    """A template was given a value whose reads could not be recorded."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)  # put into words only if shown
        self.message = message


def _digest(text: str) -> str:
    return "#" + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class Registry:
    """The tracked objects of one build, by name, and their stamps."""

    def __init__(self) -> None:
        # ids are unique only among live objects: the registry keeps each object alive,
        # and checks that an id still names the object it registered
        self._by_id: dict[int, tuple[object, str]] = {}
        self._objects: dict[str, object] = {}
        self._whole: dict[str, str] = {}  # tracked objects' whole fingerprints, once each
        self.stamps: dict[str, str] = {}
        # Every read this build made or checked, with what it gave: the same read gives
        # the same on every page, so it is worked out once.
        self.memo: dict[Read, str] = {}
        self.interned: dict[Read, Read] = {}  # one tuple of each read, shared by its readers

    def add(self, name: str, obj: object, stamp: str = "") -> None:
        self._by_id[id(obj)] = (obj, name)
        self._objects[name] = obj
        if stamp:
            self.stamps[name] = stamp

    def name_of(self, obj: object) -> str | None:
        found = self._by_id.get(id(obj))
        return found[1] if found is not None and found[0] is obj else None

    def get(self, name: str) -> object | None:
        return self._objects.get(name)

    # -- fingerprints ---------------------------------------------------------------

    def fingerprint(self, value: object, whole: bool = False) -> str:
        """A text that changes whenever what a template could read from ``value`` does.

        A tracked object stands for itself by name (its reads are recorded one by one),
        except inside a model (``whole``): Python code, not the template, reads a
        model's fields, so a tracked object there counts with its whole value.
        """
        found = self._by_id.get(id(value))
        if found is not None and found[0] is value:
            if not whole:
                return "@" + found[1]
            text = self._whole.get(found[1])
            if text is None:
                text = self._whole[found[1]] = self._model(value)
            return text
        kind = type(value)
        if kind is str:
            text = "s" + value  # type: ignore[operator]
        elif value is None or kind in (bool, int, float):
            text = repr(value)
        elif kind is tuple or kind is list:
            text = "(" + "\x1f".join(self._items(value, whole)) + ")"  # type: ignore[arg-type]
        elif kind is dict:
            pairs = sorted(value.items())  # type: ignore[attr-defined]
            text = "{" + "\x1f".join(f"{k!r}:{self.fingerprint(v, whole)}" for k, v in pairs) + "}"
        elif isinstance(value, dt.date | Path | ZoneInfo):
            text = repr(value)
        elif hasattr(value, "fingerprint"):  # e.g. a value worked out only when rendered
            text = "L" + str(value.fingerprint())
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self._model(value)
        else:
            raise Untracked(
                _(
                    "a template was given a {kind}, whose reads are not recorded",
                    kind=kind.__name__,
                )
            )
        return text if len(text) <= _LONG else _digest(text)

    def _items(self, values: tuple[object, ...] | list[object], whole: bool) -> list[str]:
        """Each item's fingerprint; quickly for the usual list of tracked items (by name)."""
        if not whole:
            by_id = self._by_id
            found = [by_id.get(id(v)) for v in values]
            if all(f is not None and f[0] is v for f, v in zip(found, values, strict=True)):
                return ["@" + f[1] for f in found]  # type: ignore[index]
        return [self.fingerprint(v, whole) for v in values]

    def _model(self, value: object) -> str:
        """A frozen model of plain values, whole: every field, tracked objects too."""
        fields = self.fingerprint(_fields(value), whole=True)
        text = type(value).__name__ + "(" + fields + ")"
        return text if len(text) <= _LONG else _digest(text)

    def fingerprint_of(self, read: Read) -> str | None:
        """What ``read`` gives in this build, fingerprinted; None if it cannot be asked
        again (its object is gone, or an argument cannot be named): then it changed."""
        found = self.memo.get(read)
        if found is not None:
            return found
        owner_name, name, args = read
        owner = self.get(owner_name)
        if owner is None:
            return None
        try:
            if args is None:
                found = self.fingerprint(getattr(owner, name))
            else:
                found = call_fingerprint(self, owner, name, [self._value(a) for a in args])
        except (AttributeError, KeyError, LookupError, TypeError, ValueError, Untracked):
            return None
        self.memo[read] = found
        return found

    def _value(self, arg: tuple[str, Json]) -> object:
        kind, value = arg
        if kind == "@":
            found = self.get(value)
            if found is None:
                raise _Unnamed(value)
            return found
        if kind == "P":
            return Path(value)
        if kind == "v":
            return value
        raise _Unnamed(kind)

    def argument(self, value: object) -> tuple[str, Json] | None:
        """``value`` as an argument a later build can give again, or None."""
        name = self.name_of(value)
        if name is not None:
            return ("@", name)
        if isinstance(value, Path):
            return ("P", str(value))
        if value is None or type(value) in (str, int, bool):
            return ("v", value)
        return None


class _Unnamed(LookupError):
    pass


def _fields(value: object) -> tuple[object, ...]:
    return tuple(getattr(value, f.name) for f in dataclasses.fields(value))  # type: ignore[arg-type]


def call_fingerprint(registry: Registry, owner: object, name: str, args: list[object]) -> str:
    """What ``owner.name(*args)`` gives, fingerprinted (the owner may say how, without
    working the whole result out: see ``Bodies.call_fingerprint``)."""
    custom = getattr(owner, "call_fingerprint", None)
    if custom is not None:
        found = custom(name, args)
        if found is not None:
            return str(found)
    return registry.fingerprint(getattr(owner, name)(*args))


# One read of a tracked object: (owner, name, None) for ``owner.name``, (owner, name,
# args) for ``owner.name(*args)``, each argument as (kind, value) (Registry.argument).
Read = tuple[str, str, "tuple[tuple[str, Json], ...] | None"]


def read_from_json(data: Json) -> Read | None:
    """A read as the record keeps it (``[owner, name, args]``), or None if it is not one."""
    if not (type(data) is list and len(data) == 3):
        return None
    owner, name, args = data
    if type(owner) is not str or type(name) is not str:
        return None
    if args is None:
        return (owner, name, None)
    if type(args) is not list or not all(
        type(a) is list and len(a) == 2 and type(a[0]) is str for a in args
    ):
        return None
    return (owner, name, tuple((a[0], a[1]) for a in args))


def read_to_json(read: Read) -> Json:
    owner, name, args = read
    return [owner, name, None if args is None else [list(a) for a in args]]


class Recorder:
    """The reads one output made while it was rendered (their fingerprints: Registry.memo)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.reads: set[Read] = set()

    def read(self, obj: object, name: str, value: object) -> object:
        """``obj.name`` gave ``value``: noted if ``obj`` is tracked."""
        owner = self.registry.name_of(obj)
        if owner is None:
            return value
        if callable(value) and getattr(value, "__self__", None) is obj:
            return _Method(self, owner, name, obj)
        read = self.registry.interned.get((owner, name, None))
        if read is None:  # the first time this build: one tuple for every page reading it
            read = (owner, name, None)
            self.registry.interned[read] = read
            if read not in self.registry.memo:
                self.registry.memo[read] = self.registry.fingerprint(value)
        self.reads.add(read)
        return value

    def whole(self, value: object) -> None:
        """A tracked object used whole (printed, given to a filter): every field counts."""
        owner = self.registry.name_of(value)
        if owner is not None and dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                self.read(value, f.name, getattr(value, f.name))

    def called(self, owner: str, obj: object, name: str, args: tuple[object, ...]) -> object:
        result = getattr(obj, name)(*args)
        memo = self.registry.memo
        named = tuple(self.registry.argument(arg) for arg in args)
        if all(arg is not None for arg in named):
            read: Read = (owner, name, named)  # type: ignore[assignment]
            read = self.registry.interned.setdefault(read, read)
            if read not in memo:
                memo[read] = call_fingerprint(self.registry, obj, name, list(args))
        else:  # an argument that cannot be named again: this read never counts as unchanged
            read = (owner, name, (("x", self.registry.fingerprint(args)),))
            memo[read] = self.registry.fingerprint(result)
        self.reads.add(read)
        return result


class _Method:
    """A tracked object's method as a template calls it: the call is recorded."""

    def __init__(self, recorder: Recorder, owner: str, name: str, obj: object) -> None:
        self.recorder, self.owner, self.name, self.obj = recorder, owner, name, obj

    def __call__(self, *args: object) -> object:
        return self.recorder.called(self.owner, self.obj, self.name, args)


def changed_reads(
    registry: Registry, reads: Sequence[tuple[Read, str]], stamps: Mapping[str, str]
) -> set[int]:
    """Which of an earlier build's ``reads`` (read, fingerprint) would give something else
    now.  A read of an item whose stamp is the one recorded (``stamps``) is unchanged
    without asking: an item's fields are made from what its stamp digests.  Every read
    found unchanged goes into ``registry.memo`` with its fingerprint."""
    same_stamp = {name for name, stamp in stamps.items() if registry.stamps.get(name) == stamp}
    memo = registry.memo
    changed: set[int] = set()
    for i, (read, fingerprint) in enumerate(reads):
        if read[2] is None and read[0] in same_stamp:
            memo.setdefault(read, fingerprint)
        elif registry.fingerprint_of(read) != fingerprint:
            changed.add(i)
    return changed
