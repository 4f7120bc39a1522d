"""The content cache: a model from the cache is exactly the model parsed afresh."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import pytest

from benchmarks.corpus import generate
from generator import build as pipeline
from generator.build import Caches
from generator.cache.codec import CodecError, decode, encode
from generator.cache.content import FILE, ContentCache
from generator.cache.store import Store, cache_folder
from generator.errors import BuildError, Position, Problems
from generator.inputs.config import load_config
from generator.inputs.content import (
    MARKDOWN_SUFFIXES,
    YAML_SUFFIXES,
    content_files,
    load_content,
    load_location,
    load_notice,
    load_page,
)
from generator.models import Alias, Contact, Content, Geo, Location, Notice, Source
from tests.conftest import SAMPLE, SiteFactory, notice, tree_bytes

MakeSite = Callable[[dict[str, str]], SiteFactory]
PLACE = "name: Trạm y tế\ndescription: |\n  Mở cửa **7h-17h**.\n"


def every_item(content: Content) -> list[object]:
    return [*content.notices, *content.locations, *content.pages]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("corpus"), 300, 30)


def assert_same_files(content_dir: Path, folder: Path) -> None:
    """Every file read through a warm cache (on disk, then in memory) is the fresh parse."""
    site = load_config(content_dir)
    fresh = load_content(site)
    cold = ContentCache(Store(folder))
    load_content(site, cold)  # parses
    cold.save()
    from_disk = ContentCache(Store(folder))
    warm = load_content(site, from_disk)
    n = len(every_item(fresh))
    assert (from_disk.hits, from_disk.parsed) == (n, 0)
    assert warm == fresh
    assert repr(warm) == repr(fresh)
    for a, b in zip(every_item(warm), every_item(fresh), strict=True):
        assert a == b and repr(a) == repr(b)

    # what load_notice returns besides the model (the place ids it names) comes back too
    view = from_disk.for_site(site)
    root = site.root
    for path in content_files(root / "notices", MARKDOWN_SUFFIXES, Problems()):
        cached, parsed = (
            load_notice(path, site, Problems(), view),
            load_notice(path, site, Problems()),
        )
        assert cached == parsed and repr(cached) == repr(parsed)
    for path in content_files(root / "locations", YAML_SUFFIXES, Problems()):
        loc = load_location(path, Problems(), view)
        assert repr(loc) == repr(load_location(path, Problems()))
    for path in content_files(root / "pages", MARKDOWN_SUFFIXES, Problems()):
        assert repr(load_page(path, Problems(), view)) == repr(load_page(path, Problems()))
    assert from_disk.parsed == 0

    in_memory = ContentCache()
    load_content(site, in_memory)
    again = load_content(site, in_memory)
    assert in_memory.hits == n and repr(again) == repr(fresh)


def test_sample_site_from_the_cache_is_the_fresh_parse(tmp_path: Path) -> None:
    assert_same_files(SAMPLE, tmp_path / "cache")


@pytest.mark.slow
def test_generated_site_from_the_cache_is_the_fresh_parse(corpus: Path, tmp_path: Path) -> None:
    site = load_config(corpus)
    refs = [load_notice(p, site, Problems())[1] for p in sorted((corpus / "notices").iterdir())]
    assert sum(len(r) for r in refs) > 300  # the corpus names places: refs are compared
    assert_same_files(corpus, tmp_path / "cache")


def built_with(content_dir: Path, output: Path, content_cache: ContentCache) -> dict[str, bytes]:
    pipeline.build(content_dir, output, Caches(content=content_cache))
    return tree_bytes(output)


@pytest.mark.parametrize("which", ["sample", "generated"])
def test_build_with_a_warm_cache_gives_the_same_bytes(
    which: str, corpus: Path, tmp_path: Path
) -> None:
    content_dir = SAMPLE if which == "sample" else corpus
    folder = tmp_path / "cache"
    cold = ContentCache(Store(folder))
    without = built_with(content_dir, tmp_path / "a" / "output", cold)
    assert cold.hits == 0 and Store(folder).path(FILE).is_file()
    warm = ContentCache(Store(folder))
    with_cache = built_with(content_dir, tmp_path / "b" / "output", warm)
    assert warm.hits == cold.parsed > 0 and warm.parsed == 0
    assert with_cache == without


def test_a_build_writes_the_cache_of_its_output_folder(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice(), "locations/tram.yml": PLACE})
    site.build()
    first = tree_bytes(site.output)
    data = Store(cache_folder(site.output)).read_json(FILE)
    assert len(data["entries"]) == 2
    shutil.rmtree(site.output)
    site.build()
    assert tree_bytes(site.output) == first


def loads(content_dir: Path, folder: Path | None) -> tuple[Content, ContentCache]:
    cache = ContentCache(Store(folder))
    content = load_content(load_config(content_dir), cache)
    cache.save()
    return content, cache


def test_an_edit_of_the_same_length_and_mtime_is_seen(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice(title="Lịch tiêm chủng")})
    path = site.content / "notices" / "a.md"
    folder = site.root / "cache"
    memory = ContentCache()
    config = load_config(site.content)
    assert load_content(config, memory).notices[0].title == "Lịch tiêm chủng"
    assert loads(site.content, folder)[0].notices[0].title == "Lịch tiêm chủng"
    before = path.stat()
    path.write_text(path.read_text("utf-8").replace("chủng", "chửng"), "utf-8")
    assert path.stat().st_size == before.st_size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    content, cache = loads(site.content, folder)
    assert content.notices[0].title == "Lịch tiêm chửng" and cache.parsed == 1
    assert load_content(config, memory).notices[0].title == "Lịch tiêm chửng"


def errors_of(content_dir: Path, cache: ContentCache) -> list[str]:
    with pytest.raises(BuildError) as info:
        load_content(load_config(content_dir), cache)
    return [f"{e.pos.path.name}:{e.pos.line}: {e.message}" for e in info.value.errors]


def test_a_file_with_an_error_is_reported_on_every_run(make_site: MakeSite) -> None:
    good = notice(locations="[tram]")
    site = make_site({"notices/a.md": good, "locations/tram.yml": PLACE})
    path = site.content / "notices" / "a.md"
    folder = site.root / "cache"
    memory = ContentCache()
    for cache in (memory, ContentCache(Store(folder))):
        load_content(load_config(site.content), cache)  # fine, and kept
        cache.save()

    path.write_text(good.replace("2026-11-20", "2026-13-45"), "utf-8")
    for cache in (memory, ContentCache(Store(folder)), memory, ContentCache(Store(folder))):
        [error] = errors_of(site.content, cache)
        assert error.startswith("a.md:3: ")

    # the file itself is fine and cached, but the place it names is gone: reported
    path.write_text(good, "utf-8")
    (site.content / "locations" / "tram.yml").unlink()
    for cache in (memory, ContentCache(Store(folder)), memory):
        assert errors_of(site.content, cache) == ["a.md:4: unknown place `tram`"]
        assert cache.hits >= 1


def test_a_damaged_cache_is_ignored(make_site: MakeSite) -> None:
    site = make_site(
        {
            "notices/a.md": notice(locations="[tram]", aliases="[cu/a/]"),
            "locations/tram.yml": PLACE + "geo: {lat: 19.8, lon: 105}\n",
            "pages/gioi-thieu.md": notice(title="Giới thiệu").replace("date: 2026-11-20\n", ""),
        }
    )
    folder = site.root / "cache"
    fresh, _ = loads(site.content, None)
    loads(site.content, folder)
    good = Store(folder).read_json(FILE)

    def damaged(change: str) -> str:
        data = json.loads(json.dumps(good))
        for entry in data["entries"].values():
            item = entry["item"]
            if change == "wrong types":
                item["source"]["body_first_line"] = "8"
            elif change == "missing field":
                del item["source"]
            elif change == "extra field":
                item["extra"] = 1
            elif change == "past the end":
                item["source"]["body_first_line"] = 10_000
            elif change == "bad refs":
                entry["refs"] = [["tram", "x", 1]]
            elif change == "bad zone" and "date" in item:
                item["date"] = ["2026-11-20T00:00:00", "No/Such_Zone", 0]
            elif change == "bad date" and "date" in item:
                item["date"] = ["2026-13-45T00:00:00", "Asia/Ho_Chi_Minh", 0]
        return json.dumps(data)

    cases = {
        "": 0,
        "{not json": 0,
        "[1, 2]": 0,
        '{"format": 1, "entries": []}': 0,
        '{"format": 1, "entries": {"k": 5}}': 0,
        "[" * 100_000 + "]" * 100_000: 0,
        damaged("wrong types"): 0,
        damaged("missing field"): 0,
        damaged("extra field"): 0,
        damaged("past the end"): 0,
        damaged("bad refs"): 0,
        damaged("bad zone"): 2,  # the place and the page are still good
        damaged("bad date"): 2,
    }
    for text, hits in cases.items():  # signed with this machine's key: checked all the same
        Store(folder).write_bytes(FILE, text.encode("utf-8"))
        content, cache = loads(site.content, folder)
        assert repr(content) == repr(fresh), text[:80]
        assert cache.hits == hits, text[:80]
        # and the next run finds a good cache again
        content, cache = loads(site.content, folder)
        assert cache.hits == 3 and repr(content) == repr(fresh)


def test_a_cache_written_by_other_code_or_for_other_settings_is_not_used(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site({"notices/a.md": notice(), "locations/tram.yml": PLACE})
    folder = site.root / "cache"
    loads(site.content, folder)
    assert loads(site.content, folder)[1].hits == 2
    monkeypatch.setattr("generator.cache.content.code_digest", lambda: "another bangtin")
    content, cache = loads(site.content, folder)
    assert (cache.hits, cache.parsed) == (0, 2)
    monkeypatch.undo()
    (site.content / "site.yml").write_text(
        "title: Bảng tin thử\nbase_url: https://test.example/\ntimezone: Asia/Tokyo\n", "utf-8"
    )
    content, cache = loads(site.content, folder)
    assert (cache.hits, cache.parsed) == (0, 2)
    assert content.notices[0].date.tzinfo == ZoneInfo("Asia/Tokyo")


def test_entries_of_files_no_longer_there_are_dropped(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice(), "notices/b.md": notice(title="Khác")})
    folder = site.root / "cache"
    loads(site.content, folder)
    assert len(Store(folder).read_json(FILE)["entries"]) == 2
    (site.content / "notices" / "b.md").unlink()
    (site.content / "notices" / "a.md").write_text(notice(title="Mới"), "utf-8")
    loads(site.content, folder)
    [entry] = Store(folder).read_json(FILE)["entries"].values()
    assert entry["item"]["title"] == "Mới"
    assert entry["item"]["source"]["body"] is None  # taken from the file, not stored twice


# The codec on its own: values the content never has, but a model could.

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HERE = Path("/site/notices/a.md")


@dataclasses.dataclass(frozen=True, slots=True)
class Odd:
    when: dt.datetime
    day: dt.date | None = None
    where: tuple[str, ...] | Literal["all"] = "all"
    size: Literal["a5", "a4"] | None = None
    number: float = 0.0
    pairs: tuple[tuple[str, int], ...] = ()


@pytest.mark.parametrize(
    "value",
    [
        Notice("a", "Tiêu đề", dt.datetime(2026, 11, 20, tzinfo=TZ), Source(HERE, "x\n", 5)),
        Notice(
            "b",
            "Có \x00 lạ \u2028",
            dt.datetime(2026, 11, 20, 8, 30, 1, 5, tzinfo=TZ),
            Source(HERE, "", 99),
            expires=dt.date(2026, 12, 31),
            locations=("tram", "cho"),
            tags=("y tế",),
            pinned=True,
            summary="Tóm tắt",
            draft=True,
            aliases=(Alias("cu/a/", Position(HERE, 4, 12)),),
            board=True,
            board_size="a3",
        ),
        Location(
            "tram",
            "Trạm",
            Source(Path("relative/x.yml"), "d", 2),
            geo=Geo(19, 105.62),
            contact=Contact("Bà A", "0123", None),
        ),
        Odd(dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York"))),
        Odd(dt.datetime(2026, 3, 8, 2, 30, tzinfo=ZoneInfo("America/New_York"))),  # in the gap
        Odd(dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7)))),
        Odd(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.date(2026, 1, 2), ("x",), "a5", 1e-300),
        Odd(dt.datetime(2026, 1, 1), pairs=(("a", 1), ("b", -2))),
    ],
)
def test_codec_gives_back_the_same_value_and_repr(value: object) -> None:
    data = encode(type(value), value)
    back = decode(type(value), json.loads(json.dumps(data)))
    assert back == value
    assert repr(back) == repr(value)


@pytest.mark.parametrize(
    "value",
    [
        Odd(dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7), "ICT"))),
        Odd(dt.datetime(2026, 1, 1), number=True),
        Odd(dt.datetime(2026, 1, 1), where=["x"]),  # type: ignore[arg-type]
        Odd(dt.datetime(2026, 1, 1), size="A4"),  # type: ignore[arg-type]
        Odd(dt.date(2026, 1, 1)),  # type: ignore[arg-type]
    ],
)
def test_codec_refuses_what_would_not_come_back_the_same(value: object) -> None:
    with pytest.raises(CodecError):
        encode(type(value), value)


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"when": ["2026-01-01T00:00:00", None, 0]},  # a missing field
        {
            "when": ["2026-01-01T00:00:00+07:00", None, 0],
            "day": None,
            "where": "all",
            "size": None,
            "number": 0,
            "pairs": [],
        },
        {
            "when": ["2026-01-01T00:00:00", None, 2],
            "day": None,
            "where": "all",
            "size": None,
            "number": 0,
            "pairs": [],
        },
        {
            "when": ["2026-01-01T00:00:00", None, 0],
            "day": None,
            "where": "some",
            "size": None,
            "number": 0,
            "pairs": [],
        },
        {
            "when": ["2026-01-01T00:00:00", None, 0],
            "day": None,
            "where": [1],
            "size": None,
            "number": 0,
            "pairs": [],
        },
        {
            "when": ["2026-01-01T00:00:00", None, 0],
            "day": None,
            "where": "all",
            "size": None,
            "number": "0",
            "pairs": [],
        },
        {
            "when": ["2026-01-01T00:00:00", None, 0],
            "day": None,
            "where": "all",
            "size": None,
            "number": 0,
            "pairs": [["a", True]],
        },
        {
            "when": ["2026-01-01T00:00:00", "../etc", 0],
            "day": None,
            "where": "all",
            "size": None,
            "number": 0,
            "pairs": [],
        },
    ],
)
def test_codec_refuses_json_of_the_wrong_shape(data: object) -> None:
    with pytest.raises(CodecError):
        decode(Odd, data)  # type: ignore[arg-type]


def test_a_result_that_came_with_a_problem_is_not_kept(tmp_path: Path) -> None:
    site = load_config(SAMPLE)
    cache = ContentCache(Store(tmp_path))
    view = cache.for_site(site)
    item = Location("tram", "Trạm", Source(HERE, "", 1))

    def parse_with_a_warning(problems: Problems) -> tuple[Location | None, tuple[()]]:
        problems.add(Position(HERE, 1), "a warning about this file")
        return item, ()

    for _ in range(2):
        problems = Problems()
        found = view.load(
            Location, HERE, "name: Trạm\n", problems, partial(parse_with_a_warning, problems)
        )
        assert found == (item, ()) and len(problems.errors) == 1
    assert (cache.hits, cache.parsed) == (0, 2)


def test_a_build_with_a_content_error_leaves_the_cache_as_it_was(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice(), "notices/b.md": notice(title="B")})
    site.build()
    cache_file = Store(cache_folder(site.output)).path(FILE)
    saved = cache_file.read_bytes()
    (site.content / "notices" / "a.md").write_text(notice(title="Mới"), "utf-8")
    (site.content / "notices" / "b.md").write_text(notice(body="[x](khong-co.md)"), "utf-8")
    with pytest.raises(BuildError, match="1 error"):  # a link error, found after loading
        site.build()
    assert cache_file.read_bytes() == saved
