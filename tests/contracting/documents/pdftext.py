"""PDF text back in logical order, for the tests.

pdfminer.six reads each line's characters in the order they are drawn (visual order, left to
right) and maps glyphs back to letters through the fonts' ToUnicode tables, which WeasyPrint
writes with the base Arabic letters (not presentation forms). The Unicode bidirectional algorithm
(python-bidi) then turns each visual line back into logical order: reordering is its own inverse
for the text a contract holds (Arabic letters, Eastern-Arabic and Western numbers, Latin words,
punctuation). NFKC folds any presentation form an extractor might return (ﻻ, ﺐ) to the base
letters; on WeasyPrint's output it changes nothing, which a test checks. pypdf was tried too: it
puts Arabic letters in logical order itself but reverses runs of Eastern-Arabic digits
(١٢٣ comes back as ٣٢١), so it is not used."""

from __future__ import annotations

import io
import unicodedata

from bidi import get_display
from pdfminer.high_level import extract_text


def raw_lines(pdf: bytes) -> list[str]:
    """The extractor's own lines (visual order), blank ones dropped."""
    return [line for line in extract_text(io.BytesIO(pdf)).splitlines() if line.strip()]


def logical_lines(pdf: bytes, *, rtl: bool) -> list[str]:
    """Each line in logical order; `rtl` is the paragraph direction of the document."""
    lines = []
    for line in raw_lines(pdf):
        logical = get_display(line, base_dir="R" if rtl else "L")
        lines.append(unicodedata.normalize("NFKC", logical))
    return lines


def logical_text(pdf: bytes, *, rtl: bool) -> str:
    return "\n".join(logical_lines(pdf, rtl=rtl))
