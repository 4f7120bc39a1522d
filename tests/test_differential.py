"""Update builds are judged against clean builds, byte for byte, after every kind of edit.

A Hypothesis state machine applies random sequences of edits to a small site (every
key of every schema table set, changed and removed; files added, deleted and
renamed; bodies and links; the printed-URL ledger; a site theme's template and
stylesheet; the clock moving both ways; urgent notices made, edited and unmade, and
the clock passing the moment one ends) and after each one compares ``bangtin
build`` over the previous output with a build from nothing: same success, same
messages, same files, same bytes.  The explicit tests below do each kind of edit once.

``BANGTIN_DIFFERENTIAL_EXAMPLES`` sets how many sequences the state machine tries
(default 20, about 3 minutes on two cores); the ``exhaustive`` marker runs 200.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from generator.inputs import schema
from tests.differential import (
    Doc,
    Site,
    all_fields,
    q,
    set_value,
    small_document,
    small_picture,
    starting_site,
    verdict,
)

NOW = dt.date(2026, 11, 28)
# Media the edits add, replace, delete and link (the schema's `image:` examples name
# anh.jpg and so-do.png too).
MEDIA_NAMES = ["anh.jpg", "so-do.png", "2026-11/Ảnh chợ.webp", "tai-lieu.pdf"]
WORDS = ["thông báo", "họp dân", "điện", "nước sạch", "y tế", "trường", "chợ", "VNeID", "bão"]
TEMPLATE = '{% extends "base.html" %}{% block main %}<h1>{{ VALUE }}</h1>{% endblock %}'
TEMPLATE_VALUES = [
    "notice.title",
    "notice.title ~ ' · ' ~ plan.current|length",
    "places|map(attribute='name')|join(', ')",
    "bodies.summary(notice)",
    "site.title ~ notice.date|vndate",
    "notice.modified|vndatetime ~ (' · ' ~ notice.updated|vndate if notice.updated else '')",
]


def generic(f: schema.Field, site: Site) -> st.SearchStrategy[str]:
    """Values of ``f``'s kind: valid ones mostly, some that the build must refuse."""
    days = st.integers(-20, 20).map(lambda n: (NOW + dt.timedelta(days=n)).isoformat())
    kinds: dict[str, st.SearchStrategy[str]] = {
        "text": st.sampled_from(WORDS).map(q) | st.text(min_size=1, max_size=12).map(q),
        "bool": st.sampled_from(["true", "false", "yes"]),
        "int": st.integers(-3, 30).map(str),
        "number": st.floats(0.05, 25, allow_nan=False).map(lambda x: f"{x:.2f}"),
        "date": days,
        "when": days | st.tuples(days, st.integers(0, 23)).map(lambda d: f"{d[0]}T{d[1]:02d}:30"),
        "list": st.lists(st.sampled_from(WORDS), max_size=3).map(
            lambda xs: json.dumps(xs, ensure_ascii=False)
        ),
        "places": st.just("all")
        | st.lists(
            st.sampled_from([*site.places, "khong-co"]), min_size=1, max_size=3, unique=True
        ).map(json.dumps),
        "aliases": st.lists(
            st.sampled_from(["cu/", "l/cho-cu/", "n/tin-cu/", "p/cu/", "../x/"]), max_size=2
        ).map(json.dumps),
    }
    strategy = kinds[f.kind]
    if f.examples:  # examples twice: they are the values editors write
        strategy = st.sampled_from(f.examples) | st.sampled_from(f.examples) | strategy
    return strategy


# Two values of each kind, for keys without examples (the explicit tests below).
KIND_VALUES = {
    "text": [q("một"), q("hai")],
    "bool": ["true", "false"],
    "int": ["1", "7"],
    "number": ["0.5", "2.0"],
    "date": ["2026-11-30", "2026-12-05"],
    "when": ["2026-11-21", "2026-11-23T07:30"],
    "list": ['["y tế"]', '["điện", "nước"]'],
    "places": ['["cho"]', "all"],
    "aliases": ['["cu/"]', '["l/cho-cu/", "n/tin-cu/"]'],
}


def file_names(site: Site, kind: str) -> list[str]:
    return sorted(site.docs(kind)) if kind != "site" else ["site.yml"]


def fields_of(site: Site, kind: str, name: str) -> dict[str, object]:
    return site.settings if kind == "site" else site.docs(kind)[name].fields  # type: ignore[return-value]


class UpdateBuilds(RuleBasedStateMachine):
    """Random edits; after each, the update build equals a clean build."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="bangtin-diff-"))
        self.site = starting_site()
        self.counter = 0

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    @initialize()
    def first_build(self) -> None:
        assert verdict(self.site, self.tmp) == ""

    @invariant()
    def update_equals_clean(self) -> None:
        found = verdict(self.site, self.tmp)
        assert found == "", found

    # Notices are most of a site, and most of what editors change: most edits go there.
    @rule(data=st.data(), kind=st.sampled_from(["notice", "notice", "notice", "place", "page"]))
    def set_key(self, data: st.DataObject, kind: str) -> None:
        self._set(data, kind, remove=False)

    @rule(data=st.data(), kind=st.sampled_from(["notice", "notice", "place", "page", "site"]))
    def set_or_remove_key(self, data: st.DataObject, kind: str) -> None:
        self._set(data, kind, remove=data.draw(st.booleans(), label="remove"))

    def _set(self, data: st.DataObject, kind: str, remove: bool) -> None:
        names = file_names(self.site, kind)
        if not names:
            return
        keys = [(path, f) for k, path, f in all_fields() if k == kind]
        path, f = data.draw(st.sampled_from(keys), label="key")
        name = data.draw(st.sampled_from(names), label="file")
        value = None if remove else data.draw(generic(f, self.site), label="value")
        set_value(fields_of(self.site, kind, name), path, value)  # type: ignore[arg-type]

    @rule(data=st.data(), kind=st.sampled_from(["notice", "page"]))
    def edit_body(self, data: st.DataObject, kind: str) -> None:
        names = file_names(self.site, kind)
        if not names:
            return
        doc = self.site.docs(kind)[data.draw(st.sampled_from(names), label="file")]
        targets = [f"../locations/{p}.yml" for p in self.site.places]
        targets += [f"../notices/{n}" for n in self.site.notices] + ["../notices/khong-co.md"]
        edit = data.draw(
            st.sampled_from(["append", "first", "link", "html", "replace", "media"]), label="edit"
        )
        if edit == "append":
            doc.body += f"\n\nThêm {self.counter}."
        elif edit == "first":
            doc.body = f"Đoạn đầu mới {self.counter}.\n\n" + doc.body
        elif edit == "link":
            doc.body += f"\n\nXem [đây]({data.draw(st.sampled_from(targets), label='to')})."
        elif edit == "media":  # a picture or a document, there or not
            name = data.draw(st.sampled_from(MEDIA_NAMES), label="media")
            if name.endswith(".pdf"):
                doc.body += f"\n\nTải [tài liệu](../media/{name})."
            else:
                doc.body += f"\n\n![Ảnh {self.counter}](../media/{name})"
        elif edit == "html":
            doc.body += '\n\n<p onclick="x()">Chú ý <b>gấp</b></p>'
        else:
            doc.body = data.draw(st.sampled_from(WORDS), label="text")
        self.counter += 1

    @rule(kind=st.sampled_from(["notice", "place", "page"]))
    def add_file(self, kind: str) -> None:
        self.counter += 1
        n = self.counter
        if kind == "notice":
            doc = Doc({"title": q(f"Tin mới {n}"), "date": "2026-11-27"}, f"Nội dung {n}.")
            self.site.notices[f"2026-11-27-tin-moi-{n}.md"] = doc
        elif kind == "place":
            self.site.places[f"dia-diem-{n}"] = Doc({"name": q(f"Địa điểm {n}")})
        else:
            self.site.pages[f"trang-{n}.md"] = Doc({"title": q(f"Trang {n}")}, "Trang mới.")

    @rule(data=st.data(), kind=st.sampled_from(["notice", "place", "page"]))
    def delete_file(self, data: st.DataObject, kind: str) -> None:
        docs = self.site.docs(kind)
        if docs:
            del docs[data.draw(st.sampled_from(sorted(docs)), label="file")]

    @rule(data=st.data(), kind=st.sampled_from(["notice", "place", "page"]))
    def rename_file(self, data: st.DataObject, kind: str) -> None:
        docs = self.site.docs(kind)
        if not docs:
            return
        old = data.draw(st.sampled_from(sorted(docs)), label="file")
        self.counter += 1
        new = f"doi-ten-{self.counter}" + (".md" if kind != "place" else "")
        docs[new] = docs.pop(old)

    @rule(name=st.sampled_from(MEDIA_NAMES))
    def add_or_replace_media(self, name: str) -> None:
        self.counter += 1
        if name.endswith(".pdf"):
            self.site.media[name] = small_document(self.counter)
        else:
            fmt = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[name.rsplit(".", 1)[1]]
            self.site.media[name] = small_picture(fmt, self.counter % 40)

    @rule(data=st.data())
    def delete_media(self, data: st.DataObject) -> None:
        if self.site.media:
            del self.site.media[data.draw(st.sampled_from(sorted(self.site.media)), label="media")]

    @rule(data=st.data())
    def print_url(self, data: st.DataObject) -> None:
        paths = [f"l/{p}/" for p in self.site.places] + ["n/khong-co/", "p/gioi-thieu/"]
        path = data.draw(st.sampled_from(paths), label="path")
        self.site.printed.append(f"https://thu.example/{path}")

    @rule(data=st.data())
    def forget_printed(self, data: st.DataObject) -> None:
        if self.site.printed:
            self.site.printed.pop(data.draw(st.integers(0, len(self.site.printed) - 1)))

    @rule(data=st.data(), name=st.sampled_from(["notice.html", "page.html", "_macros.html"]))
    def override_template(self, data: st.DataObject, name: str) -> None:
        if name == "_macros.html":
            self.site.templates[name] = (
                '{% macro notice_list(notices, link, bodies, empty="") %}'
                "{% for n in notices %}<p>{{ n.title }} {{ n.pinned }}</p>{% endfor %}"
                "{% endmacro %}{% macro qr_block(a, b) %}{{ b }}{% endmacro %}"
                "{% macro pager_nav(p, l) %}{{ p.number }}{% endmacro %}"
            )
            return
        value = data.draw(st.sampled_from(TEMPLATE_VALUES), label="shows")
        if name == "page.html":
            value = value.replace("notice", "standing").replace("places", "plan.locations")
        self.site.templates[name] = TEMPLATE.replace("VALUE", value)

    @precondition(lambda self: bool(self.site.templates))
    @rule(data=st.data())
    def remove_override(self, data: st.DataObject) -> None:
        del self.site.templates[data.draw(st.sampled_from(sorted(self.site.templates)))]

    @rule(colour=st.sampled_from(["#0b3d91", "#7a1f1f"]))
    def override_stylesheet(self, colour: str) -> None:
        self.site.static["style.css"] = f"body {{ color: {colour}; }}\n"

    @rule(hours=st.sampled_from([-72, -30, -6, 6, 30, 72, 24 * 40]))
    def move_clock(self, hours: int) -> None:
        self.site.epoch += hours * 3600

    # Urgent notices (issue 20) put a banner on every page they concern: each change to
    # one rewrites many pages that do not otherwise read it.

    @rule(data=st.data())
    def toggle_urgent(self, data: st.DataObject) -> None:
        """A notice made urgent (for every place, or naming places), or no longer."""
        names = file_names(self.site, "notice")
        if not names:
            return
        fields = self.site.notices[data.draw(st.sampled_from(names), label="file")].fields
        if fields.get("urgent") == "true":
            fields["urgent"] = data.draw(st.sampled_from(["false", "remove"]), label="to")
            if fields["urgent"] == "remove":
                del fields["urgent"]
            return
        fields["urgent"] = "true"
        where = data.draw(st.sampled_from(["as it was", "all", "places"]), label="locations")
        if where == "all":
            fields["locations"] = "all"
        elif where == "places":
            fields["locations"] = data.draw(self.some_places(), label="places")

    def some_places(self) -> st.SearchStrategy[str]:
        if not self.site.places:
            return st.just("all")
        places = st.lists(st.sampled_from(sorted(self.site.places)), min_size=1, max_size=2)
        return places.map(lambda ps: json.dumps(sorted(set(ps))))

    @precondition(lambda self: bool(self.site.urgent()))
    @rule(
        data=st.data(),
        what=st.sampled_from(["title", "locations", "expires day", "expires time", "no expires"]),
    )
    def edit_urgent(self, data: st.DataObject, what: str) -> None:
        """An urgent notice's title, places or end (a day, or a time near "now")."""
        fields = self.site.notices[data.draw(st.sampled_from(self.site.urgent()))].fields
        self.counter += 1
        if what == "title":
            titles = [f"Bão số {self.counter}", "Lũ & sạt lở <khẩn>", "Khẩn"]
            fields["title"] = q(data.draw(st.sampled_from(titles), label="title"))
        elif what == "locations":
            fields["locations"] = data.draw(st.just("all") | self.some_places(), label="to")
        elif what == "no expires":
            fields.pop("expires", None)
        else:
            hours = data.draw(st.sampled_from([-30, -2, 1, 5, 29, 50]), label="hours")
            now = dt.datetime.fromtimestamp(self.site.epoch, self.site.zone())
            end = now + dt.timedelta(hours=hours)
            day = what == "expires day"
            fields["expires"] = end.date().isoformat() if day else end.strftime("%Y-%m-%dT%H:%M")

    @precondition(lambda self: any(self.site.ends(n) for n in self.site.urgent()))
    @rule(data=st.data(), past=st.sampled_from([0, 60, 3600]))
    def clock_past_urgent_expiry(self, data: st.DataObject, past: int) -> None:
        """A build a minute before an urgent notice ends (banners shown), then one at or
        after that moment (gone): the update must not keep the pages of the first."""
        ending = [n for n in self.site.urgent() if self.site.ends(n)]
        end = self.site.ends(data.draw(st.sampled_from(ending), label="file"))
        assert end is not None
        self.site.epoch = int(end.timestamp()) - 60
        self.update_equals_clean()
        self.site.epoch = int(end.timestamp()) + past


EXAMPLES = int(os.environ.get("BANGTIN_DIFFERENTIAL_EXAMPLES", "20"))
TestUpdateBuilds = UpdateBuilds.TestCase
TestUpdateBuilds.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,  # the same sequences in every CI run; more with the marker below
)


@pytest.mark.exhaustive
def test_many_more_update_sequences() -> None:
    machine = UpdateBuilds.TestCase
    machine.settings = settings(
        max_examples=200,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    machine().runTest()


# -- each kind of edit, once ------------------------------------------------------------


def judged(site: Site, tmp_path: Path) -> None:
    """Build ``site`` (the last build's output and cache in ``tmp_path``) and judge it."""
    found = verdict(site, tmp_path)
    assert found == "", found


@pytest.fixture
def built(tmp_path: Path) -> Site:
    site = starting_site()
    judged(site, tmp_path)
    return site


FIELDS = all_fields()


@pytest.mark.parametrize(
    ("kind", "path", "f"), FIELDS, ids=[f"{k}:{'.'.join(p)}" for k, p, _ in FIELDS]
)
def test_every_key_set_changed_and_removed(
    built: Site, tmp_path: Path, kind: str, path: tuple[str, ...], f: schema.Field
) -> None:
    name = file_names(built, kind)[0]
    fields = fields_of(built, kind, name)
    values = list(f.examples) or KIND_VALUES[f.kind]
    for value in values[:2]:  # set, then changed
        set_value(fields, path, value)  # type: ignore[arg-type]
        judged(built, tmp_path)
    set_value(fields, path, None)  # type: ignore[arg-type]
    judged(built, tmp_path)


def test_the_stale_home_page_of_the_issue_is_gone(built: Site, tmp_path: Path) -> None:
    """A place's new address reaches the home page (issue: update builds)."""
    built.places["tram-y-te"].fields["address"] = q("Thôn 9 mới")
    judged(built, tmp_path)
    assert "Thôn 9 mới" in (tmp_path / "output" / "index.html").read_text("utf-8")


@pytest.mark.parametrize("pinned", ["true", "false"])
def test_toggling_pinned(built: Site, tmp_path: Path, pinned: str) -> None:
    for name in sorted(built.notices):
        built.notices[name].fields["pinned"] = pinned
        judged(built, tmp_path)


@pytest.mark.parametrize("kind", ["notice", "place", "page"])
def test_files_added_deleted_and_renamed(built: Site, tmp_path: Path, kind: str) -> None:
    machine = UpdateBuilds()
    machine.site, machine.tmp = built, tmp_path
    machine.add_file(kind)
    judged(built, tmp_path)
    docs = built.docs(kind)
    first = sorted(docs)[0]
    docs[f"doi-ten{'.md' if kind != 'place' else ''}"] = docs.pop(first)
    judged(built, tmp_path)
    del docs[sorted(docs)[-1]]
    judged(built, tmp_path)


def test_media_added_replaced_and_deleted(built: Site, tmp_path: Path) -> None:
    """Pictures and documents are inputs like any other (issue 17)."""
    notice = built.notices["2026-11-20-tiem-chung.md"]
    built.media["so-do.png"] = small_picture("PNG", 3)
    notice.body += "\n\n![Sơ đồ](../media/so-do.png)"
    notice.fields["image"] = q("../media/so-do.png")
    judged(built, tmp_path)
    built.media["so-do.png"] = small_picture("PNG", 5)  # replaced: new renditions
    built.media["tai-lieu.pdf"] = small_document(9)
    judged(built, tmp_path)
    built.places["cho"].fields["image"] = q("../media/anh.jpg")
    built.settings["image"] = q("media/so-do.png")
    judged(built, tmp_path)
    del built.media["so-do.png"]  # still linked: an error, output/ as it was
    judged(built, tmp_path)
    notice.body = "Không còn ảnh."
    del notice.fields["image"]
    del built.settings["image"]
    judged(built, tmp_path)
    del built.media["anh.jpg"]  # the place's cover and a notice's picture: errors
    judged(built, tmp_path)
    built.places["cho"].fields.pop("image")
    built.notices["2026-11-25-lua-dao.md"].body = "Cảnh báo."
    judged(built, tmp_path)
    assert not list((tmp_path / "output" / "m").glob("*.jpg"))


def test_the_ledger(built: Site, tmp_path: Path) -> None:
    built.printed.append("https://thu.example/l/cho/")
    judged(built, tmp_path)
    del built.places["cho"]  # a printed URL that no longer opens a page: an error
    judged(built, tmp_path)
    built.places["cho-moi"] = Doc({"name": q("Chợ"), "aliases": '["l/cho/"]'})
    judged(built, tmp_path)


def test_a_template_override_added_edited_and_removed(built: Site, tmp_path: Path) -> None:
    for value in TEMPLATE_VALUES:
        built.templates["notice.html"] = TEMPLATE.replace("VALUE", value)
        judged(built, tmp_path)
    built.static["style.css"] = "body { color: red; }\n"
    judged(built, tmp_path)
    built.templates.clear()
    built.static.clear()
    judged(built, tmp_path)


@pytest.mark.parametrize("hours", [2, 30, 24 * 3, 24 * 40, -24 * 3])
def test_the_clock_moving_past_publication_and_expiry(
    built: Site, tmp_path: Path, hours: int
) -> None:
    built.epoch += hours * 3600
    judged(built, tmp_path)


def test_the_clock_going_back_and_forth(built: Site, tmp_path: Path) -> None:
    """A build dated later, then one dated earlier: "nothing changed" must not hold (the
    sequence Hypothesis found: an expired notice stayed expired)."""
    for hours in (-30, -30, -6, -6, 72, -6, 72, -30):
        built.epoch += hours * 3600
        judged(built, tmp_path)


# -- urgent notices: one change, a banner on many pages (issue 20) -----------------------

STORM = "2026-11-27-bao.md"  # urgent, every place, until 18:00 on 29/11/2026
ALERTS = '<aside class="alerts" aria-label="Cảnh báo khẩn">'


def html_pages(output: Path) -> dict[str, str]:
    """Every HTML page of the output, by path."""
    return {p.relative_to(output).as_posix(): p.read_text("utf-8") for p in output.rglob("*.html")}


def resident_pages(pages: dict[str, str]) -> set[str]:
    """The pages a resident opens (boards are print pages, without banners)."""
    return {path for path in pages if not path.startswith("boards/")}


def with_banner(pages: dict[str, str]) -> set[str]:
    return {path for path, html in pages.items() if ALERTS in html}


def unchanged(before: dict[str, str], after: dict[str, str], paths: set[str]) -> list[str]:
    return sorted(p for p in paths if before.get(p) == after.get(p))


@pytest.fixture
def calm(built: Site, tmp_path: Path) -> Site:
    """The starting site without its urgent notice, built: no banner anywhere."""
    del built.notices[STORM]
    judged(built, tmp_path)
    assert with_banner(html_pages(tmp_path / "output")) == set()
    return built


def test_an_urgent_notice_rewrites_every_page_with_its_banner(calm: Site, tmp_path: Path) -> None:
    """Made urgent, retitled, given an end (a time, then a day), unmade: after each, every
    page that shows (or showed) the banner is rewritten, and equals a clean build."""
    output = tmp_path / "output"
    before = html_pages(output)
    notice = calm.notices["2026-11-25-lua-dao.md"]  # every place
    notice.fields["urgent"] = "true"
    judged(calm, tmp_path)
    after = html_pages(output)
    shown = with_banner(after)
    # every page a resident opens, but its own, which says it itself
    assert shown == resident_pages(after) - {"n/lua-dao/index.html"}
    assert len(shown) >= 15
    assert '<p class="flag">Khẩn</p>' in after["n/lua-dao/index.html"]
    assert unchanged(before, after, shown | {"n/lua-dao/index.html"}) == []
    for path in shown:
        assert 'Khẩn</strong> <a href="' in after[path], path

    steps = [
        ("title", q("Lừa đảo & mạo danh <công an>"), "Lừa đảo &amp; mạo danh &lt;công an&gt;"),
        (
            "expires",
            "2026-11-28T18:00",
            'hết hiệu lực lúc <time datetime="2026-11-28T18:00:00+07:00">18:00',
        ),
        ("expires", "2026-11-30", "có hiệu lực đến hết ngày"),
        ("expires", "2026-11-29T07:30", "07:30 ngày 29/11/2026"),
    ]
    for key, value, text in steps:
        notice.fields[key] = value
        judged(calm, tmp_path)
        before, after = after, html_pages(output)
        assert with_banner(after) == shown
        assert unchanged(before, after, shown) == [], (key, value)
        assert all(text in after[path] for path in shown), (key, value)

    notice.fields["urgent"] = "false"
    judged(calm, tmp_path)
    before, after = after, html_pages(output)
    assert with_banner(after) == set()
    assert unchanged(before, after, shown) == []


def test_an_urgent_notice_naming_places(calm: Site, tmp_path: Path) -> None:
    """Its banner is on the home page, its places' pages and the pages of notices naming
    them; moving it to other places moves the banner, page by page."""
    output = tmp_path / "output"
    notice = calm.notices["2026-11-20-tiem-chung.md"]  # at the health station
    before = html_pages(output)
    notice.fields["urgent"] = "true"
    judged(calm, tmp_path)
    after = html_pages(output)
    assert with_banner(after) == {"index.html", "l/tram-y-te/index.html"}
    assert unchanged(before, after, {"index.html", "l/tram-y-te/index.html"}) == []

    notice.fields["locations"] = '["cho"]'  # the market: the power cut there shows it too
    judged(calm, tmp_path)
    before, after = after, html_pages(output)
    moved = {"index.html", "l/cho/index.html", "n/cat-dien/index.html"}
    assert with_banner(after) == moved
    # the home page's banner names no place: the same bytes
    assert unchanged(before, after, moved | {"l/tram-y-te/index.html"}) == ["index.html"]
    assert ALERTS not in after["n/lua-dao/index.html"]  # for every place: not concerned

    notice.fields["title"] = q("Tiêm chủng khẩn")
    judged(calm, tmp_path)
    before, after = after, html_pages(output)
    assert unchanged(before, after, moved) == []

    notice.fields["locations"] = "all"
    judged(calm, tmp_path)
    before, after = after, html_pages(output)
    assert with_banner(after) == resident_pages(after) - {"n/tiem-chung/index.html"}

    del notice.fields["urgent"]
    judged(calm, tmp_path)
    assert with_banner(html_pages(output)) == set()


def at(moment: str) -> int:
    """SOURCE_DATE_EPOCH of a time in Vietnam."""
    return int(dt.datetime.fromisoformat(moment + "+07:00").timestamp())


def test_the_clock_passing_the_time_an_urgent_notice_ends(built: Site, tmp_path: Path) -> None:
    """`expires: 2026-11-29T18:00`: a build at 17:59 shows the banner, one at 18:00 does
    not (nor the notice among current ones), and back again; each equals a clean build."""
    output = tmp_path / "output"
    for moment, shown in [
        ("2026-11-29T17:59", True),
        ("2026-11-29T18:00", False),
        ("2026-11-29T17:59", True),
        ("2026-11-29T18:01", False),
    ]:
        built.epoch = at(moment)
        judged(built, tmp_path)
        pages = html_pages(output)
        everywhere = resident_pages(pages) - {"n/bao/index.html"}
        assert with_banner(pages) == (everywhere if shown else set()), moment
        assert ("Bão số 15" in pages["index.html"]) == shown, moment
    built.notices[STORM].fields["expires"] = "2026-11-29"  # to the end of that day
    for moment, shown in [("2026-11-29T23:59", True), ("2026-11-30T00:00", False)]:
        built.epoch = at(moment)
        judged(built, tmp_path)
        pages = html_pages(output)
        everywhere = resident_pages(pages) - {"n/bao/index.html"}
        assert with_banner(pages) == (everywhere if shown else set()), moment


@pytest.mark.parametrize("urgent", ["true", "false"])
def test_toggling_urgent(built: Site, tmp_path: Path, urgent: str) -> None:
    for name in sorted(built.notices):
        built.notices[name].fields["urgent"] = urgent
        judged(built, tmp_path)
