"""``bangtin.yml``, the root file of a province: its sites, shared folder, theme and hub."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from generator.deploy.target import read_target
from generator.errors import BuildError, Position, Problems, UsageError
from generator.i18n import _
from generator.inputs import schema
from generator.inputs.config import check_base_url, find_site_file, normalise_base_url
from generator.inputs.fields import Fields, did_you_mean, load_yaml
from generator.inputs.files import read_text
from generator.plan.urls import is_slug

if TYPE_CHECKING:
    from generator.models import DeployTarget

FILE = "bangtin.yml"
SHARED_FOLDERS = ("notices", "media")  # what a shared folder may hold


@dataclass(frozen=True, slots=True)
class Member:
    """One site of the province."""

    id: str  # its folder in output/, and what `--site` names
    content: Path  # its content folder (site.yml, notices/, ...)
    pos: Position  # where bangtin.yml names it


@dataclass(frozen=True, slots=True)
class Hub:
    base_url: str
    title: str
    deploy: DeployTarget | None = None  # where `bangtin deploy` publishes the hub


@dataclass(frozen=True, slots=True)
class Province:
    root: Path  # the folder of bangtin.yml; the other paths are inside it
    source: Path  # bangtin.yml
    sites: tuple[Member, ...]  # in the file's order
    shared: Path | None = None
    theme_dir: Path | None = None
    hub: Hub | None = None
    # `bangtin deploy`: a site's target by its id, in place of its site.yml's `deploy:`
    deploy: Mapping[str, DeployTarget] = field(default_factory=dict)

    def site(self, site_id: str) -> Member:
        """The site ``site_id``; a usage error listing the sites when there is none."""
        for member in self.sites:
            if member.id == site_id:
                return member
        ids = [m.id for m in self.sites]
        raise UsageError(
            _(
                "{file} has no site `{id}`; its sites: {ids}",
                file=FILE,
                id=site_id,
                ids=", ".join(ids),
            )
        )


def find_province(folder: Path) -> Path | None:
    """``folder/bangtin.yml``, if there is one."""
    path = folder / FILE
    return path if path.is_file() else None


def load_province(root: Path) -> Province:
    """Read ``root/bangtin.yml``; raise BuildError listing every problem."""
    problems = Problems()
    path = root / FILE
    text = read_text(path, problems)
    node = None if text is None else load_yaml(path, text, 1, problems)
    if node is None:
        raise BuildError(problems.errors)
    f = Fields(path, node, 1, problems, schema.PROVINCE)
    sites = _sites(f, root)
    shared = _folder(f, root, "shared")
    theme_dir = _folder(f, root, "theme")
    hub = _hub(f)
    deploy = _deploy(f, [m.id for m in sites])
    problems.check()
    return Province(root, path, sites, shared, theme_dir, hub, deploy)


def _sites(f: Fields, root: Path) -> tuple[Member, ...]:
    node = f.node_of("sites")
    if node is None:
        f.missing("sites", "sites: {dinh-hung: sites/dinh-hung/content}")
        return ()
    if not isinstance(node, yaml.MappingNode) or not node.value:
        f.error(
            node,
            _("`sites` must list each site's id and content folder"),
            hint=_("e.g. `  dinh-hung: sites/dinh-hung/content` on its own line under `sites:`"),
        )
        return ()
    members: list[Member] = []
    real_root = _real(root)  # once, not once per site
    seen: dict[str, int] = {}
    folders: dict[Path, str] = {}
    for key, value in node.value:
        where = f.pos(key)
        if not isinstance(key, yaml.ScalarNode) or not is_slug(key.value):
            shown = key.value if isinstance(key, yaml.ScalarNode) else "?"
            f.error(
                key,
                _(
                    "site id `{id}` must be lowercase ASCII letters, digits and single '-'",
                    id=shown,
                ),
                hint=_("it names the site's folder in output/, e.g. `dinh-hung`"),
            )
            continue
        site_id = key.value
        if site_id in seen:
            f.error(
                key,
                _("site `{id}` is listed twice", id=site_id),
                hint=_("it is already on line {line}; keep only one", line=seen[site_id]),
            )
            continue
        seen[site_id] = where.line
        if not isinstance(value, yaml.ScalarNode) or not value.value.strip():
            f.error(
                value,
                _("site `{id}` needs its content folder", id=site_id),
                hint=_("e.g. `{id}: sites/{id}/content`", id=site_id),
            )
            continue
        folder = _inside(f, root, value, value.value.strip(), real_root)
        if folder is None:
            continue
        if find_site_file(folder) is None:
            f.error(
                value,
                _("site `{id}`: {folder} has no site.yml", id=site_id, folder=value.value.strip()),
                hint=_("the folder of a site holds its site.yml, notices/, locations/ and pages/"),
            )
            continue
        real = folder.resolve()
        if real in folders:
            f.error(
                value,
                _(
                    "sites `{first}` and `{second}` have the same content folder",
                    first=folders[real],
                    second=site_id,
                ),
            )
            continue
        folders[real] = site_id
        members.append(Member(site_id, folder, where))
    return tuple(members)


def _real(folder: Path) -> Path | None:
    try:
        return folder.resolve()
    except (OSError, RuntimeError):
        return None


def _inside(
    f: Fields, root: Path, node: yaml.Node, value: str, real_root: Path | None = None
) -> Path | None:
    """``value``, a folder inside the province's folder (``real_root``: ``root`` resolved,
    if the caller has it); None (and an error) otherwise."""
    folder = root / value
    real, real_root = _real(folder), real_root or _real(root)
    inside = real is not None and real_root is not None and real.is_relative_to(real_root)
    if Path(value).is_absolute() or ".." in Path(value).parts or not inside:
        f.error(
            node,
            _("`{value}` must be a folder inside {root}", value=value, root=str(root)),
            hint=_(
                "write paths relative to the folder of bangtin.yml, e.g. `sites/dinh-hung/content`"
            ),
        )
        return None
    if not folder.is_dir():
        f.error(node, _("there is no folder `{value}`", value=value))
        return None
    return folder


def _folder(f: Fields, root: Path, key: str) -> Path | None:
    value = f.text(key)
    node = f.node_of(key)
    if value is None or node is None:
        return None
    return _inside(f, root, node, value.strip())


def _hub(f: Fields) -> Hub | None:
    group = f.group("hub")
    if group is None:
        return None
    url, title = group.text("base_url"), group.text("title")
    if url is not None:
        why = check_base_url(url)
        if why is not None:
            group.error(group.node_of("base_url"), _("`base_url` {why}", why=why))
            url = None
    deploy_fields = group.group("deploy")
    deploy = read_target(deploy_fields) if deploy_fields is not None else None
    if url is None or title is None:
        return None
    return Hub(normalise_base_url(url), title, deploy)


def _deploy(f: Fields, ids: list[str]) -> dict[str, DeployTarget]:
    """``deploy:``, each site's target by its id (a group of ``schema.DEPLOY``'s keys)."""
    node = f.node_of("deploy")
    if node is None:
        return {}
    example = _("e.g. `  dinh-hung: {{bucket: bangtin-thanh-hoa, prefix: dinh-hung/}}`")
    if not isinstance(node, yaml.MappingNode):
        f.error(node, _("`deploy` must list each site's id and its target"), hint=example)
        return {}
    targets: dict[str, DeployTarget] = {}
    seen: set[str] = set()
    for key, value in node.value:
        site_id = key.value if isinstance(key, yaml.ScalarNode) else "?"
        if site_id not in ids:
            f.error(
                key,
                _("`deploy` names `{id}`, which is not a site of `sites`", id=site_id),
                hint=did_you_mean(site_id, ids, _("the sites")),
            )
            continue
        if site_id in seen:
            f.error(key, _("site `{id}` is listed twice", id=site_id))
            continue
        seen.add(site_id)
        if not isinstance(value, yaml.MappingNode):
            f.error(value, _("the target of `{id}` must be a group of keys", id=site_id), example)
            continue
        target = read_target(Fields(f.path, value, f.first_line, f.problems, schema.DEPLOY))
        if target is not None:
            targets[site_id] = target
    return targets
