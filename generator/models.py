"""Typed, frozen models of the site, its content and its output pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from generator.errors import ContentError, Position
from generator.i18n import Message

ErrorLevel = Literal["l", "m", "q", "h"]
PaperSize = Literal["a5", "a4", "a3"]
PageKind = Literal["home", "notice", "location", "page", "tag", "archive", "verify", "list"]


@dataclass(frozen=True, slots=True)
class QrOptions:
    error: ErrorLevel = "q"
    scale: int = 10  # PNG pixels per module
    border: int = 4  # quiet zone, in modules
    dark: str = "#000000"
    light: str = "#ffffff"


@dataclass(frozen=True, slots=True)
class BoardOptions:
    size: PaperSize = "a4"
    distance_m: float = 1.0  # the farthest a resident should be able to scan from


@dataclass(frozen=True, slots=True)
class Alias:
    """An old URL path (``l/tram-y-te-cu/``) that now redirects, and where it was written."""

    path: str
    pos: Position


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A picture named in front matter (``image: ../media/anh.jpg``), and where."""

    path: str  # as written: relative to the file that names it
    pos: Position


@dataclass(frozen=True, slots=True)
class UrlPrefixes:
    notice: str = "n"
    location: str = "l"
    page: str = "p"
    tag: str = "t"
    archive: str = "luu-tru"
    verify: str = "verify"
    all: str = "tat-ca"  # every current notice, when the home page cannot show them all
    media: str = "m"  # pictures and documents from content/media/


@dataclass(frozen=True, slots=True)
class Contact:
    name: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class DeployTarget:
    """A bucket, the folder of the site in it, and how to reach the storage."""

    bucket: str
    prefix: str = ""  # "" (the bucket's root) or a folder ending in "/"
    endpoint_url: str | None = None  # None: AWS S3
    region: str | None = None  # None: from the environment, as the AWS tools do
    directory_keys: bool = False  # also store each dir/index.html at the key dir/

    def shown(self) -> str:
        """``s3://bucket/prefix`` and where the storage is, for messages."""
        where = f"s3://{self.bucket}/{self.prefix}"
        return f"{where} ({self.endpoint_url})" if self.endpoint_url else where

    def same_storage(self, other: DeployTarget) -> bool:
        return (self.bucket, self.endpoint_url) == (other.bucket, other.endpoint_url)


@dataclass(frozen=True, slots=True)
class SiteConfig:
    root: Path  # the folder holding site.yml
    source: Path  # site.yml itself
    title: str
    base_url: str  # absolute, ends with "/": what this build's URLs and codes use
    language: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    theme: str = "default"
    description: str = ""
    contact: Contact = field(default_factory=Contact)
    qr: QrOptions = field(default_factory=QrOptions)
    urls: UrlPrefixes = field(default_factory=UrlPrefixes)
    boards: BoardOptions = field(default_factory=BoardOptions)
    # base_url as site.yml has it: printed codes hold it even when --base-url previews elsewhere
    site_base_url: str = ""
    # files in output/ that bangtin did not write and carries over (glob patterns)
    keep: tuple[str, ...] = ()
    media_max_mb: int = 20  # a larger file in content/media/ is refused
    image: MediaRef | None = None  # the picture of pages that name none (og:image)
    # A site of a province (generator.province): the province's shared folder (its
    # notices/ and media/ are this site's too), and the theme every site of the province
    # uses unless site.yml names one.
    shared: Path | None = None
    theme_dir: Path | None = None
    # where `bangtin deploy` publishes it (site.yml's deploy:); not in the repr, which
    # keys the content cache: the target changes no page
    deploy: DeployTarget | None = field(default=None, repr=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``: ``/`` or ``/sub/``."""
        rest = self.base_url.split("://", 1)[1]
        return "/" + rest.split("/", 1)[1] if "/" in rest else "/"


@dataclass(frozen=True, slots=True)
class Geo:
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Source:
    """Where a content item came from, for link resolution and error messages."""

    path: Path
    body: str  # the Markdown body; for a place, its file from the `description` key on
    body_first_line: int
    # What the item was made from, digested: its file's path and text, the settings and
    # bangtin's code (the content cache's key).  Items with the same stamp are the same
    # (render.deps).  Not part of what any page shows.
    stamp: str = field(default="", repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Location:
    id: str
    name: str
    source: Source
    address: str | None = None
    description: str = ""  # Markdown
    geo: Geo | None = None
    contact: Contact = field(default_factory=Contact)
    aliases: tuple[Alias, ...] = ()
    board_size: PaperSize | None = None  # else the site's
    image: MediaRef | None = None  # cover picture


ALL_LOCATIONS: Literal["all"] = "all"


@dataclass(frozen=True, slots=True)
class Notice:
    slug: str
    title: str
    date: dt.datetime  # aware, in the site's timezone
    source: Source
    # a day: in effect to the end of that day; an aware time (in the site's timezone):
    # in effect until that moment (``ends``)
    expires: dt.date | dt.datetime | None = None
    locations: tuple[str, ...] | Literal["all"] = ALL_LOCATIONS
    tags: tuple[str, ...] = ()
    pinned: bool = False  # first in lists, marked "Ghim"
    urgent: bool = False  # an emergency: a banner on every page it concerns while current
    summary: str | None = None
    draft: bool = False
    aliases: tuple[Alias, ...] = ()
    board: bool = False  # print a board for this notice too
    board_size: PaperSize | None = None
    image: MediaRef | None = None  # cover picture
    updated: dt.datetime | None = None  # aware, in the site's timezone; not a day before date
    issuer: str | None = None  # who issued it, e.g. "Công an tỉnh Thanh Hóa"

    @property
    def modified(self) -> dt.datetime:
        """When the notice last changed: ``updated``, else ``date`` (``updated`` on the
        day of a ``date`` with a time is midnight of that day: then ``date``)."""
        return self.date if self.updated is None else max(self.date, self.updated)

    def is_published(self, now: dt.datetime) -> bool:
        return not self.draft and self.date <= now

    @property
    def ends(self) -> dt.datetime | None:
        """The moment the notice stops being in effect: the ``expires`` time, or the
        midnight after the ``expires`` day; None if it never does (no ``expires``, or
        the calendar's last day, a natural "never": there is no day after it)."""
        end = self.expires
        if end is None or isinstance(end, dt.datetime):
            return end
        if end == dt.date.max:
            return None
        after = end + dt.timedelta(days=1)
        return dt.datetime(after.year, after.month, after.day, tzinfo=self.date.tzinfo)

    @property
    def expires_at_time(self) -> bool:
        """``expires`` names a time of day (shown as "until 18:00 on 30/11/2026")."""
        return isinstance(self.expires, dt.datetime)

    def is_expired(self, now: dt.datetime) -> bool:
        ends = self.ends
        return ends is not None and now >= ends

    def concerns(self, notice: Notice) -> bool:
        """Whether this (urgent) notice's banner belongs on ``notice``'s page: every
        notice's for a notice of every place, else those that name one of its places."""
        if self.locations == ALL_LOCATIONS:
            return True
        return notice.locations != ALL_LOCATIONS and not set(self.locations).isdisjoint(
            notice.locations
        )

    def shows_at(self, location_id: str) -> bool:
        return self.locations == ALL_LOCATIONS or location_id in self.locations


@dataclass(frozen=True, slots=True)
class StandingPage:
    slug: str
    title: str
    source: Source
    summary: str | None = None
    order: int = 0
    draft: bool = False
    aliases: tuple[Alias, ...] = ()


MediaKind = Literal["picture", "document"]


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A file of ``content/media/``: a picture or a document, or why it is refused.

    A refused file is an error only where content links to it (at the link's line).
    """

    path: Path  # the file (Library keys it by the NFC path content links resolve to)
    name: str  # relative to content/media/, POSIX
    kind: MediaKind
    format: str  # JPEG, PNG, WEBP; PDF, DOCX, XLSX, ODT, ODS
    size: int = 0  # bytes
    sha256: str = ""
    url_path: str = ""  # documents: their file; pictures: the stem of their renditions
    # pictures: as shown (EXIF orientation applied); a PDF: its first page's preview;
    # 0 when the file has no picture
    width: int = 0
    height: int = 0
    pages: int = 0  # PDF: its pages, when known
    problem: Message | None = None  # why it is refused (None when it is not)
    hint: Message | None = None

    @property
    def identity(self) -> str:
        """Changes whenever a page showing or linking the file would."""
        return (
            f"media:{self.kind}:{self.url_path}:{self.sha256[:20]}:{self.size}:"
            f"{self.width}x{self.height}:{self.pages}:{self.problem or ''}"
        )


@dataclass(frozen=True, slots=True)
class Content:
    notices: tuple[Notice, ...]
    locations: tuple[Location, ...]
    pages: tuple[StandingPage, ...]
    warnings: tuple[ContentError, ...] = ()  # reported; errors with --strict


@dataclass(frozen=True, slots=True)
class Tag:
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class Page:
    """One HTML page of the output, before rendering."""

    kind: PageKind
    id: str
    title: str
    url_path: str  # site-relative, "" for home, "n/slug/" otherwise
    template: str
    description: str = ""
    number: int = 1  # of a list split over several pages
    count: int = 1  # how many pages the list has
    first: str = ""  # URL path of page 1 of the list

    @property
    def file(self) -> str:
        return self.url_path + "index.html"


@dataclass(frozen=True, slots=True)
class Redirect:
    """An alias page that sends readers (and printed codes) on to a page's new URL."""

    alias: Alias
    target: str  # URL path of the page


@dataclass(frozen=True, slots=True)
class Board:
    """A printed board: a large code of one page, for one place or one notice."""

    id: str  # printed on the board, e.g. `tram-y-te` or `n-lich-tiem`
    kind: Literal["location", "notice"]
    title: str
    target: str  # URL path of the page the code opens
    size: PaperSize

    @property
    def path(self) -> str:
        return f"boards/{self.id}/"


@dataclass(frozen=True, slots=True)
class Output:
    """One file of the site, made only when the writer needs it.

    ``key`` digests what the file is made from, besides what ``reads`` records while it
    is made (render.deps); a file whose key and reads are unchanged since the build
    that wrote it in ``output/`` is kept as it is.
    """

    path: str  # relative to output/
    key: str
    make: Callable[[], str | bytes | Iterator[str]]  # an iterator: written chunk by chunk
    reads: AbstractSet[Any] | None = None  # what it read (render.deps), filled as it is made


@dataclass(frozen=True, slots=True)
class BuildResult:
    pages: int
    codes: int
    files: int
    changed: int  # files written (a full build writes them all; an update only what changed)
    bytes: int
    seconds: float
    warnings: tuple[ContentError, ...] = ()
    in_place: bool = False  # output/ was updated file by file (it cannot be replaced whole)
    # the site differs from the last build's into the same folder (a file added, removed,
    # or made from other inputs), whatever output/ held before: on CI it starts empty
    site_changed: bool = True
