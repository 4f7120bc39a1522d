"""The GitHub Actions workflow ``bangtin init`` writes, and how ``bangtin build`` tells it
whether the site changed.

Its text is checked here (triggers, schedule, permissions, conditions, pinned actions,
no expression in a shell command), and audited by zizmor and GitHub's workflow schema;
how it behaves on GitHub cannot be tested here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import workflow
from generator.workflow import Source, source
from tests.conftest import SAMPLE, SiteFactory, notice, replace_in, run_cli

MakeSite = Callable[[dict[str, str]], SiteFactory]

COMMIT = "0123456789abcdef0123456789abcdef01234567"
SHA256 = "ab" * 32
PINNED = {  # the releases the issue names, each at the commit of its tag
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/cache": ("27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"),
    "actions/upload-pages-artifact": ("fc324d3547104276b827a68afc52ff2a11cc49c9", "v5.0.0"),
    "actions/deploy-pages": ("cd2ce8fcbc39b97be8ca5fce6e763baed58fa128", "v5.0.0"),
}
RELEASED = Source("bangtin==1.2.0", "bangtin==1.2.0")
LOCAL = Source(None, "file:///home/to/bangtin")
# a site's workflow, and a province's (`bangtin init --province`: its pull requests check
# only the sites they change; tests/test_province_git.py runs that job's script)
KINDS = pytest.mark.parametrize("province", [False, True], ids=["site", "province"])


# -- where bangtin is installed from: direct_url.json (PEP 610) -------------------------


def direct(**data: Any) -> str:
    return json.dumps(data)


@pytest.mark.parametrize(
    ("data", "requirement"),
    [
        # a release from a package index has no direct_url.json
        (None, "bangtin==1.2.0"),
        # a VCS URL: the commit that was installed, not the branch that was asked for
        (
            direct(
                url="https://github.com/xa/bangtin.git",
                vcs_info={"vcs": "git", "commit_id": COMMIT, "requested_revision": "main"},
            ),
            f"bangtin @ git+https://github.com/xa/bangtin.git@{COMMIT}",
        ),
        (
            direct(
                url="https://github.com/xa/mono",
                vcs_info={"vcs": "git", "commit_id": COMMIT},
                subdirectory="tools/bangtin",
            ),
            f"bangtin @ git+https://github.com/xa/mono@{COMMIT}#subdirectory=tools/bangtin",
        ),
        (
            direct(url="https://hg.example/bangtin", vcs_info={"vcs": "hg", "commit_id": "ab12"}),
            "bangtin @ hg+https://hg.example/bangtin@ab12",
        ),
        # credentials are never written into a file that is committed
        (
            direct(
                url="https://${TOKEN}@github.com/xa/bangtin",
                vcs_info={"vcs": "git", "commit_id": COMMIT},
            ),
            f"bangtin @ git+https://github.com/xa/bangtin@{COMMIT}",
        ),
        # an archive URL, with the hash pip recorded (pip checks the download against it)
        (
            direct(
                url="https://files.example/bangtin-1.2.0.tar.gz",
                archive_info={"hashes": {"sha256": SHA256}, "hash": f"sha256={SHA256}"},
            ),
            f"bangtin @ https://files.example/bangtin-1.2.0.tar.gz#sha256={SHA256}",
        ),
        (  # PEP 610's first form of the hash
            direct(url="https://files.example/b.whl", archive_info={"hash": f"sha256={SHA256}"}),
            f"bangtin @ https://files.example/b.whl#sha256={SHA256}",
        ),
        (
            direct(url="https://files.example/b.whl", archive_info={}),
            "bangtin @ https://files.example/b.whl",
        ),
    ],
)
def test_requirement_from_where_bangtin_came_from(data: str | None, requirement: str) -> None:
    assert source(data, "1.2.0").requirement == requirement


@pytest.mark.parametrize(
    "data",
    [
        direct(url="file:///home/to/bangtin", dir_info={"editable": True}),  # pip install -e .
        direct(url="file:///home/to/bangtin", dir_info={}),  # pip install .
        direct(url="file:///tmp/bangtin-1.2.0-py3-none-any.whl", archive_info={}),
        direct(url="file:///home/to/bangtin", vcs_info={"vcs": "git", "commit_id": COMMIT}),
        direct(url="ssh://git@github.com/xa/bangtin", vcs_info={"vcs": "git", "commit_id": COMMIT}),
        direct(url="http://files.example/b.whl", archive_info={}),  # not over https
        direct(url="https://github.com/xa/b", vcs_info={"vcs": "git", "commit_id": "main; rm"}),
        direct(url="https://github.com/xa/b", vcs_info={"vcs": "cvs", "commit_id": COMMIT}),
        direct(url="https://host:99999/b", archive_info={}),
        direct(archive_info={}),
        "not json",
    ],
)
def test_a_bangtin_github_cannot_install_gives_no_requirement(data: str) -> None:
    found = source(data, "1.2.0")
    assert found.requirement is None
    assert found.origin  # what init tells the user


def test_installed_reads_the_running_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    class Installed:
        version = "1.2.0"

        def __init__(self, data: str | None) -> None:
            self.data = data

        def read_text(self, name: str) -> str | None:
            assert name == "direct_url.json"
            return self.data

    def found(data: str | None) -> Callable[[str], Installed]:
        return lambda name: Installed(data) if name == "bangtin" else pytest.fail(name)

    monkeypatch.setattr(metadata, "distribution", found(None))
    assert workflow.installed().requirement == "bangtin==1.2.0"
    editable = direct(url="file:///home/to/bangtin", dir_info={"editable": True})
    monkeypatch.setattr(metadata, "distribution", found(editable))
    assert workflow.installed() == Source(None, "file:///home/to/bangtin")

    def missing(name: str) -> Installed:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "distribution", missing)  # run from a source folder
    assert workflow.installed().requirement is None


def test_init_says_when_github_cannot_install_this_bangtin(tmp_path: Path) -> None:
    """This checkout runs from a folder (``pip install -e .``), as the test suite does."""
    result = run_cli("init", str(tmp_path / "xa"), "--base-url", "https://xa.vn/")
    assert result.returncode == 0, result.stderr
    written = load(tmp_path / "xa" / workflow.PATH)
    if workflow.installed().requirement is None:
        assert "GitHub Actions cannot install from" in result.stderr
        assert "`BANGTIN` at the top of" in result.stderr
        assert written["env"]["BANGTIN"] == ""
    else:  # installed from an index or a URL: pinned, and nothing to say
        assert "BANGTIN" not in result.stderr
        assert written["env"]["BANGTIN"] == workflow.installed().requirement
    assert (tmp_path / "xa" / workflow.PATH).read_text("utf-8") == workflow.text()
    ignored = (tmp_path / "xa" / ".gitignore").read_text("utf-8").splitlines()
    assert {"/output/", "/output.nginx/"} <= set(ignored)  # the site and its server files


# -- the workflow's text --------------------------------------------------------------


def load(path: Path) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text("utf-8"))
    return data


def parsed(where: Source, province: bool = False) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(workflow.text(where, province))
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as True
    return data


def steps(data: dict[Any, Any], job: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = data["jobs"][job]["steps"]
    return found


def uses(data: dict[Any, Any], job: str, action: str) -> dict[str, Any]:
    [step] = [s for s in steps(data, job) if s.get("uses", "").startswith(action + "@")]
    return step


def test_triggers_and_an_hourly_schedule() -> None:
    data = parsed(RELEASED)
    assert set(data["on"]) == {"pull_request", "push", "schedule", "workflow_dispatch"}
    assert data["on"]["push"] == {"branches": ["main"]}
    crons = [entry["cron"] for entry in data["on"]["schedule"]]
    assert crons == [workflow.HOURLY, workflow.WEEKLY]
    minute, *rest = workflow.HOURLY.split()
    assert minute.isdigit() and rest == ["*", "*", "*", "*"]  # once every hour
    assert workflow.WEEKLY.split()[2:] == ["*", "*", "1"]  # once a week


@KINDS
def test_each_job_asks_for_the_least_it_needs(province: bool) -> None:
    data = parsed(RELEASED, province)
    assert data["permissions"] == {}
    permissions = {name: job["permissions"] for name, job in data["jobs"].items()}
    assert permissions == {
        "check": {"contents": "read"},
        "build": {"contents": "read"},
        "publish": {"pages": "write", "id-token": "write"},
        "keepalive": {"actions": "write"},
    }


@KINDS
def test_when_each_job_and_step_runs(province: bool) -> None:
    data = parsed(RELEASED, province)
    jobs = data["jobs"]
    weekly = f"github.event.schedule == '{workflow.WEEKLY}'"
    assert jobs["check"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["build"]["if"] == (
        f"github.ref == 'refs/heads/main' && github.event.schedule != '{workflow.WEEKLY}'"
    )
    assert jobs["keepalive"]["if"] == weekly
    assert jobs["publish"]["needs"] == "build"
    assert jobs["publish"]["if"] == "needs.build.outputs.publish == 'true'"
    assert jobs["build"]["outputs"]["publish"] == (
        "${{ steps.build.outputs.changed == 'true' || github.event_name == 'workflow_dispatch' }}"
    )
    # the build writes changed=... (its step's id is `build`); only then upload and save
    [build] = [s for s in steps(data, "build") if s.get("id") == "build"]
    assert "bangtin build" in build["run"]
    upload = uses(data, "build", "actions/upload-pages-artifact")
    assert upload["if"] == (
        "steps.build.outputs.changed == 'true' || github.event_name == 'workflow_dispatch'"
    )
    assert upload["with"] == {"path": "output"}
    assert (
        uses(data, "build", "actions/cache/save")["if"] == "steps.build.outputs.changed == 'true'"
    )
    if province:  # the sites the pull request changes, compared with where it goes
        [check] = [s for s in steps(data, "check") if "bangtin check" in s.get("run", "")]
        assert 'bangtin changed-sites --since "origin/$BASE"' in check["run"]
        assert check["env"] == {"BASE": "${{ github.base_ref }}"}
    else:
        assert "bangtin check" in [s.get("run") for s in steps(data, "check")]
    assert "actions/deploy-pages" in uses(data, "publish", "actions/deploy-pages")["uses"]
    assert jobs["publish"]["environment"]["name"] == "github-pages"


@KINDS
def test_every_action_is_pinned_to_its_release_commit(province: bool) -> None:
    text = workflow.text(RELEASED, province)
    found = re.findall(r"^\s*(?:- )?uses: (\S+)(.*)$", text, re.M)
    assert len(found) == 8  # checkout and setup-python in two jobs
    for ref, comment in found:
        name, _, commit = ref.partition("@")
        repo = "/".join(name.split("/")[:2])  # actions/cache/save is in actions/cache
        assert (commit, comment) == (PINNED[repo][0], f" # {PINNED[repo][1]}"), ref
    assert {"/".join(ref.split("@")[0].split("/")[:2]) for ref, _ in found} == set(PINNED)


@KINDS
def test_checkouts_keep_no_credentials_and_no_expression_reaches_a_shell(province: bool) -> None:
    for where in (RELEASED, LOCAL):
        data = parsed(where, province)
        for name in ("check", "build"):
            expected: dict[str, Any] = {"persist-credentials": False}
            if province and name == "check":  # changed-sites compares with the base branch
                expected["fetch-depth"] = 0
            assert uses(data, name, "actions/checkout")["with"] == expected
        runs = [s["run"] for job in data["jobs"] for s in steps(data, job) if "run" in s]
        assert len(runs) >= 4
        for run in runs:
            assert "${{" not in run, run


def test_the_cache_and_its_key_are_kept_between_runs() -> None:
    data = parsed(RELEASED)
    restore = uses(data, "build", "actions/cache/restore")
    save = uses(data, "build", "actions/cache/save")
    paths = ["~/.cache/bangtin", "~/.config/bangtin/cache.key"]
    assert restore["with"]["path"].split() == save["with"]["path"].split() == paths
    assert restore["with"]["key"] == save["with"]["key"]
    assert restore["with"]["key"].startswith(restore["with"]["restore-keys"])
    [build] = [s for s in steps(data, "build") if s.get("id") == "build"]
    assert 'export BANGTIN_CACHE_DIR="$HOME/.cache/bangtin"' in build["run"]
    order = [s.get("uses", s.get("id", "")).split("@")[0] for s in steps(data, "build")]
    assert order.index("actions/cache/restore") < order.index("build")
    assert order.index("build") < order.index("actions/cache/save")


def test_the_keepalive_job_enables_its_own_workflow() -> None:
    data = parsed(RELEASED)
    [step] = steps(data, "keepalive")
    assert step["env"] == {"GH_TOKEN": "${{ github.token }}"}
    assert step["run"] == (
        'gh api -X PUT "repos/${GITHUB_REPOSITORY}/actions/workflows/bangtin.yml/enable"'
    )
    assert workflow.PATH == ".github/workflows/bangtin.yml"  # the file it enables


@KINDS
def test_bangtin_is_installed_from_the_pinned_requirement(province: bool) -> None:
    data = parsed(RELEASED, province)
    assert data["env"] == {"BANGTIN": "bangtin==1.2.0"}
    for job in ("check", "build"):
        assert 'python -m pip install "$BANGTIN"' in [s.get("run") for s in steps(data, job)]
        assert "Where to install bangtin from" not in str(steps(data, job))
    vcs = Source(f"bangtin @ git+https://github.com/xa/bangtin@{COMMIT}", "")
    assert parsed(vcs)["env"]["BANGTIN"] == vcs.requirement


@KINDS
def test_without_a_requirement_each_job_stops_first_and_says_what_to_write(province: bool) -> None:
    data = parsed(LOCAL, province)
    assert data["env"] == {"BANGTIN": ""}
    for job in ("check", "build"):
        first = steps(data, job)[0]
        assert first["if"] == "env.BANGTIN == ''"
        assert first["run"].rstrip().endswith("exit 1")
        assert "::error::Set BANGTIN at the top of .github/workflows/bangtin.yml" in first["run"]
        assert "bangtin==VERSION" in first["run"] and "Hãy ghi vào BANGTIN" in first["run"]
    result = subprocess.run(  # the step as a shell runs it
        ["bash", "-e", "-c", steps(data, "build")[0]["run"]], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        "::error::Set BANGTIN at the top of .github/workflows/bangtin.yml to a pip "
        "requirement for bangtin, such as 'bangtin @ git+https://github.com/OWNER/bangtin@COMMIT'"
        " or 'bangtin==VERSION'."
    )


@KINDS
@pytest.mark.parametrize("where", [RELEASED, LOCAL], ids=["pinned", "unset"])
def test_every_line_can_be_read_without_scrolling(where: Source, province: bool) -> None:
    long = [line for line in workflow.text(where, province).splitlines() if len(line) > 100]
    assert long == []


def test_a_workflow_file_can_be_read_as_written(tmp_path: Path) -> None:
    """The requirement is a YAML string whatever it holds."""
    odd = Source('bangtin @ https://files.example/a "b" #c.whl', "")
    path = tmp_path / "w.yml"
    path.write_text(workflow.text(odd), "utf-8")
    assert load(path)["env"]["BANGTIN"] == odd.requirement


# -- audits: zizmor and GitHub's workflow schema ------------------------------------------


def zizmor_findings(path: Path) -> list[dict[str, Any]]:
    """Every finding of zizmor (the auditor persona: all of them), offline."""
    here = str(Path(sys.executable).parent)
    binary = shutil.which("zizmor", path=here) or shutil.which("zizmor")
    if binary is None:
        pytest.fail("zizmor is needed: pip install -e '.[test]' (or pip install zizmor)")
    result = subprocess.run(
        [binary, "--offline", "--persona", "auditor", "--format", "json", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode in (0, 10, 11, 12, 13, 14), result.stderr  # 1x: findings
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings


def serious(findings: list[dict[str, Any]]) -> list[str]:
    return [
        f"{f['ident']}: {f['desc']}"
        for f in findings
        if f["determinations"]["severity"] in ("Medium", "High")
    ]


@KINDS
@pytest.mark.parametrize("where", [RELEASED, LOCAL], ids=["pinned", "unset"])
def test_zizmor_finds_nothing_of_medium_severity_or_above(
    where: Source, province: bool, tmp_path: Path
) -> None:
    path = tmp_path / ".github" / "workflows" / "bangtin.yml"
    path.parent.mkdir(parents=True)
    path.write_text(workflow.text(where, province), "utf-8")
    assert serious(zizmor_findings(path)) == []


def test_zizmor_would_see_an_unpinned_action(tmp_path: Path) -> None:
    """The audit above can fail: the same workflow with a tag instead of a commit."""
    path = tmp_path / "bangtin.yml"
    text = workflow.text(RELEASED).replace(workflow.CHECKOUT, "actions/checkout@v7")
    path.write_text(text, "utf-8")
    assert any(line.startswith("unpinned-uses") for line in serious(zizmor_findings(path)))


@KINDS
@pytest.mark.parametrize("where", [RELEASED, LOCAL], ids=["pinned", "unset"])
def test_github_workflow_schema_accepts_it(where: Source, province: bool, tmp_path: Path) -> None:
    path = tmp_path / "bangtin.yml"
    path.write_text(workflow.text(where, province), "utf-8")
    command = [sys.executable, "-m", "check_jsonschema"]
    schema = ["--builtin-schema", "vendor.github-workflows"]
    result = subprocess.run([*command, *schema, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    path.write_text(workflow.text(where, province).replace("runs-on:", "runs_on:"), "utf-8")
    broken = subprocess.run([*command, *schema, str(path)], capture_output=True, text=True)
    assert broken.returncode == 1  # the schema is really applied


# -- bangtin build: changed=true|false in $GITHUB_OUTPUT ------------------------------------


def build_on_github(
    site: SiteFactory, github_output: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """``bangtin build`` as the workflow runs it, with $GITHUB_OUTPUT set."""
    return run_cli(
        "build",
        "--content",
        str(site.content),
        "--output",
        str(site.output),
        *args,
        env={"GITHUB_OUTPUT": str(github_output)},
    )


def changed(site: SiteFactory, github_output: Path, *args: str) -> str:
    """What a successful build appended to $GITHUB_OUTPUT."""
    before = github_output.read_text("utf-8") if github_output.exists() else ""
    result = build_on_github(site, github_output, *args)
    assert result.returncode == 0, result.stderr
    return github_output.read_text("utf-8").removeprefix(before)


def test_build_tells_github_whether_the_site_changed(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"notices/2026-11-20-hop.md": notice("Họp thôn")})
    steps_file = tmp_path / "github_output"
    assert changed(site, steps_file) == "changed=true\n"  # the first build
    assert changed(site, steps_file) == "changed=false\n"  # nothing to do
    # a new runner: output/ is not there, the cache is: the same site again
    shutil.rmtree(site.output)
    assert changed(site, steps_file) == "changed=false\n"
    assert (site.output / "n" / "hop" / "index.html").is_file()  # written all the same
    replace_in(site.content / "notices/2026-11-20-hop.md", "Họp thôn", "Họp thôn 3")
    shutil.rmtree(site.output)
    assert changed(site, steps_file) == "changed=true\n"  # one notice's text
    (site.content / "notices/2026-11-20-hop.md").unlink()
    assert changed(site, steps_file) == "changed=true\n"  # pages removed
    assert changed(site, steps_file, "--base-url", "https://khac.example/") == "changed=true\n"


def test_build_writes_no_github_output_outside_github(make_site: MakeSite) -> None:
    site = make_site({"notices/2026-11-20-hop.md": notice("Họp thôn")})
    result = run_cli("build", "--content", str(site.content), "--output", str(site.output))
    assert result.returncode == 0, result.stderr
    assert "changed=" not in result.stdout + result.stderr


def test_a_failed_build_reports_nothing(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"notices/2026-11-20-hop.md": notice("Họp thôn", pinned="yes")})
    steps_file = tmp_path / "github_output"
    result = build_on_github(site, steps_file)
    assert result.returncode == 1
    assert not steps_file.exists()  # the step failed: later steps do not run


def test_the_sample_builds_and_reports_changed(tmp_path: Path) -> None:
    steps_file = tmp_path / "github_output"
    result = run_cli(
        "build",
        "--content",
        str(SAMPLE),
        "--output",
        str(tmp_path / "output"),
        env={"GITHUB_OUTPUT": str(steps_file)},
    )
    assert result.returncode == 0, result.stderr
    assert steps_file.read_text("utf-8") == "changed=true\n"
