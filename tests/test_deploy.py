"""``bangtin deploy`` against a real S3-compatible server: moto, started as a process on
127.0.0.1, with a recording proxy in front of it (tests/s3proxy.py) that sees every
request in order and can throttle or fail uploads.

What is checked is what a reader of the bucket gets: the bytes of every object equal
the built file's, its SHA-256 metadata, its Content-Type and Cache-Control by kind, the
order of uploads (files before pages, pages before the feed and sitemap, deletes and
the record last), nothing uploaded when nothing changed and only what changed after an
edit, and after a failure in the middle every page its old or its new version with
nothing deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.browser.needs import REQUIRE, Missing
from tests.browser.nginx import free_port
from tests.conftest import SAMPLE, SiteFactory, build, notice, run_cli, tree_bytes
from tests.s3proxy import Proxy, moto_server, recording

MakeSite = Callable[[dict[str, str]], SiteFactory]
INDEXES = {"feed.xml", "sitemap.xml", "qr-manifest.json", "_redirects"}
YEAR = "public, max-age=31536000, immutable"
STATE = ".bangtin/deploy.json"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    # nothing from this machine's own AWS set-up, and no instance metadata to wait for
    "AWS_CONFIG_FILE": "/nonexistent/bangtin-test/config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/bangtin-test/credentials",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def needs_moto() -> None:
    """moto (``pip install -e '.[test]'``) or a skip; with BANGTIN_REQUIRE_TOOLS=1, a
    failure."""
    try:
        import moto.server  # noqa: F401
    except ImportError:
        line = "missing moto: install with `pip install -e '.[test]'` (moto[server])"
        if os.environ.get(REQUIRE) == "1":
            pytest.fail(line, pytrace=False)
        raise Missing(line) from None


@pytest.fixture(scope="session")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``http://127.0.0.1:<port>``: a moto server process for the whole session, with
    test credentials in the environment (never in a file bangtin writes)."""
    needs_moto()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with pytest.MonkeyPatch.context() as mp:
        for name, value in CREDENTIALS.items():
            mp.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            mp.delenv(name, raising=False)
        with moto_server(log) as url:
            yield url


FEW_TRIES = {"AWS_MAX_ATTEMPTS": "2"}  # a failure that is retried gives up sooner


def client(moto: str) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=moto, region_name="us-east-1")


def new_bucket(moto: str) -> str:
    name = f"bangtin-{uuid.uuid4().hex[:12]}"
    client(moto).create_bucket(Bucket=name)
    return name


@pytest.fixture
def proxy(moto: str) -> Iterator[tuple[Proxy, str]]:
    with recording(moto) as found:
        yield found


def target_yml(bucket: str, endpoint: str, prefix: str | None = "dinh-hung/", **more: str) -> str:
    lines = ["deploy:", f"  bucket: {bucket}", f"  endpoint_url: {endpoint}"]
    lines += [f"  prefix: {prefix}"] if prefix is not None else []
    lines += [f"  {k}: {v}" for k, v in more.items()]
    return "\n".join(lines) + "\n"


SMALL = {
    "locations/cho.yml": "name: Chợ Định Hưng\n",
    "notices/2026-11-20-hop-dan.md": notice("Họp dân thôn 1", "2026-11-20", "Họp lúc 8 giờ."),
    "notices/2026-11-21-tiem.md": notice(
        "Lịch tiêm chủng", "2026-11-21", "Tiêm tại trạm y tế.", locations="[cho]"
    ),
    "notices/2026-11-22-dien.md": notice("Lịch cắt điện", "2026-11-22", "Cắt điện thôn 3."),
}


def small_site(make_site: MakeSite, bucket: str, endpoint: str, **more: str) -> SiteFactory:
    site_yml = "title: Bảng tin thử\nbase_url: https://test.example/\n"
    return make_site({**SMALL, "site.yml": site_yml + target_yml(bucket, endpoint, **more)})


def deploy(site: SiteFactory, *args: str, env: dict[str, str] | None = None) -> Any:
    result = run_cli(
        "deploy", "--content", str(site.content), "--output", str(site.output), *args, env=env
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def objects(moto: str, bucket: str, prefix: str = "") -> dict[str, bytes]:
    """Every object under ``prefix``, by key relative to it, with its bytes."""
    s3 = client(moto)
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    keys = [item["Key"] for page in pages for item in page.get("Contents", ())]
    with ThreadPoolExecutor(8) as pool:
        bodies = pool.map(lambda k: s3.get_object(Bucket=bucket, Key=k)["Body"].read(), keys)
        return {k[len(prefix) :]: body for k, body in zip(keys, bodies, strict=True)}


def site_files(output: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree_bytes(output).items() if k != ".bangtin-output"}


def expected_headers(path: str) -> tuple[str, str]:
    """Content-Type and Cache-Control of a file by its kind, written out here (not taken
    from bangtin's own table)."""
    if re.fullmatch(r"assets/style\.[0-9a-f]{10}\.css|assets/board\.[0-9a-f]{10}\.css", path):
        return "text/css; charset=utf-8", YEAR
    if re.fullmatch(r"assets/favicon\.[0-9a-f]{10}\.svg", path):
        return "image/svg+xml", YEAR
    if re.fullmatch(r"m/.+\.[0-9a-f]{10}\.[0-9]+\.webp", path):
        return "image/webp", YEAR
    if re.fullmatch(r"m/.+\.[0-9a-f]{10}\.[0-9]+\.jpg", path):
        return "image/jpeg", YEAR
    kinds = {
        ".html": "text/html; charset=utf-8",
        ".pdf": "application/pdf",
        ".png": "image/png",
        ".svg": "image/svg+xml",
        ".json": "application/json",
        ".txt": "text/plain; charset=utf-8",
    }
    named = {
        "feed.xml": "application/atom+xml; charset=utf-8",
        "sitemap.xml": "application/xml; charset=utf-8",
        "_headers": "text/plain; charset=utf-8",
        "_redirects": "text/plain; charset=utf-8",
    }
    kind = named.get(path) or next(t for end, t in kinds.items() if path.endswith(end))
    return kind, "no-cache"


def headers_file_cache(headers: str, path: str) -> str:
    """Cache-Control for ``path`` as ``_headers`` says it: the last block whose pattern
    (``*`` matching anything) matches."""
    found = ""
    pattern = None
    for line in headers.splitlines():
        if line and not line.startswith(" "):
            pattern = re.compile(".*".join(re.escape(p) for p in line.split("*")))
        elif (
            line.strip().startswith("Cache-Control:") and pattern and pattern.fullmatch("/" + path)
        ):
            found = line.split(":", 1)[1].strip()
    return found


def order_of(proxy: Proxy, bucket: str, prefix: str) -> list[str]:
    return [p.removeprefix(f"/{bucket}/{prefix}") for p in proxy.puts()]


# -- a whole site ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site's content, to which each test adds its own target."""
    folder = tmp_path_factory.mktemp("sample-deploy") / "content"
    shutil.copytree(SAMPLE, folder)
    return folder


def test_first_deploy_uploads_every_file_with_its_headers_in_order(
    moto: str, proxy: tuple[Proxy, str], sample_copy: Path, tmp_path: Path
) -> None:
    recorder, endpoint = proxy
    bucket = new_bucket(moto)
    content = tmp_path / "content"
    shutil.copytree(sample_copy, content)
    with (content / "site.yml").open("a", encoding="utf-8") as f:
        f.write(target_yml(bucket, endpoint))
    output = tmp_path / "output"
    build(content, output)
    site = SiteFactory(tmp_path)

    result = deploy(site)

    assert result.returncode == 0, result.stderr
    files = site_files(output)
    assert f"{len(files)} objects compared, {len(files)} uploaded" in result.stdout
    stored = objects(moto, bucket, "dinh-hung/")
    assert set(stored) == {*files, STATE}
    s3 = client(moto)
    headers = files["_headers"].decode()
    kinds = set()
    with ThreadPoolExecutor(8) as pool:
        heads = dict(
            zip(
                files,
                pool.map(lambda p: s3.head_object(Bucket=bucket, Key="dinh-hung/" + p), files),
                strict=True,
            )
        )
    for path, data in files.items():
        assert stored[path] == data, path
        head = heads[path]
        assert head["Metadata"] == {"sha256": hashlib.sha256(data).hexdigest()}, path
        assert (head["ContentType"], head["CacheControl"]) == expected_headers(path), path
        # the same rule as _headers: one table for both
        assert head["CacheControl"] == headers_file_cache(headers, path), path
        kinds.add(expected_headers(path))
    assert ("application/pdf", "no-cache") in kinds and ("image/webp", YEAR) in kinds
    assert ("text/css; charset=utf-8", YEAR) in kinds

    # files pages show, then pages, then what lists pages, then the record; no delete
    order = order_of(recorder, bucket, "dinh-hung/")
    assert len(order) == len(files) + 1
    pages = [i for i, p in enumerate(order) if p.endswith(".html")]
    indexes = [i for i, p in enumerate(order) if p in INDEXES]
    assert len(indexes) == len(INDEXES)
    others = [i for i, p in enumerate(order) if i not in pages and i not in indexes]
    assert max(others[:-1]) < min(pages) and max(pages) < min(indexes)
    assert order[-1] == STATE
    assert recorder.deletes() == []

    # the record: each object's SHA-256 and the ETag the storage answered
    record = json.loads(stored[STATE])
    assert record["format"] == "bangtin deploy 1"
    etag = s3.head_object(Bucket=bucket, Key="dinh-hung/index.html")["ETag"].strip('"')
    assert record["objects"]["index.html"][:2] == [
        hashlib.sha256(files["index.html"]).hexdigest(),
        etag,
    ]

    # nothing changed: nothing uploaded, nothing deleted, not even the record
    recorder.clear()
    again = deploy(site)
    assert again.returncode == 0, again.stderr
    assert f"{len(files)} objects compared, 0 uploaded" in again.stdout
    assert recorder.puts() == [] and recorder.deletes() == []
    heads = [s for s in recorder.seen if s.method == "HEAD"]
    assert heads == [], "the record vouches for every object: none is asked about"


# -- a small site ------------------------------------------------------------------------


def test_one_edit_uploads_only_what_changed(
    moto: str, proxy: tuple[Proxy, str], make_site: MakeSite
) -> None:
    recorder, endpoint = proxy
    bucket = new_bucket(moto)
    site = small_site(make_site, bucket, endpoint)
    before = site_files(site.build().output)
    assert deploy(site).returncode == 0
    (site.content / "notices/2026-11-21-tiem.md").write_text(
        notice("Lịch tiêm chủng", "2026-11-21", "Tiêm tại trạm y tế, từ 7 giờ.", locations="[cho]")
    )
    after = site_files(site.build().output)
    changed = {p for p in after if before.get(p) != after[p]}
    assert "n/tiem/index.html" in changed and len(changed) <= 8, changed
    recorder.clear()

    result = deploy(site)

    assert result.returncode == 0, result.stderr
    assert sorted(order_of(recorder, bucket, "dinh-hung/")) == sorted([*changed, STATE])
    assert recorder.deletes() == []
    assert f"{len(after)} objects compared, {len(changed)} uploaded" in result.stdout
    assert objects(moto, bucket, "dinh-hung/") == {**after, STATE: ANY_BYTES}


class _AnyBytes(bytes):
    def __eq__(self, other: object) -> bool:
        return isinstance(other, bytes)

    __hash__ = bytes.__hash__


ANY_BYTES = _AnyBytes()


def test_removed_files_are_deleted_last_and_foreign_objects_stay(
    moto: str, proxy: tuple[Proxy, str], make_site: MakeSite
) -> None:
    recorder, endpoint = proxy
    bucket = new_bucket(moto)
    s3 = client(moto)
    site = small_site(make_site, bucket, endpoint)
    site.build()
    assert deploy(site).returncode == 0
    # an object someone put beside the site by hand, and one of bangtin's outside the folder
    s3.put_object(Bucket=bucket, Key="dinh-hung/google123.html", Body=b"verify")
    s3.put_object(Bucket=bucket, Key="khac/index.html", Body=b"x", Metadata={"sha256": "0" * 64})
    (site.content / "notices/2026-11-22-dien.md").unlink()
    (site.content / "notices/2026-11-23-nuoc.md").write_text(notice("Lịch cắt nước", "2026-11-23"))
    after = site_files(site.build().output)
    recorder.clear()

    result = deploy(site)

    assert result.returncode == 0, result.stderr
    stored = objects(moto, bucket, "dinh-hung/")
    assert stored == {**after, STATE: ANY_BYTES, "google123.html": b"verify"}
    assert s3.get_object(Bucket=bucket, Key="khac/index.html")["Body"].read() == b"x"
    [delete] = recorder.deletes()
    deleted = set(re.findall(rb"<Key>([^<]+)</Key>", delete.body))
    gone = {b"dinh-hung/n/dien/" + name for name in (b"index.html", b"qr.svg", b"qr.png")}
    assert deleted == gone
    # after every upload, before the record
    position = recorder.seen.index(delete)
    puts = [i for i, s in enumerate(recorder.seen) if s.method == "PUT"]
    assert all(i < position for i in puts[:-1]) and puts[-1] > position
    assert recorder.seen[puts[-1]].path.endswith(STATE)
    assert "1 object in the folder was not uploaded by bangtin" in result.stderr


def test_dry_run_lists_and_changes_nothing(
    moto: str, proxy: tuple[Proxy, str], make_site: MakeSite
) -> None:
    recorder, endpoint = proxy
    bucket = new_bucket(moto)
    site = small_site(make_site, bucket, endpoint)
    site.build()
    first = deploy(site, "--dry-run")
    assert first.returncode == 0, first.stderr
    assert "upload   dinh-hung/n/dien/index.html" in first.stdout
    assert "Nothing was changed." in first.stdout
    assert objects(moto, bucket) == {}
    assert deploy(site).returncode == 0
    (site.content / "notices/2026-11-22-dien.md").unlink()
    site.build()
    before = objects(moto, bucket)
    recorder.clear()

    result = deploy(site, "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "delete   dinh-hung/n/dien/index.html" in result.stdout
    assert "replace  dinh-hung/index.html" in result.stdout
    assert recorder.puts() == [] and recorder.deletes() == []
    assert {s.method for s in recorder.seen} <= {"GET", "HEAD"}
    assert objects(moto, bucket) == before


def test_directory_keys_open_printed_urls(
    moto: str, proxy: tuple[Proxy, str], make_site: MakeSite
) -> None:
    """A bucket served without index rules: /l/cho/ is an object of its own."""
    _recorder, endpoint = proxy
    bucket = new_bucket(moto)
    site = small_site(make_site, bucket, endpoint, directory_keys="true")
    page = site.build().output / "l/cho/index.html"
    assert deploy(site).returncode == 0
    s3 = client(moto)
    # what a reader's browser asks for: GET /<bucket>/dinh-hung/l/cho/ (signed: moto's
    # buckets are private; a real one is public or behind a CDN)
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "dinh-hung/l/cho/"}, ExpiresIn=60
    )
    assert url.startswith(f"{moto}/{bucket}/dinh-hung/l/cho/?")
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.read() == page.read_bytes()
        assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
        assert answer.headers["Cache-Control"] == "no-cache"
    assert objects(moto, bucket, "dinh-hung/")[""] == site_files(site.output)["index.html"]
    # turned off: the directory keys are bangtin's, so they go
    (site.content / "site.yml").write_text(
        (site.content / "site.yml").read_text().replace("directory_keys: true", "")
    )
    assert deploy(site).returncode == 0
    assert "l/cho/" not in objects(moto, bucket, "dinh-hung/")
    assert deploy(site, "--directory-keys").returncode == 0
    assert "l/cho/" in objects(moto, bucket, "dinh-hung/")


def test_throttling_is_retried(moto: str, proxy: tuple[Proxy, str], make_site: MakeSite) -> None:
    recorder, endpoint = proxy
    bucket = new_bucket(moto)
    site = small_site(make_site, bucket, endpoint)
    files = site_files(site.build().output)
    recorder.throttle = 3

    result = deploy(site)

    assert result.returncode == 0, result.stderr
    assert len(recorder.puts(503)) == 3
    assert objects(moto, bucket, "dinh-hung/") == {**files, STATE: ANY_BYTES}


def test_a_failure_in_the_middle_leaves_every_page_old_or_new(
    moto: str, proxy: tuple[Proxy, str], make_site: MakeSite
) -> None:
    recorder, endpoint = proxy
    bucket = new_bucket(moto)
    site = small_site(make_site, bucket, endpoint)
    old = site_files(site.build().output)
    assert deploy(site).returncode == 0
    old_record = objects(moto, bucket, "dinh-hung/")[STATE]
    for path in sorted((site.content / "notices").iterdir()):  # every page changes
        path.write_text(path.read_text().replace("Nội dung", "").rstrip() + "\n\nĐã sửa.\n")
    (site.content / "site.yml").write_text(
        (site.content / "site.yml").read_text().replace("Bảng tin thử", "Bảng tin xã thử")
    )
    (site.content / "notices/2026-11-22-dien.md").unlink()
    (site.content / "notices/2026-11-23-nuoc.md").write_text(notice("Lịch cắt nước", "2026-11-23"))
    new = site_files(site.build().output)
    changed = {p for p in new if new[p] != old.get(p)}
    # the steps: files pages show, new pages, changed pages, what lists pages
    files = {p for p in changed if not p.endswith(".html") and p not in INDEXES}
    new_pages = {p for p in changed if p.endswith(".html") and p not in old}
    changed_pages = {p for p in changed if p.endswith(".html") and p in old}
    assert files and new_pages and len(changed_pages) > 5
    made = len(files) + len(new_pages) + 2  # then it fails amid the changed pages
    recorder.clear()
    recorder.fail_after = made

    result = deploy(site, env=FEW_TRIES)

    assert result.returncode == 1
    assert "Error: the storage failed on dinh-hung/" in result.stderr
    assert f"{made} of {len(changed)} uploads were made" in result.stderr
    assert "nothing was deleted: every page is its old or its new version" in result.stderr
    assert "hint:" in result.stderr
    assert recorder.deletes() == []
    stored = objects(moto, bucket, "dinh-hung/")
    assert stored[STATE] == old_record
    for path in {*old, *new}:
        if path.endswith(".html"):
            assert stored[path] in (old.get(path), new.get(path)), path
    assert stored["n/dien/index.html"] == old["n/dien/index.html"]  # not deleted
    assert all(stored[p] == new[p] for p in files | new_pages)  # before the pages
    assert 0 < sum(stored[p] == new[p] for p in changed_pages) < len(changed_pages)
    assert not any(stored.get(p) == new[p] for p in INDEXES & changed)  # not yet

    recorder.clear()
    again = deploy(site)
    assert again.returncode == 0, again.stderr
    assert objects(moto, bucket, "dinh-hung/") == {**new, STATE: ANY_BYTES}


# -- failures and refusals ---------------------------------------------------------------


def test_storage_errors_are_one_line_and_a_hint(moto: str, make_site: MakeSite) -> None:
    site = small_site(make_site, "khong-co-bucket-nay", moto)
    site.build()
    result = deploy(site, env=FEW_TRIES)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: there is no bucket `khong-co-bucket-nay` at ")
    assert "  hint: create the bucket" in result.stderr

    no_keys = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", **FEW_TRIES}
    result = deploy(site, env=no_keys)
    assert result.returncode == 1
    assert "Error: no credentials for the storage" in result.stderr
    assert "AWS_ACCESS_KEY_ID" in result.stderr


def test_an_unreachable_storage(make_site: MakeSite) -> None:
    site = small_site(make_site, "bangtin-thu", f"http://127.0.0.1:{free_port()}")
    site.build()
    result = deploy(site, env={**CREDENTIALS, **FEW_TRIES})
    assert result.returncode == 1
    assert "Error: cannot reach the storage at http://127.0.0.1:" in result.stderr
    assert "hint: check `endpoint_url`" in result.stderr


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (lambda out: shutil.rmtree(out), "there is no built site in"),
        (lambda out: (out / ".bangtin-output").unlink(), "was not made by `bangtin build`"),
        (
            lambda out: (out / ".bangtin-output").write_text("bangtin preview 1\nindex.html\n"),
            "was not made by `bangtin build`",
        ),
        (lambda out: (out / "them.txt").write_text("x"), "holds files that bangtin did not write"),
        (lambda out: (out / "feed.xml").unlink(), "files the build wrote are missing (feed.xml)"),
        (
            lambda out: (out.parent / ".bangtin-staging-output-999999").mkdir(),
            "a build into",
        ),
        (
            lambda out: (
                (out / "robots.txt").unlink() or (out / "robots.txt").symlink_to("/etc/passwd")
            ),
            "symbolic links",
        ),
    ],
)
def test_only_a_complete_build_is_deployed(
    make_site: MakeSite, spoil: Callable[[Path], None], expected: str
) -> None:
    site = small_site(make_site, "bangtin-thu", "http://127.0.0.1:9")
    spoil(site.build().output)
    result = deploy(site, env=CREDENTIALS)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr


def test_kept_files_are_deployed(moto: str, make_site: MakeSite) -> None:
    bucket = new_bucket(moto)
    site = make_site(
        {
            **SMALL,
            "site.yml": "title: T\nbase_url: https://test.example/\nkeep: [CNAME]\n"
            + target_yml(bucket, moto, prefix=None),
        }
    )
    site.build()
    (site.output / "CNAME").write_text("bangtin.example\n")
    assert deploy(site).returncode == 0
    head = client(moto).head_object(Bucket=bucket, Key="CNAME")
    assert head["ContentType"] == "text/plain; charset=utf-8"
    assert objects(moto, bucket)["CNAME"] == b"bangtin.example\n"
    # at the bucket's root, the site's index.html has no directory key: no object is ""
    assert "index.html" in objects(moto, bucket)


def test_no_target_is_a_usage_error(make_site: MakeSite) -> None:
    site = make_site(SMALL)
    site.build()
    result = deploy(site)
    assert result.returncode == 2
    assert "names no target to deploy to" in result.stderr


def test_help() -> None:
    result = run_cli("deploy", "--help")
    assert result.returncode == 0
    for words in ("Usage:", "--dry-run", "--directory-keys", "--site", "--output"):
        assert words in result.stdout


# -- a province --------------------------------------------------------------------------


def test_a_province_deploys_each_site_to_its_target_and_the_hub(
    moto: str, proxy: tuple[Proxy, str], tmp_path: Path
) -> None:
    recorder, endpoint = proxy
    shared_bucket, own_bucket = new_bucket(moto), new_bucket(moto)
    root = tmp_path / "tinh"
    url = "https://bangtin.thanhhoa.example/"
    files = {
        "bangtin.yml": (
            "sites:\n  dinh-hung: sites/dinh-hung/content\n  dinh-tan: sites/dinh-tan/content\n"
            f"hub:\n  base_url: {url}\n  title: Bảng tin các xã\n"
            f"  deploy: {{bucket: {shared_bucket}, endpoint_url: '{endpoint}'}}\n"
            "deploy:\n"
            f"  dinh-hung: {{bucket: {shared_bucket}, prefix: dinh-hung, "
            f"endpoint_url: '{endpoint}'}}\n"
        ),
        "sites/dinh-hung/content/site.yml": f"title: Xã Định Hưng\nbase_url: {url}dinh-hung/\n"
        + target_yml("bi-ghi-de", "https://s3.example.vn"),  # bangtin.yml's wins
        "sites/dinh-hung/content/notices/hop.md": notice("Họp dân thôn 1"),
        "sites/dinh-tan/content/site.yml": f"title: Xã Định Tân\nbase_url: {url}dinh-tan/\n"
        + target_yml(own_bucket, endpoint, prefix=None),
        "sites/dinh-tan/content/notices/tiem.md": notice("Lịch tiêm chủng"),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    built = run_cli("build", cwd=root)
    assert built.returncode == 0, built.stderr
    out = root / "output"

    result = run_cli("deploy", cwd=root)

    assert result.returncode == 0, result.stderr
    assert "dinh-hung: Deployed to s3://" in result.stdout
    assert "hub: Deployed to s3://" in result.stdout
    shared = objects(moto, shared_bucket)
    hub = {p: d for p, d in tree_bytes(out).items() if "/" not in p or p.startswith("assets/")}
    hub.pop(".bangtin-hub")
    site_one = {f"dinh-hung/{p}": d for p, d in site_files(out / "dinh-hung").items()}
    assert shared == {**hub, **site_one, STATE: ANY_BYTES, f"dinh-hung/{STATE}": ANY_BYTES}
    assert objects(moto, own_bucket) == {**site_files(out / "dinh-tan"), STATE: ANY_BYTES}
    assert recorder.deletes() == []  # the hub, at the root, left dinh-hung/ alone

    recorder.clear()
    again = run_cli("deploy", "--site", "dinh-tan", cwd=root)
    assert again.returncode == 0, again.stderr
    assert "dinh-tan: Deployed" in again.stdout and "hub" not in again.stdout
    assert recorder.puts() == [] and recorder.deletes() == []


def test_an_untrusted_record_and_an_object_replaced_by_hand(
    moto: str, proxy: tuple[Proxy, str], make_site: MakeSite
) -> None:
    """The record is a cache of what each object holds, checked against the listing: an
    object replaced behind bangtin's back is uploaded again, and a record bangtin did
    not write is ignored (each object is asked about instead)."""
    recorder, endpoint = proxy
    bucket = new_bucket(moto)
    s3 = client(moto)
    site = small_site(make_site, bucket, endpoint)
    files = site_files(site.build().output)
    assert deploy(site).returncode == 0
    s3.put_object(Bucket=bucket, Key="dinh-hung/index.html", Body=b"<p>gia mao</p>")
    recorder.clear()

    result = deploy(site)

    assert result.returncode == 0, result.stderr
    # the same bytes again: the same ETag, so the record needs no new version
    assert order_of(recorder, bucket, "dinh-hung/") == ["index.html"]
    assert [s.path for s in recorder.seen if s.method == "HEAD"] == [
        f"/{bucket}/dinh-hung/index.html"
    ]
    assert objects(moto, bucket, "dinh-hung/")["index.html"] == files["index.html"]

    for garbage in (
        b"{not json",
        json.dumps(
            {
                "format": "bangtin deploy 1",
                "objects": {"index.html": ["0" * 64, "x", -1, "text/html", "no-cache"]},
            }
        ).encode(),
    ):
        s3.put_object(Bucket=bucket, Key=f"dinh-hung/{STATE}", Body=garbage)
        recorder.clear()
        result = deploy(site)
        assert result.returncode == 0, result.stderr
        assert "the deploy record in the bucket is not one bangtin wrote" in result.stderr
        assert order_of(recorder, bucket, "dinh-hung/") == [STATE]  # only the record, anew
        assert len([s for s in recorder.seen if s.method == "HEAD"]) == len(files)
    recorder.clear()
    assert deploy(site).returncode == 0
    assert recorder.puts() == [] and not [s for s in recorder.seen if s.method == "HEAD"]


# -- without a server: the plan, the record, the rules -------------------------------------


def local(path: str, sha: str = "a" * 64) -> Any:
    from generator.deploy.local import LocalFile, phase_of
    from generator.render.headers import content_type

    return LocalFile(path, 1, sha, content_type(path), "no-cache", phase_of(path))


def test_the_plan_orders_uploads_and_deletes_only_bangtins_objects() -> None:
    from generator.deploy.plan import Known, plan_deploy, wanted_keys

    files = [
        local("assets/style.0123456789.css"),
        local("index.html", "b" * 64),
        local("n/moi/index.html"),
        local("n/moi/qr.png", "c" * 64),
        local("feed.xml", "d" * 64),
    ]
    ours = {"etag": "e", "size": 1, "content_type": "text/html; charset=utf-8"}
    remote = {
        "assets/style.0123456789.css": Known(
            "e", 1, "a" * 64, "text/css; charset=utf-8", "no-cache"
        ),
        "index.html": Known(sha256="0" * 64, cache_control="no-cache", **ours),
        "feed.xml": Known(sha256="d" * 64, cache_control="max-age=60", **ours),  # other header
        "n/cu/index.html": Known(sha256="1" * 64, cache_control="no-cache", **ours),
        "n/cu/qr.png": Known("e", 1, "2" * 64, "image/png", "no-cache"),
        "google1.html": Known(sha256=None, cache_control=None, **ours),
    }
    plan = plan_deploy(wanted_keys(files, False, True), remote)
    assert [[u.key for u in step] for step in plan.steps] == [
        ["n/moi/qr.png"],
        ["n/moi/index.html"],
        ["index.html"],
        ["feed.xml"],
    ]
    assert plan.deletes == ("n/cu/index.html", "n/cu/qr.png")  # pages first
    assert plan.foreign == ("google1.html",)
    assert plan.unchanged == ("assets/style.0123456789.css",)
    keys = wanted_keys(files, True, False)
    assert "n/moi/" in keys and "" not in keys
    assert "" in wanted_keys(files, True, True)


def test_the_record_is_untrusted_input() -> None:
    from generator.deploy import state

    entry = state.Entry("a" * 64, "etag", 3, "text/html; charset=utf-8", "no-cache")
    data = state.dump({"index.html": entry, "l/x/": entry})
    assert state.parse(data) == {"index.html": entry, "l/x/": entry}
    assert state.dump(state.parse(data) or {}) == data
    good = json.loads(data)
    spoiled = [
        b"",
        b"\xff",
        b"[]",
        b"{}",
        json.dumps({**good, "format": "bangtin deploy 2"}).encode(),
        json.dumps({**good, "objects": []}).encode(),
        json.dumps({**good, "objects": {"../x": good["objects"]["index.html"]}}).encode(),
        json.dumps({**good, "objects": {"a": ["A" * 64, "e", 1, "t", "c"]}}).encode(),
        json.dumps({**good, "objects": {"a": ["a" * 64, "e", True, "t", "c"]}}).encode(),
        json.dumps({**good, "objects": {"a": ["a" * 64, "e", 1, "t\n", "c"]}}).encode(),
        b"[" * 100_000,
    ]
    for data in spoiled:
        assert state.parse(data) is None, data[:80]
    assert state.parse(None) is None


def test_cache_control_is_the_rule_of_headers(sample: Any) -> None:
    """One table: every file of the sample gets from ``cache_control`` what ``_headers``
    says for it."""
    from generator.inputs.config import load_config
    from generator.render.headers import cache_control, content_type

    site = load_config(SAMPLE)
    headers = (sample.output / "_headers").read_text("utf-8")
    files = [p for p in site_files(sample.output)]
    assert len(files) > 100
    for path in files:
        assert cache_control(site, path) == headers_file_cache(headers, path), path
        assert (content_type(path), cache_control(site, path)) == expected_headers(path), path


@pytest.mark.parametrize(
    ("deploy_yml", "expected"),
    [
        ("deploy:\n  dinh-hungg: {bucket: b-1}\n", "`deploy` names `dinh-hungg`"),
        ("deploy:\n  dinh-hung: b-1\n", "the target of `dinh-hung` must be a group of keys"),
        ("deploy: [b-1]\n", "`deploy` must list each site's id and its target"),
        ("deploy:\n  dinh-hung: {bucket: b-1, prefix: /x}\n", "`prefix` `/x` is not a folder"),
    ],
)
def test_bangtin_yml_targets_are_checked(tmp_path: Path, deploy_yml: str, expected: str) -> None:
    root = tmp_path / "tinh"
    (root / "sites/dinh-hung/content").mkdir(parents=True)
    (root / "sites/dinh-hung/content/site.yml").write_text(
        "title: T\nbase_url: https://t.example/\n"
    )
    (root / "bangtin.yml").write_text("sites:\n  dinh-hung: sites/dinh-hung/content\n" + deploy_yml)
    result = run_cli("check", cwd=root)
    assert result.returncode == 1
    assert "bangtin.yml:" in result.stderr and expected in result.stderr


def test_two_sites_in_one_folder_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "tinh"
    for site_id in ("mot", "hai"):
        (root / f"sites/{site_id}/content").mkdir(parents=True)
        (root / f"sites/{site_id}/content/site.yml").write_text(
            f"title: T\nbase_url: https://t.example/{site_id}/\n"
        )
    (root / "bangtin.yml").write_text(
        "sites:\n  mot: sites/mot/content\n  hai: sites/hai/content\n"
        "deploy:\n  mot: {bucket: b-1, prefix: x}\n  hai: {bucket: b-1, prefix: x/}\n"
    )
    result = run_cli("deploy", cwd=root, env=CREDENTIALS)
    assert result.returncode == 2
    assert "mot and hai would be deployed to the same folder s3://b-1/x/" in result.stderr
