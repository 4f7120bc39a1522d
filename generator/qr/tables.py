"""The facts of ISO/IEC 18004:2015 (QR Code) that the encoder needs, for versions 1-40.

Tables and section numbers refer to ISO/IEC 18004:2015(E).  What the standard derives
from a rule (the finite field, generator polynomials, BCH codes) is computed from that
rule here.  ``tests/test_qr_fast.py`` checks these against values the standard lists,
and every symbol made from them against segno's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

LEVELS = "LMQH"  # error-correction levels, weakest to strongest

# Table 12: error correction level indicators (as written in the format information).
LEVEL_BITS = {"L": 0b01, "M": 0b00, "Q": 0b11, "H": 0b10}

# Table 2: mode indicators.
NUMERIC, ALPHANUMERIC, BYTE, KANJI = 0b0001, 0b0010, 0b0100, 0b1000

# Table 3: bits of the character count indicator, for versions 1-9, 10-26 and 27-40.
_COUNT_BITS = {
    NUMERIC: (10, 12, 14),
    ALPHANUMERIC: (9, 11, 13),
    BYTE: (8, 16, 16),
    KANJI: (8, 10, 12),
}

# 7.4.4, alphanumeric mode: a character's value is its index here.
ALPHANUMERIC_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
ALPHANUMERIC_TEXT = re.compile(b"[" + re.escape(ALPHANUMERIC_CHARS.encode()) + b"]+")

# 7.4.6, Kanji mode: the two ranges of double-byte Shift JIS values and what to subtract.
KANJI_RANGES = ((0x8140, 0x9FFC, 0x8140), (0xE040, 0xEBBF, 0xC140))


def char_count_bits(mode: int, version: int) -> int:
    """The length of the character count indicator (Table 3)."""
    return _COUNT_BITS[mode][(version > 9) + (version > 26)]


def size(version: int) -> int:
    """Modules a side (6.1: 21 for version 1, 4 more each version)."""
    return 17 + 4 * version


# Table 9: error correction characteristics.  Per version, for L, M, Q and H: the error
# correction codewords a block, then "n x k": n blocks of k data codewords each.  (The
# standard writes each block as (c, k, r): c = k + the error correction codewords.)
_TABLE_9 = """
 1  7 1x19              10 1x16             13 1x13             17 1x9
 2  10 1x34             16 1x28             22 1x22             28 1x16
 3  15 1x55             26 1x44             18 2x17             22 2x13
 4  20 1x80             18 2x32             26 2x24             16 4x9
 5  26 1x108            24 2x43             18 2x15 2x16        22 2x11 2x12
 6  18 2x68             16 4x27             24 4x19             28 4x15
 7  20 2x78             18 4x31             18 2x14 4x15        26 4x13 1x14
 8  24 2x97             22 2x38 2x39        22 4x18 2x19        26 4x14 2x15
 9  30 2x116            22 3x36 2x37        20 4x16 4x17        24 4x12 4x13
10  18 2x68 2x69        26 4x43 1x44        24 6x19 2x20        28 6x15 2x16
11  20 4x81             30 1x50 4x51        28 4x22 4x23        24 3x12 8x13
12  24 2x92 2x93        22 6x36 2x37        26 4x20 6x21        28 7x14 4x15
13  26 4x107            22 8x37 1x38        24 8x20 4x21        22 12x11 4x12
14  30 3x115 1x116      24 4x40 5x41        20 11x16 5x17       24 11x12 5x13
15  22 5x87 1x88        24 5x41 5x42        30 5x24 7x25        24 11x12 7x13
16  24 5x98 1x99        28 7x45 3x46        24 15x19 2x20       30 3x15 13x16
17  28 1x107 5x108      28 10x46 1x47       28 1x22 15x23       28 2x14 17x15
18  30 5x120 1x121      26 9x43 4x44        28 17x22 1x23       28 2x14 19x15
19  28 3x113 4x114      26 3x44 11x45       26 17x21 4x22       26 9x13 16x14
20  28 3x107 5x108      26 3x41 13x42       30 15x24 5x25       28 15x15 10x16
21  28 4x116 4x117      26 17x42            28 17x22 6x23       30 19x16 6x17
22  28 2x111 7x112      28 17x46            30 7x24 16x25       24 34x13
23  30 4x121 5x122      28 4x47 14x48       30 11x24 14x25      30 16x15 14x16
24  30 6x117 4x118      28 6x45 14x46       30 11x24 16x25      30 30x16 2x17
25  26 8x106 4x107      28 8x47 13x48       30 7x24 22x25       30 22x15 13x16
26  28 10x114 2x115     28 19x46 4x47       28 28x22 6x23       30 33x16 4x17
27  30 8x122 4x123      28 22x45 3x46       30 8x23 26x24       30 12x15 28x16
28  30 3x117 10x118     28 3x45 23x46       30 4x24 31x25       30 11x15 31x16
29  30 7x116 7x117      28 21x45 7x46       30 1x23 37x24       30 19x15 26x16
30  30 5x115 10x116     28 19x47 10x48      30 15x24 25x25      30 23x15 25x16
31  30 13x115 3x116     28 2x46 29x47       30 42x24 1x25       30 23x15 28x16
32  30 17x115           28 10x46 23x47      30 10x24 35x25      30 19x15 35x16
33  30 17x115 1x116     28 14x46 21x47      30 29x24 19x25      30 11x15 46x16
34  30 13x115 6x116     28 14x46 23x47      30 44x24 7x25       30 59x16 1x17
35  30 12x121 7x122     28 12x47 26x48      30 39x24 14x25      30 22x15 41x16
36  30 6x121 14x122     28 6x47 34x48       30 46x24 10x25      30 2x15 64x16
37  30 17x122 4x123     28 29x46 14x47      30 49x24 10x25      30 24x15 46x16
38  30 4x122 18x123     28 13x46 32x47      30 48x24 14x25      30 42x15 32x16
39  30 20x117 4x118     28 40x47 7x48       30 43x24 22x25      30 10x15 67x16
40  30 19x118 6x119     28 18x47 31x48      30 34x24 34x25      30 20x15 61x16
"""


@dataclass(frozen=True, slots=True)
class Blocks:
    """One version and level's error correction blocks (Table 9)."""

    ec: int  # error correction codewords a block
    data: tuple[int, ...]  # each block's data codewords, in order


def _parse_table_9() -> dict[tuple[int, str], Blocks]:
    out = {}
    for line in _TABLE_9.strip().splitlines():
        version, *cells = re.findall(r"\d+(?: \d+x\d+)+|\d+", line)
        for level, cell in zip(LEVELS, cells, strict=True):
            ec, *groups = cell.split()
            data = [int(k) for n, k in (g.split("x") for g in groups) for _ in range(int(n))]
            out[int(version), level] = Blocks(int(ec), tuple(data))
    return out


BLOCKS = _parse_table_9()


def data_codewords(version: int, level: str) -> int:
    """Data codewords of a symbol (Table 7), the sum over its blocks (Table 9)."""
    return sum(BLOCKS[version, level].data)


def total_codewords(version: int) -> int:
    """All codewords of a symbol, data and error correction (Table 1)."""
    return data_modules(version) // 8


def remainder_bits(version: int) -> int:
    """Zero bits after the last codeword, where the data modules are not a multiple of 8."""
    return data_modules(version) % 8


def data_modules(version: int) -> int:
    """Modules left for codewords: all, less the function patterns and format/version areas.

    Finders with separators take 3 x 64, timing 2 x (size - 16), format information 31
    (with the dark module), version information 36 from version 7; each alignment
    pattern 25, less the timing modules it shares.
    """
    side = size(version)
    modules = side * side - 3 * 64 - 2 * (side - 16) - 31
    aligned = len(ALIGNMENT[version])
    if aligned:
        modules -= 25 * (aligned * aligned - 3) - 10 * (aligned - 2)
    if version >= 7:
        modules -= 36
    return modules


# Table E.1: row/column coordinates of the centre modules of alignment patterns.  Every
# pair of them has a pattern, except the three that would overlap a finder pattern.
ALIGNMENT: tuple[tuple[int, ...], ...] = (
    (),  # no version 0
    (),
    (6, 18),
    (6, 22),
    (6, 26),
    (6, 30),
    (6, 34),
    (6, 22, 38),
    (6, 24, 42),
    (6, 26, 46),
    (6, 28, 50),
    (6, 30, 54),
    (6, 32, 58),
    (6, 34, 62),
    (6, 26, 46, 66),
    (6, 26, 48, 70),
    (6, 26, 50, 74),
    (6, 30, 54, 78),
    (6, 30, 56, 82),
    (6, 30, 58, 86),
    (6, 34, 62, 90),
    (6, 28, 50, 72, 94),
    (6, 26, 50, 74, 98),
    (6, 30, 54, 78, 102),
    (6, 28, 54, 80, 106),
    (6, 32, 58, 84, 110),
    (6, 30, 58, 86, 114),
    (6, 34, 62, 90, 118),
    (6, 26, 50, 74, 98, 122),
    (6, 30, 54, 78, 102, 126),
    (6, 26, 52, 78, 104, 130),
    (6, 30, 56, 82, 108, 134),
    (6, 34, 60, 86, 112, 138),
    (6, 30, 58, 86, 114, 142),
    (6, 34, 62, 90, 118, 146),
    (6, 30, 54, 78, 102, 126, 150),
    (6, 24, 50, 76, 102, 128, 154),
    (6, 28, 54, 80, 106, 132, 158),
    (6, 32, 58, 84, 110, 136, 162),
    (6, 26, 54, 82, 110, 138, 166),
    (6, 30, 58, 86, 114, 142, 170),
)


def _field() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Powers and logarithms of GF(256) with the prime polynomial x^8+x^4+x^3+x^2+1 (7.5.2)."""
    exp, log = [0] * 512, [0] * 256
    value = 1
    for power in range(255):
        exp[power] = exp[power + 255] = value
        log[value] = power
        value <<= 1
        if value & 0x100:
            value ^= 0x11D
    return tuple(exp), tuple(log)


EXP, LOG = _field()  # EXP runs on to 511, so that EXP[LOG[a] + LOG[b]] needs no modulo


def gf_mul(a: int, b: int) -> int:
    """The product of two elements of GF(256)."""
    return EXP[LOG[a] + LOG[b]] if a and b else 0


def generator_polynomial(degree: int) -> tuple[int, ...]:
    """(x - a^0)(x - a^1)...(x - a^(degree-1)), coefficients highest power first (Annex A)."""
    poly = [1]
    for root in EXP[:degree]:
        poly = [high ^ gf_mul(low, root) for high, low in zip([*poly, 0], [0, *poly], strict=True)]
    return tuple(poly)


def _bch(data: int, check_bits: int, generator: int) -> int:
    """``data`` followed by the remainder of its division by ``generator`` over GF(2)."""
    rest = data << check_bits
    for shift in range(rest.bit_length() - generator.bit_length(), -1, -1):
        if rest >> (shift + generator.bit_length() - 1) & 1:
            rest ^= generator << shift
    return data << check_bits | rest


def format_bits(level: str, mask: int) -> int:
    """15 bits of format information: a BCH (15, 5) code, XOR 101010000010010 (Annex C)."""
    return _bch(LEVEL_BITS[level] << 3 | mask, 10, 0b10100110111) ^ 0b101010000010010


def version_bits(version: int) -> int:
    """18 bits of version information, versions 7-40: a BCH (18, 6) code (Annex D)."""
    return _bch(version, 12, 0b1111100100101)


# Table 10: data mask patterns, by mask reference; i is the row, j the column.  A data
# module is flipped where its pattern is true.
MASKS: tuple[Callable[[int, int], bool], ...] = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)
