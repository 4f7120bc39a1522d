"""The hub: the province's page listing every site, with its own QR code."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from generator.bundled import STYLESHEET, builtin
from generator.inputs.config import find_site_file
from generator.inputs.scan import code_digest
from generator.province.config import Hub, Province

if TYPE_CHECKING:  # imported by ``hub_files``: ``hub_key`` is asked by a build with nothing to do
    from generator.models import SiteConfig


def hub_files(province: Province, hub: Hub, sites: list[SiteConfig]) -> dict[str, bytes]:
    """``index.html`` listing ``sites`` (each at its own ``base_url``), the theme's
    stylesheet (fingerprinted) and the hub's QR code, by path in the output folder."""
    from generator.models import QrOptions, SiteConfig
    from generator.qr import images_of  # Jinja, segno: not for ``hub_key``
    from generator.render.templates import Renderer, asset_path, theme_dirs

    stand_in = SiteConfig(
        root=province.root,
        source=province.source,
        title=hub.title,
        base_url=hub.base_url,
        theme_dir=province.theme_dir,
    )
    renderer = Renderer(stand_in, theme_dirs(stand_in))
    css = dict(renderer.static_files())[STYLESHEET]
    css_path = asset_path(STYLESHEET, css)
    # a site under the hub's address is linked relatively: the hub then works served
    # from any folder (a preview, a copy) as well as from its own address
    listed = [
        {
            "title": site.title,
            "description": site.description,
            "href": site.base_url.removeprefix(hub.base_url)
            if site.base_url.startswith(hub.base_url)
            else site.base_url,
        }
        for site in sites
    ]
    page = renderer.render("hub.html", {"hub": hub, "sites": listed, "css": css_path})
    codes = images_of(hub.base_url, QrOptions())
    return {
        "index.html": page.encode("utf-8"),
        css_path: css,
        "qr.svg": codes.svg,
        "qr.png": codes.png,
    }


def hub_key(province: Province, allow_http: bool) -> str:
    """What the hub is made from: bangtin.yml, each site's site.yml, the theme's hub
    template and stylesheet, bangtin's code: the same key, the same hub."""
    h = hashlib.sha256(f"{code_digest()}\0{allow_http}\0".encode())
    paths = [province.source]
    paths += [p for m in province.sites if (p := find_site_file(m.content)) is not None]
    themes = [province.theme_dir] if province.theme_dir is not None else []
    themes.append(builtin("themes") / "default")
    for name in ("templates/hub.html", f"static/{STYLESHEET}"):
        paths += [d / name for d in themes]
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            data = b"\0missing"
        h.update(f"\0{path}\0{len(data)}\0".encode() + data)
    return h.hexdigest()
