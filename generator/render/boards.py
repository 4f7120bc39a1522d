"""Print-ready boards: a large QR code per place (and per notice on request), sized in mm.

The sizing rule: a phone reads a code from about ten times its width, so a code
``w`` mm wide (without its quiet zone) reads from ``w / 100`` metres.  A module
under 1 mm or a version above 4 (33 x 33 modules) makes a board hard to scan from
a step away, so the build warns about both.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import overload

from generator.cache.qr import QrCache
from generator.errors import BuildError, ContentError, Position
from generator.i18n import Language, Message, _, n_
from generator.models import Board, Output, PaperSize, SiteConfig
from generator.plan.site import Plan
from generator.plan.urls import absolute, relative
from generator.qr import DataOverflowError, byte_capacity, encode
from generator.render.deps import Read, Recorder
from generator.render.templates import Later, Renderer, ready

# Portrait paper, width x height in mm.
PAPER: dict[PaperSize, tuple[int, int]] = {"a5": (148, 210), "a4": (210, 297), "a3": (297, 420)}
CODE_SHARE = 0.72  # of the paper's width taken by the code, quiet zone included
MIN_MODULE_MM = 1.0
MAX_VERSION = 4
READ_RATIO = 10  # a code reads from up to 10x its width


@dataclass(frozen=True, slots=True)
class Sizing:
    board: Board
    url: str
    version: int
    error: str  # the level the code was made with: Q, or H when that costs no size
    modules: int  # symbol width in modules, quiet zone excluded
    border: int
    code_mm: float  # printed width of the code, quiet zone included
    module_mm: float
    symbol_mm: float  # printed width without the quiet zone
    max_distance_m: float  # farthest reliable reading distance
    wanted_distance_m: float

    def warnings(self) -> list[Message]:
        out = []
        if self.module_mm < MIN_MODULE_MM:
            out.append(
                _(
                    "board `{board}`: QR modules are {size:.2f} mm, under {minimum:g} mm; "
                    "print it larger or shorten the URL",
                    board=self.board.id,
                    size=self.module_mm,
                    minimum=MIN_MODULE_MM,
                )
            )
        if self.version > MAX_VERSION:
            out.append(
                _(
                    "board `{board}`: QR version {version} (over {maximum}) is dense; "
                    "shorten the URL (a shorter id or URL prefix)",
                    board=self.board.id,
                    version=self.version,
                    maximum=MAX_VERSION,
                )
            )
        if self.max_distance_m < self.wanted_distance_m:
            out.append(
                _(
                    "board `{board}`: reads from up to {distance:.1f} m, less than the "
                    "{wanted:g} m asked for in site.yml; use a larger paper size",
                    board=self.board.id,
                    distance=self.max_distance_m,
                    wanted=self.wanted_distance_m,
                )
            )
        return out


def size_board(site: SiteConfig, board: Board, cache: QrCache) -> Sizing:
    url = absolute(site, board.target)
    version, error = cache.version(url, site.qr)
    modules = 17 + 4 * version
    border = site.qr.border
    code_mm = round(PAPER[board.size][0] * CODE_SHARE, 1)
    module_mm = code_mm / (modules + 2 * border)
    symbol_mm = module_mm * modules
    return Sizing(
        board=board,
        url=url,
        version=version,
        error=error,
        modules=modules,
        border=border,
        code_mm=code_mm,
        module_mm=module_mm,
        symbol_mm=symbol_mm,
        max_distance_m=symbol_mm * READ_RATIO / 1000,
        wanted_distance_m=site.boards.distance_m,
    )


def check_codes_fit(site: SiteConfig, plan: Plan) -> None:
    """Every page's URL fits in a QR code at the configured level, else a BuildError at
    site.yml's base_url line that says how long base_url may be."""
    if not plan.pages:
        return
    longest = max(plan.pages, key=lambda page: len(page.url_path.encode("utf-8")))
    url = absolute(site, longest.url_path)
    try:
        encode(url, site.qr)
    except DataOverflowError:
        pass
    else:
        return
    room = byte_capacity(site.qr.error) - len(longest.url_path.encode("utf-8"))
    line, col = 1, 1
    try:
        for number, text in enumerate(site.source.read_text("utf-8").splitlines(), 1):
            if text.startswith("base_url:"):
                line, col = number, len("base_url:") + 2
                break
    except OSError:
        pass
    raise BuildError(
        [
            ContentError(
                Position(site.source, line, col),
                _(
                    "base_url {base_url} is too long: the page {page} ({url}) does not fit "
                    "in any QR code at error level {level}",
                    base_url=site.base_url,
                    page=longest.url_path,
                    url=url,
                    level=site.qr.error.upper(),
                ),
                hint=n_(
                    "use a base_url of at most {n} character, or shorter slugs and URL prefixes",
                    "use a base_url of at most {n} characters, or shorter slugs and URL prefixes",
                    max(room, 0),
                ),
            )
        ]
    )


def sizing_warnings(site: SiteConfig, plan: Plan, cache: QrCache) -> list[ContentError]:
    """Boards that may be hard to scan, as warnings at site.yml."""
    out = []
    for board in plan.boards:
        for message in size_board(site, board, cache).warnings():
            out.append(
                ContentError(Position(site.source), message, source_line="", severity="warning")
            )
    return out


# The columns of the sizing table (short headings).
COLUMNS = (
    _("board"),
    _("paper"),
    _("version"),
    # Translators: the column of each code's error correction level (L, M, Q or H)
    _("EC"),
    _("code mm"),
    _("module mm"),
    _("reads to"),
    _("status"),
)
OK = _("ok")
WARN = _("WARN")


@dataclass(frozen=True, slots=True)
class Report:
    """The sizing table that ``bangtin boards --report`` prints, put into words (and its
    columns aligned) in the reader's language by ``text``."""

    rows: tuple[tuple[str | Message, ...], ...]  # a board's figures, and its status in words
    rule: Message  # how the figures are worked out

    def text(self, lang: Language) -> str:
        rows = [
            [lang.text(cell) if isinstance(cell, Message) else cell for cell in row]
            for row in (COLUMNS, *self.rows)
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
        lines = [
            "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
            for r in rows
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        lines.append("")
        lines.append(lang.text(self.rule))
        return "\n".join(lines) + "\n"


def report(site: SiteConfig, plan: Plan, cache: QrCache) -> Report:
    """The sizing table that ``bangtin boards --report`` prints."""
    rows: list[tuple[str | Message, ...]] = []
    for board in plan.boards:
        s = size_board(site, board, cache)
        rows.append(
            (
                board.id,
                board.size.upper(),
                str(s.version),
                s.error,
                f"{s.code_mm:.0f}",
                f"{s.module_mm:.2f}",
                f"{s.max_distance_m:.1f} m",
                OK if not s.warnings() else WARN,
            )
        )
    rule = _(
        "Rule: code width = {share:.0%} of the paper width (quiet zone of {border} modules "
        "included); reads to {ratio}x the code's width; warn when a module < {module:g} mm, "
        "the version > {version}, or it reads less far than boards.distance ({distance:g} m).",
        share=CODE_SHARE,
        border=site.qr.border,
        ratio=READ_RATIO,
        module=MIN_MODULE_MM,
        version=MAX_VERSION,
        distance=site.boards.distance_m,
    )
    return Report(tuple(rows), rule)


# -- layout -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextLine:
    x: float
    y: float
    size: float
    text: str
    bold: bool = False


def wrap(text: str, size_mm: float, width_mm: float, max_lines: int) -> list[str]:
    """Greedy word wrap for a sans-serif face (about 0.55 em per character)."""
    per_line = max(8, int(width_mm / (size_mm * 0.55)))
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
        if len(lines[-1]) > per_line:
            lines[-1] = lines[-1][: per_line - 1].rstrip() + "…"
    return lines


INSTRUCTION = "Quét mã QR bằng camera điện thoại để xem thông báo mới nhất"


def layout(site: SiteConfig, sizing: Sizing) -> dict[str, object]:
    """Positions in mm for the board template; A4 proportions, scaled for A5 and A3."""
    width, height = PAPER[sizing.board.size]
    k = width / 210
    centre = width / 2
    text_width = width - 30 * k
    lines: list[TextLine] = [TextLine(centre, 24 * k, 7.5 * k, site.title, bold=True)]
    name = wrap(sizing.board.title, 11 * k, text_width, 2)
    for i, line in enumerate(name):
        lines.append(
            TextLine(centre, (44 if len(name) > 1 else 50) * k + i * 13 * k, 11 * k, line, True)
        )
    code_y = 64 * k
    y = code_y + sizing.code_mm + 10 * k
    for line in wrap(INSTRUCTION, 7 * k, text_width, 2):
        lines.append(TextLine(centre, y, 7 * k, line))
        y += 9.5 * k
    scheme, _sep, rest = sizing.url.partition("://")
    domain, _slash, path = rest.partition("/")
    return {
        "width": width,
        "height": height,
        "code_x": round((width - sizing.code_mm) / 2, 2),
        "code_y": round(code_y, 2),
        "code_mm": sizing.code_mm,
        "lines": lines,
        "url_y": round(y + 6 * k, 2),
        "url_size": round(6.5 * k, 2),
        "url_parts": (f"{scheme}://", domain, "/" + path),
        "id_y": round(height - 24 * k, 2),
        "id_size": round(6 * k, 2),
        "verify_y": round(height - 13 * k, 2),
        "verify_size": round(4.2 * k, 2),
        "verify_text": f"Kiểm tra bảng thật: mã bảng phải có trong danh sách tại "
        f"{site.site_base_url.partition('://')[2]}{site.urls.verify}/",
        "k": k,
    }


_SVG_OPEN = re.compile(rb"<svg\b")


def nested_code(svg: bytes, x: float, y: float, size: float) -> str:
    """segno's scalable SVG, placed inside the board at ``x, y`` and ``size`` mm wide."""
    placed = _SVG_OPEN.sub(f'<svg x="{x}" y="{y}" width="{size}" height="{size}"'.encode(), svg, 1)
    return placed.decode("utf-8").strip()


def render_boards(
    site: SiteConfig,
    plan: Plan,
    renderer: Renderer,
    cache: QrCache,
    assets: Mapping[str, str],
) -> Iterator[Output]:
    """``boards/<id>/index.html`` and ``board.svg`` for every board, and ``boards/index.html``."""
    common = {"site": site}
    svgs: dict[str, tuple[str, set[Read]]] = {}  # board id -> its SVG and its reads

    def board_svg(board: Board, context: dict[str, object], recorder: Recorder) -> str:
        """The board's SVG, rendered at most once; its reads count for every file using it."""
        if board.id not in svgs:
            made = renderer.recorder()
            text = renderer.render("board.svg", {**common, **ready(context)}, made)
            svgs[board.id] = text, made.reads
        text, reads = svgs[board.id]
        recorder.reads.update(reads)
        return text

    contexts = []
    for board in plan.boards:
        sizing = size_board(site, board, cache)
        box = layout(site, sizing)
        place = (box["code_x"], box["code_y"], sizing.code_mm)
        code = Later(  # read once: the board's SVG and its page share this object
            functools.cache(partial(_code, cache, sizing.url, site, *place)),  # type: ignore[arg-type]
            f"{cache.key(sizing.url, site.qr)} {place}",
        )  # the code's SVG is read only if the board is made
        context: dict[str, object] = {"board": board, "sizing": sizing, "box": box, "code": code}
        contexts.append((board, context))
        recorder = renderer.recorder()
        yield Output(
            board.path + "board.svg",
            renderer.key("board.svg", {**common, **context}),
            partial(board_svg, board, context, recorder),
            recorder.reads,
        )
        page = {
            **context,
            "paper": _paper(board.size),
            "css": relative(board.path, assets["board.css"]),
            "icon": relative(board.path, assets["favicon.svg"]),
        }
        recorder = renderer.recorder()
        svg = Later(partial(_inlined, board_svg, board, context, recorder), "")
        yield renderer.output(
            board.path + "index.html",
            "board.html",
            page,
            common,
            extra={"svg": svg},
            recorder=recorder,
            also=("board.svg",),
        )

    recorder = renderer.recorder()
    sheets = _Sheets([(b, partial(_inlined, board_svg, b, c, recorder)) for b, c in contexts])
    index = {
        "boards": tuple(c for _board, c in contexts),
        "css": relative("boards/", assets["board.css"]),
        "icon": relative("boards/", assets["favicon.svg"]),
    }
    key = renderer.key("boards.html", {**common, **index}, also=("board.svg",))
    # 1,000 boards are a 4 MB page: made as it is written
    stream = partial(
        renderer.stream, "boards.html", {**common, **index, "sheets": sheets}, recorder
    )
    yield Output("boards/index.html", key, stream, recorder.reads)


def _inlined(
    board_svg: Callable[[Board, dict[str, object], Recorder], str],
    board: Board,
    context: dict[str, object],
    recorder: Recorder,
) -> str:
    return _inline(board_svg(board, context, recorder))


class _Sheets(Sequence[dict[str, object]]):
    """Each board with its inlined SVG, made when the template reaches it."""

    def __init__(self, boards: list[tuple[Board, Callable[[], str]]]) -> None:
        self.boards = boards

    def __len__(self) -> int:
        return len(self.boards)

    @overload
    def __getitem__(self, i: int) -> dict[str, object]: ...
    @overload
    def __getitem__(self, i: slice) -> list[dict[str, object]]: ...
    def __getitem__(self, i: int | slice) -> dict[str, object] | list[dict[str, object]]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        board, svg = self.boards[i]
        return {"board": board, "svg": svg()}


def _code(cache: QrCache, url: str, site: SiteConfig, x: float, y: float, size: float) -> str:
    return nested_code(cache.image(url, site.qr, ".svg"), x, y, size)


def _paper(size: PaperSize) -> str:
    return size.upper()


def _inline(svg: str) -> str:
    """The board SVG without its XML declaration, for inlining in HTML."""
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)
