"""Frozen models to plain JSON and back, exactly: the same value and the same ``repr``.

The type hint says how a value is written, so the JSON needs no type tags: a dataclass
is an object of its fields, a tuple a list, a ``Path`` or a date a string, a datetime
``[naive ISO time, zone, fold]`` (the zone is an IANA key, UTC offset seconds or null).
``repr`` matters as much as ``==``: generator.keys digests the ``repr`` of models, so a
``ZoneInfo`` comes back as that ``ZoneInfo``, never as a fixed offset.

Encoding refuses a value its hint does not describe exactly (a ``bool`` where an
``int`` is meant, a ``str`` subclass, a zone without a key): what it writes always
reads back the same.  Decoding refuses JSON of the wrong shape with ``CodecError``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

Json = None | bool | int | float | str | list["Json"] | dict[str, "Json"]
T = TypeVar("T")

_PATH = type(Path())  # PosixPath or WindowsPath: what Path(text) gives back
_NONE, _STR, _LIST = frozenset({type(None)}), frozenset({str}), frozenset({list})


class CodecError(ValueError):
    """A value the codec cannot write, or JSON that does not have the shape asked for."""


@dataclass(frozen=True, slots=True)
class Codec:
    """How values of one type hint are written: ``holds`` are the Python types it
    writes, ``accepts`` the JSON types it reads.

    ``plain``: the value is its JSON as it is, once its type is one of ``accepts``;
    containers then check the type themselves instead of calling ``decode`` (faster).
    """

    encode: Callable[[Any], Json]
    decode: Callable[[Json], Any]
    holds: frozenset[type]
    accepts: frozenset[type]
    plain: bool = False


def encode(hint: object, value: object) -> Json:
    """``value`` as JSON data (lists, dicts, strings, numbers), as ``hint`` describes it."""
    return codec_of(hint).encode(value)


def decode(hint: type[T], data: Json) -> T:
    """The value that ``encode(hint, value)`` wrote as ``data``; CodecError if it cannot be."""
    value: T = decoder(hint)(data)
    return value


_DECODERS: dict[object, Callable[[Json], Any]] = {}


def decoder(hint: object) -> Callable[[Json], Any]:
    """``decode`` for one hint (made once), any failure of damaged input a CodecError."""
    found = _DECODERS.get(hint)
    if found is None:
        found = _DECODERS[hint] = _safe(codec_of(hint).decode)
    return found


def _safe(inner: Callable[[Json], Any]) -> Callable[[Json], Any]:

    def safe(data: Json) -> Any:
        try:
            return inner(data)
        except CodecError:
            raise
        except (ValueError, TypeError, LookupError, OverflowError) as exc:
            # fromisoformat, ZoneInfo("bad/key"), a constructor's own checks
            raise CodecError(f"{type(exc).__name__}: {exc}") from exc

    return safe


@functools.cache
def codec_of(hint: object) -> Codec:
    """The codec of a type hint, built once; TypeError for a hint it cannot write."""
    if hint is None or hint is type(None):
        return Codec(_none, _none, _NONE, _NONE, plain=True)
    if hint in _SCALARS:
        return _SCALARS[hint]
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is Literal:
        return _literal(args)
    if origin is typing.Union or origin is types.UnionType:
        return _union(args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _tuple_of(codec_of(args[0]))
        return _fixed_tuple(tuple(codec_of(a) for a in args))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass(hint)
    raise TypeError(f"jsoncodec cannot write {hint!r}")


def _fail(expected: str, value: object) -> CodecError:
    return CodecError(f"expected {expected}, got {type(value).__name__} {value!r:.60}")


def _none(value: object) -> None:
    if value is not None:
        raise _fail("null", value)
    return None


def _exact(kind: type) -> Callable[[Any], Any]:
    """Values of exactly ``kind`` as they are (no bool for int, no str subclass)."""

    def check(value: object) -> Any:
        if type(value) is not kind:
            raise _fail(kind.__name__, value)
        return value

    return check


def _number(value: object) -> float | int:
    # an int in a float field stays an int: its repr must not change
    if type(value) is not float and type(value) is not int:
        raise _fail("a number", value)
    return value


def _encode_path(value: object) -> str:
    if type(value) is not _PATH:
        raise _fail(_PATH.__name__, value)
    return str(value)


_PATHS: dict[str, Path] = {}  # Path(text) costs ~10 µs, and models repeat their file's path


def known_path(path: Path) -> None:
    """Decode ``str(path)`` as this very ``path`` (paths are immutable: sharing is safe)."""
    _remember(str(path), path)


def _remember(text: str, path: Path) -> Path:
    if len(_PATHS) >= 100_000:
        _PATHS.clear()
    _PATHS[text] = path
    return path


def _decode_path(data: Json) -> Path:
    if type(data) is not str:
        raise _fail("a path", data)
    found = _PATHS.get(data)
    return found if found is not None else _remember(data, Path(data))


def _encode_date(value: object) -> str:
    if type(value) is not dt.date:
        raise _fail("date", value)
    return value.isoformat()


def _decode_date(data: Json) -> dt.date:
    if type(data) is not str:
        raise _fail("a date", data)
    return dt.date.fromisoformat(data)


def _encode_datetime(value: object) -> Json:
    if type(value) is not dt.datetime:
        raise _fail("datetime", value)
    tz = value.tzinfo
    zone: Json
    if tz is None:
        zone = None
    elif type(tz) is ZoneInfo and tz.key is not None:
        zone = tz.key
    elif type(tz) is dt.timezone:
        offset = tz.utcoffset(None)
        seconds = int(offset.total_seconds())
        if repr(dt.timezone(dt.timedelta(seconds=seconds))) != repr(tz):
            raise _fail("a zone with a key or a plain UTC offset", tz)  # a named offset
        zone = seconds
    else:
        raise _fail("a zone with a key or a plain UTC offset", tz)
    return [value.replace(tzinfo=None, fold=0).isoformat(), zone, value.fold]


def _decode_datetime(data: Json) -> dt.datetime:
    if not (type(data) is list and len(data) == 3):
        raise _fail("[time, zone, fold]", data)
    text, zone, fold = data
    if type(text) is not str or fold not in (0, 1) or type(fold) is not int:
        raise _fail("[time, zone, fold]", data)
    naive = dt.datetime.fromisoformat(text)
    if naive.tzinfo is not None:
        raise _fail("a time without zone", text)
    tz: dt.tzinfo | None
    if zone is None:
        tz = None
    elif type(zone) is str:
        tz = ZoneInfo(zone)
    elif type(zone) is int:
        tz = dt.timezone(dt.timedelta(seconds=zone))
    else:
        raise _fail("a zone", zone)
    return naive.replace(tzinfo=tz, fold=fold)


_SCALARS: dict[object, Codec] = {
    str: Codec(_exact(str), _exact(str), _STR, _STR, plain=True),
    bool: Codec(_exact(bool), _exact(bool), frozenset({bool}), frozenset({bool}), plain=True),
    int: Codec(_exact(int), _exact(int), frozenset({int}), frozenset({int}), plain=True),
    float: Codec(_number, _number, frozenset({int, float}), frozenset({int, float}), plain=True),
    Path: Codec(_encode_path, _decode_path, frozenset({_PATH}), _STR),
    dt.date: Codec(_encode_date, _decode_date, frozenset({dt.date}), _STR),
    dt.datetime: Codec(_encode_datetime, _decode_datetime, frozenset({dt.datetime}), _LIST),
}


def _literal(choices: tuple[Any, ...]) -> Codec:
    allowed = {(type(c), c) for c in choices}
    for c in choices:
        if type(c) not in (str, int, bool, type(None)):
            raise TypeError(f"jsoncodec cannot write Literal value {c!r}")

    kinds = frozenset(type(c) for c in choices)

    def check(value: object) -> Any:
        if type(value) not in kinds or (type(value), value) not in allowed:
            raise _fail(f"one of {choices!r}", value)
        return value

    return Codec(check, check, kinds, kinds)


def _union(members: tuple[object, ...]) -> Codec:
    # JSON carries no type tags, so the members must hold different Python types and
    # read different JSON types: then the type alone tells which member to use.
    codecs = [codec_of(m) for m in members]
    by_type: dict[type, Codec] = {}
    by_json: dict[type, Codec] = {}
    for member, c in zip(members, codecs, strict=True):
        for table, kinds in ((by_type, c.holds), (by_json, c.accepts)):
            for kind in kinds:
                if kind in table:
                    raise TypeError(f"jsoncodec cannot tell union members apart: {member!r}")
                table[kind] = c

    def encode_member(value: object) -> Json:
        c = by_type.get(type(value))
        if c is None:
            raise _fail(" | ".join(map(repr, members)), value)
        return c.encode(value)

    def decode_member(data: Json) -> Any:
        c = by_json.get(type(data))
        if c is None:
            raise _fail(" | ".join(map(repr, members)), data)
        return c.decode(data)

    plain = all(c.plain for c in codecs)  # e.g. `str | None`
    return Codec(encode_member, decode_member, frozenset(by_type), frozenset(by_json), plain)


def _tuple_of(item: Codec) -> Codec:
    enc, dec = item.encode, item.decode
    plain = item.accepts if item.plain else None

    def encode_items(value: object) -> Json:
        if type(value) is not tuple:
            raise _fail("tuple", value)
        return [enc(v) for v in value]

    def decode_items(data: Json) -> tuple[Any, ...]:
        if type(data) is not list:
            raise _fail("a list", data)
        if plain is None:
            return tuple([dec(v) for v in data])
        for v in data:
            if type(v) not in plain:
                raise _fail(f"items of {sorted(t.__name__ for t in plain)}", v)
        return tuple(data)

    return Codec(encode_items, decode_items, frozenset({tuple}), _LIST)


def _fixed_tuple(items: tuple[Codec, ...]) -> Codec:
    n = len(items)

    def encode_items(value: object) -> Json:
        if type(value) is not tuple or len(value) != n:
            raise _fail(f"a tuple of {n}", value)
        return [c.encode(v) for c, v in zip(items, value, strict=True)]

    def decode_items(data: Json) -> tuple[Any, ...]:
        if type(data) is not list or len(data) != n:
            raise _fail(f"a list of {n}", data)
        return tuple([c.decode(v) for c, v in zip(items, data, strict=True)])

    return Codec(encode_items, decode_items, frozenset({tuple}), _LIST)


def _dataclass(cls: type) -> Codec:
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    for f in fields:
        if not f.init or f.kw_only:
            raise TypeError(f"jsoncodec cannot write {cls.__name__}.{f.name} (not positional)")
    names = tuple(f.name for f in fields)
    codecs = tuple(codec_of(hints[name]) for name in names)
    encoders = tuple(zip(names, [c.encode for c in codecs], strict=True))
    steps = tuple(
        (name, c.accepts if c.plain else None, c.decode)
        for name, c in zip(names, codecs, strict=True)
    )
    n = len(names)

    def encode_fields(value: object) -> Json:
        if type(value) is not cls:
            raise _fail(cls.__name__, value)
        return {name: enc(getattr(value, name)) for name, enc in encoders}

    def decode_fields(data: Json) -> Any:
        if type(data) is not dict or len(data) != n:
            raise _fail(f"an object with the {n} fields of {cls.__name__}", data)
        args = []
        for name, plain, dec in steps:
            if name not in data:
                raise _fail(f"field {name} of {cls.__name__}", data)
            v = data[name]
            if plain is None:
                v = dec(v)
            elif type(v) not in plain:
                raise _fail(f"{cls.__name__}.{name} of {sorted(t.__name__ for t in plain)}", v)
            args.append(v)
        return cls(*args)

    return Codec(encode_fields, decode_fields, frozenset({cls}), frozenset({dict}))
