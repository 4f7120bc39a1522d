"""Load notices, places and standing pages from ``content/`` and check them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Literal, cast

from generator.cache.content import ContentCache, SiteCache
from generator.errors import BuildError, ContentError, Position, Problems
from generator.i18n import Message, _
from generator.inputs import schema
from generator.inputs.fields import Fields, did_you_mean, load_yaml
from generator.inputs.files import read_text, split_front_matter
from generator.models import (
    ALL_LOCATIONS,
    Alias,
    Contact,
    Content,
    Geo,
    Location,
    Notice,
    PaperSize,
    SiteConfig,
    Source,
    StandingPage,
)
from generator.plan.urls import is_slug, slug_from_filename, slugify

_ALIAS_PART = re.compile(r"[A-Za-z0-9._~-]+")

MARKDOWN_SUFFIXES = (".md",)
YAML_SUFFIXES = (".yml", ".yaml")

# What `bangtin new` and `bangtin init` write where the text of a notice or page goes
# (generator.scaffold): a notice or page that is published with it still in its body is
# not ready, a content error.  bangtin 0.1 wrote the second one in new notices.
PLACEHOLDER = "Viết nội dung ở đây"
PLACEHOLDERS = (PLACEHOLDER, "Viết nội dung thông báo ở đây")
_PLACEHOLDER = re.compile("|".join(map(re.escape, PLACEHOLDERS)), re.IGNORECASE)


def content_files(folder: Path, suffixes: tuple[str, ...], problems: Problems) -> Iterator[Path]:
    """Files of ``folder`` with one of ``suffixes``, sorted, never leaving the content tree."""
    if not folder.is_dir():
        return
    root = folder.parent.resolve()
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.startswith(".") or path.suffix.lower() not in suffixes:
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            problems.add(
                Position(path),
                _("symlink points outside the content folder"),
                hint=_("copy the file into content/ instead of linking to it"),
                source_line="",
            )
            continue
        if path.is_file():
            yield path


def load_content(site: SiteConfig, cache: ContentCache | None = None) -> Content:
    """Read every content file; raise BuildError with all problems found."""
    content, errors = read_content(site, cache)
    if errors:
        raise BuildError(errors)
    return content


def read_content(
    site: SiteConfig, cache: ContentCache | None = None
) -> tuple[Content, list[ContentError]]:
    """Every content file read: what loaded, and the errors of the files that did not
    (what loaded is then only good for looking for more errors).

    With a ``cache``, a file parsed cleanly before (same text, settings and code) is
    not parsed again; the caller saves the cache once the build has no content error.
    """
    problems = Problems()
    root = site.root
    kept = cache.for_site(site) if cache is not None else None
    location_files = list(content_files(root / "locations", YAML_SUFFIXES, problems))
    locations = [
        loc for path in location_files if (loc := load_location(path, problems, kept)) is not None
    ]
    # a place file with an error is still a place: its error is reported, not one more
    # "unknown place" in every notice that names it
    named = {loc.id for loc in locations} | {path.stem for path in location_files}
    notice_files = list(content_files(root / "notices", MARKDOWN_SUFFIXES, problems))
    loaded = [load_notice(path, site, problems, kept) for path in notice_files]
    if site.shared is not None:  # a province's notices: every site's too
        shared_files = content_files(site.shared / "notices", MARKDOWN_SUFFIXES, problems)
        loaded += [load_notice(path, site, problems, kept, shared=True) for path in shared_files]
    notices = [notice for notice, _refs in loaded if notice is not None]
    pages = [
        p
        for path in content_files(root / "pages", MARKDOWN_SUFFIXES, problems)
        if (p := load_page(path, problems, kept)) is not None
    ]
    check_unique(locations, notices, pages, problems, site.shared)
    check_location_refs(loaded, named, problems)
    content = Content(tuple(notices), tuple(locations), tuple(pages), tuple(problems.warnings))
    return content, problems.errors


def _slug(f: Fields, stem: str) -> str | None:
    explicit = f.text("slug")
    if explicit is not None:
        if not is_slug(explicit):
            example = "slug: " + (slugify(explicit) or "thong-bao")
            f.error(
                f.node_of("slug"),
                _(
                    "slug `{slug}` must be lowercase ASCII letters, digits and single '-'",
                    slug=explicit,
                ),
                hint=_("for example `{example}`", example=example),
            )
            return None
        return explicit
    derived = slug_from_filename(stem)
    if not derived:
        f.problems.add(
            Position(f.path),
            _("cannot make a URL from the file name `{name}`", name=f.path.name),
            hint=_(
                "rename the file with Latin letters or digits, or set `slug:` in the front matter"
            ),
            source_line="",
        )
        return None
    return derived


LocationRefs = tuple[tuple[str, Position], ...]


def load_notice(
    path: Path,
    site: SiteConfig,
    problems: Problems,
    cache: SiteCache | None = None,
    shared: bool = False,
) -> tuple[Notice | None, LocationRefs]:
    """A notice (None after an error) and the place ids it names, with their positions.

    The place ids are checked even when the notice has other errors, so that one run
    reports everything.  ``shared``: a notice of a province's shared folder, for every
    place of every site (the cache's key has its path, so it tells the two kinds apart).
    """
    text = read_text(path, problems)
    if text is None:
        return None, ()
    parse = partial(parse_notice, path, text, site, problems, shared)
    return parse() if cache is None else cache.load(Notice, path, text, problems, parse)


def parse_notice(
    path: Path, text: str, site: SiteConfig, problems: Problems, shared: bool = False
) -> tuple[Notice | None, LocationRefs]:
    fm = split_front_matter(path, text, problems)
    node = None if fm is None else load_yaml(path, fm.yaml_text, fm.yaml_first_line, problems)
    if fm is None or node is None:
        return None, ()
    before = len(problems.errors)
    f = Fields(path, node, fm.yaml_first_line, problems, schema.NOTICE)
    title = f.text("title")
    when = f.when("date")
    expires_raw = f.when("expires")
    updated_raw = f.when("updated")
    locations: tuple[str, ...] | Literal["all"] = ALL_LOCATIONS
    refs: LocationRefs = ()
    raw_locations = f.text_list("locations")
    if raw_locations is not None:
        ids = [value for value, _where in raw_locations]
        if ids == [ALL_LOCATIONS]:
            locations = ALL_LOCATIONS
        elif shared:  # its place ids would mean other places, or none, in each site
            f.error(
                f.node_of("locations"),
                _("a shared notice is for every place of every site: `locations` must be `all`"),
                hint=_(
                    "place ids differ from site to site: leave `locations:` out, or put the "
                    "notice in the notices/ folder of each site it concerns"
                ),
            )
        elif not ids:
            f.error(
                f.node_of("locations"),
                _("`locations` is an empty list"),
                hint=_("list place ids, or write `locations: all`"),
            )
        else:
            locations = tuple(dict.fromkeys(ids))
            refs = raw_locations

    raw_tags = f.text_list("tags") or ()
    for value, where in raw_tags:
        if not slugify(value):
            problems.warn(
                where,
                _(
                    "tag `{tag}` has no letter or digit, so it makes no topic page and is left out",
                    tag=value,
                ),
                hint=_("name topics with words, e.g. `tags: [y tế, điện]`"),
            )
    tags = tuple(dict.fromkeys(value for value, _where in raw_tags if slugify(value)))
    pinned = f.boolean("pinned")
    urgent = f.boolean("urgent")
    draft = f.boolean("draft")
    summary = f.text("summary")
    slug = _slug(f, path.stem)
    aliases = read_aliases(f)
    board = f.boolean("board")
    board_size = read_paper(f, "board_size")
    image = f.image()
    issuer = f.text("issuer")

    date = None if when is None else to_aware(when, site)
    expires = read_expires(f, expires_raw, date, site)
    if urgent and expires_raw is None and not draft:
        problems.warn(
            f.pos(f.node_of("urgent")),
            _(
                "an urgent notice with no `expires`: its banner stays on every page "
                "until the notice is changed"
            ),
            hint=_(
                "write when the warning ends, e.g. `expires: 2026-11-30T18:00` "
                "(or `expires: 2026-11-30` for the whole day)"
            ),
        )
    updated = read_updated(f, updated_raw, when, site)
    failed = len(problems.errors) > before
    if not draft:  # a draft is never published: it may keep the placeholder
        not_ready = _("the notice still holds the placeholder text: it is not ready to publish")
        hint = _(
            "replace the placeholder with the notice itself: who, what, when, where, whom to "
            "contact (or set `draft: true` until it is ready)"
        )
        find_placeholder(path, fm.body, fm.body_first_line, problems, not_ready, hint)
    if failed or title is None or date is None or slug is None:
        return None, refs
    notice = Notice(
        slug=slug,
        title=title,
        date=date,
        source=Source(path, fm.body, fm.body_first_line),
        expires=expires,
        locations=locations,
        tags=tags,
        pinned=pinned,
        urgent=urgent,
        summary=summary,
        draft=draft,
        aliases=aliases,
        board=board,
        board_size=board_size,
        image=image,
        updated=updated,
        issuer=issuer,
    )
    return notice, refs


def read_expires(
    f: Fields,
    expires: dt.date | dt.datetime | None,
    date: dt.datetime | None,
    site: SiteConfig,
) -> dt.date | dt.datetime | None:
    """``expires``: a day, or a time in the site's timezone; an error if the notice
    would end before it is published."""
    if expires is None:
        return None
    end = to_aware(expires, site) if isinstance(expires, dt.datetime) else expires
    if date is None:
        return end
    if isinstance(end, dt.datetime) and end <= date:
        f.error(
            f.node_of("expires"),
            _(
                "`expires` ({expires}) is not after `date` ({date})",
                expires=_as_written(expires),
                date=_as_written(date.replace(tzinfo=None)),
            ),
            hint=_(
                "`expires` is when the notice stops being in effect, "
                "e.g. `expires: 2026-11-30T18:00`"
            ),
        )
        return None
    if not isinstance(end, dt.datetime) and end < date.date():
        f.error(
            f.node_of("expires"),
            _(
                "`expires` ({expires}) is before `date` ({date})",
                expires=expires.isoformat(),
                date=date.date().isoformat(),
            ),
            hint=_("`expires` is the last day the notice is in effect"),
        )
        return None
    return end


def _as_written(when: dt.date | dt.datetime) -> str:
    """A front-matter date or time as an editor writes it (no seconds when they are 0)."""
    if isinstance(when, dt.datetime) and not (when.second or when.microsecond):
        return when.isoformat(timespec="minutes")
    return when.isoformat()


def read_updated(
    f: Fields,
    updated: dt.date | dt.datetime | None,
    when: dt.date | dt.datetime | None,
    site: SiteConfig,
) -> dt.datetime | None:
    """``updated``, in the site's time; an error if it is before ``date`` (a day alone
    counts as the whole day: `updated` on the day of a `date` with a time is fine)."""
    if updated is None:
        return None
    moment = to_aware(updated, site)
    if when is None:
        return moment
    date = to_aware(when, site)
    early = moment.date() < date.date() if type(updated) is dt.date else moment < date
    if early:
        f.error(
            f.node_of("updated"),
            _(
                "`updated` ({updated}) is before `date` ({date})",
                updated=updated.isoformat(),
                date=when.isoformat(),
            ),
            hint=_("`updated` is when the notice was last changed: on the day of `date` or later"),
        )
        return None
    return moment


def find_placeholder(
    path: Path, body: str, first_line: int, problems: Problems, message: Message, hint: Message
) -> None:
    """An error at the first placeholder text (``PLACEHOLDERS``) left in ``body``, whose
    first line is line ``first_line`` of ``path``."""
    for number, line in enumerate(body.split("\n"), start=first_line):
        found = _PLACEHOLDER.search(line)
        if found:
            problems.add(Position(path, number, found.start() + 1), message, hint)
            return


def read_aliases(f: Fields) -> tuple[Alias, ...]:
    """Old URL paths, normalised to ``a/b/``; anything that could leave the site is refused."""
    out: list[Alias] = []
    for raw, pos in f.text_list("aliases") or ():
        value = raw.strip()
        hint = _("write the old path of the page on this site, e.g. `aliases: [l/tram-y-te-cu/]`")
        if "://" in value:
            f.problems.add(
                pos,
                _("alias `{alias}` must be a path on this site, not a full URL", alias=value),
                hint,
            )
            continue
        parts = value.strip("/").split("/")
        bad = (
            "\\" in value
            or "%" in value
            or "\x00" in value
            or re.match(r"^[A-Za-z]:", value) is not None
            or any(p in ("", ".", "..") or not _ALIAS_PART.fullmatch(p) for p in parts)
        )
        if bad:
            f.problems.add(
                pos,
                _(
                    "alias `{alias}` is not a plain path: use letters, digits, '-', '.', '_' "
                    "between single '/'",
                    alias=value,
                ),
                hint,
            )
            continue
        out.append(Alias("/".join(parts) + "/", pos))
    return tuple(out)


def read_paper(f: Fields, key: str) -> PaperSize | None:
    value = f.text(key)
    if value is None:
        return None
    if value.lower() not in schema.PAPER:
        f.error(
            f.node_of(key), _("`{key}` must be a5, a4 or a3, not `{value}`", key=key, value=value)
        )
        return None
    return cast(PaperSize, value.lower())


def to_aware(when: dt.date | dt.datetime, site: SiteConfig) -> dt.datetime:
    """A front-matter date as an aware datetime; a plain date starts at midnight, site time."""
    if isinstance(when, dt.datetime):
        if when.tzinfo is None:
            return when.replace(tzinfo=site.tz)
        return when.astimezone(site.tz)
    return dt.datetime(when.year, when.month, when.day, tzinfo=site.tz)


def load_location(
    path: Path, problems: Problems, cache: SiteCache | None = None
) -> Location | None:
    location_id = path.stem
    if not is_slug(location_id):
        renamed = (slugify(location_id) or "dia-diem") + path.suffix
        problems.add(
            Position(path),
            _(
                "place id `{place}` (the file name) must be lowercase ASCII letters, "
                "digits and '-'",
                place=location_id,
            ),
            hint=_("rename the file to `{name}`", name=renamed),
            source_line="",
        )
        return None
    text = read_text(path, problems)
    if text is None:
        return None
    parse = partial(parse_location, path, text, problems)
    return (parse() if cache is None else cache.load(Location, path, text, problems, parse))[0]


def parse_location(
    path: Path, text: str, problems: Problems
) -> tuple[Location | None, LocationRefs]:
    node = load_yaml(path, text, 1, problems)
    if node is None:
        return None, ()
    location_id = path.stem
    before = len(problems.errors)
    f = Fields(path, node, 1, problems, schema.PLACE)
    name = f.text("name")
    address = f.text("address")
    description = f.text("description") or ""
    # Link errors in the description are found in the file from its key on.
    description_line = f.key_pos("description").line if f.has("description") else 1
    located = "\n".join(text.split("\n")[description_line - 1 :])
    geo = None
    gf = f.group("geo")
    if gf is not None:
        lat, lon = gf.number("lat"), gf.number("lon")
        if lat is None or lon is None:
            if not gf.has("lat") or not gf.has("lon"):
                gf.error(
                    None,
                    _("`geo` needs both `lat` and `lon`"),
                    hint=_("for example `{example}`", example="geo: {lat: 19.81, lon: 105.62}"),
                )
        elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
            gf.error(None, _("`geo` is not on Earth: lat must be within ±90 and lon within ±180"))
        else:
            geo = Geo(lat, lon)
    contact = Contact()
    cf = f.group("contact")
    if cf is not None:
        contact = Contact(cf.text("name"), cf.text("phone"))
    aliases = read_aliases(f)
    board_size = read_paper(f, "board_size")
    image = f.image()
    if len(problems.errors) > before or name is None:
        return None, ()
    location = Location(
        id=location_id,
        name=name,
        source=Source(path, located, description_line),
        address=address,
        description=description,
        geo=geo,
        contact=contact,
        aliases=aliases,
        board_size=board_size,
        image=image,
    )
    return location, ()


def load_page(
    path: Path, problems: Problems, cache: SiteCache | None = None
) -> StandingPage | None:
    text = read_text(path, problems)
    if text is None:
        return None
    parse = partial(parse_page, path, text, problems)
    return (parse() if cache is None else cache.load(StandingPage, path, text, problems, parse))[0]


def parse_page(
    path: Path, text: str, problems: Problems
) -> tuple[StandingPage | None, LocationRefs]:
    fm = split_front_matter(path, text, problems)
    node = None if fm is None else load_yaml(path, fm.yaml_text, fm.yaml_first_line, problems)
    if fm is None or node is None:
        return None, ()
    before = len(problems.errors)
    f = Fields(path, node, fm.yaml_first_line, problems, schema.PAGE)
    title = f.text("title")
    summary = f.text("summary")
    order = f.integer("order")
    draft = f.boolean("draft")
    slug = _slug(f, path.stem)
    aliases = read_aliases(f)
    failed = len(problems.errors) > before
    if not draft:  # a draft is never published: it may keep the placeholder
        not_ready = _("the page still holds the placeholder text: it is not ready to publish")
        hint = _(
            "replace the placeholder with the page's text (or set `draft: true` until it is ready)"
        )
        find_placeholder(path, fm.body, fm.body_first_line, problems, not_ready, hint)
    if failed or title is None or slug is None:
        return None, ()
    page = StandingPage(
        slug, title, Source(path, fm.body, fm.body_first_line), summary, order, draft, aliases
    )
    return page, ()


def shown(path: Path, shared: Path | None = None) -> str:
    """``notices/a.md``: a content file named as editors know it (a file of a province's
    ``shared`` folder: ``shared/notices/a.md``)."""
    if shared is not None and path.is_relative_to(shared):
        return f"{shared.name}/{path.parent.name}/{path.name}"
    return f"{path.parent.name}/{path.name}"


def check_unique(
    locations: list[Location],
    notices: list[Notice],
    pages: list[StandingPage],
    problems: Problems,
    shared: Path | None = None,
) -> None:
    """Two files must never claim the same URL.

    A site's notice with the slug of a province's ``shared`` notice is the site's error,
    reported at its own file: the shared one is every site's, and not the site's to edit.
    """
    check_shared_slugs(notices, problems, shared)
    own_slug = _("give one of them its own `slug:` in the front matter")

    def duplicate_notice(key: str, other: str) -> Message:
        return _("duplicate notice slug `{key}`: {other} has it too", key=key, other=other)

    kinds: tuple[tuple[Callable[[str, str], Message], Message, list[tuple[str, Path]]], ...] = (
        (
            lambda key, other: _(
                "duplicate place id `{key}`: {other} has it too", key=key, other=other
            ),
            _("one place per file; remove or rename one of them"),
            [(loc.id, loc.source.path) for loc in locations],
        ),
        (  # the site's own notices, then the shared ones (check_shared_slugs: one of each)
            duplicate_notice,
            own_slug,
            [(n.slug, n.source.path) for n in notices if not _in(n.source.path, shared)],
        ),
        (
            duplicate_notice,
            own_slug,
            [(n.slug, n.source.path) for n in notices if _in(n.source.path, shared)],
        ),
        (
            lambda key, other: _(
                "duplicate page slug `{key}`: {other} has it too", key=key, other=other
            ),
            own_slug,
            [(p.slug, p.source.path) for p in pages],
        ),
    )
    for duplicate, hint, items in kinds:
        seen: dict[str, Path] = {}
        for key, path in items:
            if key in seen:
                problems.add(
                    Position(path),
                    duplicate(key, shown(seen[key], shared)),
                    hint=hint,
                    source_line="",
                )
            else:
                seen[key] = path


def _in(path: Path, folder: Path | None) -> bool:
    return folder is not None and path.is_relative_to(folder)


def check_shared_slugs(notices: list[Notice], problems: Problems, shared: Path | None) -> None:
    """Each of the site's own notices whose slug a shared notice has: an error at the
    site's file, naming the shared one."""
    if shared is None:
        return
    taken: dict[str, Path] = {}
    for n in notices:
        if _in(n.source.path, shared):
            taken.setdefault(n.slug, n.source.path)
    for n in notices:
        other = taken.get(n.slug)
        if other is not None and not _in(n.source.path, shared):
            problems.add(
                Position(n.source.path),
                _(
                    "notice slug `{key}` is taken by the province's shared notice {other}, "
                    "which every site publishes",
                    key=n.slug,
                    other=shown(other, shared),
                ),
                hint=_("give this notice its own `slug:` in the front matter"),
                source_line="",
            )


def check_location_refs(
    loaded: list[tuple[Notice | None, LocationRefs]], known: set[str], problems: Problems
) -> None:
    choices = sorted(known)
    for _notice, refs in loaded:
        for value, pos in refs:
            if value not in known:
                hint = (
                    did_you_mean(value, choices, _("known places"))
                    if choices
                    else _("add the place as a file under locations/")
                )
                problems.add(pos, _("unknown place `{place}`", place=value), hint=hint)
