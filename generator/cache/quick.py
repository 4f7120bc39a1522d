"""The quick update: notices whose text changed, and nothing else, in a fraction of a second.

Editors mostly fix or extend the text of a notice.  When only the Markdown body of
published notices changed, what the rest of the site shows of them (title, dates,
places, tags, pin, summary, aliases, board) is as before, so a build would rewrite
their own pages and, for notices in it, the feed, and nothing else.  This module does
exactly that without reading the other 10,000 files:

* every full or updating build records, in the cache store's ``quick.json`` and the
  ``quick-*.txt`` files beside it, what each published notice shows outside its own
  page (its ``outward`` digest), the URLs of every content file (for links), the
  places, the standing pages (the menu) and the notices of the feed as they were;
* ``prepare`` loads that record, the settings it holds, Markdown and the templates;
* ``update`` compares the inputs with that build's (``Inputs.changed``): when
  every changed file is such a notice, it reads those notices again (their recorded
  front matter while it is unchanged: no YAML), renders their Markdown, checks that
  nothing outward changed, and renders and writes their pages (and the feed) with the
  very functions and keys a full build uses;
* anything else, or any doubt (a new or deleted file, another kind of file, a
  content error, a notice whose title changed, a moment when a notice is published
  or expires, a theme that overrides templates), returns None: the caller runs the
  normal build, which also reports every error.

The record itself never changes: ``output-patch.json`` lists the notices earlier updates
wrote pages for, with the hash of the text each page shows, so a page is written again
when its notice's text is no longer that one (edited again, or the edit undone); a
normal build, the only one that writes the record, starts over.
The pages written here are byte for byte those a full build writes (tests compare).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from itertools import chain
from pathlib import Path
from typing import Any

from generator.cache import state
from generator.cache.codec import CodecError, decode, encode
from generator.cache.store import Store, cache_folder
from generator.clock import now
from generator.errors import ContentError, Position, Problems
from generator.inputs.files import read_text, split_front_matter
from generator.inputs.scan import Inputs
from generator.models import BuildResult, Location, Notice, SiteConfig, StandingPage, Tag
from generator.output.writer import Record, Writer
from generator.plan.kinds import Lists, Lookup, notice_page
from generator.plan.site import Plan
from generator.plan.urls import notice_path
from generator.render.keys import Keys
from generator.render.markup import ENGINE as MARKDOWN_ENGINE
from generator.render.markup import Entry, Markup
from generator.render.pages import (
    Bodies,
    common_context,
    feed_notices,
    feed_output,
    feed_updated,
    page_output,
)
from generator.render.templates import Renderer, theme_dirs

RECORDED = "recorded"  # in the patch record: a page showing the recorded build's text
NOTICES = "quick-notices.txt"
LINKS = "quick-links.txt"
PLACES = "quick-places.txt"
# A notice as the rest of the site sees it: every field but its source (path and body).
_OUTWARD = tuple(f.name for f in fields(Notice) if f.name != "source")


def outward(n: Notice, summary: str) -> str:
    """Changes whenever any page other than the notice's own could show it differently."""
    shown = repr((tuple(getattr(n, name) for name in _OUTWARD), summary))
    return hashlib.sha256(shown.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def remember(
    store: Store,
    output: Path,
    site: SiteConfig,
    inputs: Inputs,
    base: str,
    assets: Mapping[str, str],
    manifest: str | None,
    plan: Plan,
    bodies: Bodies,
    counts: tuple[int, int, int],
    warnings: tuple[ContentError, ...],
) -> None:
    """Keep what ``update`` needs, after a build that wrote ``output`` from ``inputs``.

    Written entry by entry: the end of a large build is when bangtin holds the most.
    """
    stamp = inputs.digest
    # Files an update reads a few lines of (one per notice; one per content file's URL)
    # or only when needed (every place whole, for a notice shown at all places).
    # Written first: quick.json, written last, names the build they belong to.
    feed = feed_notices(plan)
    in_feed = {n.source.path for n in feed}
    tags = {tag: i for i, tag in enumerate(plan.tags)}
    notices = (
        (
            str(n.source.path),
            [
                outward(n, bodies.summary(n)),
                int(n.source.path in in_feed),
                [tags[t] for t in plan.notice_tags[n.slug]],
                encode(Notice, replace(n, source=replace(n.source, body=""))),
            ],
        )
        for n in plan.published
    )
    _write_lines(store, NOTICES, stamp, notices)
    _write_lines(store, LINKS, stamp, ((str(p), url) for p, url in plan.links.items()))
    _write_lines(store, PLACES, stamp, ((loc.id, encode(Location, loc)) for loc in plan.locations))
    head = {
        "output": str(output),
        "options": inputs.options,
        "inputs": stamp,
        "site": encode(SiteConfig, site),  # as site.yml gave it: unchanged while it is
        "base": base,
        "assets": dict(assets),
        "markdown": MARKDOWN_ENGINE,  # Markdown's version is not a file of the input scan
        # output/ is still the folder this build wrote: same manifest file
        "manifest": [manifest, *state.manifest_stamp(output)],
        "until": plan.next_change.timestamp() if plan.next_change else None,
        "counts": list(counts),
        "warnings": [_warning(w) for w in warnings],
        "tags": [[t.slug, t.name] for t in plan.tags],
        "places": [loc.id for loc in plan.locations],
        "standing": [encode(StandingPage, p) for p in plan.standing],
        "feed": [_feed_item(n, bodies) for n in feed],
        "updated": encode(dt.datetime, feed_updated(plan)),
    }
    store.write_bytes(state.QUICK, _dump(head).encode("utf-8"))


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _write_lines(store: Store, name: str, stamp: str, items: Iterable[tuple[str, object]]) -> None:
    """One line per item, ``"key"<TAB>value`` in JSON (no raw tab or newline in either), so
    that a few keys are found without parsing the rest (``_Lines``); the build's digest first.
    """
    lines = (f"{_dump(key)}\t{_dump(value)}" for key, value in items)
    store.write_lines(name, chain([_dump(stamp)], lines))


class _Lines:
    """A file of ``_write_lines``: values looked up by key, read only when first needed.

    Kept as bytes: a key is found without decoding the file (7 MB at 10,000 notices)."""

    def __init__(self, store: Store, name: str, stamp: str) -> None:
        self.store, self.name, self.stamp = store, name, stamp
        self._data: bytes | None = None

    def data(self) -> bytes:
        if self._data is None:
            data = self.store.read_bytes(self.name)
            if data is None or not data.startswith(f"{_dump(self.stamp)}\n".encode()):
                raise _Fallback  # none, or another build's
            self._data = data
        return self._data

    def get(self, key: str) -> Any:
        data = self.data()
        start = data.find(f"\n{_dump(key)}\t".encode())
        if start < 0:
            return None
        start = data.index(b"\t", start + 1) + 1
        return json.loads(data[start : data.index(b"\n", start)])

    def lines(self) -> list[str]:
        return self.data().decode("utf-8").splitlines()[1:]

    def values(self) -> Iterator[Any]:
        for line in self.lines():
            yield json.loads(line.partition("\t")[2])


def _warning(w: ContentError) -> list[object]:
    p = w.pos
    return [str(p.path), p.line, p.col, w.message, w.hint, w.source_line, w.severity]


def _warnings(rows: list[list[Any]]) -> tuple[ContentError, ...]:
    # ~900 warnings at 10,000 notices, most at one place (site.yml:1:1): one Position each
    at: dict[tuple[str, int, int], Position] = {}
    for path, line, col, *_ in rows:
        if (path, line, col) not in at:
            at[path, line, col] = Position(Path(path), line, col)
    return tuple(ContentError(at[path, line, col], *rest) for path, line, col, *rest in rows)


def _feed_item(n: Notice, bodies: Bodies) -> list[object]:
    key = bodies.keys[n.source.path]
    entry = bodies.markup.index[key]
    return [encode(Notice, n), key, entry.first_paragraph, [list(x) for x in entry.links]]


class _Fallback(Exception):
    """Not a case for a quick update: the normal build takes over."""


_NOT_QUICK = (_Fallback, OSError, ValueError, KeyError, TypeError, IndexError, CodecError)


@dataclass(frozen=True, slots=True)
class Ready:
    """What an update needs whichever files changed:
    the record, the settings it holds, Markdown and the templates."""

    output: Path
    store: Store
    record: dict[str, Any]
    site: SiteConfig
    notices: _Lines
    markup: Markup
    renderer: Renderer
    started: float


def prepare(content: Path, output: Path) -> Ready | None:
    """Get ready for ``update``; None if the last build left no record to update from."""
    started = time.perf_counter()
    store = Store(cache_folder(output))
    try:
        record = store.read_json(state.QUICK)
        if not (
            isinstance(record, dict)
            and record["output"] == str(output)
            and record["markdown"] == MARKDOWN_ENGINE
        ):
            return None
        site = decode(SiteConfig, record["site"])  # update checks that site.yml is unchanged
        renderer = Renderer(site, theme_dirs(site))
        if site.root != content or renderer.overrides_templates():
            return None
        notices = _Lines(store, NOTICES, record["inputs"])
        notices.data()
        return Ready(output, store, record, site, notices, Markup(store), renderer, started)
    except _NOT_QUICK:
        return None


def update(ready: Ready, inputs: Inputs) -> BuildResult | None:
    """Apply edits of notices' text since the last build to ``output``; None if not that case."""
    if inputs.removed or not inputs.known:
        return None
    try:
        return _update(ready, inputs)
    except _NOT_QUICK:
        return None


def _update(ready: Ready, inputs: Inputs) -> BuildResult:
    output, store, record, site = ready.output, ready.store, ready.record, ready.site
    lines, markup, renderer = ready.notices, ready.markup, ready.renderer
    if not (
        record["options"] == inputs.options
        and record["inputs"] == inputs.known  # so site.yml, themes and code are as recorded
        and record["manifest"][1:] == state.manifest_stamp(output)
    ):
        raise _Fallback
    # Every notice changed since the recorded build, and those earlier quick updates wrote
    # pages for: a page is written again when its notice's text is no longer the one it
    # shows (edited again, or undone: the recorded page comes back).
    # (RECORDED: the recorded build's text, which every notice not changed since has.)
    shown = state.patched_notices(store, record["base"])  # path -> hash of that text
    text = dict.fromkeys(shown, RECORDED)
    text.update((name, inputs.hashes[name][-64:]) for name in inputs.changed)
    stale = {name for name, sha in text.items() if shown.get(name) != sha}
    notices = {name: lines.get(name) for name in stale}  # published ones: [outward, ...]
    if not stale or not all(notices[name] and not os.path.islink(name) for name in stale):
        raise _Fallback
    moment = now(site.tz)
    if record["until"] is not None and moment.timestamp() >= record["until"]:
        raise _Fallback  # a notice is published or expires: lists change

    # The notices to show, read again: each must have no problem and look the same outside.
    # The feed shows its notices whole: when it is written, with every edit applied so far.
    recorded = [decode(Notice, data) for data, *_ in record["feed"]]
    feed_stale = any(str(n.source.path) in stale for n in recorded)
    edited = {
        Path(name): _reread(Path(name), decode(Notice, notices[name][3]), site) for name in stale
    }
    for n in recorded if feed_stale else ():
        if str(n.source.path) in shown and n.source.path not in edited:
            edited[n.source.path] = _reread(n.source.path, n, site)
    problems = Problems()

    links = _Links(_Lines(store, LINKS, record["inputs"]))
    feed: list[Notice] = []
    doc_keys: dict[Path, str] = {}
    preload: dict[str, Entry] = {}
    for n, (_, key, first, used) in zip(recorded, record["feed"], strict=True):
        feed.append(edited.get(n.source.path, n))
        doc_keys[n.source.path] = key
        preload[key] = Entry(first, tuple((str(a), str(b)) for a, b in used))
    markup.preload(preload)
    for path, n in edited.items():
        doc_keys[path] = markup.render_cached(
            n.source.body,
            source=path,
            located=(n.source.body, n.source.body_first_line),
            page_dir=notice_path(site, n.slug),
            links=links,
            problems=problems,
            names=links.names,
        )
    if problems.errors:
        raise _Fallback  # e.g. a link to a file that does not exist: reported by the build
    bodies = Bodies(doc_keys, markup)
    for name in stale:
        if outward(edited[Path(name)], bodies.summary(edited[Path(name)])) != notices[name][0]:
            raise _Fallback

    # Settings, theme and bangtin's code are files the input scan covers: none changed, so
    # every file's shared key part (the base) and the assets are the recorded build's.
    assets: dict[str, str] = record["assets"]
    standing = tuple(decode(StandingPage, data) for data in record["standing"])
    menu = repr([(p.slug, p.title) for p in standing])
    keys = Keys((), bodies.identity, bodies.summary, True, menu, digest=record["base"])

    places = _Places(_Lines(store, PLACES, record["inputs"]), record["places"])
    outputs = []
    for path, n in sorted(edited.items()):
        if str(path) not in stale:
            continue  # in the feed only
        tags = tuple(Tag(*record["tags"][i]) for i in notices[str(path)][2])
        page = notice_page(site, n)
        expired = n.is_expired(moment.date())
        lists = Lists(
            today=moment.date(),
            published=(n,),
            current=() if expired else (n,),
            expired=(n,) if expired else (),
            locations=places.of(n),
            standing=standing,
            tags=tags,
            notice_tags={n.slug: tags},
            at_location={},
            with_tag={},
            boards=(),
        )
        plan = Plan(moment, moment.date(), lists, (page,), {}, (), None)
        # all a notice's page reads; lists are built only by a full plan
        common = common_context(site, plan, bodies)
        lookup = Lookup.of(lists)
        outputs.append(
            page_output(site, plan, bodies, renderer, assets, keys, lookup, common, page)
        )
    if feed_stale:
        updated = decode(dt.datetime, record["updated"])
        outputs.append(feed_output(site, renderer, assets, keys, common, tuple(feed), updated))

    made = [(out.path, _bytes(out.make()), out.key) for out in outputs]  # errors before writing

    def before_commit() -> None:  # a quick update killed now leaves a record that is right
        store.delete(state.STATE)
        state.patch_files(store, keys.base, {}, dict.fromkeys(stale, ""))

    held: dict[str, Record] = {}
    with Writer(output, {}, before_commit=before_commit) as w:
        for relpath, data, key in made:
            st = _holding(output / relpath, data)
            if st is None:
                w.write(relpath, data, key)
            else:  # an earlier update wrote it already
                held[relpath] = (key, st.st_size, st.st_mtime_ns)
    state.patch_files(store, keys.base, {**held, **w.records}, {n: text[n] for n in stale})
    state.record(store, output, inputs.digest, record["until"], record["manifest"][0])
    warnings = _warnings(record["warnings"])
    pages, codes, files = record["counts"]
    seconds = time.perf_counter() - ready.started
    return BuildResult(pages, codes, files, len(w.written), w.bytes_written, seconds, warnings)


def _reread(path: Path, recorded: Notice, site: SiteConfig) -> Notice:
    """The notice in ``path`` as it is now.  While its front matter is the one recorded
    (``Source.head``), that is the recorded notice with the new body: no YAML is read."""
    problems = Problems()
    text = read_text(path, problems)
    fm = None if text is None else split_front_matter(path, text, problems)
    if text is None or fm is None:
        raise _Fallback
    if fm.digest == recorded.source.head and fm.body_first_line == recorded.source.body_first_line:
        return replace(recorded, source=replace(recorded.source, body=fm.body))
    from generator.inputs.content import parse_notice  # the front matter changed: read it

    notice, _ = parse_notice(path, text, site, problems)
    if problems.errors or notice is None:
        raise _Fallback
    return notice


def _bytes(data: str | bytes | Iterator[str]) -> bytes:
    if isinstance(data, bytes):
        return data
    return (data if isinstance(data, str) else "".join(data)).encode("utf-8")


def _holding(path: Path, data: bytes) -> os.stat_result | None:
    """The file's status if it holds ``data`` already."""
    try:
        with open(path, "rb") as f:
            return os.fstat(f.fileno()) if f.read() == data else None
    except OSError:
        return None


class _Links(Mapping[Path, str]):
    """Every content file's URL path (``plan.links``), looked up when a body links to one."""

    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.names = _Names(lines)  # the same, by path as text

    def __getitem__(self, path: Path) -> str:
        return self.names[str(path)]

    def __iter__(self) -> Iterator[Path]:
        return map(Path, self.names)

    def __len__(self) -> int:
        return len(self.names)


class _Names(Mapping[str, str]):
    def __init__(self, lines: _Lines) -> None:
        self.lines = lines

    def __getitem__(self, name: str) -> str:
        url = self.lines.get(name)
        if not isinstance(url, str):
            raise KeyError(name)
        return url

    def __iter__(self) -> Iterator[str]:  # not needed to resolve a link; complete all the same
        for line in self.lines.lines():
            yield json.loads(line.partition("\t")[0])

    def __len__(self) -> int:
        return self.lines.data().count(b"\n") - 1


class _Places:
    """The site's places as recorded, in order (``ids``): a notice's own, or all."""

    def __init__(self, lines: _Lines, ids: list[str]) -> None:
        self.lines = lines
        self.index = {place_id: i for i, place_id in enumerate(ids)}

    def of(self, n: Notice) -> tuple[Location, ...]:
        if n.locations == "all":
            found = tuple(decode(Location, data) for data in self.lines.values())
            if len(found) != len(self.index):
                raise _Fallback
            return found
        mine = sorted({self.index[place_id]: place_id for place_id in n.locations}.items())
        return tuple(decode(Location, self.lines.get(place_id)) for _, place_id in mine)
