"""Fitting the terminal table to a width: columns wrapped rather than lines overflowing or sentences cut.

A reader copies ids from the table, so columns named in `keep` (ids) are wrapped only when the others cannot
make room, and words are broken only when a single word is wider than its column (an absurdly long AZ ID or
name would otherwise push every line past the width).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from tabulate import tabulate

DEFAULT_WIDTH = 100  # when stdout is not a terminal and COLUMNS is unset
GAP = 2  # tabulate's "simple" format: two spaces between columns
HEADER_PAD = 2  # ... and a column at least two wider than its header
MIN_TEXT = 32  # free text narrower than this is hard to read: it moves under its row instead
STACK_INDENT = "    "
MIN_COLUMN = 6  # narrower than this a column reads as noise; a table that cannot fit wraps every column to it

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def visible_len(text: str) -> int:
    """Length as the terminal shows it: colour codes take no room."""
    return max((len(_ANSI.sub("", line)) for line in text.split("\n")), default=0)


def wrap_text(text: str, width: int, indent: str = "") -> list[str]:
    """A free line of the table report wrapped to width, continuation lines indented, nothing dropped."""
    if visible_len(text) <= width:
        return [text]
    return textwrap.wrap(
        _ANSI.sub("", text),
        width=max(width, len(indent) + MIN_COLUMN),
        subsequent_indent=indent,
        break_on_hyphens=False,
    )


def fit_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int,
    text: bool = False,
    keep: Sequence[int] = (),
) -> str:
    """tabulate's "simple" table with no line wider than `width`.

    With `text`, the last column is free text (a verdict, a finding): it wraps in its column while that column
    keeps MIN_TEXT; when it would be narrower, the text moves under its row, indented, across the whole width.
    Other columns give room only when that is not enough: every column but the `keep` ones (ids) down to
    MIN_COLUMN, then the `keep` ones."""
    natural = _natural(headers, rows)
    budget = width - GAP * (len(headers) - 1)
    if sum(natural) <= budget:
        return tabulate(rows, headers=list(headers), tablefmt="simple", disable_numparse=True)
    if text:
        last = len(headers) - 1
        caps = _narrow(natural, {last}, budget, [MIN_TEXT] * len(headers))
        if sum(caps) > budget:
            return _stacked(headers, rows, width, keep)
    else:
        caps = natural
    return _wrapped(headers, rows, _squeeze(caps, budget, keep, _longest_words(headers, rows)))


def _natural(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    return [max([visible_len(h) + HEADER_PAD, *(visible_len(r[i]) for r in rows)]) for i, h in enumerate(headers)]


def _squeeze(caps: list[int], budget: int, keep: Sequence[int], words: list[int]) -> list[int]:
    """Narrow column by column stage: words kept whole in the columns that are not ids, then those columns
    down to MIN_COLUMN, then every column."""
    every = range(len(caps))
    others = [i for i in every if i not in keep]
    for columns, floors in ((others, words), (others, None), (every, None)):
        if sum(caps) <= budget:
            break
        caps = _narrow(caps, set(columns), budget, floors)
    return caps


def _wrapped(headers: Sequence[str], rows: Sequence[Sequence[str]], caps: list[int]) -> str:
    wrapped_headers = [_wrap_cell(h, cap - HEADER_PAD) for h, cap in zip(headers, caps, strict=True)]
    wrapped_rows = [[_wrap_cell(cell, cap) for cell, cap in zip(row, caps, strict=True)] for row in rows]
    return tabulate(wrapped_rows, headers=wrapped_headers, tablefmt="simple", disable_numparse=True)


def _stacked(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int, keep: Sequence[int]) -> str:
    """The table without its text column, each row followed by its text, wrapped and indented."""
    head, body = headers[:-1], [r[:-1] for r in rows]
    caps = _squeeze(_natural(head, body), width - GAP * (len(head) - 1), keep, _longest_words(head, body))
    lines = _wrapped(head, body, caps).split("\n")
    # tabulate gives a row as many lines as its tallest cell, and the header block one more (the rule)
    at = max(h.count("\n") for h in (_wrap_cell(h, cap - HEADER_PAD) for h, cap in zip(head, caps, strict=True)))
    out, at = lines[: at + 2], at + 2
    for row in rows:
        height = max(_wrap_cell(cell, cap).count("\n") + 1 for cell, cap in zip(row[:-1], caps, strict=True))
        out += lines[at : at + height]
        out += wrap_text(STACK_INDENT + row[-1], width, STACK_INDENT) if row[-1] else []
        at += height
    return "\n".join(out)


def _narrow(widths: list[int], columns: set[int], budget: int, floors: list[int] | None = None) -> list[int]:
    """`columns` capped at one common width, the largest that fits the budget, none below its floor (its longest
    word, or MIN_COLUMN): the widest columns give room first."""
    low = [min(w, floors[i] if floors else MIN_COLUMN) for i, w in enumerate(widths)]
    cap = max((widths[i] for i in columns), default=0)

    def width_at(c: int) -> list[int]:
        return [max(min(w, c), low[i]) if i in columns else w for i, w in enumerate(widths)]

    while cap > MIN_COLUMN and sum(width_at(cap)) > budget:
        cap -= 1
    return width_at(cap)


def _longest_words(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    return [
        max([MIN_COLUMN, *(len(w) for r in rows for w in _ANSI.sub("", r[i]).split())]) for i in range(len(headers))
    ]


def _wrap_cell(text: str, width: int) -> str:
    width = max(width, 1)
    if visible_len(text) <= width:
        return text
    lines: list[str] = []
    for line in _ANSI.sub("", text).split("\n"):
        # A colour cannot survive being cut; the words can, and their meaning does not depend on the colour.
        lines += textwrap.wrap(line, width=width, break_on_hyphens=False) or [""]
    return "\n".join(lines)
