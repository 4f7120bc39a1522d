"""Hostile and broken input: nothing breaks, leaks or gets lost."""

from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cache.store import cache_folder
from generator.errors import BuildError, ContentError, Position
from generator.i18n import ENGLISH, Message, language
from generator.inputs import schema
from tests.conftest import EPOCH, SAMPLE, SiteFactory, build, notice, run_cli, tree_bytes

MakeSite = Callable[[dict[str, str]], SiteFactory]


# -- crashes --------------------------------------------------------------------------


def test_sigkill_at_random_moments_leaves_old_or_new_output(tmp_path: Path) -> None:
    """Kill builds at 50 moments: output/ is always the whole old site or the whole new one."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    root = tmp_path / "site"
    shutil.copytree(SAMPLE, root / "content")
    assert run_cli("build", cwd=root).returncode == 0
    saved_old = tmp_path / "old"
    shutil.copytree(root / "output", saved_old)
    old = tree_bytes(saved_old)
    edited = root / "content" / "notices" / "2026-11-10-lich-tiem-chung-thang-11.md"
    edited.write_text(edited.read_text("utf-8").replace("theo lịch sau", "theo lịch MỚI"), "utf-8")

    started = time.monotonic()  # the new site, built elsewhere, and how long a build takes
    subprocess.run(
        [sys.executable, "-m", "generator", "build", "--output", str(tmp_path / "new")],
        cwd=root, env=env, capture_output=True, check=True,
    )  # fmt: skip
    duration = time.monotonic() - started
    new = tree_bytes(tmp_path / "new")
    assert old != new

    rng = random.Random(20261128)
    outcomes = {"old": 0, "new": 0}
    for _ in range(50):
        shutil.rmtree(cache_folder(root / "output"), ignore_errors=True)  # a full build each time
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "build"], cwd=root, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(rng.uniform(0, duration * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = tree_bytes(root / "output")
        assert now in (old, new), "output/ is a mix of two builds"
        outcomes["old" if now == old else "new"] += 1
        if now == new:  # put the old site back for the next round
            shutil.rmtree(root / "output")
            shutil.copytree(saved_old, root / "output")
    print(f"50 kills: {outcomes}")
    assert outcomes["old"] > 0  # some kills did land mid-build
    # what killed builds left behind is cleaned by the next build
    assert run_cli("build", cwd=root).returncode == 0
    assert tree_bytes(root / "output") == new
    assert not [p for p in root.iterdir() if p.name.startswith(".bangtin-staging")]


def test_full_disk_gives_a_clean_error_and_keeps_the_old_output(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(SAMPLE, root / "content")
    assert run_cli("build", cwd=root).returncode == 0
    old = tree_bytes(root / "output")
    shutil.rmtree(cache_folder(root / "output"))
    (root / "content" / "pages" / "moi.md").write_text("---\ntitle: Mới\n---\nx\n", "utf-8")

    def small_disk() -> None:  # files larger than 20 KB cannot be written
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    result = subprocess.run(
        [sys.executable, "-m", "generator", "build"], cwd=root, capture_output=True, text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH}, preexec_fn=small_disk, timeout=300,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "cannot write" in result.stderr and "File too large" in result.stderr
    assert "The previous output folder was left as it was." in result.stderr
    assert tree_bytes(root / "output") == old
    assert not [p for p in root.iterdir() if p.name.startswith(".bangtin-staging")]
    assert run_cli("build", cwd=root).returncode == 0  # and with room again, it builds


# -- reproducible ----------------------------------------------------------------------


def test_output_does_not_depend_on_file_creation_order(tmp_path: Path) -> None:
    files = sorted(p for p in SAMPLE.rglob("*") if p.is_file())
    trees = []
    for name, order in (("forward", files), ("backward", list(reversed(files)))):
        root = tmp_path / name
        for path in order:
            target = root / "content" / path.relative_to(SAMPLE)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        assert run_cli("build", cwd=root).returncode == 0
        trees.append(tree_bytes(root / "output"))
    assert trees[0] == trees[1]


# -- broken input -----------------------------------------------------------------------


def test_deeply_nested_markdown_is_a_content_error(make_site: MakeSite) -> None:
    body = "".join("    " * i + "- mục\n" for i in range(400))
    site = make_site({"notices/a.md": notice(body=body)})
    with pytest.raises(BuildError) as info:
        site.build()
    assert "nested too deeply" in str(info.value.errors[0].message)


def test_long_lines_are_cut_around_the_error() -> None:
    line = "title: " + "x" * 500 + " LỖI " + "y" * 500
    error = ContentError(Position(Path("a.md"), 2, 509), Message("bad"), source_line=line)
    shown = error.format(ENGLISH).splitlines()
    assert len(shown[1]) < 120
    assert "LỖI" in shown[1]
    assert shown[2].index("^") == shown[1].index("LỖI")  # the caret still under the column
    assert shown[1].strip().startswith("…") and shown[1].endswith("…")


YAML_TRAPS = [
    ("pinned", "yes", "must be true or false"),
    ("pinned", "on", "must be true or false"),
    ("draft", "no", "must be true or false"),
    ("date", "01234", "not a date"),
    ("date", "1e3", "not a date"),
    ("date", "2026-02-30", "not a real date"),
    ("expires", "tomorrow", "not a date"),
    ("tags", "{a: b}", "must be a list"),
]


@pytest.mark.parametrize(("key", "value", "message"), YAML_TRAPS)
def test_yaml_11_traps_are_errors(make_site: MakeSite, key: str, value: str, message: str) -> None:
    text = notice(**{key: value}) if key != "date" else notice(date=value)
    site = make_site({"notices/a.md": text})
    result = run_cli("check", cwd=site.root)
    assert result.returncode == 1
    assert message in result.stderr
    assert "notices/a.md:" in result.stderr and "Traceback" not in result.stderr


def test_yaml_text_values_are_kept_as_written(make_site: MakeSite) -> None:
    site = make_site(
        {
            "locations/cho.yml": "name: no\naddress: 01234\ncontact: {name: on, phone: 0912000111}\n",
            "notices/a.md": notice("1e3", summary="yes"),
        }
    ).build()
    place = site.html("l/cho/")
    assert "<h1>no</h1>" in place and "01234" in place and "0912000111" in place
    assert "<h1>1e3</h1>" in site.html("n/a/")


def test_lone_cr_line_ends(make_site: MakeSite) -> None:
    site = make_site({})
    path = site.content / "notices" / "a.md"
    path.parent.mkdir(parents=True)
    path.write_bytes("---\rtitle: Mac cũ\rdate: 2026-11-20\r---\rThân bài.\r".encode())
    assert "Mac cũ" in site.build().html("n/a/")


def test_five_megabyte_notice_is_refused(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice(body="Dòng dài. " * 500_000)})
    result = run_cli("check", cwd=site.root)
    assert result.returncode == 1
    assert "file is too large" in result.stderr


def test_symlink_out_of_content_is_refused(make_site: MakeSite, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(notice("Bí mật"), "utf-8")
    site = make_site({"notices/a.md": notice()})
    (site.content / "notices" / "b.md").symlink_to(secret)
    result = run_cli("check", cwd=site.root)
    assert result.returncode == 1
    assert "symlink points outside the content folder" in result.stderr


@pytest.mark.parametrize("slug", ["../../etc", "/abs", "%2e%2e", "a\\\\b", "C:/x", "a/b", "Lịch"])
def test_path_escapes_in_slugs_are_refused(make_site: MakeSite, slug: str) -> None:
    site = make_site({"notices/a.md": notice(slug=f'"{slug}"')})
    result = run_cli("check", cwd=site.root)
    assert result.returncode == 1, result.stdout
    assert "slug" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "link",
    [
        "../../../etc/passwd.md",
        "/etc/x.md",
        "%2e%2e/%2e%2e/x.md",
        "..\\\\x.md",
        "C:/x.md",
        "a\\x00.md",
    ],
)
def test_path_escapes_in_links_are_refused(make_site: MakeSite, link: str) -> None:
    site = make_site({"notices/a.md": notice(body=f"[x]({link})")})
    with pytest.raises(BuildError):
        site.build()


# -- property: random input never makes a traceback --------------------------------------

KEYS = [*schema.names(schema.NOTICE), "titel"]  # every real key, and a misspelt one
YAML_VALUES = st.one_of(
    st.sampled_from(["yes", "no", "~", "", "01234", "1e3", "2026-11-20", "2026-13-40", "[a, b]",
                     "{a: 1}", "all", "'x'", '"y"', "- z", "&a x", "*a", "!!python/object x", "|"]),
    st.text(max_size=30),
)  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    front=st.lists(st.tuples(st.sampled_from(KEYS), YAML_VALUES), max_size=8),
    body=st.text(max_size=300),
    raw=st.binary(max_size=60),
)
def test_random_front_matter_and_markdown_never_crash(
    tmp_path_factory: pytest.TempPathFactory, front: list[tuple[str, str]], body: str, raw: bytes
) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    content = root / "content"
    (content / "notices").mkdir(parents=True)
    (content / "site.yml").write_text("title: T\nbase_url: https://t.example/\n", "utf-8")
    lines = "\n".join(f"{k}: {v}" for k, v in front)
    (content / "notices" / "a.md").write_text(
        f"---\n{lines}\n---\n{body}\n", "utf-8", errors="surrogatepass"
    ) if False else (content / "notices" / "a.md").write_bytes(
        f"---\n{lines}\n---\n{body}\n".encode("utf-8", "replace")
    )
    (content / "notices" / "b.md").write_bytes(raw)
    try:
        build(content, root / "output")
    except BuildError as exc:
        assert exc.errors
        for error in exc.errors:
            assert error.pos.line >= 1 and error.pos.col >= 1
            error.format(ENGLISH)  # formatting never fails either, in any language
            error.format(language("vi"))


def test_yaml_line_breaks_python_does_not_split_on_point_at_the_real_line(
    make_site: Callable[[dict[str, str]], SiteFactory],
) -> None:
    """NEL (U+0085) breaks a line for YAML, not in the file: the error is still placed.

    Found by the property test above: the position came from YAML's line count, and
    looking that line up in the file raised IndexError.
    """
    site = make_site({"notices/a.md": "---\ntitle: \x850\ndate: 2026-11-20\n---\nBody\n"})
    with pytest.raises(BuildError) as caught:
        site.build()
    [error] = caught.value.errors
    assert (error.pos.path.name, error.pos.line, error.pos.col) == ("a.md", 3, 1)
    assert "invalid YAML" in str(error.message)
