"""Nothing on disk that bangtin did not just check reaches output/: the cache, the
output folder itself.  Each attack of the trust issue is tried as an attacker would,
and the build must give exactly the bytes of a clean build (and real QR codes)."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import stat
from pathlib import Path

import cairosvg
import pytest
import zxingcpp
from PIL import Image

from generator import api
from generator.cache.store import VERSION, Store, cache_folder, cache_root, machine_key
from generator.errors import UsageError
from generator.output import writer as writer_module
from generator.output.writer import MARKER
from tests.conftest import SAMPLE, replace_in, run_cli, tree_bytes

RECORDS = (
    "content.json",
    "hashes.json",
    "state.json",
    "outputs.json",
    "markup/index.json",
    "qr/index.json",
    "pictures/index.json",
)


def site(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "content")
    return tmp_path


def build(root: Path, **options: object) -> api.Outcome:
    return api.build(api.Options(root / "content", root / "output", **options))  # type: ignore[arg-type]


def store_of(root: Path) -> Store:
    return Store(cache_folder(root / "output"))


@pytest.fixture(scope="module")
def clean_bytes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The sample site as a clean build writes it, with no cache at all."""
    root = site(tmp_path_factory.mktemp("clean"))
    build(root, cache_dir=root / "fresh-cache")
    return tree_bytes(root / "output")


def rebuild_warm(root: Path) -> dict[str, bytes]:
    """A build that must take everything it can from the cache: output/ is gone."""
    shutil.rmtree(root / "output")
    assert build(root).how == "build"
    return tree_bytes(root / "output")


def test_the_cache_lives_outside_the_project_and_is_signed(tmp_path: Path) -> None:
    root = site(tmp_path)
    build(root)
    assert not (root / ".bangtin-cache").exists()
    folder = cache_folder(root / "output")
    assert folder.is_relative_to(Path(os.environ["XDG_CACHE_HOME"]))
    for name in RECORDS:
        data = store_of(root).path(name).read_bytes()
        assert data[-78:-65] == b"\nbangtin-mac ", name  # every record ends with its MAC
    key_file = Path(os.environ["XDG_CONFIG_HOME"]) / "bangtin" / "cache.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert machine_key() == bytes.fromhex(key_file.read_text("ascii").strip())


def test_a_script_added_to_cached_html_is_never_published(
    tmp_path: Path, clean_bytes: dict[str, bytes]
) -> None:
    root = site(tmp_path)
    build(root)
    store = store_of(root)
    pages = sorted(store.path("markup").glob("*/*.html"))
    assert pages
    for path in pages:  # unsigned: a file a pull request or a CI cache put there
        body = path.read_bytes()
        path.write_bytes(body.replace(b"</p>", b"<script>alert(1)</script></p>", 1))
    assert rebuild_warm(root) == clean_bytes
    for path in pages:  # signed (a stolen key, or a bug): sanitised again when read
        name = path.relative_to(store.path("markup").parent).as_posix()
        body = store.read_bytes(name) or b""
        store.write_bytes(name, body.replace(b"</p>", b"<script>alert(1)</script></p>", 1))
    published = rebuild_warm(root)
    assert not any(b"<script" in data for data in published.values())
    assert published == clean_bytes


def decode_all(output: Path) -> dict[str, str]:
    """Every page's qr.png decoded by zxing-cpp: path -> URL."""
    found = {}
    for png in sorted(output.rglob("qr.png")):
        [code] = zxingcpp.read_barcodes(Image.open(png))
        found[png.relative_to(output).as_posix()] = code.text
    return found


def test_a_qr_image_planted_in_the_cache_is_never_published(
    tmp_path: Path, clean_bytes: dict[str, bytes]
) -> None:
    root = site(tmp_path)
    build(root)
    store = store_of(root)
    manifest = json.loads((root / "output" / "qr-manifest.json").read_text("utf-8"))
    # images where an older bangtin kept them, signed or not: nothing reads them now
    for key in json.loads((store.read_bytes("qr/index.json") or b"{}").decode()):
        store.write_bytes(f"qr/{key[:2]}/{key}.svg", b"<svg>https://evil.example/</svg>")
        store.write_bytes(f"qr/{key[:2]}/{key}.png", b"not the real code")
    assert rebuild_warm(root) == clean_bytes
    boards = [page for page in manifest["pages"] if "board" in page]
    assert boards
    for page in boards:  # every printed board leads to its real page
        svg = root / "output" / page["board"].replace("index.html", "board.svg")
        png = cairosvg.svg2png(url=str(svg), dpi=100)
        read = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
        assert [code.text for code in read] == [page["url"]], svg
    decoded = decode_all(root / "output")
    expected = {
        p["path"].removesuffix("index.html") + "qr.png": p["url"] for p in manifest["pages"]
    }
    assert decoded == expected
    result = run_cli("check", "--content", str(root / "content"))
    assert result.returncode == 0, result.stderr


def test_a_wrong_size_in_the_qr_index_is_worked_out_again(tmp_path: Path) -> None:
    root = site(tmp_path)
    build(root)
    store = store_of(root)
    index = store.read_json("qr/index.json")
    report = api.boards(api.Options(root / "content")).report
    store.write_json("qr/index.json", {key: [99, "X"] for key in index})  # signed, invalid
    assert api.boards(api.Options(root / "content")).report == report
    rebuild_warm(root)
    assert store.read_json("qr/index.json") == index


def test_a_forged_jinja_bytecode_file_is_never_loaded(tmp_path: Path) -> None:
    root = site(tmp_path)
    build(root)
    proof = tmp_path / "ran"
    payload = (
        b"import os\n"  # what a bytecode cache would run if it were loaded
        + f"open({str(proof)!r}, 'w').write('x')\n".encode()
    )
    for folder in (root / ".bangtin-cache" / "jinja", cache_folder(root / "output") / "jinja"):
        folder.mkdir(parents=True)
        for name in ("__jinja2_base.html.cache", "base.cache", "tmpl.cache"):
            (folder / name).write_bytes(b"j2\x02" + payload)
    replace_in(root / "content" / "site.yml", "title:", "title: Mới -")
    assert build(root).how == "build"
    assert not proof.exists()


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("record", RECORDS)
def test_every_record_edited_truncated_or_nested_is_ignored(
    tmp_path: Path, record: str, clean_bytes: dict[str, bytes]
) -> None:
    root = site(tmp_path)
    build(root)
    store = store_of(root)
    good = store.path(record).read_bytes()
    body = good[:-78]
    tampered = {
        "edited": body.replace(b"a", b"b", 3) + good[-78:],  # MAC no longer matches
        "truncated": good[: len(good) // 2],
        "emptied": b"",
        "nested, unsigned": nested(200_000),
    }
    for how, data in tampered.items():
        store.path(record).write_bytes(data)
        assert rebuild_warm(root) == clean_bytes, how
    for how, data in {"nested": nested(200_000), "wrong shape": b'{"a": [1, {"b": null}]}'}.items():
        store.write_bytes(record, data)  # signed with this machine's key: checked all the same
        assert rebuild_warm(root) == clean_bytes, how
        store.write_bytes(record, data)
        outcome = build(root).how
        assert outcome == ("build" if record == "state.json" else "none"), how
        assert tree_bytes(root / "output") == clean_bytes, how


def test_an_edited_record_never_hides_an_edit(tmp_path: Path) -> None:
    root = site(tmp_path)
    build(root)
    store = store_of(root)
    state = store.path("state.json").read_bytes()
    hashes = store.path("hashes.json").read_bytes()
    replace_in(root / "content" / "site.yml", "title:", "title: Mới -")
    build(root)  # the records now describe the edited site
    # put back the old, signed records: the build must see the edit all the same
    replace_in(root / "content" / "site.yml", "title: Mới -", "title:")
    store.path("state.json").write_bytes(state.replace(b"valid_until", b"valid_untiX"))
    store.path("hashes.json").write_bytes(hashes)
    assert build(root).how == "build"
    assert "Mới -" not in (root / "output" / "index.html").read_text("utf-8")


def test_another_key_ignores_the_whole_cache(
    tmp_path: Path, clean_bytes: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site(tmp_path)
    monkeypatch.setenv("BANGTIN_CACHE_KEY", "a CI secret")
    build(root)
    monkeypatch.setenv("BANGTIN_CACHE_KEY", "another machine")
    store = store_of(root)
    assert all(store.read_bytes(name) is None for name in RECORDS)
    assert build(root).how == "build"  # not "nothing changed": the state is not trusted
    assert rebuild_warm(root) == clean_bytes


def tamper_same_size(path: Path) -> None:
    """Change bytes of a file, keeping its size and putting its mtime back."""
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[10:13] = b"XYZ" if data[10:13] != b"XYZ" else b"ABC"
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert path.stat().st_size == before.st_size


@pytest.mark.parametrize("edit_content", [False, True])
def test_deleted_and_tampered_output_files_are_repaired(tmp_path: Path, edit_content: bool) -> None:
    root = site(tmp_path)
    build(root)
    if edit_content:  # an update build, not a no-op
        replace_in(root / "content" / "site.yml", "title:", "title: Mới -")
        build(root)
    expected = tree_bytes(root / "output")
    output = root / "output"
    tamper_same_size(output / "index.html")
    tamper_same_size(next(output.rglob("qr.png")))
    next(output.rglob("qr.svg")).unlink()
    (output / "feed.xml").unlink()
    outcome = build(root)
    assert outcome.how == "build" and outcome.result is not None
    assert outcome.result.changed == 4
    assert tree_bytes(output) == expected


def test_a_folder_with_a_manifest_but_no_marker_is_refused(tmp_path: Path) -> None:
    root = site(tmp_path)
    (root / "output").mkdir()
    (root / "output" / "qr-manifest.json").write_text("{}", "utf-8")
    (root / "output" / "thesis.docx").write_bytes(b"years of work")
    with pytest.raises(UsageError, match="refusing to replace"):
        build(root)
    assert (root / "output" / "thesis.docx").read_bytes() == b"years of work"
    result = run_cli("build", "--content", "content", "--output", "output", cwd=root)
    assert result.returncode == 2 and MARKER in result.stderr


def test_hand_added_files_stop_the_build_unless_kept(tmp_path: Path) -> None:
    root = site(tmp_path)
    build(root)
    output = root / "output"
    before = tree_bytes(output)
    (output / "CNAME").write_text("bangtin.dinhhung.example\n", "utf-8")
    (output / "google1234.html").write_text("google-site-verification\n", "utf-8")
    result = run_cli("build", "--content", "content", "--output", "output", cwd=root)
    assert result.returncode == 2
    assert "CNAME" in result.stderr and "google1234.html" in result.stderr
    assert "keep:" in result.stderr and "Traceback" not in result.stderr
    assert tree_bytes(output) == {**before, "CNAME": b"bangtin.dinhhung.example\n",
                                  "google1234.html": b"google-site-verification\n"}  # fmt: skip

    site_yml = root / "content" / "site.yml"
    site_yml.write_text(site_yml.read_text("utf-8") + "keep: [CNAME, google*.html]\n", "utf-8")
    assert build(root).how == "build"  # an update build: they stay
    assert (output / "CNAME").read_text("utf-8") == "bangtin.dinhhung.example\n"
    shutil.rmtree(cache_folder(output))  # a full build, through a new folder: carried over
    assert build(root).how == "build"
    assert (output / "CNAME").read_text("utf-8") == "bangtin.dinhhung.example\n"
    assert (output / "google1234.html").is_file()
    assert "CNAME" not in (output / MARKER).read_text("utf-8")  # still not bangtin's
    assert build(root).how == "none"  # and a no-op build counts them as they are


def test_a_bad_keep_pattern_is_a_content_error(tmp_path: Path) -> None:
    root = site(tmp_path)
    site_yml = root / "content" / "site.yml"
    site_yml.write_text(site_yml.read_text("utf-8") + "keep: [../secrets]\n", "utf-8")
    result = run_cli("build", "--content", "content", "--output", "output", cwd=root)
    assert result.returncode == 1
    assert "site.yml:" in result.stderr and "../secrets" in result.stderr
    assert not (root / "output").exists()


def test_a_mount_point_is_updated_in_place(
    tmp_path: Path, clean_bytes: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site(tmp_path)
    output = root / "output"
    output.mkdir()
    inode = output.stat().st_ino
    real_rename = os.rename

    def rename(src: object, dst: object) -> None:
        if Path(os.fsdecode(src)) == output or Path(os.fsdecode(dst)) == output:  # type: ignore[arg-type]
            raise OSError(errno.EBUSY, "Device or resource busy")
        real_rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(writer_module.os, "rename", rename)
    monkeypatch.setattr(writer_module, "_exchange", lambda a, b: False)
    outcome = build(root)
    assert outcome.result is not None and outcome.result.in_place
    assert output.stat().st_ino == inode and tree_bytes(output) == clean_bytes
    # a full build over it (no cache), and one that removes a page
    shutil.rmtree(cache_folder(output))
    (root / "content" / "pages").joinpath("moi.md").write_text("---\ntitle: Mới\n---\nx\n", "utf-8")
    assert build(root).result.in_place  # type: ignore[union-attr]
    assert (output / "p" / "moi" / "index.html").is_file() or any(output.rglob("moi/index.html"))
    (root / "content" / "pages" / "moi.md").unlink()
    shutil.rmtree(cache_folder(output))
    build(root)
    assert output.stat().st_ino == inode and tree_bytes(output) == clean_bytes
    assert not list(tmp_path.glob(".bangtin-*"))  # no staging folder left behind


def test_cache_dir_option_environment_and_clean(tmp_path: Path) -> None:
    root = site(tmp_path)
    mine = tmp_path / "my-cache"
    result = run_cli("build", "--cache-dir", str(mine), cwd=root)
    assert result.returncode == 0, result.stderr
    assert (cache_folder(root / "output", mine) / f"v{VERSION}" / "state.json").is_file()
    env_cache = tmp_path / "env-cache"
    result = run_cli(
        "build", "--output", "out2", cwd=root, env={"BANGTIN_CACHE_DIR": str(env_cache)}
    )
    assert result.returncode == 0, result.stderr
    assert cache_folder(root / "out2", env_cache).is_dir()
    assert cache_root() != env_cache  # the environment of this process is untouched
    path = run_cli("cache", "path", "--cache-dir", str(mine), cwd=root)
    assert path.stdout.strip() == str(cache_folder(root / "output", mine))
    cleaned = run_cli("cache", "clean", "--cache-dir", str(mine), cwd=root)
    assert cleaned.returncode == 0 and "Removed" in cleaned.stdout
    assert not (mine / "sites").exists()
    again = run_cli("cache", "clean", "--cache-dir", str(mine), cwd=root)
    assert again.returncode == 0 and "No cache" in again.stdout


def test_the_cache_stays_under_its_size_cap(tmp_path: Path) -> None:
    root = site(tmp_path)
    mine = tmp_path / "cache"
    for name in ("a", "b", "c"):
        result = run_cli("build", "--output", name, "--cache-dir", str(mine), cwd=root)
        assert result.returncode == 0, result.stderr
    folders = {name: cache_folder(root / name, mine) for name in "abc"}
    assert all(folder.is_dir() for folder in folders.values())
    result = run_cli(
        "build", "--output", "d", "--cache-dir", str(mine), cwd=root,
        env={"BANGTIN_CACHE_SIZE_MB": "0"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # over the cap: the least recently used went, the current build's cache stays
    assert cache_folder(root / "d", mine).is_dir()
    assert not any(folder.exists() for folder in folders.values())
