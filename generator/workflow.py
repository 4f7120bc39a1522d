"""The GitHub Actions workflow ``bangtin init`` writes: ``.github/workflows/bangtin.yml``.

It checks every pull request, and builds the site on main, every hour and when run by
hand, publishing it to GitHub Pages only when the build changed it (``bangtin build``
appends ``changed=true|false`` to ``$GITHUB_OUTPUT``).  It installs the bangtin that
wrote it: ``source`` reads where the running bangtin came from (PEP 610's
``direct_url.json``) and makes the pip requirement that installs the same code again.
A bangtin installed from a folder of this computer cannot be installed on GitHub's
machines: the workflow then begins with a step that fails and says what to write.

A province's workflow (``bangtin init --province``) differs in its pull-request job
only: it checks the sites the pull request changes (``bangtin changed-sites``), not all.

Every action is pinned to the full commit of a release (a tag can be moved; a commit
cannot), every job asks for the least it needs, and no ``${{ }}`` expression is ever
put into a shell command (a branch name or a title could then run as code).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from generator.i18n import Message, _

PATH = ".github/workflows/bangtin.yml"  # the keepalive job names this file
DISTRIBUTION = "bangtin"

# Each action at the commit of its release (from the action's own repository).
CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1"
SETUP_PYTHON = "actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97 # v7.0.0"
CACHE_COMMIT = "27d5ce7f107fe9357f9df03efb73ab90386fccae # v5.0.5"
CACHE_RESTORE = f"actions/cache/restore@{CACHE_COMMIT}"  # actions/cache, in two steps
CACHE_SAVE = f"actions/cache/save@{CACHE_COMMIT}"
UPLOAD_PAGES = "actions/upload-pages-artifact@fc324d3547104276b827a68afc52ff2a11cc49c9 # v5.0.0"
DEPLOY_PAGES = "actions/deploy-pages@cd2ce8fcbc39b97be8ca5fce6e763baed58fa128 # v5.0.0"

HOURLY = "7 * * * *"  # minute 7: GitHub delays runs at the top of the hour most
WEEKLY = "23 3 * * 1"  # Mondays 03:23 UTC: the keepalive job

# VCS schemes pip installs from (``git+https://...``); only https reaches GitHub's
# machines without credentials of this computer.
_VCS = ("git", "hg", "svn", "bzr")
_HASHES = ("sha256", "sha512", "sha384", "sha224", "sha1", "md5")  # pip checks these; sha256 first


@dataclass(frozen=True, slots=True)
class Source:
    """Where CI installs bangtin from: a pip requirement, or None when the running
    bangtin came from a place only this computer can reach (``origin`` says which)."""

    requirement: str | None
    origin: str


def source(direct_url: str | None, version: str) -> Source:
    """The requirement that installs this bangtin again, from its distribution's
    ``direct_url.json`` (PEP 610; None: there is none, so it came from a package index)
    and its version."""
    if direct_url is None:
        return Source(f"{DISTRIBUTION}=={version}", f"{DISTRIBUTION}=={version}")
    try:
        data = json.loads(direct_url)
    except ValueError:
        data = None
    url = data.get("url") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(url, str) or not url:
        return Source(None, "direct_url.json: " + direct_url[:200])
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return Source(None, url)
    if parts.scheme != "https" or not parts.hostname:  # file://, ssh://, http://
        return Source(None, url)
    # credentials never go into a file that is committed (PEP 610 keeps only env vars)
    netloc = parts.hostname + (f":{port}" if port else "")
    clean = urlunsplit(("https", netloc, parts.path, parts.query, ""))
    vcs, archive = data.get("vcs_info"), data.get("archive_info")
    if isinstance(vcs, dict):
        kind, commit = vcs.get("vcs"), vcs.get("commit_id")
        if kind not in _VCS or not isinstance(commit, str) or not commit.isalnum():
            return Source(None, url)
        requirement = f"{DISTRIBUTION} @ {kind}+{clean}@{commit}"
        subdirectory = data.get("subdirectory")
        if isinstance(subdirectory, str) and subdirectory:
            requirement += f"#subdirectory={subdirectory}"
        return Source(requirement, url)
    if isinstance(archive, dict):
        return Source(f"{DISTRIBUTION} @ {clean}{_hash_fragment(archive)}", url)
    return Source(None, url)  # dir_info: a folder (only ever file://, checked above)


def _hash_fragment(archive: dict[str, object]) -> str:
    """``#sha256=...`` from ``archive_info`` (pip checks the download against it)."""
    hashes = archive.get("hashes")
    if isinstance(hashes, dict):
        for name in _HASHES:
            value = hashes.get(name)
            if isinstance(value, str) and value.isalnum():
                return f"#{name}={value}"
    legacy = archive.get("hash")  # PEP 610's first form: "sha256=<hex>"
    if isinstance(legacy, str):
        name, _sep, value = legacy.partition("=")
        if name in _HASHES and value.isalnum():
            return f"#{name}={value}"
    return ""


def installed() -> Source:
    """Where the running bangtin came from."""
    from importlib import metadata

    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a source folder, not installed
        return Source(None, str(Path(__file__).resolve().parent.parent))
    return source(dist.read_text("direct_url.json"), dist.version)


def problem(where: Source, workflow: Path) -> Message | None:
    """What to tell the person running ``bangtin init`` when CI cannot install bangtin."""
    if where.requirement is not None:
        return None
    return _(
        "Warning: this bangtin was installed from {origin}, which GitHub Actions cannot "
        "install from. Set `BANGTIN` at the top of {workflow} to a pip requirement for "
        "bangtin (such as `bangtin @ git+https://github.com/OWNER/bangtin@COMMIT` or "
        "`bangtin==VERSION`); until then the workflow stops at its first step and says so.",
        origin=where.origin,
        workflow=str(workflow),
    )


def text(where: Source | None = None, province: bool = False) -> str:
    """The workflow, installing bangtin from ``where`` (default: ``installed()``), for a
    site or (``province``) for a province, whose pull requests check only the sites they
    change."""
    where = installed() if where is None else where
    if where.requirement is not None:
        bangtin = (
            "  # Where bangtin is installed from: the bangtin that wrote this file.\n"
            f"  BANGTIN: {json.dumps(where.requirement)}\n"
        )
        first_step = ""
    else:
        bangtin = (
            "  # Where bangtin is installed from: a pip requirement, such as\n"
            '  #   "bangtin @ git+https://github.com/OWNER/bangtin@COMMIT" or "bangtin==VERSION".\n'
            "  # `bangtin init` ran from a bangtin that GitHub cannot install (from a folder of\n"
            "  # that computer, say): until this is set, every job stops at its first step.\n"
            '  BANGTIN: ""\n'
        )
        first_step = _UNSET_STEP
    about, check = (_ABOUT_PROVINCE, _CHECK_PROVINCE) if province else (_ABOUT_SITE, _CHECK_SITE)
    return (
        _WORKFLOW.replace("@ABOUT@\n", about)
        .replace("@CHECK_STEPS@\n", check)
        .replace("@BANGTIN@\n", bangtin)
        .replace("@INSTALL_ALL@\n", _INSTALL.replace("@FETCH@\n", _ALL_HISTORY))
        .replace("@INSTALL@\n", _INSTALL.replace("@FETCH@\n", ""))  # the same in both jobs
        .replace("@FIRST_STEP@\n", first_step)
        .replace("@HOURLY@", HOURLY)
        .replace("@WEEKLY@", WEEKLY)
        .replace("@CHECKOUT@", CHECKOUT)
        .replace("@SETUP_PYTHON@", SETUP_PYTHON)
        .replace("@CACHE_RESTORE@", CACHE_RESTORE)
        .replace("@CACHE_SAVE@", CACHE_SAVE)
        .replace("@UPLOAD_PAGES@", UPLOAD_PAGES)
        .replace("@DEPLOY_PAGES@", DEPLOY_PAGES)
        .replace("@PATH@", PATH)
    )


_CHECK_SITE = """\
@INSTALL@
      - run: bangtin check
"""

# The sites a pull request changes, compared with the branch it goes into (fetched by
# the checkout: the whole history); each id is a slug (bangtin.yml), so splitting on
# white space is safe.  No site changed: nothing to check, and changed-sites says so.
_CHECK_PROVINCE = """\
@INSTALL_ALL@
      - name: Check the sites this pull request changes
        shell: bash
        env:
          BASE: ${{ github.base_ref }}  # the branch the pull request goes into
        run: |
          sites=$(bangtin changed-sites --since "origin/$BASE")
          args=()
          for site in $sites; do args+=(--site "$site"); done
          if [ "${#args[@]}" -gt 0 ]; then bangtin check "${args[@]}"; fi
"""

_ALL_HISTORY = """\
          fetch-depth: 0  # the whole history: what the pull request changes
"""

# In both languages: whoever set up the repository reads it in the run's log.
_UNSET_STEP = """\
      - name: Where to install bangtin from
        if: env.BANGTIN == ''
        run: |
          echo "::error::Set BANGTIN at the top of @PATH@" \\
            "to a pip requirement for bangtin," \\
            "such as 'bangtin @ git+https://github.com/OWNER/bangtin@COMMIT'" \\
            "or 'bangtin==VERSION'."
          echo "::error::Hãy ghi vào BANGTIN ở đầu tệp @PATH@" \\
            "nơi cài bangtin," \\
            "ví dụ 'bangtin @ git+https://github.com/OWNER/bangtin@COMMIT'" \\
            "hoặc 'bangtin==VERSION'."
          exit 1
"""

# The cache (BANGTIN_CACHE_DIR) and its key file are kept together between runs: see
# "Publishing with GitHub Actions" in the README for why that is acceptable.
_INSTALL = """@FIRST_STEP@
      - uses: @CHECKOUT@
        with:
          persist-credentials: false
@FETCH@
      - uses: @SETUP_PYTHON@
        with:
          python-version: "3.12"
      - run: python -m pip install "$BANGTIN"
"""

_ABOUT_SITE = """\
# Written by `bangtin init` (see "Publishing with GitHub Actions" in bangtin's README):
# - every pull request: `bangtin check`, so that a broken notice cannot be merged;
# - main, every hour and when run by hand: `bangtin build`, published to GitHub Pages
#   when the site changed, so a notice appears within the hour of its `date`, and leaves
#   the lists (an urgent one's banner every page) within the hour of its `expires`,
#   without a commit;
"""

_ABOUT_PROVINCE = """\
# Written by `bangtin init --province` (see "Publishing with GitHub Actions" and "A
# province" in bangtin's README):
# - every pull request: `bangtin check` of the sites it changes, so that a broken notice
#   cannot be merged (`bangtin changed-sites`: a change to bangtin.yml, the shared folder
#   or the province's theme checks every site; one to the README, none);
# - main, every hour and when run by hand: `bangtin build` of every site and the hub,
#   published to GitHub Pages when one of them changed, so a notice appears within the
#   hour of its `date`, and leaves the lists (an urgent one's banner every page) within
#   the hour of its `expires`, without a commit;
"""

_WORKFLOW = """\
@ABOUT@
# - once a week: keep this schedule enabled (GitHub turns off the schedule of a public
#   repository without activity for 60 days; best effort).
name: bangtin

on:
  pull_request:
  push:
    branches: [main]
  schedule:
    - cron: "@HOURLY@"  # every hour (UTC)
    - cron: "@WEEKLY@"  # Mondays: only the keepalive job
  workflow_dispatch:  # Actions > bangtin > Run workflow: build and publish now

permissions: {}  # none by default: each job asks for what it needs

env:
@BANGTIN@

jobs:
  check:
    name: Check the content
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    permissions:
      contents: read  # to check out the repository
    concurrency:  # a new push to a pull request replaces its check
      group: bangtin-check-${{ github.event.pull_request.number }}
      cancel-in-progress: true
    steps:
@CHECK_STEPS@

  build:
    name: Build the site
    # main only (a run by hand may name another branch); not the keepalive's schedule
    if: github.ref == 'refs/heads/main' && github.event.schedule != '@WEEKLY@'
    runs-on: ubuntu-latest
    permissions:
      contents: read  # to check out the repository
    concurrency:  # one at a time: each build starts from the cache the last one saved
      group: bangtin-build
      cancel-in-progress: false
    outputs:  # publish when the site changed, and always when run by hand
      publish: >-
        ${{ steps.build.outputs.changed == 'true' || github.event_name == 'workflow_dispatch' }}
    steps:
@INSTALL@
      - uses: @CACHE_RESTORE@
        with:
          path: |
            ~/.cache/bangtin
            ~/.config/bangtin/cache.key
          key: bangtin-${{ github.run_id }}-${{ github.run_attempt }}
          restore-keys: bangtin-
      - id: build
        run: |
          export BANGTIN_CACHE_DIR="$HOME/.cache/bangtin"
          bangtin build
      - if: steps.build.outputs.changed == 'true'
        uses: @CACHE_SAVE@
        with:
          path: |
            ~/.cache/bangtin
            ~/.config/bangtin/cache.key
          key: bangtin-${{ github.run_id }}-${{ github.run_attempt }}
      - if: steps.build.outputs.changed == 'true' || github.event_name == 'workflow_dispatch'
        uses: @UPLOAD_PAGES@
        with:
          path: output

  publish:
    name: Publish to GitHub Pages
    needs: build
    if: needs.build.outputs.publish == 'true'
    runs-on: ubuntu-latest
    permissions:
      pages: write  # to deploy the site the build uploaded
      id-token: write  # to prove to Pages that the deployment comes from this workflow
    environment:
      name: github-pages
      url: ${{ steps.deploy.outputs.page_url }}
    concurrency:
      group: pages
      cancel-in-progress: false
    steps:
      - id: deploy
        uses: @DEPLOY_PAGES@

  keepalive:
    name: Keep the schedule enabled
    if: github.event.schedule == '@WEEKLY@'
    runs-on: ubuntu-latest
    permissions:
      actions: write  # only this job: to enable this workflow again
    concurrency:
      group: bangtin-keepalive
      cancel-in-progress: true
    steps:
      - name: Keep the schedule of this workflow enabled
        env:
          GH_TOKEN: ${{ github.token }}
        run: gh api -X PUT "repos/${GITHUB_REPOSITORY}/actions/workflows/bangtin.yml/enable"
"""
