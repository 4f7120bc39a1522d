"""The same generated site as a Hugo project, so ``bench.py --vs-hugo`` can time Hugo on it.

    python benchmarks/hugo_site.py CORPUS_ROOT OUT   # CORPUS_ROOT holds content/ and corpus.json

``make_hugo_site(corpus_root, out)`` translates what ``benchmarks.corpus.generate`` wrote
into ``out/`` (hugo.toml, content/, layouts/, assets/), written the way Hugo is meant to be
used, so that Hugo's time is an expert's and not a straw man's.  It has the pages bangtin
makes, page for page:

* ``/``: every urgent and pinned current notice, then the 20 newest others; every place
  with its address; every topic;
* ``/n/<slug>/``: every published notice, expired ones included and marked (bangtin keeps
  them; Hugo's ``expiryDate`` would drop them, so it is not used); drafts and notices dated
  after "now" are left out by Hugo itself (``buildFuture = false``, no ``--buildDrafts``);
* ``/l/<id>/``: a place and its current notices, 20 a page: the urgent ones, its own,
  then under the heading ``<h3 id="chung">`` those for every place; ``/t/<tag>/``: a
  topic's current notices, 20 a page;
* every list of current notices in bangtin's order: urgent (``<li class="notice urgent">``,
  "Khẩn"), then pinned ("Ghim"), then newest; the archive marks neither;
* at the top of every page, the banners of the current urgent notices that concern it, as
  bangtin's: on ``/`` all of them; on a place's page those for every place or naming it;
  on a notice's page those for every place and, if it names places, those naming one of
  them, but not its own; on every other page (topics, lists, standing pages, ``/verify/``,
  404) those for every place;
* ``expires`` a day (in effect to its end) or a time (``2026-11-28T18:00``: expired from
  that moment), shown in words as bangtin shows it;
* ``/p/<slug>/`` standing pages, ``/tat-ca/`` all current notices and ``/luu-tru/`` the
  expired ones (20 a page), ``/verify/`` the list of boards, ``feed.xml`` (50 newest current
  notices), ``sitemap.xml``, ``robots.txt``, ``404.html``, one fingerprinted stylesheet;
* on every page, including each page of a paginated list, a PNG QR code of that page's own
  absolute URL from ``images.QR`` (error level quartile, 10 pixels a module) in ``/qr/``.

How Hugo does it:

* Places are the terms of a ``locations`` taxonomy (permalinks ``/l/:slug/``): a notice's
  ``locations`` front matter lists its places, and each place's own data (name, address,
  description, contact, coordinates) is its term page's ``content/locations/<id>/_index.md``,
  whose ``weight`` is the place's position in bangtin's order (by file name), so that
  Hugo's default page order is bangtin's.  Topics are the ``tags`` taxonomy (``/t/:slug/``).
  Hugo builds the term -> notices index once, so a place's page reads only its own notices
  (``.Pages``), a notice's page names its places and topics with ``.GetTerms``, and no
  template scans every notice per place or looks a place up per notice.
* Notices with ``locations: all`` name no term (``everywhere: true`` instead).  The
  partial ``current.html``, computed once a build with ``partialCached``, keeps "now" in
  site time, the current notices in display order and the parts of them pages share: the
  urgent ones, the urgent ones for every place, the others for every place, the home
  page's.  Lists are ordered as bangtin orders them (``ordered.html``: sorted by path,
  then stably by date, newest first, so notices of the same moment, whose file names
  start with the same day, come by slug; then pinned ones first; then urgent ones first).
  A place's list is its term's current notices with the cached urgent ones for every
  place, ordered, then the cached others for every place, once per place
  (``partialCached`` keyed by the place, shared by its pages of the list); its banners
  are the urgent part of it.  A topic's list is its term's current notices, ordered.
* Banners are rendered once a scope (``partialCached``): once for the home page, once for
  every page of the commune, once per place, and for notices once per set of places they
  name (an urgent notice's own page once for itself, as its banner is left out).
* Whether a notice is current is one string comparison: its ``until`` front matter
  (written by this module from ``expires``: the time itself, ``<day>T24:00`` for a day,
  or ``9999-12-31T24:00``) against "now" formatted the same way, in site time (Hugo's
  ``now`` is in UTC even with ``--clock``; ``time.In`` puts it in the site's zone).
* The list of places (home page, ``/verify/``), the footer (standing pages' menu,
  contact) and the stylesheet link are ``partialCached`` too: each is worked out once.

"Now" is not the wall clock: ``bench.py`` runs Hugo with ``--clock`` set to the corpus's
"now" (as bangtin gets ``SOURCE_DATE_EPOCH``), and the templates decide what is current
from it.  Relative Markdown links between content files (``../locations/x.yml``,
``2026-11-20-y.md``) become the pages' root-relative URLs (``/l/x/``, ``/n/y/``).

What differs from bangtin's site (the same pages, and on each list page the same notices in
the same order, were checked against bangtin's output at 300 + 30 and 10,000 + 1,000; the
banners, the urgent and pinned marks, the place pages' two parts and the ``expires``
wording at 300 + 30 with urgent notices, seeds 0, 1 and 4, and at 40 + 3):

* Not translated, so the comparison leaves them out of Hugo's work: print boards
  (``boards/`` and their stylesheet), SVG QR codes (bangtin writes SVG and PNG), the
  redirect files, the hosting files (``_headers``, ``nginx-*.conf``), the favicon and
  ``qr-manifest.json``.
* Paginated lists live at ``<list>/page/N/`` (Hugo's layout) instead of bangtin's
  ``<list>/N/``; the number of pages is the same.  QR codes are in ``/qr/`` under names
  that Hugo derives from their content, not ``qr.png`` beside each page.
* Hugo's own ``sitemap.xml`` is used: it lists the first page of each list only, and
  with ``<lastmod>``; bangtin's lists every page, paginated ones included.
* Summaries are Hugo's (``summaryLength = 1``: the first paragraph), cut to 160
  characters with ``truncate`` as bangtin cuts its own; they can differ in a word.
* The templates are shorter than bangtin's theme: the same lists, links, place details,
  feed entries and footer, without the ``<meta>`` description and Open Graph tags, skip
  link, favicon, ARIA labels or the feed's subtitle and author, with a shorter
  stylesheet; ``/verify/`` keeps the list of boards and drops the explanation.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml
from slugify import slugify as _slugify

MARKER = ".bangtin-bench-hugo"  # make_hugo_site only replaces folders that carry it
FAR_FUTURE = "9999-12-31T24:00"  # `until` of a notice without `expires`
TIME_ZONE = "Asia/Ho_Chi_Minh"  # the corpus's site time
SITE_TZ = dt.timezone(dt.timedelta(hours=7))  # the same: Vietnam has no daylight saving
PAGE_SIZE = 20  # notices a page of a list, as bangtin's plan.PAGE_SIZE
PUBLISHED = ("current", "expired")  # corpus categories that have a page
QR_OPTIONS = '(dict "level" "quartile" "scale" 10 "targetDir" "qr")'
HIDDEN = "---\nbuild:\n  render: never\n---\n"  # a list Hugo keeps but does not write

_LINK = re.compile(r"\]\(([^)\s]+\.(?:md|yml|yaml))\)")


def slugify(text: str) -> str:
    """Tag slugs as bangtin makes them (python-slugify, đ -> d), so URLs match."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return str(_slugify(text, max_length=80, word_boundary=True))


def q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return json.dumps(text, ensure_ascii=False)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """``---`` YAML ``---`` body, as the corpus writes it."""
    _, head, body = text.split("---\n", 2)
    data = yaml.safe_load(head) or {}
    return data, body


class Links:
    """Content file (``notices/x.md``, relative to content/) -> root-relative URL."""

    def __init__(self, notice_slugs: dict[str, str], page_slugs: dict[str, str]) -> None:
        self.notices = notice_slugs  # file name -> slug
        self.pages = page_slugs  # file name -> slug

    def url(self, target: str) -> str | None:
        folder, _, name = target.partition("/")
        stem = name.rsplit(".", 1)[0]
        if folder == "locations":
            return f"/l/{stem}/"
        if folder == "notices" and name in self.notices:
            return f"/n/{self.notices[name]}/"
        if folder == "pages" and name in self.pages:
            return f"/p/{self.pages[name]}/"
        return None

    def rewrite(self, markdown: str, folder: str) -> str:
        """Relative links from a file in ``folder`` become URLs Hugo does not check."""

        def replace(match: re.Match[str]) -> str:
            target = posixpath.normpath(posixpath.join(folder, match.group(1)))
            url = self.url(target)
            if url is None:
                raise ValueError(f"link to {match.group(1)!r} from {folder}/ has no page")
            return f"]({url})"

        return _LINK.sub(replace, markdown)


def until(expires: str | None) -> str:
    """The moment a notice stops being in effect, as text that sorts as the moments do and
    compares with "now" written the same way (``2006-01-02T15:04``, site time): an
    ``expires`` time itself, the end of an ``expires`` day (``T24:00``, after any time of
    that day and before the next day's midnight), or never."""
    if expires is None:
        return FAR_FUTURE
    if len(expires) == len("2026-11-30"):
        return f"{expires}T24:00"
    moment = dt.datetime.fromisoformat(expires).astimezone(SITE_TZ)
    return moment.strftime("%Y-%m-%dT%H:%M")


def front_matter(fields: dict[str, Any]) -> str:
    lines = ["---"]
    for key, value in fields.items():
        if value is None:
            continue
        if isinstance(value, bool):
            lines.append(f"{key}: {'true' if value else 'false'}")
        elif isinstance(value, int | float):
            lines.append(f"{key}: {value}")
        elif isinstance(value, list):
            lines.append(f"{key}: [{', '.join(q(str(v)) for v in value)}]")
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {q(str(v))}" for k, v in value.items()]
        else:
            lines.append(f"{key}: {q(str(value))}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def make_hugo_site(corpus_root: Path, out: Path) -> Path:
    """Write a Hugo project equivalent to ``corpus_root/content`` into ``out``; return ``out``."""
    corpus_root, out = Path(corpus_root), Path(out)
    source = corpus_root / "content"
    corpus = json.loads((corpus_root / "corpus.json").read_text("utf-8"))
    if out.exists():
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise FileExistsError(f"{out} exists and was not made by make_hugo_site")
        shutil.rmtree(out)
    content = out / "content"
    for folder in ("n", "p", "locations", "tags", "tat-ca", "luu-tru"):
        (content / folder).mkdir(parents=True)
    (out / MARKER).write_text("made by benchmarks/hugo_site.py\n", "utf-8")

    site = yaml.safe_load((source / "site.yml").read_text("utf-8"))
    page_meta = {
        p.name: split_front_matter(p.read_text("utf-8"))
        for p in sorted((source / "pages").glob("*.md"))
    }
    links = Links(
        {n["file"]: n["slug"] for n in corpus["notices"] if n["category"] in PUBLISHED},
        {name: meta.get("slug") or name[:-3] for name, (meta, _) in page_meta.items()},
    )
    # bangtin lists places in the order of their file names ("x-diem-2.yml" < "x.yml").
    order = {
        place_id: weight
        for weight, place_id in enumerate(
            sorted((p["id"] for p in corpus["locations"]), key=lambda i: f"{i}.yml"), 1
        )
    }

    (out / "hugo.toml").write_text(config(site, corpus), "utf-8")
    write_layouts(out)
    write_lists(content)
    write_places(source, content, corpus, links, order)
    write_notices(source, content, corpus, links, order)
    write_pages(content, page_meta, links)
    return out


def write_lists(content: Path) -> None:
    """Hidden /n/, /p/, /locations/ and /tags/ lists; /tat-ca/, /luu-tru/ and /verify/."""
    for folder in ("n", "p", "locations", "tags"):  # bangtin has no index page for them
        (content / folder / "_index.md").write_text(HIDDEN, "utf-8")
    (content / "tat-ca" / "_index.md").write_text(
        front_matter({"title": "Tất cả thông báo"}), "utf-8"
    )
    (content / "luu-tru" / "_index.md").write_text(
        front_matter({"title": "Thông báo đã hết hiệu lực"}), "utf-8"
    )
    (content / "verify.md").write_text(
        front_matter({"title": "Kiểm tra bảng QR", "layout": "verify", "url": "/verify/"}),
        "utf-8",
    )


def write_places(
    source: Path, content: Path, corpus: dict[str, Any], links: Links, order: dict[str, int]
) -> None:
    """A place is a term of the ``locations`` taxonomy; its data is the term page's."""
    for place in corpus["locations"]:
        data = yaml.safe_load((source / "locations" / f"{place['id']}.yml").read_text("utf-8"))
        geo = data.get("geo") or {}
        fields = {
            "title": data["name"],
            "slug": place["id"],
            "weight": order[place["id"]],
            "address": data.get("address"),
            "contact": data.get("contact"),
            "lat": f"{geo['lat']:.5f}" if "lat" in geo else None,
            "lon": f"{geo['lon']:.5f}" if "lon" in geo else None,
        }
        body = links.rewrite(data.get("description") or "", "locations")
        folder = content / "locations" / place["id"]
        folder.mkdir()
        (folder / "_index.md").write_text(front_matter(fields) + body, "utf-8")


def write_notices(
    source: Path, content: Path, corpus: dict[str, Any], links: Links, order: dict[str, int]
) -> None:
    """Every notice (Hugo leaves out drafts and future ones); a term page per used tag."""
    tag_names: dict[str, str] = {}
    for notice in corpus["notices"]:
        meta, body = split_front_matter((source / "notices" / notice["file"]).read_text("utf-8"))
        tags: list[str] = []
        for name in notice["tags"]:
            slug = slugify(name)
            if slug and slug not in tags:
                tags.append(slug)
                if notice["category"] in PUBLISHED:
                    tag_names.setdefault(slug, name)
        everywhere = notice["locations"] == "all"
        places = [] if everywhere else sorted(set(notice["locations"]), key=order.__getitem__)
        fields = {
            "title": notice["title"],
            "date": notice["date"],
            "slug": notice["slug"],
            "draft": notice["draft"],
            "pinned": notice["pinned"],
            "urgent": notice["urgent"],
            "expires": notice["expires"],  # as corpus.json has it: a day, or a time
            "until": until(notice["expires"]),
            "everywhere": everywhere,
            "locations": places or None,
            "tags": tags,
            "summary": meta.get("summary"),
        }
        text = front_matter(fields) + links.rewrite(body, "notices")
        (content / "n" / notice["file"]).write_text(text, "utf-8")
    for slug, name in sorted(tag_names.items()):
        folder = content / "tags" / slug
        folder.mkdir()
        (folder / "_index.md").write_text(front_matter({"title": name, "slug": slug}), "utf-8")


def write_pages(
    content: Path, page_meta: dict[str, tuple[dict[str, Any], str]], links: Links
) -> None:
    for name, (meta, body) in sorted(page_meta.items()):
        fields = {
            "title": meta["title"],
            "slug": links.pages[name],
            "weight": meta.get("order"),
            "summary": meta.get("summary"),
        }
        text = front_matter(fields) + links.rewrite(body, "pages")
        (content / "p" / name).write_text(text, "utf-8")


def config(site: dict[str, Any], corpus: dict[str, Any]) -> str:
    contact = site.get("contact") or {}
    return f"""\
baseURL = {q(corpus["base_url"])}
title = {q(site["title"])}
locale = "vi"
defaultContentLanguage = "vi"
timeZone = "{TIME_ZONE}"
buildFuture = false
buildDrafts = false
uglyURLs = false
enableRobotsTXT = true
disableHugoGeneratorInject = true
summaryLength = 1  # a summary is the first paragraph, cut to 160 characters, as bangtin's

[pagination]
pagerSize = {PAGE_SIZE}
disableAliases = true  # no /l/x/page/1/ -> /l/x/ alias pages: bangtin has none

[taxonomies]
tag = "tags"
location = "locations"

[permalinks.page]
n = "/n/:slug/"
p = "/p/:slug/"

[permalinks.term]
tags = "/t/:slug/"
locations = "/l/:slug/"

[outputs]
home = ["html", "rss"]
section = ["html"]
taxonomy = ["html"]
term = ["html"]
page = ["html"]

[outputFormats.rss]
baseName = "feed"

[params]
timeZone = "{TIME_ZONE}"  # `now` is in UTC, even with --clock: templates put it in site time
description = {q(site.get("description") or "")}
contactName = {q(contact.get("name") or "")}
contactPhone = {q(contact.get("phone") or "")}
contactEmail = {q(contact.get("email") or "")}
"""


LAYOUTS: dict[str, str] = {
    "baseof.html": """\
<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} · {{ site.Title }}{{ end }}</title>
<link rel="canonical" href="{{ .Permalink }}">
{{ partialCached "head.html" . }}
</head>
<body>
<header class="site"><a class="brand" href="{{ "/" | relURL }}">{{ site.Title }}</a></header>
{{ block "banners" . }}{{ partialCached "banners.html"
  (partialCached "current.html" . "current").urgentEverywhere "everywhere" }}{{ end }}
<main id="noi-dung">
{{ block "main" . }}{{ end }}
{{ block "qr" . }}{{ partial "qr.html" .Permalink }}{{ end }}
</main>
{{ partialCached "footer.html" . }}
</body>
</html>
""",
    "home.html": """\
{{ define "banners" }}
{{ partialCached "banners.html" (partialCached "current.html" . "current").urgent "all" }}
{{ end }}
{{ define "main" }}
{{ $c := partialCached "current.html" . "current" }}
<h1>{{ site.Title }}</h1>
<p class="lead">{{ site.Params.description }}</p>
<section><h2>Thông báo mới nhất</h2>
{{ $home := $c.top | append (first 20 $c.rest) }}
{{ partial "notices.html" (dict "pages" $home "empty" "Hiện chưa có thông báo nào.") }}
{{ $more := sub (len $c.current) (len $home) }}
{{ if gt $more 0 }}
<p class="more"><a href="{{ "tat-ca/" | relURL }}">Xem tất cả thông báo (thêm {{ $more }})</a></p>
{{ end }}
</section>
<section><h2>Bảng tin tại các địa điểm</h2><ul class="places">
{{ range partialCached "places.html" . "places" }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
{{ with .Params.address }}<br><span class="meta">{{ . }}</span>{{ end }}</li>
{{ end }}
</ul></section>
<section><h2>Chủ đề</h2><ul class="tags">
{{ range site.Taxonomies.tags }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a></li>
{{ end }}
</ul></section>
{{ end }}
""",
    # A notice (section n/).
    "n/page.html": """\
{{ define "banners" }}
{{- /* Notices naming the same places share their banners; an urgent notice's own page
  leaves its own banner out, so it has its own key. */ -}}
{{ $key := "*" }}
{{ if not .Params.everywhere }}{{ $key = delimit .Params.locations " " }}{{ end }}
{{ if .Params.urgent }}{{ $key = printf "%s %s" $key .Path }}{{ end }}
{{ partialCached "notice-banners.html" . $key }}
{{ end }}
{{ define "main" }}
{{ $expired := le .Params.until (partialCached "current.html" . "current").now }}
<article class="notice-page{{ if and .Params.urgent (not $expired) }} urgent{{ end }}">
{{ if $expired }}
{{ $end := time.AsTime .Params.expires }}
<p class="expired"><strong>Thông báo này đã hết hiệu lực</strong>
{{ if gt (len .Params.expires) 10 -}}
lúc {{ $end.Format "15:04" }} ngày {{ $end.Format "02/01/2006" }}
{{- else }}sau ngày {{ $end.Format "02/01/2006" }}{{ end }}.
Nội dung được giữ lại để tra cứu. <a href="{{ "/" | relURL }}">Xem thông báo mới nhất</a>.</p>
{{ else if .Params.urgent }}<p class="flag">Khẩn</p>
{{ else if .Params.pinned }}<p class="pin">Ghim</p>{{ end }}
<h1>{{ .Title }}</h1>
<p class="meta">Ngày đăng: <time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">
{{- partial "when.html" .Date }}</time>
{{ if and .Params.expires (not $expired) }}
<br>{{ partial "until.html" (dict "expires" .Params.expires "start" true) }}
{{ end }}</p>
<div class="body">{{ .Content }}</div>
<p class="meta">
{{ if .Params.everywhere }}Áp dụng: tất cả các địa điểm.{{ else }}Địa điểm:
{{ range $i, $place := .GetTerms "locations" }}{{ if $i }}, {{ end }}
<a href="{{ $place.RelPermalink }}">{{ $place.Title }}</a>{{ end }}.{{ end }}</p>
{{ with .GetTerms "tags" }}<ul class="tags">
{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
</ul>{{ end }}
</article>
{{ end }}
""",
    # A standing page (section p/).
    "page.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<div class="body">{{ .Content }}</div>
{{ end }}
""",
    "verify.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<p class="lead">Bảng thật chỉ dẫn đến địa chỉ bắt đầu bằng <strong>{{ site.BaseURL }}</strong>.</p>
<ul class="boards">
{{ range partialCached "places.html" . "places" }}
<li><p><strong>Mã bảng: {{ .Data.Term }}</strong><br>Địa điểm: {{ .Title }}<br>
Địa chỉ in trên bảng: <a href="{{ .RelPermalink }}">{{ .Permalink }}</a></p></li>
{{ end }}
</ul>
{{ end }}
""",
    "tat-ca/section.html": """\
{{ define "main" }}
{{ $pager := .Paginate (partialCached "current.html" . "current").current }}
<h1>{{ .Title }}{{ partial "page-number.html" $pager }}</h1>
<p class="lead">Mọi thông báo đang có hiệu lực: tin khẩn trước, rồi thông báo ghim,
rồi mới nhất.</p>
{{ partial "notices.html" (dict "pages" $pager.Pages "empty" "Hiện chưa có thông báo nào.") }}
{{ partial "pager.html" $pager }}
{{ end }}
{{ define "qr" }}{{ partial "qr.html" (.Paginator.URL | absURL) }}{{ end }}
""",
    "luu-tru/section.html": """\
{{ define "main" }}
{{ $pager := .Paginate (partialCached "current.html" . "current").expired }}
<h1>{{ .Title }}{{ partial "page-number.html" $pager }}</h1>
<p class="lead">Các thông báo dưới đây không còn hiệu lực, được giữ lại để tra cứu.</p>
{{ partial "notices.html" (dict "pages" $pager.Pages "expired" true
  "empty" "Chưa có thông báo nào hết hiệu lực.") }}
{{ partial "pager.html" $pager }}
{{ end }}
{{ define "qr" }}{{ partial "qr.html" (.Paginator.URL | absURL) }}{{ end }}
""",
    # A place: a term of the locations taxonomy.
    "locations/term.html": """\
{{ define "banners" }}
{{ partialCached "banners.html" (partialCached "place-notices.html" . .Path).banners .Path }}
{{ end }}
{{ define "main" }}
{{ $pager := .Paginate (partialCached "place-notices.html" . .Path).notices }}
<h1>{{ .Title }}</h1>
{{ with .Params.address }}<p class="meta">{{ . }}</p>{{ end }}
<section><h2>Thông báo tại {{ .Title }}</h2>
{{- /* The list is the place's own notices (urgent ones first), then every place's:
  on this page of it, those of every place are what is left after its own. */}}
{{ $shown := $pager.Pages }}
{{ $commune := where (where $shown "Params.everywhere" true) "Params.urgent" false }}
{{ $own := first (sub (len $shown) (len $commune)) $shown }}
{{ if or $own (not $commune) }}
{{ partial "notices.html" (dict "pages" $own
  "empty" "Hiện chưa có thông báo riêng cho địa điểm này.") }}
{{ end }}
{{ with $commune }}<h3 id="chung">Thông báo chung cho mọi địa điểm</h3>
{{ partial "notices.html" (dict "pages" . "empty" "") }}{{ end }}
{{ partial "pager.html" $pager }}
</section>
<section><h2>Thông tin địa điểm</h2><div class="body">{{ .Content }}</div>
{{ with .Params.contact }}
<p>Liên hệ: {{ .name }} · <a href="tel:{{ replace .phone " " "" }}">{{ .phone }}</a></p>
{{ end }}
{{ with .Params.lat }}<p class="meta">Toạ độ: {{ . }}, {{ $.Params.lon }}</p>{{ end }}
</section>
{{ end }}
{{ define "qr" }}{{ partial "qr.html" (.Paginator.URL | absURL) }}{{ end }}
""",
    # A topic: a term of the tags taxonomy.
    "tags/term.html": """\
{{ define "main" }}
{{ $pager := .Paginate (partialCached "tag-notices.html" . .Path) }}
<h1>Chủ đề: {{ .Title }}{{ partial "page-number.html" $pager }}</h1>
{{ partial "notices.html" (dict "pages" $pager.Pages
  "empty" "Hiện không có thông báo còn hiệu lực trong chủ đề này.") }}
{{ partial "pager.html" $pager }}
<p class="more"><a href="{{ "luu-tru/" | relURL }}">Xem các thông báo đã hết hiệu lực</a></p>
{{ end }}
{{ define "qr" }}{{ partial "qr.html" (.Paginator.URL | absURL) }}{{ end }}
""",
    # No QR code on the 404 page, as in bangtin; an empty define would not override.
    "404.html": """\
{{ define "main" }}
<h1>Không tìm thấy trang</h1><p><a href="{{ "/" | relURL }}">Về trang chủ</a></p>
{{ end }}
{{ define "qr" }}{{ "" }}{{ end }}
""",
    "robots.txt": """\
User-agent: *
Allow: /

Sitemap: {{ "sitemap.xml" | absURL }}
""",
    "home.rss.xml": """\
{{- $c := partialCached "current.html" . "current" -}}
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="vi">
<title>{{ site.Title }}</title>
<id>{{ site.BaseURL }}</id>
<link rel="self" href="{{ "feed.xml" | absURL }}"/>
{{- range first 50 $c.current }}
<entry><title>{{ .Title }}</title><id>{{ .Permalink }}</id>
<link rel="alternate" href="{{ .Permalink }}"/>
<updated>{{ .Date.Format "2006-01-02T15:04:05-07:00" }}</updated>
<summary>{{ .Summary | plainify }}</summary>
<content type="html">{{ .Content | html }}</content></entry>
{{- end }}
</feed>
""",
    "_partials/ordered.html": """\
{{- /* Notices in bangtin's order: urgent first, then pinned, then newest, then by slug.
  Sorting by path, then stably by date, puts notices of the same moment by slug (their
  file names start with the same day). */ -}}
{{ $byDate := sort (sort . "Path") "Date" "desc" }}
{{ $list := where $byDate "Params.pinned" true }}
{{ $list = $list | append (where $byDate "Params.pinned" false) }}
{{ $list = (where $list "Params.urgent" true) | append (where $list "Params.urgent" false) }}
{{ return $list }}
""",
    "_partials/current.html": """\
{{- /* Once a build: "now" (--clock) in site time, as the notices' `until` is written;
  the notices in effect now in display order, and the parts of them that pages share;
  the expired ones, newest first. */ -}}
{{ $now := (time.In site.Params.timeZone now).Format "2006-01-02T15:04" }}
{{ $notices := (site.GetPage "/n").RegularPages }}
{{ $current := partial "ordered.html" (where $notices "Params.until" "gt" $now) }}
{{ $urgent := where $current "Params.urgent" true }}
{{ $calm := where $current "Params.urgent" false }}
{{ $expired := where $notices "Params.until" "le" $now }}
{{ return dict
  "now" $now
  "current" $current
  "urgent" $urgent
  "urgentEverywhere" (where $urgent "Params.everywhere" true)
  "commune" (where $calm "Params.everywhere" true)
  "top" ($urgent | append (where $calm "Params.pinned" true))
  "rest" (where $calm "Params.pinned" false)
  "expired" (sort (sort $expired "Path") "Date" "desc")
}}
""",
    "_partials/place-notices.html": """\
{{- /* Once a place (cached by its path for each page of its list): its current notices
  as its page lists them, the urgent ones (its own and every place's), then its own, then
  every place's, each part in order; and the banners it shows, the urgent ones. */ -}}
{{ $c := partialCached "current.html" . "current" }}
{{ $own := where .Pages "Params.until" "gt" $c.now }}
{{ $own = partial "ordered.html" ($own | append $c.urgentEverywhere) }}
{{ return dict "notices" ($own | append $c.commune) "banners" (where $own "Params.urgent" true) }}
""",
    "_partials/tag-notices.html": """\
{{- /* Once a topic: its current notices, from its taxonomy term, in order. */ -}}
{{ $now := (partialCached "current.html" . "current").now }}
{{ return partial "ordered.html" (where .Pages "Params.until" "gt" $now) }}
""",
    "_partials/places.html": """\
{{- /* Once a build: every place, in bangtin's order (the terms' weights). */ -}}
{{ return (site.GetPage "/locations").Pages.ByWeight }}
""",
    "_partials/notices.html": """\
{{- /* "expired": the archive's list, where no notice is marked urgent or pinned. */ -}}
{{ $expired := .expired }}
{{ with .pages }}<ul class="notices">
{{ range . }}
{{ $mark := "" }}
{{ if $expired }}{{ else if .Params.urgent }}{{ $mark = "urgent" }}
{{- else if .Params.pinned }}{{ $mark = "pinned" }}{{ end }}
<li class="notice{{ with $mark }} {{ . }}{{ end }}"><a href="{{ .RelPermalink }}">
{{ if eq $mark "urgent" }}<span class="badge">Khẩn</span> {{ else if eq $mark "pinned" -}}
<span class="pin">Ghim</span> {{ end }}
<span class="title">{{ .Title }}</span></a>
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">
{{ .Date.Format "02/01/2006" }}</time>
{{ with .Params.expires -}}
 · {{ partial "until.html" (dict "expires" . "ended" $expired) }}{{ end }}</p>
<p class="summary">{{ .Summary | plainify | truncate 160 }}</p></li>
{{ end }}
</ul>{{ else }}<p class="empty">{{ .empty }}</p>{{ end }}
""",
    "_partials/banners.html": """\
{{- /* Rendered once a scope (partialCached by the caller): the banners of urgent notices. */ -}}
{{ with . }}<aside class="alerts" aria-label="Cảnh báo khẩn">
{{ range . }}
<p class="alert"><strong class="flag">Khẩn</strong> <a href="{{ .RelPermalink }}">{{ .Title }}</a>
<span class="when">Từ <time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">
{{- partial "when.html" .Date }}</time>
{{- with .Params.expires }} · {{ partial "until.html" (dict "expires" .) }}{{ end }}</span></p>
{{ end }}
</aside>{{ end }}
""",
    "_partials/notice-banners.html": """\
{{- /* Once for each set of places notices name ("*": every place), and once for each
  urgent notice: the banners of the current urgent notices that concern such a notice,
  those for every place and, if it names places, those naming one of them; not its own. */ -}}
{{ $here := . }}
{{ $shown := slice }}
{{ range (partialCached "current.html" . "current").urgent }}
{{ if and (ne .RelPermalink $here.RelPermalink) (or .Params.everywhere
  (and (not $here.Params.everywhere) (intersect .Params.locations $here.Params.locations))) }}
{{ $shown = $shown | append . }}
{{ end }}
{{ end }}
{{ partial "banners.html" $shown }}
""",
    "_partials/when.html": """\
{{- /* A notice's date as bangtin writes it: with the time of day if it has one. */ -}}
{{ if and (eq .Hour 0) (eq .Minute 0) }}{{ .Format "02/01/2006" }}
{{- else }}{{ .Format "15:04 02/01/2006" }}{{ end -}}
""",
    "_partials/until.html": """\
{{- /* `expires` as bangtin shows it: a time ("hết hiệu lực lúc 18:00 ngày 28/11/2026")
  or a day ("có hiệu lực đến hết ngày 30/11/2026"); "start": at the start of a line;
  "ended": in the archive ("đã hết hiệu lực lúc 09:00 ngày 28/11/2026", "... sau ngày"). */ -}}
{{ $end := time.AsTime .expires -}}
{{ if .ended -}}
đã hết hiệu lực {{ if gt (len .expires) 10 }}lúc <time datetime="{{ .expires }}">
{{- $end.Format "15:04" }} ngày {{ $end.Format "02/01/2006" }}</time>
{{- else }}sau ngày <time datetime="{{ .expires }}">{{ $end.Format "02/01/2006" }}</time>{{ end }}
{{- else if gt (len .expires) 10 -}}
{{ if .start }}Hết{{ else }}hết{{ end }} hiệu lực lúc <time datetime="{{ .expires }}">
{{- $end.Format "15:04" }} ngày {{ $end.Format "02/01/2006" }}</time>
{{- else -}}
{{ if .start }}Có{{ else }}có{{ end }} hiệu lực đến hết ngày <time datetime="{{ .expires }}">
{{- $end.Format "02/01/2006" }}</time>
{{- end -}}
""",
    "_partials/page-number.html": """\
{{ if gt .PageNumber 1 }} (trang {{ .PageNumber }}){{ end -}}
""",
    "_partials/pager.html": """\
{{ if gt .TotalPages 1 }}<nav class="pager">
{{ with .Prev }}<a href="{{ .URL }}" rel="prev">← Trang trước</a>{{ end }}
<span>Trang {{ .PageNumber }}/{{ .TotalPages }}</span>
{{ with .Next }}<a href="{{ .URL }}" rel="next">Trang sau →</a>{{ end }}
</nav>{{ end }}
""",
    # The context is the absolute URL the code holds.
    "_partials/qr.html": """\
{{ $qr := images.QR . """
    + QR_OPTIONS
    + """ }}
<figure class="qr">
<img src="{{ $qr.RelPermalink }}" width="160" height="160" alt="Mã QR dẫn đến trang này: {{ . }}">
<figcaption>Mã QR của trang này<br><span class="url">{{ . }}</span></figcaption></figure>
""",
    "_partials/head.html": """\
{{ with resources.Get "style.css" | fingerprint }}
<link rel="stylesheet" href="{{ .RelPermalink }}">
{{ end }}
<link rel="alternate" type="application/atom+xml" href="{{ "feed.xml" | relURL }}">
""",
    "_partials/footer.html": """\
<footer class="site"><nav><ul><li><a href="{{ "/" | relURL }}">Trang chủ</a></li>
{{ range (site.GetPage "/p").RegularPages.ByWeight }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}
<li><a href="{{ "tat-ca/" | relURL }}">Tất cả thông báo</a></li>
<li><a href="{{ "luu-tru/" | relURL }}">Thông báo cũ</a></li></ul></nav>
<p class="contact">{{ site.Params.contactName }}<br>Điện thoại: {{ site.Params.contactPhone }}
<br>Thư điện tử: {{ site.Params.contactEmail }}</p>
<p class="official">Trang chính thức: <strong>{{ site.BaseURL }}</strong> ·
<a href="{{ "verify/" | relURL }}">Kiểm tra bảng QR thật</a></p>
</footer>
""",
}

STYLE = """\
body { font: 1.0625rem/1.5 system-ui, sans-serif; max-width: 40rem; margin: 0 auto; }
a { color: #0b3d91; } .meta { color: #444; } .badge { color: #a00; font-weight: bold; }
.notices { list-style: none; padding: 0; } .notices li { border-bottom: 1px solid #ccc; }
.qr img { image-rendering: pixelated; } .expired { background: #fee; padding: .5rem; }
.alerts { background: #a00; color: #fff; padding: .5rem; } .alerts a { color: #fff; }
.pin { color: #0b3d91; font-weight: bold; }
"""


def write_layouts(out: Path) -> None:
    for name, text in LAYOUTS.items():
        path = out / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    (out / "assets").mkdir()
    (out / "assets" / "style.css").write_text(STYLE, "utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python benchmarks/hugo_site.py CORPUS_ROOT OUT")
    print(make_hugo_site(Path(sys.argv[1]), Path(sys.argv[2])))
