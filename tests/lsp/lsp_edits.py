# SPDX-License-Identifier: Apache-2.0
"""LSP positions and text edits for the conversation tests, written from the specification, not
from the server: lines end at "\\r\\n", "\\r" or "\\n"; characters count UTF-16 code units (or
UTF-8 bytes)."""


def line_starts(text):
    starts, i = [0], 0
    while i < len(text):
        if text[i] == "\r" and text[i + 1:i + 2] == "\n":
            i += 2
            starts.append(i)
            continue
        i += 1
        if text[i - 1] in "\r\n":
            starts.append(i)
    return starts


def units(ch, enc):
    return len(ch.encode("utf-16-le")) // 2 if enc == "utf-16" else len(ch.encode("utf-8"))


def offset(text, pos, enc="utf-16"):
    """The index in `text` (a str) of an LSP position."""
    starts = line_starts(text)
    i = starts[pos["line"]]
    n = 0
    while n < pos["character"]:
        n += units(text[i], enc)
        i += 1
    return i


def position(text, index, enc="utf-16"):
    """The LSP position of an index in `text`."""
    starts = line_starts(text)
    line = max(k for k, s in enumerate(starts) if s <= index)
    return {"line": line, "character": sum(units(c, enc) for c in text[starts[line]:index])}


def apply(text, edits, enc="utf-16"):
    """`text` with the TextEdits of one document applied (they must not overlap)."""
    spans = sorted(((offset(text, e["range"]["start"], enc), offset(text, e["range"]["end"], enc), e["newText"])
                    for e in edits), reverse=True)
    for (b, e, new), nxt in zip(spans, spans[1:] + [None]):
        assert nxt is None or nxt[1] <= b, f"overlapping edits: {spans}"
        text = text[:b] + new + text[e:]
    return text


def rng(l1, c1, l2, c2):
    return {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}
