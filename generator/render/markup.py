"""Markdown to safe HTML: internal links rewritten, bad schemes refused, output sanitised."""

from __future__ import annotations

import difflib
import hashlib
import html
import os
import re
import xml.etree.ElementTree as etree
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import markdown
from markdown.extensions import Extension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import Treeprocessor

from generator.cache.store import Store
from generator.errors import ContentError, Position, Problems
from generator.i18n import Message, _
from generator.inputs.scan import code_digest
from generator.media import library as media_library
from generator.media.library import Library
from generator.models import MediaFile
from generator.parallel import on_all_cores
from generator.plan.site import nfc
from generator.plan.urls import relative
from generator.render.media import (
    LinkError,
    MediaLookup,
    describe,
    placeholder,
    resolve_media,
    url_of,
)
from generator.render.sanitise import (
    INVISIBLE,
    SAFE_SCHEMES,
    SCHEME,
    safe_scheme,
    sanitise,
)

CONTENT_SUFFIXES = (".md", ".yml", ".yaml")

INDEX = "markup/index.json"
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_PLACEHOLDER = re.compile("\x02[^\x03]*\x03")
# Marks the href of a Markdown link to a media file, resolved already.  Python-Markdown
# removes this control character from every source text: an editor cannot write it.
RESOLVED = "\x02"


@dataclass(frozen=True, slots=True)
class Rendered:
    html: str
    first_paragraph: str


__all__ = ["LinkError", "Markup", "Rendered", "resolve_href", "summarise"]
ALT_HINT = _(
    "a short description of the picture for people who cannot see it, "
    "e.g. ![Sơ đồ khu vực cắt điện](../media/so-do.jpg)"
)


def resolve_href(
    href: str,
    source: Path,
    page_dir: str,
    links: Mapping[Path, str],
    media: MediaLookup | None = None,
) -> str | LinkError:
    """The href to write for a Markdown link in ``source``, or why it is refused."""
    found = resolve_target(href, source, page_dir, links, media)
    if isinstance(found, LinkError | str):
        return found
    file, fragment = found
    return relative(page_dir, url_of(file)) + (f"#{fragment}" if fragment else "")


def resolve_target(
    href: str,
    source: Path,
    page_dir: str,
    links: Mapping[Path, str],
    media: MediaLookup | None = None,
) -> str | LinkError | tuple[MediaFile, str]:
    """What a link in ``source`` leads to: an href to write as it is (an address, or a
    content file's page), a media file (and a fragment), or why it is refused."""
    raw = href.strip()
    compact = INVISIBLE.sub("", html.unescape(unquote(raw))).lower()
    if not compact or raw.startswith("#"):
        return raw
    scheme = SCHEME.match(compact)
    if scheme:
        if scheme.group(1) in SAFE_SCHEMES:
            return raw
        return LinkError(
            _("link scheme `{scheme}:` is not allowed", scheme=scheme.group(1)),
            _(
                "links may be https://, http://, mailto: or tel:, "
                "or a relative path to a content file"
            ),
        )
    if compact.startswith(("//", "\\\\")):
        return LinkError(
            _("link without a scheme"), _("write the full address, starting with https://")
        )
    target, _hash, fragment = raw.partition("#")
    target = unquote(target)
    if target.startswith(("/", "\\")) or re.match(r"^[a-zA-Z]:", target):
        return LinkError(
            _("absolute path `{target}` in a link", target=target),
            _("link to the content file by its relative path, e.g. ../locations/tram-y-te.yml"),
        )
    if "\\" in target or "\x00" in target:
        return LinkError(
            _("bad character in link `{target}`", target=target), _("use / between folders")
        )
    if media is not None and target.lower().endswith(media_library.SUFFIXES):
        file = resolve_media(target, source, media)
        return file if isinstance(file, LinkError) else (file, fragment)
    if not target.lower().endswith(CONTENT_SUFFIXES):
        return LinkError(
            _("link to `{target}`, which is not a content file", target=target),
            _(
                "link to a notice (.md), a place (.yml) or a page, a file of content/media/, "
                "or give a full https:// address"
            ),
        )
    resolved = nfc(Path(os.path.normpath(source.parent / target)))
    url_path = links.get(resolved)
    if url_path is None:
        return LinkError(
            _("link to a file that does not exist or is not published: `{target}`", target=target),
            _missing_hint(target, resolved, links),
        )
    return relative(page_dir, url_path) + (f"#{fragment}" if fragment else "")


def _missing_hint(target: str, resolved: Path, links: Mapping[Path, str]) -> Message:
    """The closest published file in the folder the link points into, if one is close."""
    names = [path.name for path in links if path.parent == resolved.parent]
    close = difflib.get_close_matches(resolved.name, names, n=1, cutoff=0.6)
    if close:
        head, _sep, _name = target.replace("\\", "/").rpartition("/")
        suggestion = f"{head}/{close[0]}" if head else close[0]
        return _(
            "check the file name: did you mean `{suggestion}`? (paths are relative to this file)",
            suggestion=suggestion,
        )
    return _(
        "check the file name; paths are relative to this file (e.g. ../locations/tram-y-te.yml)"
    )


def resolve_picture(src: str, source: Path, media: MediaLookup | None) -> MediaFile | LinkError:
    """The picture a Markdown image in ``source`` shows, or why it is refused."""
    raw = src.strip()
    compact = INVISIBLE.sub("", html.unescape(unquote(raw))).lower()
    target = unquote(raw)
    if (
        media is None
        or not compact
        or SCHEME.match(compact)
        or compact.startswith(("//", "\\\\"))
        or target.startswith(("/", "\\"))
        or "\\" in target
        or "\x00" in target
    ):
        return LinkError(
            _("a picture must be a file of content/media/, linked by its relative path"),
            _(
                "put the picture in content/media/ and write ![Mô tả ảnh](../media/anh.jpg) "
                "(pages load nothing from other sites)"
            ),
        )
    return resolve_media(target.partition("#")[0], source, media, picture=True)


class _Links(Treeprocessor):
    """Rewrites links, shifts headings below the page's h1, wraps tables for small screens."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.source = Path()
        self.page_dir = ""
        self.links: Mapping[Path, str] = {}
        self.media: MediaLookup | None = None
        self.failures: list[tuple[str, LinkError]] = []
        self.first_paragraph = ""

    def run(self, root: etree.Element) -> None:
        self.failures = []
        self.previewed: set[Path] = set()
        self.eager_given = False
        self.first_paragraph = ""
        parents = {child: parent for parent in root.iter() for child in parent}
        # The page's title is its only h1: the body's top heading level becomes h2.
        levels = [int(el.tag[1]) for el in root.iter() if el.tag in _HEADINGS]
        shift = max(0, 2 - min(levels)) if levels else 0
        for el in list(root.iter()):
            if el.tag == "a":
                href = el.get("href", "")
                result = resolve_href(href, self.source, self.page_dir, self.links, self.media)
                if isinstance(result, LinkError):
                    self.failures.append((href, result))
                    el.attrib.pop("href", None)
                elif self._describe(el, parents, href):
                    # marked as resolved: the sanitiser's filter must not resolve the
                    # file's URL again as if an editor had written it (see ``render``)
                    el.set("href", RESOLVED + result)
                else:
                    el.set("href", result)
            elif el.tag == "img":
                self._picture(el, parents, root)
            elif el.tag in _HEADINGS:
                el.tag = f"h{min(6, int(el.tag[1]) + shift)}"
            elif el.tag == "table":
                parent = parents[el]
                index = list(parent).index(el)
                wrapper = etree.Element("div", {"class": "table"})
                parent.remove(el)
                wrapper.append(el)
                parent.insert(index, wrapper)
            elif el.tag == "p" and not self.first_paragraph and parents.get(el) is root:
                self.first_paragraph = " ".join("".join(el.itertext()).split())

    def _describe(
        self, el: etree.Element, parents: dict[etree.Element, etree.Element], href: str
    ) -> bool:
        """After a link to a document: its type and size (``PDF, 240 KB``), and after its
        paragraph a PDF's first page.  True when the link leads to a media file."""
        parent = parents[el]
        if self.media is None or not _is_content_link(href):
            return False
        found = resolve_target(href, self.source, self.page_dir, self.links, self.media)
        if not isinstance(found, tuple):
            return False
        if found[0].kind != "document":
            return True
        file = found[0]
        note = etree.Element("small")
        note.text = f"({describe(file)})"
        note.tail, el.tail = el.tail, " "
        parent.insert(list(parent).index(el) + 1, note)
        if file.width and file.path not in self.previewed:  # a PDF's first page, once
            self.previewed.add(file.path)
            name = " ".join("".join(el.itertext()).split()) or file.name
            preview = placeholder(file, f"Trang đầu của {name}", self.page_dir, linked=True)
            block = parent
            while block.tag != "p" and block in parents:
                block = parents[block]
            if block.tag == "p" and block in parents:  # a paragraph of its own, after this one
                holder = parents[block]
                after = etree.Element("p")
                after.text = preview
                after.tail = block.tail
                block.tail = "\n"
                holder.insert(list(holder).index(block) + 1, after)
            else:  # in a list item or a table cell: right after the link
                note.tail = preview + (note.tail or "")
        return True

    def _picture(
        self, el: etree.Element, parents: dict[etree.Element, etree.Element], root: etree.Element
    ) -> None:
        """A Markdown picture: checked, then left as a placeholder that becomes its
        ``<picture>`` after sanitising (render.media)."""
        parent = parents[el]
        src, alt = el.get("src", ""), " ".join(el.get("alt", "").split())
        found = resolve_picture(src, self.source, self.media)
        if isinstance(found, LinkError):
            self.failures.append((src, found))
            token = ""
        elif not alt:
            self.failures.append((src, LinkError(_("a picture needs a description"), ALT_HINT)))
            token = ""
        else:
            # The first picture near the top is likely on the first screen: loaded at
            # once (a lazy one there delays the page's largest paint); the others lazily.
            top = el
            while parents.get(top) is not None and parents[top] is not root:
                top = parents[top]
            eager = not self.eager_given and top in root and list(root).index(top) < 2
            self.eager_given = self.eager_given or eager
            token = placeholder(found, alt, self.page_dir, parent.tag != "a", lazy=not eager)
        index = list(parent).index(el)
        text = token + (el.tail or "")
        if index == 0:
            parent.text = (parent.text or "") + text
        else:
            before = parent[index - 1]
            before.tail = (before.tail or "") + text
        parent.remove(el)


class _LinkExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_Links(md), "bangtin_links", 0)


class _Recorder(Mapping[Path, str]):
    """The site's links and media, noting which ones a document resolved (for the cache:
    a media file counts by its identity, which changes whenever its HTML would)."""

    def __init__(self, links: Mapping[Path, str], media: Library | None = None) -> None:
        self.links = links
        self.used: dict[str, str] = {}
        self.media = _MediaRecorder(media, self.used) if media is not None else None

    def __getitem__(self, path: Path) -> str:
        url = self.links[path]
        self.used[str(path)] = url
        return url

    def __iter__(self) -> Iterator[Path]:
        return iter(self.links)

    def __len__(self) -> int:
        return len(self.links)


class _MediaRecorder:
    """The site's media, noting each file a document resolved by its identity (which
    changes whenever the document's HTML would)."""

    def __init__(self, library: Library, used: dict[str, str]) -> None:
        self.library, self.used = library, used

    @property
    def root(self) -> Path:
        return self.library.root

    @property
    def roots(self) -> tuple[Path, ...]:
        return self.library.roots

    def get(self, path: Path) -> MediaFile | None:
        file = self.library.get(path)
        if file is not None:
            self.used[str(path)] = file.identity
        return file


@dataclass(frozen=True, slots=True)
class Entry:
    """What the cache knows of a rendered document without reading its HTML."""

    first_paragraph: str
    links: tuple[tuple[str, str], ...]  # the content links it resolved: file, URL path

    def still_valid(self, links: Mapping[str, str]) -> bool:
        """``links``: the site's content files (as text) -> URL paths."""
        return all(links.get(path) == url for path, url in self.links)


class Markup:
    """One Markdown instance with a fixed extension set, reset for every document.

    Rendered documents are kept by a hash of the text, its file, its page and this
    code; an entry is used while every content link it resolved still leads to the
    same URL (so adding a notice re-renders nothing else).  With a ``store`` they are
    kept between builds as plain files: ``markup/index.json`` (key -> first paragraph,
    links) and ``markup/<k[:2]>/<k>.html``, read only when a page needs the HTML.
    """

    def __init__(self, store: Store | None = None) -> None:
        self._new_markdown()
        self.store = store if store is not None and store.enabled else None
        self.index: dict[str, Entry] = {}
        # all HTML without a folder; new HTML until saved (as UTF-8: half the memory)
        self.html_of: dict[str, bytes] = {}
        self.used: set[str] = set()
        self.loaded = False
        self.changed = False
        self._docs: dict[str, Document] = {}  # this build's documents, by key
        self._links: Mapping[Path, str] = {}
        self._media: Library | None = None

    def _new_markdown(self) -> None:
        """A fresh Markdown instance (also after one failed half-way: its state is lost)."""
        self.md = markdown.Markdown(
            # instances, not names: names are looked up in every installed package's
            # entry points first (~50 ms a process)
            extensions=[
                TableExtension(),
                SaneListExtension(),
                FencedCodeExtension(),
                _LinkExtension(),
            ],
            output_format="html",
        )
        processor = self.md.treeprocessors["bangtin_links"]
        assert isinstance(processor, _Links)
        self.links_processor = processor

    def _load(self) -> None:
        self.loaded = True
        if self.store is None:
            return
        data = self.store.read_json(INDEX)
        if not isinstance(data, dict):  # none yet, or damaged: render afresh
            return
        for key, value in data.items():
            if (
                isinstance(value, list)
                and len(value) == 2
                and isinstance(value[0], str)
                and isinstance(value[1], list)
                and all(isinstance(x, list) and len(x) == 2 for x in value[1])
            ):
                links = tuple((str(a), str(b)) for a, b in value[1])
                self.index[key] = Entry(value[0], links)

    @staticmethod
    def _file_name(key: str) -> str:
        """Where a document's HTML is kept in the store."""
        return f"markup/{key[:2]}/{key}.html"

    def html(self, key: str) -> str:
        """The HTML of a document rendered (or found) in this build."""
        found = self.html_of.get(key)
        if found is not None:
            return found.decode("utf-8")
        kept = self.store.read_bytes(self._file_name(key)) if self.store is not None else None
        if kept is not None:  # signed by this machine, and sanitised again all the same
            return sanitise(kept.decode("utf-8", errors="replace"))
        doc = self._docs.get(key)  # gone or not trusted since render_all: rendered again
        if doc is None:
            raise KeyError(f"the HTML of document {key} is gone")
        [(rendered, _used, errors)] = _render_with(self, self._links, self._media, [(key, doc)])
        if errors:  # it rendered without an error in render_all: the same text cannot fail
            raise RuntimeError(f"document {doc[1]} failed on a second rendering")
        self.html_of[key] = rendered.html.encode("utf-8")
        if self.store is not None:  # put right for the next build
            self.store.write_bytes(self._file_name(key), self.html_of.pop(key))
        return rendered.html

    def _has_html(self, key: str) -> bool:
        return key in self.html_of or (
            self.store is not None and self.store.has(self._file_name(key))
        )

    def first_paragraph(self, key: str) -> str:
        return self.index[key].first_paragraph

    def identity(self, key: str) -> str:
        """A text that changes whenever the document's HTML would (for page keys)."""
        return f"{key}{self.index[key].links!r}"

    def save(self) -> None:
        """Keep what this build used (edited versions of a document go), on disk if a folder."""
        if len(self.index) != len(self.used):
            self.changed = True
        dropped = [key for key in self.index if key not in self.used]
        self.index = {key: entry for key, entry in self.index.items() if key in self.used}
        self.used = set()
        if self.store is None:
            self.html_of = {k: v for k, v in self.html_of.items() if k in self.index}
        if self.store is None or not self.changed:
            self.changed = False
            return
        for key, text in self.html_of.items():
            if key in self.index:
                self.store.write_bytes(self._file_name(key), text)
        self.html_of = {}
        self.store.delete(*map(self._file_name, dropped))
        data = {k: [e.first_paragraph, e.links] for k, e in sorted(self.index.items())}
        self.store.write_json(INDEX, data, ensure_ascii=False, separators=None)
        self.changed = False

    def render_all(
        self,
        docs: Sequence[Document],
        links: Mapping[Path, str],
        problems: Problems,
        media: Library | None = None,
    ) -> list[str]:
        """The key of each document's rendering (``html``, ``first_paragraph``): an earlier
        one while still valid, else rendered now, on every core when there are many.

        ``media``: the site's pictures and documents; an earlier rendering that shows or
        links one is valid while the file's identity is the same."""
        if not self.loaded:
            self._load()
        names = {str(path): url for path, url in links.items()}
        if media is not None:
            names.update((str(path), file.identity) for path, file in media.files.items())
        keys, missing = [], []
        self._links, self._media = links, media
        for doc in docs:
            text, source, _located, page_dir = doc
            key = hashlib.sha256(
                "\0".join((code_digest(), str(source), page_dir, text)).encode("utf-8")
            ).hexdigest()
            self.used.add(key)
            keys.append(key)
            self._docs[key] = doc
            entry = self.index.get(key)
            if entry is None or not entry.still_valid(names) or not self._has_html(key):
                missing.append((key, doc))

        def keep(chunk: list[tuple[str, Document]], results: list[Result]) -> None:
            for (key, _doc), (rendered, used, errors) in zip(chunk, results, strict=True):
                self.html_of[key] = rendered.html.encode("utf-8")
                if errors:
                    problems.errors.extend(errors)
                    self.index.pop(key, None)
                    self.used.discard(key)
                else:
                    self.index[key] = Entry(rendered.first_paragraph, used)
                    self.changed = True

        global _worker
        _worker = self  # this process works on chunks too, with this instance
        try:
            on_all_cores(_render_chunk, missing, keep, _start, (links, media))
        finally:
            _worker = None
        return keys

    def render(
        self,
        text: str,
        *,
        source: Path,
        located: tuple[str, int],
        page_dir: str,
        links: Mapping[Path, str],
        problems: Problems,
        media: MediaLookup | None = None,
    ) -> Rendered:
        """Render ``text``; ``located`` is the source text it came from and its first line.

        For a notice that is the body itself; for a place's ``description`` it is the
        YAML file from that key on, so that errors point at the file's real lines.
        """
        proc = self.links_processor
        proc.source, proc.page_dir, proc.links, proc.media = source, page_dir, links, media
        # Markdown skips the tree processors for blank text: clear what the last one left.
        proc.failures, proc.first_paragraph = [], ""
        self.md.reset()
        try:
            body = self.md.convert(text)
        except RecursionError:
            # Python-Markdown recurses once per nesting level
            problems.add(
                Position(source, located[1]),
                _("the text is nested too deeply (lists or quotes inside each other)"),
                hint=_("keep lists and quotes to a few levels"),
                source_line="",
            )
            self._new_markdown()
            return Rendered("", "")
        failures = list(proc.failures)

        def raw_html_link(tag: str, attr: str, value: str) -> str | None:
            # Markdown links were rewritten above; this sees links written as raw HTML.
            if attr == "href" and not safe_scheme(value):
                return None
            if tag == "a" and attr == "href" and value.startswith(RESOLVED):
                return value[len(RESOLVED) :]  # resolved above (editors cannot write \x02)
            if tag == "a" and attr == "href" and _is_content_link(value):
                result = resolve_href(value, source, page_dir, links, media)
                if isinstance(result, LinkError):
                    failures.append((value, result))
                    return None
                return result
            return value

        cleaned = sanitise(body, raw_html_link)
        finder = _Finder(source, *located)
        for href, failure in failures:
            problems.add(finder.find(href), failure.message, hint=failure.hint)
        first = proc.first_paragraph.replace(markdown.util.AMP_SUBSTITUTE, "&")
        return Rendered(cleaned, html.unescape(_PLACEHOLDER.sub("", first)))


def _is_content_link(href: str) -> bool:
    """A link to a content or media file (to resolve), not an address."""
    target = href.partition("#")[0].strip().lower()
    suffixes = (*CONTENT_SUFFIXES, *media_library.SUFFIXES)
    return target.endswith(suffixes) and not SCHEME.match(target)


class _Finder:
    """Positions of link targets in the source text, in order of appearance."""

    def __init__(self, source: Path, text: str, first_line: int) -> None:
        self.source, self.text, self.first_line = source, text, first_line
        self.after: dict[str, int] = {}  # where to look for the next use of a target

    def find(self, needle: str) -> Position:
        start = self.after.get(needle, 0)
        index = self.text.find(f"({needle}", start) + 1 if needle else 0
        if index <= 0:
            index = self.text.find(needle, start) if needle else -1
        if index < 0:
            return Position(self.source, self.first_line)
        self.after[needle] = index + len(needle)
        line = self.first_line + self.text.count("\n", 0, index)
        col = index - (self.text.rfind("\n", 0, index) + 1) + 1
        return Position(self.source, line, col)


def summarise(text: str, limit: int = 160) -> str:
    """Up to ``limit`` characters, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:")
    return cut + "…"


# A document to render: its text, its file, the source it is located in (text, first
# line: see Markup.render) and the URL path of its page.
Document = tuple[str, Path, tuple[str, int], str]
# What a worker gives back: the rendering, the links it resolved, its problems.
Result = tuple[Rendered, tuple[tuple[str, str], ...], list[ContentError]]

_worker: Markup | None = None  # the instance render_all uses in each process
_worker_links: Mapping[Path, str] = {}
_worker_media: Library | None = None


def _start(links: Mapping[Path, str], media: Library | None = None) -> None:
    global _worker, _worker_links, _worker_media
    if _worker is None:
        _worker = Markup()
    _worker_links, _worker_media = links, media


def _render_chunk(chunk: list[tuple[str, Document]]) -> list[Result]:
    assert _worker is not None
    return _render_with(_worker, _worker_links, _worker_media, chunk)


def _render_with(
    markup: Markup,
    links: Mapping[Path, str],
    media: Library | None,
    chunk: list[tuple[str, Document]],
) -> list[Result]:
    results: list[Result] = []
    for _key, (text, source, located, page_dir) in chunk:
        problems = Problems()
        recorder = _Recorder(links, media)
        rendered = markup.render(
            text,
            source=source,
            located=located,
            page_dir=page_dir,
            links=recorder,
            problems=problems,
            media=recorder.media,
        )
        results.append((rendered, tuple(sorted(recorder.used.items())), problems.errors))
    return results
