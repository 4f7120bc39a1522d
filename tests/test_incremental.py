"""Cached and skipped builds write exactly what a cold build writes, and never stale pages."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import EPOCH, SAMPLE, run_cli, tree_bytes

NOTICE = "notices/2026-11-10-lich-tiem-chung-thang-11.md"


def site_copy(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "content")
    return tmp_path


def build(root: Path, **env: str) -> str:
    result = run_cli("build", cwd=root, env=env or None)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_cold_warm_noop_and_incremental_outputs_are_identical(tmp_path: Path) -> None:
    root = site_copy(tmp_path)
    assert "Built" in build(root)  # cold: no cache
    cold = tree_bytes(root / "output")
    assert (root / ".bangtin-cache" / "qr" / "index.json").is_file()

    shutil.rmtree(root / "output")
    assert "Built" in build(root)  # warm: QR codes from the cache
    assert tree_bytes(root / "output") == cold

    assert "Nothing changed" in build(root)  # no-op
    assert tree_bytes(root / "output") == cold

    path = root / "content" / NOTICE
    original = path.read_text("utf-8")
    path.write_text(original.replace("theo lịch sau", "theo lịch MỚI sau"), "utf-8")
    assert "Built" in build(root)
    assert "lịch MỚI sau" in (root / "output/n/lich-tiem-chung-thang-11/index.html").read_text(
        "utf-8"
    )
    path.write_text(original, "utf-8")
    assert "Built" in build(root)  # back to the original: the original bytes
    assert tree_bytes(root / "output") == cold


def test_cold_equals_a_build_with_a_deleted_or_damaged_cache(tmp_path: Path) -> None:
    root = site_copy(tmp_path)
    build(root)
    cold = tree_bytes(root / "output")
    index = root / ".bangtin-cache" / "qr" / "index.json"
    index.write_text("{not json", "utf-8")
    # a cached image replaced by a wrong one is never used without its index entry
    shutil.rmtree(root / "output")
    build(root)
    assert tree_bytes(root / "output") == cold
    shutil.rmtree(root / ".bangtin-cache")
    shutil.rmtree(root / "output")
    build(root)
    assert tree_bytes(root / "output") == cold


def test_time_passing_rebuilds_when_a_notice_expires(tmp_path: Path) -> None:
    root = site_copy(tmp_path)
    build(root)
    page = root / "output" / "l" / "tram-y-te" / "index.html"
    assert "Lịch tiêm chủng mở rộng tháng 11/2026" in page.read_text("utf-8")
    one_day = 24 * 3600
    # 1 December: the November schedule (expires 30/11) has left the lists
    later = str(int(EPOCH) + 3 * one_day)
    assert "Built" in build(root, SOURCE_DATE_EPOCH=later)
    assert "Lịch tiêm chủng mở rộng tháng 11/2026" not in page.read_text("utf-8")
    assert "Nothing changed" in build(root, SOURCE_DATE_EPOCH=later)


def test_removed_or_changed_output_is_rebuilt(tmp_path: Path) -> None:
    root = site_copy(tmp_path)
    build(root)
    cold = tree_bytes(root / "output")
    manifest = root / "output" / "qr-manifest.json"
    manifest.write_text("{}", "utf-8")
    assert "Built" in build(root)
    assert tree_bytes(root / "output") == cold
    shutil.rmtree(root / "output")
    assert "Built" in build(root)


def test_theme_or_option_change_rebuilds(tmp_path: Path) -> None:
    root = site_copy(tmp_path)
    build(root)
    theme = root / "themes" / "default" / "templates"
    theme.mkdir(parents=True)  # a site theme beside content/ overrides single templates
    (theme / "page.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>RIÊNG</h1>{% endblock %}', "utf-8"
    )
    assert "Built" in build(root)
    assert "<h1>RIÊNG</h1>" in (root / "output/p/gioi-thieu/index.html").read_text("utf-8")
    result = run_cli("build", "--base-url", "https://khac.example/", cwd=root)
    assert "Built" in result.stdout
