"""``bangtin new`` and ``bangtin init``: what they write passes ``check`` and builds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.inputs.content import PLACEHOLDER
from tests.conftest import SAMPLE, Built, run_cli

TODAY = "2026-11-28"  # SOURCE_DATE_EPOCH of the tests, in Asia/Ho_Chi_Minh


@pytest.mark.parametrize(
    ("title", "file"),
    [
        ("Lịch cắt điện đợt 2", "lich-cat-dien-dot-2"),
        ("Họp thôn Đồng Tâm: tổng kết năm", "hop-thon-dong-tam-tong-ket-nam"),
        ("Cảnh báo lừa đảo qua Zalo!", "canh-bao-lua-dao-qua-zalo"),
        ("Tiêm vắc-xin sởi – rubella", "tiem-vac-xin-soi-rubella"),
        ("Đăng ký khai sinh trực tuyến", "dang-ky-khai-sinh-truc-tuyen"),
        ("ĐƯỜNG ĐIỆN 35KV", "duong-dien-35kv"),
    ],
)
def test_new_notice_file_name(tmp_path: Path, title: str, file: str) -> None:
    (tmp_path / "content").mkdir()
    result = run_cli("new", "notice", title, "--content", str(tmp_path / "content"))
    assert result.returncode == 0, result.stderr
    path = tmp_path / "content" / "notices" / f"{TODAY}-{file}.md"
    assert path.is_file()
    front = yaml.safe_load(path.read_text("utf-8").split("---")[1])
    assert front["title"] == title


def test_new_outputs_pass_check_and_build(tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(["cp", "-r", str(SAMPLE), str(site)], check=True)
    steps = [
        ["new", "location", "nha-van-hoa-thon-5", "Nhà văn hóa thôn 5"],
        ["new", "notice", "Họp thôn 5: bầu trưởng thôn", "--locations", "nha-van-hoa-thon-5,ubnd-xa",
         "--expires", "2026-12-20", "--pinned"],
        ["new", "notice", "Thông báo chung cho mọi thôn"],
    ]  # fmt: skip
    for args in steps:
        result = run_cli(*args, "--content", str(site))
        assert result.returncode == 0, result.stderr
    assert run_cli("check", "--content", str(site)).returncode == 1  # the placeholders
    for path in (site / "notices").glob(f"{TODAY}-*.md"):
        text = path.read_text("utf-8")
        path.write_text(text.replace(PLACEHOLDER, "Mời bà con đến họp"), "utf-8")
    assert run_cli("check", "--content", str(site)).returncode == 0
    out = tmp_path / "out"
    result = run_cli("build", "--content", str(site), "--output", str(out))
    assert result.returncode == 0, result.stderr
    built = Built(out)
    place = built.html("l/nha-van-hoa-thon-5/")
    assert "Nhà văn hóa thôn 5" in place
    assert "Họp thôn 5: bầu trưởng thôn" in place and "Thông báo chung cho mọi thôn" in place
    assert 'class="notice pinned"' in place
    assert "20/12/2026" in built.html("n/hop-thon-5-bau-truong-thon/")


def test_new_never_overwrites(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    assert run_cli("new", "notice", "Lịch tiêm", "--content", str(content)).returncode == 0
    path = content / "notices" / f"{TODAY}-lich-tiem.md"
    path.write_text("đã sửa", "utf-8")
    result = run_cli("new", "notice", "Lịch tiêm", "--content", str(content))
    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert path.read_text("utf-8") == "đã sửa"
    assert run_cli("new", "location", "cho", "Chợ", "--content", str(content)).returncode == 0
    again = run_cli("new", "location", "cho", "Chợ khác", "--content", str(content))
    assert again.returncode == 2
    assert "Chợ khác" not in (content / "locations" / "cho.yml").read_text("utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "notice", "X", "--locations", "khong-co"], "unknown place id"),
        (["new", "notice", "X", "--expires", "31/12/2026"], "is not a date"),
        (["new", "notice", "!!!"], "cannot make a file name"),
        (["new", "location", "Chợ Mới", "Chợ mới"], "for example cho-moi"),
    ],
)
def test_new_refuses_bad_arguments(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "content").mkdir()
    result = run_cli(*args, "--content", str(tmp_path / "content"))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_init_creates_a_site_that_checks_and_builds(tmp_path: Path) -> None:
    folder = tmp_path / "xa-moi"
    result = run_cli(
        "init", str(folder), "--title", "Bảng tin xã Mới", "--base-url", "https://xamoi.example"
    )
    assert result.returncode == 0, result.stderr
    for rel in (
        "content/site.yml",
        "content/locations/nha-van-hoa.yml",
        f"content/notices/{TODAY}-chao-mung-den-bang-tin-dien-tu.md",
        "content/pages/gioi-thieu.md",
        ".github/workflows/bangtin.yml",
        ".github/CODEOWNERS",
        ".gitignore",
    ):
        assert (folder / rel).is_file(), rel
    owners = (folder / ".github" / "CODEOWNERS").read_text("utf-8")
    assert "\n/themes/ @" in owners  # themes are code: reviewed like code
    unready = run_cli("check", cwd=folder)  # the first notice is still to be written
    assert unready.returncode == 1 and "placeholder" in unready.stderr, unready.stderr
    first = folder / "content" / "notices" / f"{TODAY}-chao-mung-den-bang-tin-dien-tu.md"
    first.write_text(first.read_text("utf-8").replace(PLACEHOLDER, "Chào bà con."), "utf-8")
    assert run_cli("check", cwd=folder).returncode == 0
    result = run_cli("build", cwd=folder)
    assert result.returncode == 0, result.stderr
    built = Built(folder / "output")
    assert built.manifest["base_url"] == "https://xamoi.example/"
    assert {p["kind"] for p in built.pages()} >= {"home", "notice", "location", "page"}
    assert run_cli("init", str(folder)).returncode == 2  # never over an existing site


def test_init_workflow_checks_prs_and_publishes(tmp_path: Path) -> None:
    """The workflow as init writes it (its text in detail: tests/test_workflow.py)."""
    folder = tmp_path / "site"
    assert run_cli("init", str(folder)).returncode == 0
    workflow_path = folder / ".github" / "workflows" / "bangtin.yml"
    workflow = yaml.safe_load(workflow_path.read_text("utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]
    assert triggers["schedule"][0]["cron"].count(" ") == 4
    jobs = workflow["jobs"]
    runs = lambda job: [step.get("run", "") for step in jobs[job]["steps"]]  # noqa: E731
    assert "bangtin check" in runs("check")
    assert "pull_request" in jobs["check"]["if"]
    assert any("bangtin build" in run for run in runs("build"))
    uses = [step.get("uses", "") for step in jobs["build"]["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    assert jobs["publish"]["needs"] == "build"
    # validated against the GitHub workflow schema that check-jsonschema ships
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         str(workflow_path)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
