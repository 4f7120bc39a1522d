"""Messages an editor reads, in Vietnamese or English, from gettext catalogs.

A message is made where a problem is found and put into words where it is shown, so
the words can be in the reader's language even when it is only known later (it may
come from ``site.yml``), and a kept warning can be shown again in another language::

    problem = _("`{key}` is empty", key="title")      # a Message: msgid and arguments
    vietnamese = language("vi")
    vietnamese.text(problem)                           # "`title` đang để trống"

Arguments are text, numbers or other messages (put into words in the same language).
Babel extracts the msgids of ``_`` and ``n_`` into ``locale/bangtin.pot`` at
development time (see CONTRIBUTING.md); at run time the standard library's
``gettext`` reads the compiled ``locale/<lang>/LC_MESSAGES/bangtin.mo``.  English is
the msgid itself, so a third language is one more catalog, not code.
"""

from __future__ import annotations

import gettext
import os
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeAlias

DOMAIN = "bangtin"
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "vi"  # the editors of a commune read Vietnamese
ENV = "BANGTIN_LANG"

Arg: TypeAlias = "str | int | float | Message"


@dataclass(frozen=True, slots=True)
class Message:
    """Words to show an editor, not yet in any language."""

    msgid: str
    args: tuple[tuple[str, Arg], ...] = ()
    plural: str | None = None  # with ``n``: ngettext's two English forms
    n: int = 1

    def __str__(self) -> str:
        return ENGLISH.text(self)

    def __reduce__(self) -> tuple[type[Message], tuple[object, ...]]:
        # pickled by the thousand between a province's processes (a site's warnings):
        # its fields as a tuple, several times faster than the dataclass's default
        return Message, (self.msgid, self.args, self.plural, self.n)


def _(msgid: str, /, **args: Arg) -> Message:
    """A message whose English is ``msgid``, a ``str.format`` template over ``args``."""
    return Message(msgid, tuple(args.items()))


def n_(singular: str, plural: str, n: int, /, **args: Arg) -> Message:
    """A message about ``n`` things (``{n}`` in the template), in the right plural form."""
    return Message(singular, (("n", n), *args.items()), plural, n)


@dataclass(frozen=True, slots=True)
class Language:
    """One language's catalog; ``text`` puts a message into its words."""

    code: str
    catalog: gettext.NullTranslations

    def text(self, message: Message) -> str:
        if message.plural is None:
            template = self.catalog.gettext(message.msgid)
        else:
            template = self.catalog.ngettext(message.msgid, message.plural, message.n)
        values = {
            name: self.text(value) if isinstance(value, Message) else value
            for name, value in message.args
        }
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            # a translation naming a placeholder the message has not (the catalog test
            # keeps this from happening): the English words are better than none
            english = message.msgid if message.plural is None or message.n == 1 else message.plural
            return english.format(**values)

    def __str__(self) -> str:
        return self.code


def available() -> tuple[str, ...]:
    """The languages bangtin speaks: English and every compiled catalog."""
    found = {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return tuple(sorted(found | {"en"}))


@cache
def language(code: str) -> Language:
    """The language ``code`` (``vi``, ``en``, ``vi-VN``…); English if bangtin lacks it."""
    primary = code.strip().replace("_", "-").split("-")[0].lower()
    if primary == "en" or primary not in available():
        return Language("en", gettext.NullTranslations())
    with (LOCALE_DIR / primary / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as f:
        return Language(primary, gettext.GNUTranslations(f))


ENGLISH = language("en")


def choose(
    option: str | None,
    site_language: str | Callable[[], str | None] | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Language:
    """The editor's language: ``--lang``, then ``$BANGTIN_LANG``, then the site's
    ``language`` (a function: read only when needed), then Vietnamese.  Not ``$LANG``:
    a server almost always sets it, to something that would rarely be Vietnamese."""
    for code in (option, environ.get(ENV)):
        if code and code.strip():
            return language(code)
    site = site_language() if callable(site_language) else site_language
    return language(site if site and site.strip() else DEFAULT)


def placeholders(template: str) -> frozenset[str]:
    """The names a ``str.format`` template uses (for the catalog test)."""
    return frozenset(
        name.split(".")[0].split("[")[0]
        for _text, name, _spec, _conv in string.Formatter().parse(template)
        if name is not None
    )
