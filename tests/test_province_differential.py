"""Update builds of a province equal clean builds, byte for byte, after random edits.

A small province (three communes from ``benchmarks.corpus``, shared notices, a hub; the
benchmark's ``write_province``) gets a seeded random sequence of edits: a commune
notice's title or body changed, a commune notice added or removed, a shared notice
edited, added, removed or made urgent, a site's title changed, nothing touched.  After
each, ``bangtin build`` in the province's folder (the previous output and cache kept)
must give the same files, with the same bytes, as a build of a copy of the same tree
from nothing (no output, a new cache folder): every site, the hub and the server
configuration beside the output.  An edit of one commune must rebuild that commune only,
and every edit but "nothing" must change the output (or the test would prove nothing).
The single-site harness is tests/differential.py; ``BANGTIN_PROVINCE_SEED`` picks
another sequence.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.province import shared_notices, write_province
from tests.conftest import EPOCH, ROOT, tree_bytes
from tests.differential import q

SEED = int(os.environ.get("BANGTIN_PROVINCE_SEED", "21"))
STEPS = 12
OUTPUTS = ("output", "output.nginx")  # what a province build writes in its folder
BUILT = re.compile(r"^(\S+): Built ", re.M)


@dataclass(frozen=True)
class Build:
    files: dict[str, bytes]  # "output/<path>" and "output.nginx/<path>" -> bytes
    built: frozenset[str]  # the sites the build reported as built


def bangtin_build(province: Path, cache: Path, pycache: Path) -> Build:
    """``bangtin build`` in ``province``, as an editor runs it."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPYCACHEPREFIX": str(pycache)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # each build is a new process: keep bytecode
    cmd = [sys.executable, "-m", "generator", "build", "--lang", "en", "--cache-dir", str(cache)]
    done = subprocess.run(cmd, cwd=province, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"exit {done.returncode}:\n{done.stdout}\n{done.stderr}"
    files = {
        f"{name}/{path}": data
        for name in OUTPUTS
        if (province / name).is_dir()
        for path, data in tree_bytes(province / name).items()
    }
    return Build(files, frozenset(BUILT.findall(done.stdout)))


def differences(update: dict[str, bytes], clean: dict[str, bytes]) -> list[str]:
    return sorted(p for p in update.keys() | clean.keys() if update.get(p) != clean.get(p))


def set_title(path: Path, title: str) -> None:
    """The ``title:`` line of ``path`` (front matter or site.yml), replaced."""
    text = re.sub(r"^title: .*$", f"title: {title}", path.read_text("utf-8"), count=1, flags=re.M)
    path.write_text(text, "utf-8")


class Edits:
    """The edits, on the files of a province's working copy; each returns the site it
    alone concerns (None: every site, or none)."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        self.counter = 0
        self.sites = sorted(p.name for p in (root / "sites").iterdir())

    def notices(self, site: str) -> Path:
        return self.root / "sites" / site / "content" / "notices"

    @property
    def shared(self) -> Path:
        return self.root / "shared" / "notices"

    def published(self, folder: Path, site: str | None = None) -> list[Path]:
        """Notices of ``folder`` with a page on ``site`` (any site for shared ones): an
        edit of a draft or future notice would change nothing to compare."""
        pages = self.root / "output" / (site or self.sites[0]) / "n"
        found = []
        for path in sorted(folder.glob("*.md")):
            slug = re.sub(r"^\d{4}-\d\d-\d\d-", "", path.stem)
            if (pages / slug / "index.html").is_file():
                found.append(path)
        return found

    def pick_site(self) -> str:
        return self.rng.choice(self.sites)

    def new(self) -> int:
        self.counter += 1
        return self.counter

    def commune_title(self) -> str:
        site = self.pick_site()
        path = self.rng.choice(self.published(self.notices(site), site))
        title = q(f"Thông báo đã sửa tiêu đề lần {self.new()}")
        set_title(path, title)
        return site

    def commune_body(self) -> str:
        site = self.pick_site()
        path = self.rng.choice(self.published(self.notices(site), site))
        extra = f"\n\nBổ sung lần {self.new()}: bà con theo dõi bảng tin.\n"
        path.write_text(path.read_text("utf-8").rstrip("\n") + extra, "utf-8")
        return site

    def commune_add(self) -> str:
        site = self.pick_site()
        n = self.new()
        places = sorted(p.stem for p in (self.notices(site).parent / "locations").glob("*.yml"))
        where = "all" if self.rng.random() < 0.5 else f"[{self.rng.choice(places)}]"
        text = (
            f"---\ntitle: {q(f'Họp dân thôn {n}')}\ndate: 2026-11-27\nlocations: {where}\n"
            f"tags: [{q('họp thôn')}]\n---\nMời bà con dự họp lúc 19 giờ, lần {n}.\n"
        )
        (self.notices(site) / f"2026-11-27-hop-dan-moi-{n}.md").write_text(text, "utf-8")
        return site

    def commune_remove(self) -> str:
        """Remove a published notice that no other file links to (a link to a removed
        notice is an error, rightly: not the subject here)."""
        site = self.pick_site()
        content = self.notices(site).parent
        texts = [p.read_text("utf-8") for p in sorted(content.rglob("*")) if p.is_file()]
        free = [
            p
            for p in self.published(self.notices(site), site)
            if not any(f"]({p.name})" in t or f"/{p.name})" in t for t in texts)
        ]
        self.rng.choice(free).unlink()
        return site

    def shared_edit(self) -> None:
        path = self.rng.choice(self.published(self.shared))
        n = self.new()
        if self.rng.random() < 0.5:
            extra = f"\n\nCập nhật lần {n}: áp dụng trên toàn tỉnh.\n"
            path.write_text(path.read_text("utf-8").rstrip("\n") + extra, "utf-8")
        else:
            title = q(f"Thông báo của tỉnh, sửa lần {n}")
            set_title(path, title)

    def shared_add(self) -> None:
        n = self.new()
        text = (
            f"---\ntitle: {q(f'Thông báo mới của tỉnh số {n}')}\ndate: 2026-11-27T10:00\n"
            f"issuer: {q('UBND tỉnh Thanh Hóa')}\ntags: [{q('dịch vụ công')}]\n---\n"
            f"Nội dung thông báo số {n} gửi bà con toàn tỉnh.\n"
        )
        (self.shared / f"2026-11-27-thong-bao-tinh-{n}.md").write_text(text, "utf-8")

    def shared_remove(self) -> None:
        self.rng.choice(self.published(self.shared)).unlink()

    def shared_urgent(self) -> None:
        """Make a current shared notice urgent, until 18:00 the day after tomorrow."""
        current = [
            p
            for p in self.published(self.shared)
            if "urgent: true" not in (t := p.read_text("utf-8"))
            and not re.search(r"^expires: 2026-(0|10|11-([01]|2[0-7]))", t, re.M)
        ]
        path = self.rng.choice(current)
        text = re.sub(r"^expires: .*\n", "", path.read_text("utf-8"), flags=re.M)
        urgent = r"\1\nexpires: 2026-11-30T18:00\nurgent: true"
        text = re.sub(r"^(date: .*)$", urgent, text, count=1, flags=re.M)
        path.write_text(text, "utf-8")

    def site_title(self) -> str:
        site = self.pick_site()
        path = self.root / "sites" / site / "content" / "site.yml"
        title = q(f"Bảng tin xã, tên mới lần {self.new()}")
        set_title(path, title)
        return site

    def nothing(self) -> None:
        pass

    def all(self) -> dict[str, Callable[[], str | None]]:
        return {
            "commune_title": self.commune_title,
            "commune_body": self.commune_body,
            "commune_add": self.commune_add,
            "commune_remove": self.commune_remove,
            "shared_edit": self.shared_edit,
            "shared_add": self.shared_add,
            "shared_remove": self.shared_remove,
            "shared_urgent": self.shared_urgent,
            "site_title": self.site_title,
            "nothing": self.nothing,
        }


def test_update_builds_of_a_province_equal_clean_builds(tmp_path: Path) -> None:
    work, clean, pycache = tmp_path / "work", tmp_path / "clean", tmp_path / "pycache"
    cache = tmp_path / "cache"
    write_province(work, communes=3, notices=20, places=5, shared=4, seed=SEED)
    assert len(shared_notices(4)) == len(list((work / "shared" / "notices").glob("*.md")))
    rng = random.Random(SEED)
    edits = Edits(work, rng)
    kinds = list(edits.all())
    plan = kinds + rng.sample(kinds, STEPS - len(kinds))  # every kind once, then some twice
    rng.shuffle(plan)
    previous = bangtin_build(work, cache, pycache)
    assert previous.built == set(edits.sites)
    done: list[str] = []
    for kind in plan:
        only = edits.all()[kind]()
        done.append(kind if only is None else f"{kind}({only})")
        update = bangtin_build(work, cache, pycache)
        shutil.rmtree(clean, ignore_errors=True)
        shutil.copytree(work, clean, ignore=shutil.ignore_patterns(*OUTPUTS))
        fresh = bangtin_build(clean, tmp_path / f"cache-clean-{len(done)}", pycache)
        differ = differences(update.files, fresh.files)
        assert not differ, f"after {' -> '.join(done)}: {len(differ)} files differ: {differ[:10]}"
        if kind == "nothing":
            assert update.files == previous.files and not update.built, done
        else:
            assert update.files != previous.files, f"{' -> '.join(done)} changed nothing"
        if only is not None:
            assert update.built == {only}, f"{' -> '.join(done)} rebuilt {sorted(update.built)}"
        previous = update
