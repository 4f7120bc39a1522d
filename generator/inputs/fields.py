"""Read the YAML of source files: nodes with positions, and typed fields from them.

PyYAML's data loaders keep the last of duplicate keys and read ``no`` as False and
``01234`` as 668 (YAML 1.1).  So we only *compose* the YAML into nodes, which keep
their source marks, and read each field with the type the schema asks for.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from generator.errors import Position, Problems, read_line
from generator.i18n import Message, _
from generator.inputs.schema import Field, names

if TYPE_CHECKING:  # imported where a notice's image is read, not by a no-op build
    from generator.models import MediaRef


def load_yaml(
    path: Path, text: str, first_line: int, problems: Problems
) -> yaml.MappingNode | None:
    """Compose YAML text into a mapping node; errors are mapped to real file lines."""
    node = _compose(path, text, first_line, problems)
    if isinstance(node, _Invalid):
        return None
    if node is None:  # empty, or only comments
        mark = yaml.Mark(str(path), 0, 0, 0, text, 0)
        return yaml.MappingNode("tag:yaml.org,2002:map", [], start_mark=mark, end_mark=mark)
    if not isinstance(node, yaml.MappingNode):
        problems.add(
            _pos(path, node, first_line),
            _("expected `key: value` lines"),
            hint=_("each line should look like `title: Lịch tiêm chủng`"),
        )
        return None
    return node


def load_yaml_list(
    path: Path, text: str, first_line: int, problems: Problems, example: str
) -> list[yaml.MappingNode] | None:
    """Compose YAML text that is a list of ``key: value`` groups; empty text is an empty list.

    ``example`` shows one entry, for the hint when the text is not such a list.
    """
    node = _compose(path, text, first_line, problems)
    if isinstance(node, _Invalid):
        return None
    if node is None:  # empty, or only comments
        return []
    if not isinstance(node, yaml.SequenceNode):
        problems.add(
            _pos(path, node, first_line),
            _("expected a list of entries, each starting with `- `"),
            hint=_("write each entry like `{example}`", example=example),
        )
        return None
    entries: list[yaml.MappingNode] = []
    for item in node.value:
        if isinstance(item, yaml.MappingNode):
            entries.append(item)
        else:
            problems.add(
                _pos(path, item, first_line),
                _("each entry of the list must be a group of `key: value` lines"),
                hint=_("write each entry like `{example}`", example=example),
            )
    return entries


class _Invalid:
    """What ``_compose`` returns after reporting an error (None is a valid, empty document)."""


_INVALID = _Invalid()


def _compose(
    path: Path, text: str, first_line: int, problems: Problems
) -> yaml.Node | _Invalid | None:
    """YAML text as a node tree (None when empty), or ``_INVALID`` after reporting why not."""
    try:
        try:
            node = yaml.compose(text, Loader=_LOADER)
        except yaml.YAMLError:
            # PyYAML's own parser words its errors better; errors are rare, so ask it.
            node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # From the mark's character index, not its line: YAML also breaks lines at
        # NEL, LS and PS, which the file's own line numbers do not count.
        index = min(mark.index, len(text)) if mark else 0
        start = text.rfind("\n", 0, index) + 1
        line = text.count("\n", 0, index) + first_line
        col = index - start + 1
        message = _("invalid YAML: {problem}", problem=_yaml_problem(exc))
        hint = _("check the indentation and that each key is followed by `: `")
        end = text.find("\n", index)
        here = text[start : end if end >= 0 else len(text)]
        if mark is not None and "\t" in here:
            message = _("invalid YAML: tab character")
            hint = _("YAML does not allow tabs for indentation: use spaces")
        elif exc.context in _FLOW and exc.context_mark is not None:
            # `[` or `{` never closed: YAML notices at the next line or the end; say where
            opened = min(exc.context_mark.index, len(text) - 1)
            start = text.rfind("\n", 0, opened) + 1
            line = text.count("\n", 0, opened) + first_line
            col = opened - start + 1
            hint = _FLOW[exc.context]
        elif exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
            # a quote never closed: YAML only notices at the end of the text, so tell
            # where it opened (often a Word "curly" quote closing a straight one)
            opened = min(exc.context_mark.index, len(text) - 1)
            start = text.rfind("\n", 0, opened) + 1
            line = text.count("\n", 0, opened) + first_line
            col = opened - start + 1
            message, hint = _unclosed_quote(text, opened)
        elif exc.problem == "mapping values are not allowed here" and ": " in here[: col - 1]:
            # a second `: ` on the line (the first ends the key): the value holds one
            key, _sep, value = here.partition(":")
            if value.strip() and value.strip()[0] not in "\"'":
                message = _(
                    "`{key}` has a value with `: ` in it, which YAML reads as a new key",
                    key=key.strip(),
                )
                hint = _(
                    "put the whole value in quotes: `{line}`",
                    line=_quoted(key.strip(), value.strip()),
                )
        problems.add(Position(path, line, col), message, hint=hint)
        return _INVALID
    except yaml.YAMLError as exc:
        problems.add(Position(path, first_line), _("invalid YAML: {problem}", problem=str(exc)))
        return _INVALID
    return node


_FLOW = {
    "while parsing a flow sequence": _("end the list with `]` on the same line"),
    "while parsing a flow mapping": _("end the group with `}}` on the same line"),
}


def _yaml_problem(exc: yaml.MarkedYAMLError) -> Message | str:
    """PyYAML's problem in the editor's words (its own English when it is a rare one)."""
    problem = str(exc.problem or exc.context)
    if problem == "mapping values are not allowed here":
        return _("a `:` where YAML does not allow one")
    if problem.startswith("expected ',' or ']'"):
        return _("a list opened with `[` is not closed with `]`")
    if problem.startswith("expected ',' or '}'"):
        return _("a group opened with `{{` is not closed with `}}`")
    if problem.startswith(("expected <block end>", "expected '<document start>'")):
        return _("the lines are not indented alike")
    if problem == "but found another document":
        return _("a second `---` line: only one block of YAML is allowed here")
    found = re.fullmatch(r"found undefined alias '(.*)'", problem)
    if found:
        return _(
            "`*{name}` at the start of a value is a YAML reference, and there is none "
            "of that name: put the value in quotes",
            name=found[1],
        )
    found = re.fullmatch(r"found character '(.)' that cannot start any token", problem)
    if found:
        return _(
            "a value cannot start with `{char}` in YAML: put the value in quotes", char=found[1]
        )
    return problem


# what a key's value must be, for "`key` must be ..., not a list" (made once: read often)
TEXT, BOOLEAN = _("text"), _("true or false")
WHOLE, NUMBER, DATE = _("a whole number"), _("a number"), _("a date")

CURLY = "“”‘’„‟«»"  # the quotes a word processor or a phone keyboard types


def _unclosed_quote(text: str, opened: int) -> tuple[Message, Message]:
    """The error and hint for a quote at ``opened`` that YAML found no end for."""
    quote = text[opened]
    end = text.find("\n", opened)
    rest = text[opened + 1 : end if end >= 0 else len(text)]
    curly = next((c for c in reversed(rest) if c in CURLY), None)
    message = _("the quote `{quote}` opened here is never closed", quote=quote)
    if curly is not None:
        hint = _(
            "the quotes do not match: the line ends with a curly quote `{curly}` (as a "
            "word processor types it); use the straight quote `{quote}` on both sides",
            curly=curly,
            quote=quote,
        )
    else:
        hint = _("end the value with `{quote}` on the same line", quote=quote)
    return message, hint


def _quoted(key: str, value: str) -> str:
    """``key: "value"``, quoted the way YAML reads back exactly ``value``."""
    if '"' in value or "\\" in value:
        return f"{key}: '" + value.replace("'", "''") + "'"
    return f'{key}: "{value}"'


def _pos(path: Path, node: yaml.Node, first_line: int) -> Position:
    return Position(path, node.start_mark.line + first_line, node.start_mark.column + 1)


# libyaml's composer is ~10x faster; nodes and marks are the same.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULL = "tag:yaml.org,2002:null"
_BOOL_WORDS = {"yes", "no", "on", "off", "y", "n"}


def did_you_mean(word: str, choices: list[str], what: Message | None = None) -> Message:
    """ "did you mean `x`?" for the closest choice, else the list of choices."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return _("did you mean `{choice}`?", choice=close[0])
    listed = ", ".join(f"`{c}`" for c in choices)
    return _("{what}: {choices}", what=what or _("allowed keys"), choices=listed)


# bidirectional embedding, override and isolate controls (Unicode TR9): never in a title
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


class Fields:
    """Typed, positioned access to one YAML mapping, reporting problems as it goes."""

    def __init__(
        self,
        path: Path,
        node: yaml.MappingNode,
        first_line: int,
        problems: Problems,
        schema: tuple[Field, ...],
    ) -> None:
        """``schema``: the keys this mapping may have (generator.inputs.schema)."""
        self.path = path
        self.node = node
        self.first_line = first_line
        self.problems = problems
        self.schema = {f.name: f for f in schema}
        allowed = names(schema)
        self.values: dict[str, yaml.Node] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, _("a key must be a plain word"))
                continue
            key = key_node.value
            if key in key_lines:
                first = key_lines[key]
                self.error(
                    key_node,
                    _("duplicate key `{key}`", key=key),
                    hint=_(
                        "`{key}` is already set on line {line}; keep only one", key=key, line=first
                    ),
                )
                continue
            if key not in allowed:
                self.error(
                    key_node, _("unknown key `{key}`", key=key), hint=did_you_mean(key, allowed)
                )
                continue
            self.values[key] = value_node
            key_lines[key] = key_node.start_mark.line + first_line

    def pos(self, node: yaml.Node | None = None) -> Position:
        return _pos(self.path, node or self.node, self.first_line)

    def key_pos(self, key: str) -> Position:
        for key_node, _value in self.node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return self.pos(key_node)
        return self.pos()

    def error(self, node: yaml.Node | None, message: Message, hint: Message | None = None) -> None:
        self.problems.add(self.pos(node), message, hint=hint)

    def has(self, key: str) -> bool:
        return key in self.values

    def node_of(self, key: str) -> yaml.Node | None:
        return self.values.get(key)

    def missing(self, key: str, example: str) -> None:
        self.problems.add(
            self.pos(),
            _("missing required key `{key}`", key=key),
            hint=_("add a line like `{example}`", example=example),
        )

    # -- scalar readers -------------------------------------------------------

    def _scalar(self, key: str, kind: Message) -> yaml.ScalarNode | None:
        node = self.values.get(key)
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            if isinstance(node, yaml.SequenceNode):
                self.error(node, _("`{key}` must be {kind}, not a list", key=key, kind=kind))
            else:
                self.error(
                    node, _("`{key}` must be {kind}, not a group of keys", key=key, kind=kind)
                )
            return None
        if node.tag == _NULL and not node.style:
            self.error(node, _("`{key}` is empty", key=key), hint=self._empty_hint(key, node))
            return None
        return node

    def _required(self, key: str) -> None:
        """Report ``key`` missing if the schema requires it."""
        required = self.schema[key].required
        if required and key not in self.values:
            self.missing(key, required)

    def text(self, key: str) -> str | None:
        """A string, exactly as written (``01234`` stays ``01234``, ``no`` stays ``no``)."""
        node = self._scalar(key, TEXT)
        if node is None:
            self._required(key)
            return None
        value = str(node.value).strip()
        if not value:
            self.error(node, _("`{key}` is empty", key=key), hint=self._empty_hint(key, node))
            return None
        if not self._plain(node, key, value):
            return None
        if not node.style and len(value) > 1 and value[0] in CURLY and value[-1] in CURLY:
            inner = value[1:-1].strip()
            self.problems.warn(
                self.pos(node),
                _(
                    "`{key}` is in curly quotes {value}: they will show on the page as they are",
                    key=key,
                    value=value,
                ),
                _("leave the quotes out, or use straight ones: `{line}`", line=_quoted(key, inner)),
            )
        return value

    def _plain(self, node: yaml.Node, key: str, value: str) -> bool:
        """False (and an error) for text with bidirectional control characters, which
        reorder what is shown: a title with U+202E prints a reversed, convincing domain."""
        found = BIDI.search(value)
        if found is None:
            return True
        self.error(
            node,
            _(
                "`{key}` contains an invisible direction control character ({code}), "
                "which can make text show in another order",
                key=key,
                code="U+" + format(ord(found.group()), "04X"),
            ),
            hint=_("retype the text, or delete and rewrite the part copied from elsewhere"),
        )
        return False

    def boolean(self, key: str, default: bool = False) -> bool:
        node = self._scalar(key, BOOLEAN)
        if node is None:
            return default
        word = node.value
        if not node.style and word in ("true", "false", "True", "False"):
            return bool(word.lower() == "true")
        hint = _("write `true` or `false`")
        if node.style and word.lower() in ("true", "false"):
            hint = _("remove the quotes: write `{key}: {value}`", key=key, value=word.lower())
        elif word.lower() in _BOOL_WORDS:
            hint = _(
                "write `true` or `false` (YAML 1.1 reads `{word}` as a boolean, "
                "which is easy to get wrong)",
                word=word,
            )
        self.error(node, _("`{key}` must be true or false, not `{word}`", key=key, word=word), hint)
        return default

    def integer(self, key: str, default: int = 0) -> int:
        node = self._scalar(key, WHOLE)
        if node is None:
            return default
        if not node.style and re.fullmatch(r"-?(0|[1-9][0-9]*)", node.value):
            return int(node.value)
        self.error(
            node,
            _("`{key}` must be a whole number, not `{value}`", key=key, value=node.value),
            _unquote_hint(node),
        )
        return default

    def number(self, key: str) -> float | None:
        node = self._scalar(key, NUMBER)
        if node is None:
            return None
        if not node.style and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", node.value):
            return float(node.value)
        self.error(
            node,
            _(
                "`{key}` must be a decimal number such as 19.81, not `{value}`",
                key=key,
                value=node.value,
            ),
            _unquote_hint(node),
        )
        return None

    def when(self, key: str) -> dt.date | dt.datetime | None:
        """A date ``YYYY-MM-DD`` or an ISO datetime."""
        node = self._scalar(key, DATE)
        if node is None:
            self._required(key)
            return None
        raw = node.value.strip()
        hint = _(
            "write dates as YYYY-MM-DD (e.g. 2026-11-28) "
            "or YYYY-MM-DDTHH:MM (e.g. 2026-11-28T07:30)"
        )
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                return dt.date.fromisoformat(raw)
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*", raw):
                moment = dt.datetime.fromisoformat(raw)
                if moment.tzinfo is not None and moment.year in (dt.MINYEAR, dt.MAXYEAR):
                    # a time with its own offset, at the calendar's edge: no time zone could
                    # show it (9999-12-31 alone, a day, means "never")
                    self.error(node, _("`{key}` is out of range: `{raw}`", key=key, raw=raw), hint)
                    return None
                return moment
        except ValueError:
            self.error(node, _("`{key}` is not a real date: `{raw}`", key=key, raw=raw), hint)
            return None
        self.error(node, _("`{key}` is not a date: `{raw}`", key=key, raw=raw), hint)
        return None

    def text_list(self, key: str) -> tuple[tuple[str, Position], ...] | None:
        """A list of strings (a single string is a list of one)."""
        node = self.values.get(key)
        if node is None:
            return None
        if isinstance(node, yaml.ScalarNode):
            value = self.text(key)
            if value is not None and not node.style and "," in value:
                # `locations: a, b` is one text, "a, b": the brackets make it a list
                listed = ", ".join(v.strip() for v in value.split(",") if v.strip())
                self.error(
                    node,
                    _("`{key}` lists several values without brackets", key=key),
                    _(
                        "write the list in square brackets: `{key}: [{items}]`",
                        key=key,
                        items=listed,
                    ),
                )
                return None
            return None if value is None else ((value, self.pos(node)),)
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, _("`{key}` must be a list, like `{key}: [a, b]`", key=key))
            return None
        items: list[tuple[str, Position]] = []
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode) or (item.tag == _NULL and not item.value):
                self.error(item, _("each item of `{key}` must be text", key=key))
                continue
            value = str(item.value).strip()
            if value and self._plain(item, key, value):
                items.append((value, self.pos(item)))
        return tuple(items)

    def image(self, key: str = "image") -> MediaRef | None:
        """A picture's relative path (checked when the site's media are known), and where."""
        value = self.text(key)
        if value is None:
            return None
        from generator.models import MediaRef

        return MediaRef(value, self.pos(self.values[key]))

    def group(self, key: str) -> Fields | None:
        """The keys under ``key``, as its schema entry lists them."""
        node = self.values.get(key)
        if node is None:
            return None
        keys = self.schema[key].keys
        if not isinstance(node, yaml.MappingNode):
            self.error(
                node,
                _("`{key}` must be a group of keys", key=key),
                hint=_(
                    "indent its keys under `{key}:`, e.g. `  {first}: ...`",
                    key=key,
                    first=keys[0].name,
                ),
            )
            return None
        return Fields(self.path, node, self.first_line, self.problems, keys)

    def keys(self) -> Iterator[str]:
        return iter(self.values)

    def _empty_hint(self, key: str, node: yaml.Node) -> Message:
        """Why a value may look empty: an unquoted ``#`` starts a YAML comment."""
        line = read_line(self.path, node.start_mark.line + self.first_line) or ""
        after = line.split(":", 1)[1] if ":" in line else ""
        if after.lstrip().startswith("#"):
            value = after.strip()
            return _(
                'in YAML `#` starts a comment; put the value in quotes: `{key}: "{value}"`',
                key=key,
                value=value,
            )
        return _("give `{key}` a value or remove the line", key=key)


def _unquote_hint(node: yaml.ScalarNode) -> Message | None:
    if node.style and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", node.value.strip()):
        return _("remove the quotes around the number")
    return None
