"""A province (bangtin.yml): every site built into output/<id>/, the hub, --site, and a
site's failure kept to that site; through the real command line."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from generator.inputs.scan import Seen
from tests.conftest import notice, run_cli, tree_bytes

PROVINCE = """\
sites:
  dinh-hung: sites/dinh-hung/content
  dinh-tan: sites/dinh-tan/content
shared: shared
hub:
  base_url: https://bangtin.thanhhoa.example/
  title: Bảng tin các xã tỉnh Thanh Hóa
"""


def site_yml(title: str, site_id: str) -> str:
    return f"title: {title}\nbase_url: https://bangtin.thanhhoa.example/{site_id}/\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def province(tmp_path: Path) -> Path:
    root = tmp_path / "tinh"
    write(
        root,
        {
            "bangtin.yml": PROVINCE,
            "sites/dinh-hung/content/site.yml": site_yml("Bảng tin xã Định Hưng", "dinh-hung"),
            "sites/dinh-hung/content/locations/cho.yml": "name: Chợ Định Hưng\n",
            "sites/dinh-hung/content/notices/hop.md": notice("Họp dân thôn 1", "2026-11-20"),
            "sites/dinh-tan/content/site.yml": site_yml("Bảng tin xã Định Tân", "dinh-tan"),
            "sites/dinh-tan/content/locations/tram-y-te.yml": "name: Trạm y tế xã\n",
            "sites/dinh-tan/content/notices/tiem.md": notice("Lịch tiêm chủng", "2026-11-21"),
            "shared/notices/lua-dao.md": notice("Cảnh báo lừa đảo qua mạng", "2026-11-22"),
        },
    )
    return root


def test_every_site_and_the_hub(province: Path) -> None:
    result = run_cli("build", cwd=province)
    assert result.returncode == 0, result.stderr
    out = province / "output"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "assets",
        "dinh-hung",
        "dinh-tan",
        "index.html",
        "qr.png",
        "qr.svg",
    ]
    for site_id, own in (("dinh-hung", "hop"), ("dinh-tan", "tiem")):
        assert (out / site_id / "n" / own / "index.html").is_file()
        shared = (out / site_id / "n" / "lua-dao" / "index.html").read_text("utf-8")
        assert "Cảnh báo lừa đảo qua mạng" in shared
        assert f"https://bangtin.thanhhoa.example/{site_id}/n/lua-dao/" in shared
        assert f"{site_id}: Built " in result.stdout
        # the nginx snippets are beside the province's output, never published in it
        assert (province / "output.nginx" / site_id / "nginx-security.conf").is_file()
    assert not (out / "dinh-hung" / "n" / "tiem").exists()  # each site its own notices
    hub = (out / "index.html").read_text("utf-8")
    assert '<html lang="vi">' in hub
    assert "Bảng tin các xã tỉnh Thanh Hóa" in hub
    assert hub.index("Bảng tin xã Định Hưng") < hub.index("Bảng tin xã Định Tân")
    assert 'href="dinh-tan/"' in hub  # under the hub's address: a relative link
    codes = zxingcpp.read_barcodes(Image.open(out / "qr.png"))
    assert [c.text for c in codes] == ["https://bangtin.thanhhoa.example/"]
    stylesheet = [p for p in (out / "assets").iterdir()]
    assert len(stylesheet) == 1 and f'href="assets/{stylesheet[0].name}"' in hub


def test_nothing_to_do_is_said_per_site(province: Path) -> None:
    assert run_cli("build", cwd=province).returncode == 0
    before = tree_bytes(province / "output")
    again = run_cli("build", cwd=province)
    assert again.returncode == 0, again.stderr
    assert "dinh-hung: nothing changed since the last build." in again.stdout
    assert "dinh-tan: nothing changed since the last build." in again.stdout
    assert tree_bytes(province / "output") == before


def test_one_site(province: Path) -> None:
    result = run_cli("build", "--site", "dinh-tan", cwd=province)
    assert result.returncode == 0, result.stderr
    out = province / "output"
    assert (out / "dinh-tan" / "index.html").is_file()
    assert not (out / "dinh-hung").exists()
    assert not (out / "index.html").exists()  # the hub lists every site: built with all


def test_unknown_site_names_the_sites(province: Path) -> None:
    result = run_cli("build", "--site", "dinh-hoa", cwd=province)
    assert result.returncode == 2
    assert "bangtin.yml has no site `dinh-hoa`; its sites: dinh-hung, dinh-tan" in result.stderr
    assert "Traceback" not in result.stderr


def test_site_option_needs_a_province(tmp_path: Path) -> None:
    write(tmp_path, {"content/site.yml": site_yml("Xã", "xa")})
    result = run_cli("build", "--site", "xa", cwd=tmp_path)
    assert result.returncode == 2
    assert "--site works in a province" in result.stderr


def test_a_site_with_an_error_is_left_as_it_was(province: Path) -> None:
    assert run_cli("build", cwd=province).returncode == 0
    broken = province / "output" / "dinh-tan"
    before = tree_bytes(broken)
    write(
        province,
        {
            "sites/dinh-tan/content/notices/tiem.md": notice("Lịch tiêm", "2026-13-40"),
            "sites/dinh-hung/content/notices/hop.md": notice("Họp dân thôn 2", "2026-11-20"),
        },
    )
    result = run_cli("build", cwd=province)
    assert result.returncode == 1
    assert "Site dinh-tan:" in result.stderr
    assert "sites/dinh-tan/content/notices/tiem.md:3:7: error: `date` is not a real date" in (
        result.stderr
    )
    assert "1 site of 2 failed: dinh-tan" in result.stderr
    assert tree_bytes(broken) == before  # exactly as it was
    hung = (province / "output" / "dinh-hung" / "n" / "hop" / "index.html").read_text("utf-8")
    assert "Họp dân thôn 2" in hung  # the other commune's news still goes out


def test_check_a_province(province: Path) -> None:
    result = run_cli("check", cwd=province)
    assert result.returncode == 0, result.stderr
    assert "dinh-hung: Checked " in result.stdout and "dinh-tan: Checked " in result.stdout
    assert not (province / "output").exists()
    write(province, {"sites/dinh-hung/content/notices/hop.md": "---\ntitle: Họp\n---\n"})
    failed = run_cli("check", "--site", "dinh-hung", cwd=province)
    assert failed.returncode == 1
    assert "sites/dinh-hung/content/notices/hop.md" in failed.stderr
    assert "missing required key `date`" in failed.stderr


def test_a_single_sites_output_is_not_taken_over(province: Path) -> None:
    write(province, {"content/site.yml": site_yml("Xã", "xa")})
    assert run_cli("build", "--content", "content", cwd=province).returncode == 0
    result = run_cli("build", cwd=province)
    assert result.returncode == 2
    assert "holds the build of a single site, not a province's" in result.stderr
    assert not (province / "output" / "dinh-hung").exists()


def test_foreign_files_stop_the_build(province: Path) -> None:
    write(province, {"output/thesis.docx": "mine"})
    result = run_cli("build", cwd=province)
    assert result.returncode == 2
    assert "holds files bangtin did not write: thesis.docx" in result.stderr
    assert (province / "output" / "thesis.docx").read_text() == "mine"
    assert not (province / "output" / "dinh-hung").exists()


def test_the_hub_record_is_not_trusted(province: Path) -> None:
    assert run_cli("build", cwd=province).returncode == 0
    hub = province / "output" / "index.html"
    clean = hub.read_bytes()
    hub.write_text("defaced", encoding="utf-8")  # its status is no longer the recorded one
    result = run_cli("build", cwd=province)
    assert result.returncode == 0, result.stderr
    assert hub.read_bytes() == clean
    # a record that is not bangtin's: nothing in output/ is taken as the hub's
    marker = province / "output" / ".bangtin-hub"
    marker.write_text("bangtin hub 2\nkey\n../../etc/passwd\t1:2:3:4\n", encoding="utf-8")
    hub.write_text("defaced", encoding="utf-8")
    refused = run_cli("build", cwd=province)
    assert refused.returncode == 2
    assert "holds files bangtin did not write: assets, index.html, qr.png, qr.svg" in (
        refused.stderr
    )
    assert hub.read_text("utf-8") == "defaced"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sites:\n  Dinh Hung: sites/dinh-hung/content\n", "bangtin.yml:2:3: error: site id"),
        ("sites:\n  dinh-hung: sites/khong-co\n", "bangtin.yml:2:14: error: there is no folder"),
        ("sites:\n  dinh-hung: ../ngoai\n", "bangtin.yml:2:14: error: `../ngoai` must be"),
        ("site:\n  dinh-hung: sites/dinh-hung/content\n", "bangtin.yml:1:1: error: unknown key"),
        (
            "sites:\n  dinh-hung: sites/dinh-hung/content\nhub:\n  title: Tỉnh\n",
            "bangtin.yml:4:3: error: missing required key `base_url`",
        ),
    ],
)
def test_bangtin_yml_errors(province: Path, text: str, expected: str) -> None:
    (province / "bangtin.yml").write_text(text, encoding="utf-8")
    result = run_cli("build", cwd=province)
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not (province / "output").exists()


def test_a_site_on_its_own_domain_is_linked_whole(province: Path) -> None:
    write(
        province,
        {"sites/dinh-tan/content/site.yml": "title: Xã Định Tân\nbase_url: https://dinhtan.vn/\n"},
    )
    result = run_cli("build", cwd=province)
    assert result.returncode == 0, result.stderr
    hub = (province / "output" / "index.html").read_text("utf-8")
    assert 'href="https://dinhtan.vn/">Xã Định Tân</a>' in hub
    assert 'href="dinh-hung/">' in hub


def sites_to_ask(
    province: Path, monkeypatch: pytest.MonkeyPatch, changed: str, times: int
) -> tuple[list[Any], list[Any]]:
    """The province built, then one notice added to site ``changed``; its sites listed
    ``times`` over, as `bangtin build` there asks them (its folder the current one),
    and their answers asked one at a time."""
    from generator import api
    from generator.province import build as province_build
    from generator.province.config import load_province

    assert run_cli("build", cwd=province).returncode == 0
    write(province, {f"sites/{changed}/content/notices/moi.md": notice("Tin mới", "2026-11-25")})
    loaded = load_province(province)
    monkeypatch.chdir(province)
    options = api.Options(province, output=Path("output"))
    sites = [province_build.site_options(loaded, m, options) for m in loaded.sites] * times
    serial = [api.unchanged(site) for site in sites]
    ids = [m.id for m in loaded.sites] * times
    assert [answer is None for answer in serial] == [i == changed for i in ids]
    return sites, serial


def test_many_sites_are_asked_by_this_process_and_a_worker(
    province: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether each site has anything to do is asked by this process, from the first
    site, and a worker process, from the last: the answers are those of asking each in
    turn, in the sites' order."""
    import time

    from generator import api
    from generator.province import build as province_build

    sites, serial = sites_to_ask(province, monkeypatch, "dinh-hung", 20)
    asked_here: list[int] = []
    real_ask = province_build._ask

    def ask_here(chunk: list[api.Options], seen: Seen | None = None) -> list[province_build.Answer]:
        asked_here.append(len(chunk))
        time.sleep(0.04)  # so that a spawned worker, up in ~0.5 s, is left some sites
        return real_ask(chunk, seen)

    monkeypatch.setattr(province_build, "_ask", ask_here)  # this process only (spawn)
    monkeypatch.setenv("BANGTIN_CORES", "2")
    assert province_build.unchanged_sites(sites) == serial  # forked, if no other thread
    assert 0 < sum(asked_here) < len(sites)  # the worker asked the others
    asked_here.clear()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # another thread: spawned, never forked
    other.start()
    try:
        assert province_build.unchanged_sites(sites) == serial
    finally:
        stop.set()
        other.join()
    assert 0 < sum(asked_here) < len(sites)
    monkeypatch.setenv("BANGTIN_CORES", "1")
    asked_here.clear()
    assert province_build.unchanged_sites(sites) == serial
    assert sum(asked_here) == len(sites)  # one core: all here


def test_sites_a_check_worker_leaves_unanswered_are_asked_here(
    province: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forked check worker that fails part-way (here: at its third site) gives back
    the answers it has; this process asks the rest, and the answers are still those of
    asking each site in turn."""
    import os
    import time

    from generator import api
    from generator.province import build as province_build

    sites, serial = sites_to_ask(province, monkeypatch, "dinh-tan", 20)
    here = os.getpid()
    asked_here: list[int] = []
    asked_there = [0]  # (in the worker, its own copy)
    real_ask = province_build._ask

    def ask(chunk: list[api.Options], seen: Seen | None = None) -> list[province_build.Answer]:
        if os.getpid() == here:
            asked_here.append(len(chunk))
            time.sleep(0.01)  # the worker takes its three sites meanwhile
        else:
            asked_there[0] += 1
            if asked_there[0] == 3:
                raise RuntimeError("the worker fails")
        return real_ask(chunk, seen)

    monkeypatch.setattr(province_build, "_ask", ask)
    monkeypatch.setenv("BANGTIN_CORES", "2")
    assert threading.active_count() == 1  # so the worker is forked, and fails as above
    assert province_build.unchanged_sites(sites) == serial
    # the worker answered two sites; this process the others, the failed one included
    assert sum(asked_here) == len(sites) - 2


def test_warnings_cross_between_processes_unchanged() -> None:
    """A site's warnings come back from a check worker pickled (``__reduce__``): every
    field survives, nested messages and plural forms included."""
    import pickle

    from generator.errors import ContentError, Position
    from generator.i18n import _, n_

    inner = n_("{n} board", "{n} boards", 3, n=3)
    warnings = (
        ContentError(
            Position(Path("sites/a/content/site.yml"), 4, 7),
            _("`{key}`: {why}", key="base_url", why=inner),
            _("e.g. {url}", url="https://dinhhung.vn/"),
            "base_url: https://bangtin.example/",
            "warning",
        ),
        ContentError(Position(Path("notices/x.md")), _("plain")),
    )
    back = pickle.loads(pickle.dumps(warnings))
    assert back == warnings
    assert isinstance(back[0].pos.path, Path) and back[0].message.args[1][1] == inner
    assert back[1].hint is None and back[1].severity == "error"


def test_without_a_memory_file_or_a_fork_the_sites_are_still_all_answered(
    province: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where no memory file can be made (``os.memfd_create`` refused), the check worker
    is spawned; where no process can be forked, every site is asked here: the answers
    are those of asking each site in turn either way."""
    import os

    from generator.province import build as province_build

    sites, serial = sites_to_ask(province, monkeypatch, "dinh-hung", 10)
    monkeypatch.setenv("BANGTIN_CORES", "2")
    ways: list[str] = []
    real_spawn = province_build._with_spawn

    def spawn(*args: Any) -> dict[int, province_build.Answer]:
        ways.append("spawn")
        return real_spawn(*args)

    refusals: list[str] = []

    def refused(*args: Any) -> Any:
        refusals.append(str(args[0]) if args else "fork")
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(province_build, "_with_spawn", spawn)
    with monkeypatch.context() as patch:
        patch.setattr(os, "memfd_create", refused)
        assert province_build.unchanged_sites(sites) == serial
    assert ways == ["spawn"] and refusals == ["bangtin-sites"]  # memfd_create's name
    with monkeypatch.context() as patch:
        patch.setattr(os, "fork", refused)
        assert province_build.unchanged_sites(sites) == serial
    assert refusals == ["bangtin-sites", "fork"]  # the fork was tried, and refused,
    assert ways == ["spawn"]  # and nothing spawned: every site was asked here


def test_the_province_benchmark_judges_every_no_op_and_the_edits() -> None:
    """``benchmarks.province.targets``: the first no-op after each cold build is judged
    as well as the later ones (1 s each), the commune edit against the commune alone
    (cold and warm), the 2 cores build against the 1 core one (1.6x)."""
    from benchmarks.bench import Sample
    from benchmarks.province import Row, targets

    def row(name: str, *seconds: float) -> Row:
        return Row(name, [Sample(s, s, 1, None) for s in seconds])

    found = targets(
        [
            row("that commune alone, cold", 3.0, 3.2, 3.4),
            row("that commune alone, warm", 2.0, 2.1, 2.2),
            row("cold, 1 core (taskset -c 0)", 280, 282),
            row("cold, 2 cores (taskset -c 0,1)", 160, 162),
            row("no-op, first after a cold build", 1.6),
            row("no-op", 0.9, 0.95, 1.2),
            row("commune edit (1 notice)", 2.0, 2.15, 2.3),
        ]
    )
    assert found == {
        "no-op, first after a cold build": ("<= 1 s", "NO"),
        "no-op": ("<= 1 s", "yes"),
        "commune edit (1 notice)": (
            "<= that commune alone: cold 3.20 s / warm 2.10 s",
            "yes / NO",
        ),
        "cold, 2 cores (taskset -c 0,1)": (">= 1.6x faster than 1 core: 1.75x", "yes"),
    }
    failed = row("no-op", 0.5)
    failed.error = "build failed"
    assert targets([failed]) == {}  # a failed scenario is not judged
