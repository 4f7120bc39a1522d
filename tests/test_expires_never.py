"""The last day of the calendar: ``expires: 9999-12-31`` (a natural "never") and a notice
dated 9999-12-31 build, check and serve, in zones either side of UTC."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator.inputs.config import load_config
from generator.inputs.content import load_content
from generator.plan.site import plan_site
from generator.serve.server import Preview
from tests.conftest import NOW, SAMPLE, run_cli

NEVER = "---\ntitle: Không bao giờ hết hạn\ndate: 2026-11-01\nexpires: 9999-12-31\n---\n\nMãi.\n"
FAR = "---\ntitle: Năm 9999\ndate: 9999-12-31\nexpires: 9999-12-31\n---\n\nXa.\n"
ZONES = ["Asia/Ho_Chi_Minh", "Etc/GMT+12", "Pacific/Kiritimati"]  # +7, -12, +14


def far_site(root: Path, zone: str) -> Path:
    content = root / "content"
    shutil.copytree(SAMPLE, content)
    yml = content / "site.yml"
    yml.write_text(yml.read_text("utf-8").replace("Asia/Ho_Chi_Minh", zone), "utf-8")
    (content / "notices" / "2026-11-01-mai-mai.md").write_text(NEVER, "utf-8")
    (content / "notices" / "9999-12-31-xa.md").write_text(FAR, "utf-8")
    return content


@pytest.mark.parametrize("zone", ZONES)
def test_build_check_and_a_second_build_with_the_end_of_the_calendar(
    tmp_path: Path, zone: str
) -> None:
    content, output = far_site(tmp_path, zone), tmp_path / "output"

    built = run_cli("build", "--content", str(content), "--output", str(output))
    assert built.returncode == 0, built.stderr
    page = (output / "n" / "mai-mai" / "index.html").read_text("utf-8")
    assert "Mãi." in page and 'class="expired"' not in page
    assert "31/12/9999" in page  # in effect to the end of that day
    assert "mai-mai" in (output / "index.html").read_text("utf-8")  # current, on the home page
    assert not (output / "n" / "xa").exists()  # published in year 9999: not yet

    again = run_cli("build", "--content", str(content), "--output", str(output))
    assert again.returncode == 0, again.stderr
    assert "Nothing changed since the last build" in again.stdout

    checked = run_cli("check", "--content", str(content))
    assert checked.returncode == 0, checked.stderr
    assert "no errors" in checked.stdout


@pytest.mark.parametrize("zone", ZONES)
def test_the_preview_server_builds_it(tmp_path: Path, zone: str) -> None:
    content, output = far_site(tmp_path, zone), tmp_path / "output"
    logged: list[str] = []
    preview = Preview(content, output, "http://127.0.0.1:8000/", logged.append)
    preview.rebuild()
    preview.rebuild()  # the second from the server's caches kept in memory
    assert preview.errors is None, logged
    assert [line for line in logged if line.startswith("Rebuilt")] == logged, logged
    assert len(logged) == 2
    assert (output / "n" / "mai-mai" / "index.html").is_file()


def test_a_notice_that_never_expires_is_no_change_to_wait_for(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "notices").mkdir(parents=True)
    (content / "site.yml").write_text("title: Thử\nbase_url: https://test.example/\n", "utf-8")
    (content / "notices" / "a.md").write_text(NEVER, "utf-8")
    site = load_config(content)
    plan = plan_site(site, load_content(site), NOW)
    assert plan.next_change is None
    assert [n.title for n in plan.current] == ["Không bao giờ hết hạn"]

    (content / "notices" / "b.md").write_text(FAR, "utf-8")
    plan = plan_site(site, load_content(site), NOW)
    assert plan.next_change == dt.datetime(9999, 12, 31, tzinfo=site.tz)  # b is published


@pytest.mark.parametrize("when", ["9999-12-31T23:59:00-12:00", "0001-01-01T00:00:00+14:00"])
def test_a_moment_with_an_offset_at_the_calendar_edge_is_a_content_error(
    tmp_path: Path, when: str
) -> None:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    notice = content / "notices" / "9999-bien.md"
    notice.write_text(f"---\ntitle: Biên\ndate: {when}\n---\n\nx\n", "utf-8")
    result = run_cli("build", "--content", str(content), "--output", str(tmp_path / "out"))
    assert result.returncode == 1, result.stderr
    assert "9999-bien.md:3:7: error: `date` is out of range" in result.stderr
    assert "Traceback" not in result.stderr
