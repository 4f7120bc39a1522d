"""``qr-manifest.json``: every page with its QR code, for print shops and checks."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from functools import partial

from generator.models import Board, Output, SiteConfig
from generator.plan.site import Plan
from generator.plan.urls import absolute


def manifest_output(site: SiteConfig, plan: Plan) -> Output:
    """``qr-manifest.json``, keyed by everything it lists (written piece by piece)."""
    parts = [site.base_url, repr(plan.pages), repr(plan.boards)]
    key = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return Output("qr-manifest.json", key, partial(render_manifest, site, plan))


def render_manifest(site: SiteConfig, plan: Plan) -> Iterator[str]:
    """Every HTML page for residents with its QR code; places (and notices) with their board.

    Made entry by entry (the same text as dumping the whole, never all in memory).
    """
    boards: dict[tuple[str, str], Board] = {(b.kind, b.target): b for b in plan.boards}
    yield f'{{\n  "base_url": {json.dumps(site.base_url, ensure_ascii=False)},\n  "pages": '
    if not plan.pages:
        yield "[]"
    for i, page in enumerate(plan.pages):
        entry: dict[str, object] = {
            "kind": page.kind,
            "id": page.id,
            "title": page.title,
            "url": absolute(site, page.url_path),
            "path": page.file,
            "qr_svg": page.url_path + "qr.svg",
            "qr_png": page.url_path + "qr.png",
        }
        board = boards.get((page.kind, page.url_path))
        if board is not None:
            entry["board"] = board.path + "index.html"
        if page.number > 1:
            entry["page"] = page.number
        text = json.dumps(entry, ensure_ascii=False, indent=2).replace("\n", "\n    ")
        yield ("[\n    " if i == 0 else ",\n    ") + text
    if plan.pages:
        yield "\n  ]"
    yield "\n}\n"
