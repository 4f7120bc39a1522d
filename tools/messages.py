"""Keep bangtin's message catalogs in step with the code (development only: needs Babel).

    python tools/messages.py update     # extract msgids into bangtin.pot, merge into each .po
    python tools/messages.py compile    # write each .mo from its .po
    python tools/messages.py missing    # list the msgids a catalog does not translate
    python tools/messages.py merge vi FILE.po...   # take translations from other .po files

``update`` keeps every translation whose msgid is still in the code, adds the new
msgids untranslated and drops the ones the code no longer has; translate them in
``generator/i18n/locale/<lang>/LC_MESSAGES/bangtin.po``, then ``compile``.
``tests/test_messages.py`` fails while a message lacks a translation or a ``.mo`` is
older than its ``.po``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "generator" / "i18n" / "locale"
TEMPLATE = LOCALE / "bangtin.pot"
KEYWORDS = {"_": None, "n_": (1, 2), "N_": None}  # the message makers; N_: click help
METHOD_MAP = [("generator/**.py", "python")]


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "bangtin.po"


def mo_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "bangtin.mo"


def languages() -> list[str]:
    return sorted(p.parent.parent.name for p in LOCALE.glob("*/LC_MESSAGES/bangtin.po"))


def extract() -> Catalog:
    """Every message of the code, with the files it is in."""
    catalog = Catalog(project="bangtin", fuzzy=False)
    found = extract_from_dir(
        ROOT, METHOD_MAP, keywords=KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True
    )
    for filename, _lineno, message, comments, context in found:
        catalog.add(message, None, [(filename, None)], auto_comments=comments, context=context)
    return catalog


def read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def write(catalog: Catalog, path: Path) -> None:
    out = io.BytesIO()
    write_po(
        out,
        catalog,
        width=0,
        omit_header=False,
        sort_by_file=True,
        include_lineno=False,
        ignore_obsolete=True,
    )
    data = out.getvalue()
    # the header's dates change on every run: keep the file's bytes when nothing else did
    if not path.exists() or _without_dates(path.read_bytes()) != _without_dates(data):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _without_dates(data: bytes) -> bytes:
    return b"\n".join(
        line for line in data.split(b"\n") if not line.startswith((b'"POT-Creation', b'"PO-Rev'))
    )


def compiled(lang: str) -> bytes:
    """The ``.mo`` bytes of a language's ``.po`` (translated, not fuzzy messages only)."""
    out = io.BytesIO()
    write_mo(out, read(po_path(lang)), use_fuzzy=False)
    return out.getvalue()


def missing(lang: str) -> list[str]:
    catalog = read(po_path(lang))
    template = extract()
    out = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        if found is None or found.fuzzy or not _translated(found.string):
            out.append(message.id if isinstance(message.id, str) else message.id[0])
    return out


def _translated(string: object) -> bool:
    if isinstance(string, str):
        return bool(string)
    return isinstance(string, tuple | list) and all(string)


def update() -> None:
    template = extract()
    write(template, TEMPLATE)
    for lang in languages():
        catalog = read(po_path(lang))
        catalog.update(template, no_fuzzy_matching=True)
        write(catalog, po_path(lang))


def compile_all() -> None:
    for lang in languages():
        data = compiled(lang)
        if not mo_path(lang).exists() or mo_path(lang).read_bytes() != data:
            mo_path(lang).write_bytes(data)


def merge(lang: str, sources: list[str]) -> None:
    catalog = read(po_path(lang))
    for source in sources:
        for message in read(Path(source)):
            key = message.id[0] if isinstance(message.id, tuple | list) else message.id
            if not key or key not in catalog:
                continue
            string = message.string
            if isinstance(string, tuple | list):  # as many forms as the catalog has
                string = tuple(string[: catalog.num_plurals])
            if _translated(string):
                catalog[key].string = string
                catalog[key].flags.discard("fuzzy")
    write(catalog, po_path(lang))


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    command = argv[0]
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "missing":
        left = {lang: missing(lang) for lang in languages()}
        for lang, ids in left.items():
            for msgid in ids:
                print(f"{lang}: {msgid}")
        return 1 if any(left.values()) else 0
    elif command == "merge":
        merge(argv[1], argv[2:])
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
