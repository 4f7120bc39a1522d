"""``bangtin changed-sites`` against real git repositories, and ``bangtin init --province``:
what it writes checks and builds, and its pull-request job checks the sites a change
touches (its shell script run for real, against a real repository).

The workflow's text is audited with the single site's in tests/test_workflow.py.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import workflow
from generator.inputs.content import PLACEHOLDER
from generator.province.changes import Layout, touched
from generator.scaffold import PROVINCE_SITES, init_province
from tests.conftest import Built, run_cli

DAY = dt.date(2026, 11, 28)  # SOURCE_DATE_EPOCH of the tests, in Asia/Ho_Chi_Minh
WELCOME = "notices/2026-11-28-chao-mung-den-bang-tin-dien-tu.md"
SHARED = "shared/notices/2026-11-28-canh-bao-lua-dao-gia-danh-cong-an-goi-dien.md"
BOTH = ["xa-mot", "xa-hai"]  # bangtin.yml's order (not the alphabet's)


@pytest.fixture
def git_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Git as on a fresh machine: none of this user's configuration, and no repository
    above ``tmp_path`` taken for the tests' own."""
    env = {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CEILING_DIRECTORIES": str(tmp_path),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def git(repo: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=Tổ CNS", "-c", "user.email=cns@xa.example", *args]
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def commit(repo: Path, message: str = "sửa") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-gpg-sign", "-m", message)


def new_repo(repo: Path) -> None:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "-c", "init.defaultBranch=main", "init", "-q")


def province(folder: Path, repo: Path | None = None) -> Path:
    """A new province in ``folder`` (as ``bangtin init --province`` writes it), its
    notices written, committed in ``repo`` (default: ``folder`` itself)."""
    init_province(folder, DAY)
    for site_id, _title in PROVINCE_SITES:
        path = folder / "sites" / site_id / "content" / WELCOME
        path.write_text(path.read_text("utf-8").replace(PLACEHOLDER, "Chào bà con."), "utf-8")
    repo = folder if repo is None else repo
    new_repo(repo)
    commit(repo, "tỉnh mới")
    return folder


def write(path: Path, text: str = "Nội dung.\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def changed(folder: Path, since: str = "HEAD~1") -> list[str]:
    """``bangtin changed-sites --since SINCE`` run in ``folder``: the ids it printed."""
    result = run_cli("changed-sites", "--since", since, cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout.splitlines()


@pytest.fixture
def tinh(tmp_path: Path, git_env: dict[str, str]) -> Path:
    return province(tmp_path / "tinh")


def site(folder: Path, site_id: str) -> Path:
    return folder / "sites" / site_id / "content"


# -- which files touch which sites ----------------------------------------------------------


def test_a_commit_to_one_site_touches_that_site(tinh: Path) -> None:
    write(site(tinh, "xa-hai") / "notices" / "2026-11-28-hop-thon.md")
    commit(tinh)
    assert changed(tinh) == ["xa-hai"]
    path = site(tinh, "xa-mot") / WELCOME  # an edit, then a removal
    path.write_text(path.read_text("utf-8") + "\nThêm một dòng.\n", "utf-8")
    commit(tinh)
    assert changed(tinh) == ["xa-mot"]
    path.unlink()
    commit(tinh)
    assert changed(tinh) == ["xa-mot"]
    assert changed(tinh, "HEAD~3") == BOTH  # three commits at once, in bangtin.yml's order


@pytest.mark.parametrize(
    "path",
    [SHARED, "shared/notices/2026-11-29-bao.md", "shared/media/ban-do-ngap.png", "bangtin.yml"],
)
def test_the_shared_folder_and_bangtin_yml_touch_every_site(tinh: Path, path: str) -> None:
    target = tinh / path
    write(target, (target.read_text("utf-8") if target.exists() else "") + "# sửa\n")
    commit(tinh)
    assert changed(tinh) == BOTH


def test_the_province_theme_touches_every_site_and_a_site_theme_its_own(tinh: Path) -> None:
    text = (tinh / "bangtin.yml").read_text("utf-8")
    (tinh / "bangtin.yml").write_text(
        text.replace("\n# theme: themes/tinh", "\ntheme: themes/tinh"), "utf-8"
    )
    write(tinh / "themes" / "tinh" / "static" / "style.css", "body {}\n")
    commit(tinh)
    write(tinh / "themes" / "tinh" / "static" / "style.css", "body { color: black }\n")
    commit(tinh)
    assert changed(tinh) == BOTH
    write(tinh / "sites" / "xa-hai" / "themes" / "rieng" / "templates" / "base.html", "x\n")
    commit(tinh)
    assert changed(tinh) == ["xa-hai"]  # <content>/../themes/: that site's own


@pytest.mark.parametrize(
    "path",
    [
        "README.md",
        ".github/workflows/bangtin.yml",
        "sites/README.md",  # beside the sites, in none of them
        "sites/xa-mot/ghi-chu.txt",  # beside a content folder, not in it nor in themes/
        "sites/xa-mot/content-cu/notices/a.md",  # a name that only begins like one
        "themes/khac/static/style.css",  # a theme bangtin.yml does not name
    ],
)
def test_a_file_of_no_site_touches_none(tinh: Path, path: str) -> None:
    write(tinh / path)
    commit(tinh)
    result = run_cli("changed-sites", "--since", "HEAD~1", cwd=tinh)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "No site is touched by the changes since HEAD~1." in result.stderr


def test_uncommitted_staged_and_new_files_count_and_ignored_ones_do_not(tinh: Path) -> None:
    assert changed(tinh, "HEAD") == []
    (tinh / ".gitignore").write_text("/output/\n/ghi-chu/\n", "utf-8")
    commit(tinh)
    write(tinh / "output" / "xa-mot" / "index.html")  # ignored: a build's output
    write(tinh / "ghi-chu" / "x.md")
    assert changed(tinh, "HEAD") == []
    page = site(tinh, "xa-mot") / "pages" / "gioi-thieu.md"
    page.write_text(page.read_text("utf-8") + "Sửa chưa lưu.\n", "utf-8")  # not staged
    assert changed(tinh, "HEAD") == ["xa-mot"]
    git(tinh, "checkout", "--", ".")
    write(site(tinh, "xa-hai") / "notices" / "2026-11-29-moi.md")  # untracked
    assert changed(tinh, "HEAD") == ["xa-hai"]
    git(tinh, "add", "-A")  # staged
    assert changed(tinh, "HEAD") == ["xa-hai"]
    (site(tinh, "xa-mot") / WELCOME).unlink()  # removed, not staged
    assert changed(tinh, "HEAD") == BOTH


def test_a_file_moved_from_one_site_to_another_touches_both(tinh: Path) -> None:
    notice = "notices/2026-11-28-hop-thon-chung.md"
    write(site(tinh, "xa-mot") / notice, "---\ntitle: Họp\ndate: 2026-11-28\n---\n\nHọp.\n")
    commit(tinh)
    git(tinh, "mv", f"sites/xa-mot/content/{notice}", f"sites/xa-hai/content/{notice}")
    commit(tinh)
    # git sees a rename (the same text): both of its paths count
    status = git(tinh, "show", "--name-status", "--format=", "-M", "HEAD")
    assert status.startswith("R100")
    assert changed(tinh) == BOTH
    git(tinh, "mv", f"sites/xa-hai/content/{notice}", f"sites/xa-mot/content/{notice}")
    assert changed(tinh, "HEAD") == BOTH  # staged, not committed


def test_names_with_spaces_quotes_and_vietnamese_letters(tinh: Path) -> None:
    # a site whose folder has such a name too
    shutil.copytree(site(tinh, "xa-hai").parent, tinh / "sites" / "Xã Ba (cũ)")
    text = (tinh / "bangtin.yml").read_text("utf-8")
    text = text.replace("shared: shared", '  xa-ba: "sites/Xã Ba (cũ)/content"\nshared: shared')
    (tinh / "bangtin.yml").write_text(text, "utf-8")
    commit(tinh)
    write(tinh / "sites" / "Xã Ba (cũ)" / "content" / "media" / 'Quyết định "số 12".pdf')
    commit(tinh)
    assert changed(tinh) == ["xa-ba"]
    write(site(tinh, "xa-mot") / "media" / "Lịch cắt điện\tđợt 2.pdf")  # untracked
    assert changed(tinh, "HEAD") == ["xa-mot"]
    commit(tinh)
    moved = 'content/media/Quyết định "số 12".pdf'
    git(tinh, "mv", f"sites/Xã Ba (cũ)/{moved}", f"sites/xa-mot/{moved}")
    assert changed(tinh, "HEAD") == ["xa-mot", "xa-ba"]


def test_a_province_in_a_folder_of_its_repository(tmp_path: Path, git_env: dict[str, str]) -> None:
    repo = tmp_path / "kho"
    folder = province(repo / "tinh thanh hoa", repo)
    # not this province, though as long a name as its folder
    assert len("ban-sao-tinh-2") == len(folder.name)
    write(repo / "ban-sao-tinh-2" / "sites" / "xa-mot" / "content" / "notices" / "a.md")
    commit(repo)
    assert changed(folder) == []
    write(folder / "sites" / "xa-hai" / "content" / "notices" / "b.md")
    commit(repo)
    assert changed(folder) == ["xa-hai"]
    write(repo / "bangtin.yml", "# the repository's, not the province's\n")  # untracked
    write(repo / "shared" / "notices" / "c.md")
    assert changed(folder, "HEAD") == []
    # a user's diff.relative does not change what git is asked
    git(repo, "config", "diff.relative", "true")
    write(folder / "sites" / "xa-mot" / "content" / "notices" / "d.md")
    git(repo, "add", "-A")
    assert changed(folder, "HEAD") == ["xa-mot"]


def test_an_unknown_ref_is_a_usage_error(tinh: Path) -> None:
    for ref in ("origin/main", "khong-co", "HEAD~99"):
        result = run_cli("changed-sites", "--since", ref, cwd=tinh)
        assert result.returncode == 2, result.stderr
        assert f"`--since {ref}`: this repository has no such commit" in result.stderr
        assert "fetch-depth: 0" in result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""


def test_a_ref_that_looks_like_an_option_is_refused(tinh: Path) -> None:
    target = tinh / "da-ghi.txt"
    result = run_cli("changed-sites", f"--since=--output={target}", cwd=tinh)
    assert result.returncode == 2, result.stderr
    assert f"`--since --output={target}` is not the name of a git commit" in result.stderr
    assert not target.exists()  # git diff --output=FILE would have written it


def test_not_a_git_repository_is_a_usage_error(tmp_path: Path, git_env: dict[str, str]) -> None:
    folder = tmp_path / "tinh"
    init_province(folder, DAY)
    result = run_cli("changed-sites", "--since", "HEAD", cwd=folder)
    assert result.returncode == 2, result.stderr
    assert f"{folder} is not in a git repository" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_changed_sites_needs_a_province_and_a_ref(tmp_path: Path, git_env: dict[str, str]) -> None:
    result = run_cli("changed-sites", "--since", "HEAD", cwd=tmp_path)
    assert result.returncode == 2
    assert "there is no bangtin.yml in" in result.stderr
    result = run_cli("changed-sites", cwd=tmp_path)
    assert result.returncode == 2
    assert "name the commit to compare with, e.g. --since origin/main" in result.stderr


# -- the rule itself, without git ------------------------------------------------------------


def test_touched_is_decided_by_whole_folder_names() -> None:
    from pathlib import PurePosixPath as P

    layout = Layout(
        sites=(
            ("b", (P("sites/b/content"), P("sites/b/themes"))),
            ("a", (P("sites/a/content"), P("sites/a/themes"))),
            ("goc", (P("content"), P("themes"))),  # a site at the province's root
        ),
        everyone=(P("bangtin.yml"), P("shared")),
    )
    assert touched(layout, []) == []
    assert touched(layout, ["sites/a/content/site.yml"]) == ["a"]
    assert touched(layout, ["sites/a/content-2/x", "sites/ab/content/x", "shared-2/x"]) == []
    assert touched(layout, ["themes/x.css", "sites/b/themes/t/x"]) == ["b", "goc"]
    assert touched(layout, ["bangtin.yml.bak"]) == []
    assert touched(layout, ["shared"]) == ["b", "a", "goc"]  # the folder replaced by a file
    decomposed = "sites/a/content/media/Quy\u0065\u0302\u0301t.pdf"  # macOS spelling
    assert touched(layout, [decomposed]) == ["a"]


# -- bangtin init --province ------------------------------------------------------------------


def test_init_province_writes_a_province_that_checks_and_builds(tmp_path: Path) -> None:
    folder = tmp_path / "tỉnh mới"
    result = run_cli(
        "init", "--province", str(folder), "--title", "Bảng tin các xã tỉnh Thanh Hóa",
        "--base-url", "https://bangtin.thanhhoa.example",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "&& bangtin check" in result.stdout
    root = yaml.safe_load((folder / "bangtin.yml").read_text("utf-8"))
    assert root == {
        "sites": {"xa-mot": "sites/xa-mot/content", "xa-hai": "sites/xa-hai/content"},
        "shared": "shared",
        "hub": {
            "base_url": "https://bangtin.thanhhoa.example/",
            "title": "Bảng tin các xã tỉnh Thanh Hóa",
        },
    }
    assert (folder / "bangtin.yml").read_text("utf-8").startswith("# Kho bảng tin của cả tỉnh")
    for rel in (SHARED, workflow.PATH, ".gitignore", ".github/CODEOWNERS"):
        assert (folder / rel).is_file(), rel
    assert (folder / "shared" / "media").is_dir()
    shared = (folder / SHARED).read_text("utf-8")
    assert PLACEHOLDER not in shared and "issuer" not in shared
    ignored = (folder / ".gitignore").read_text("utf-8").splitlines()
    assert {"/output/", "/output.nginx/"} <= set(ignored)
    assert (folder / workflow.PATH).read_text("utf-8") == workflow.text(province=True)
    assert not (folder / "sites" / "xa-mot" / ".github").exists()  # one workflow: the province's

    unready = run_cli("check", cwd=folder)  # each commune's first notice is still to write
    assert unready.returncode == 1
    assert unready.stderr.count("placeholder text") == 2, unready.stderr
    for site_id in BOTH:
        path = site(folder, site_id) / WELCOME
        path.write_text(path.read_text("utf-8").replace(PLACEHOLDER, "Chào bà con."), "utf-8")
    result = run_cli("check", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "xa-mot: Checked" in result.stdout and "xa-hai: Checked" in result.stdout
    result = run_cli("build", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "Hub: output/index.html" in result.stdout
    hub = (folder / "output" / "index.html").read_text("utf-8")
    assert "Bảng tin các xã tỉnh Thanh Hóa" in hub
    for site_id in BOTH:
        built = Built(folder / "output" / site_id)
        assert built.manifest["base_url"] == f"https://bangtin.thanhhoa.example/{site_id}/"
        assert "Cảnh báo lừa đảo" in built.html("n/canh-bao-lua-dao-gia-danh-cong-an-goi-dien/")
        assert "Chào bà con." in built.html("n/chao-mung-den-bang-tin-dien-tu/")
    assert run_cli("build", "--site", "xa-hai", cwd=folder).returncode == 0

    before = (folder / "bangtin.yml").read_text("utf-8")
    again = run_cli("init", "--province", str(folder))
    assert again.returncode == 2 and "already exists" in again.stderr
    assert (folder / "bangtin.yml").read_text("utf-8") == before


def test_init_province_titles_its_hub_by_default(tmp_path: Path) -> None:
    assert run_cli("init", "--province", str(tmp_path / "p")).returncode == 0
    root = yaml.safe_load((tmp_path / "p" / "bangtin.yml").read_text("utf-8"))
    assert root["hub"] == {"base_url": "https://bangtin.example/", "title": "Bảng tin các xã"}
    site_yml = (tmp_path / "p" / "sites" / "xa-hai" / "content" / "site.yml").read_text("utf-8")
    assert "base_url: https://bangtin.example/xa-hai/" in site_yml


# -- the workflow's pull-request job, run as GitHub runs it ---------------------------------


def pr_script() -> str:
    data: dict[Any, Any] = yaml.safe_load(workflow.text(province=True))
    job = data["jobs"]["check"]
    [checkout] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"] == {"persist-credentials": False, "fetch-depth": 0}
    [step] = [s for s in job["steps"] if "changed-sites" in s.get("run", "")]
    assert step["shell"] == "bash"
    assert step["env"] == {"BASE": "${{ github.base_ref }}"}
    script: str = step["run"]
    return script


def run_pr_job(
    folder: Path, tmp_path: Path, base: str = "main"
) -> subprocess.CompletedProcess[str]:
    """The job's step in ``folder`` (a pull request's checkout), with ``bangtin`` on the
    PATH and $BASE set as GitHub sets them, in the shell GitHub uses for ``shell: bash``."""
    bin_dir = tmp_path / "bin"
    if not bin_dir.is_dir():
        write(bin_dir / "bangtin", f'#!/bin/sh\nexec "{sys.executable}" -m generator "$@"\n')
        (bin_dir / "bangtin").chmod(0o755)
    script = write(tmp_path / "step.sh", pr_script())
    env = {**os.environ, "BASE": base, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_pull_request_job_checks_only_the_sites_it_changes(tinh: Path, tmp_path: Path) -> None:
    # what checkout leaves: the base branch as origin/main, the pull request checked out
    git(tinh, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(tinh, "checkout", "-q", "-b", "pr")
    write(tinh / "README.md", "Kho bảng tin của tỉnh.\n")
    commit(tinh)
    nothing = run_pr_job(tinh, tmp_path)
    assert nothing.returncode == 0, nothing.stderr
    assert "Checked" not in nothing.stdout
    assert "No site is touched by the changes since origin/main." in nothing.stderr

    write(site(tinh, "xa-hai") / "notices" / "2026-11-28-hop.md", "---\ntitle: Họp\n"
          "date: 2026-11-28\n---\n\nHọp thôn lúc 19 giờ.\n")  # fmt: skip
    commit(tinh)
    one = run_pr_job(tinh, tmp_path)
    assert one.returncode == 0, one.stderr
    assert "xa-hai: Checked" in one.stdout and "xa-mot" not in one.stdout

    broken = site(tinh, "xa-hai") / "notices" / "2026-11-28-hop.md"
    text = broken.read_text("utf-8")
    broken.write_text(text.replace("---\n\n", "pinned: yes\n---\n\n"), "utf-8")
    commit(tinh)
    failed = run_pr_job(tinh, tmp_path)
    assert failed.returncode == 1  # the broken notice stops the merge
    assert "`pinned` must be true or false, not `yes`" in failed.stderr

    git(tinh, "revert", "--no-edit", "--no-gpg-sign", "HEAD")
    write(tinh / SHARED, (tinh / SHARED).read_text("utf-8") + "\nCập nhật.\n")
    commit(tinh)
    every = run_pr_job(tinh, tmp_path)
    assert every.returncode == 0, every.stderr
    assert "xa-mot: Checked" in every.stdout and "xa-hai: Checked" in every.stdout

    unknown = run_pr_job(tinh, tmp_path, base="khong-co")  # the job fails, not "nothing"
    assert unknown.returncode == 2
    assert "`--since origin/khong-co`" in unknown.stderr


def test_init_province_writes_nothing_into_a_folder_that_has_one_of_its_files(
    tmp_path: Path,
) -> None:
    """A repository made on GitHub comes with a .gitignore: refused before any file."""
    folder = tmp_path / "kho"
    write(folder / ".gitignore", "*.tmp\n")
    result = run_cli("init", "--province", str(folder))
    assert result.returncode == 2
    assert f"{folder / '.gitignore'} already exists" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == [".gitignore"]
