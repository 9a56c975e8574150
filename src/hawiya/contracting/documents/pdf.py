"""Contract HTML to PDF with WeasyPrint: PDF/A-3b (fonts embedded, sRGB output intent), Arabic
shaped by Pango and HarfBuzz with the Debian fonts, right to left, nothing fetched from the
network or the disk, and the same bytes for the same HTML."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from weasyprint import HTML  # type: ignore[import-untyped]
from weasyprint.urls import (  # type: ignore[import-untyped]
    FatalURLFetchingError,
    URLFetcher,
)

PDF_VARIANT = "pdf/a-3b"


class ContractPdfError(ValueError):
    """The HTML could not be made into a PDF (e.g. it refers to an external resource)."""


class _NoFetching(URLFetcher):  # type: ignore[misc]
    """Templates come from tenant admins: an `<img src>` or CSS `url()` pointing at a server or a
    file would make the renderer an SSRF or file-read gadget, and the guide forbids downloads at run
    time. Only inline `data:` URLs are read; anything else stops the rendering."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), fail_on_errors=True, allow_redirects=False)


def html_to_pdf(html: str, *, created: datetime | None = None) -> bytes:
    """The contract as PDF/A-3b bytes. Deterministic: the document ID is derived from the HTML, and
    no date is written unless `created` is given (then as the PDF's creation and modification
    date). Raises ContractPdfError if the HTML refers to anything outside itself."""
    identifier = hashlib.sha256(html.encode("utf-8")).digest()[:16]
    if created is not None:
        stamp = created.isoformat(timespec="seconds")
        meta = (
            f'<meta name="dcterms.created" content="{stamp}">'
            f'<meta name="dcterms.modified" content="{stamp}">'
        )
        html = html.replace("<head>", f"<head>{meta}", 1)
    options: dict[str, Any] = {
        "pdf_variant": PDF_VARIANT,
        "pdf_identifier": identifier,
        "uncompressed_pdf": False,
    }
    # Without fail_on_errors WeasyPrint would log a refused resource and go on; with it, it raises
    # a BaseException subclass, turned into our error here.
    try:
        document = HTML(string=html, base_url=None, url_fetcher=_NoFetching())
        pdf = document.write_pdf(**options)
    except FatalURLFetchingError as exc:
        raise ContractPdfError(f"the contract refers to an external resource: {exc}") from None
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf without a target returns bytes
        raise ContractPdfError("no PDF produced")
    return pdf
