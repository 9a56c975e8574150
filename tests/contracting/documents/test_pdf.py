"""Contract PDFs: Arabic read back in logical order, right-to-left layout, embedded fonts, PDF/A,
deterministic bytes, and no resource fetched from outside the HTML."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import UTC, datetime

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTTextContainer
from pyhanko.pdf_utils.reader import PdfFileReader

from hawiya.contracting.documents.examples import (
    LOAN_REQUEST,
    LOAN_TEMPLATE_AR,
    LOAN_TEMPLATE_EN,
    LOAN_TITLES,
    loan_fields,
)
from hawiya.contracting.documents.pdf import ContractPdfError, html_to_pdf
from hawiya.contracting.documents.render import RenderedDocument, render_contract
from tests.contracting.documents.pdftext import logical_lines, raw_lines

ARABIC_SENTENCES = [
    "عقد تمويل شخصي",
    "يقر العميل محمد أحمد علي بأنه اطلع على الشروط والأحكام ووافق عليها.",
    "الغرض من التمويل: تجهيز منزل الزوجية",
    "تأمين على الحياة: نعم",
    "يلتزم العميل بسداد الأقساط في مواعيدها، ويحق للشركة المطالبة بكامل المبلغ عند التأخر.",
]


def _render(language: str) -> RenderedDocument:
    return render_contract(
        LOAN_TEMPLATE_AR if language == "ar" else LOAN_TEMPLATE_EN,
        language="ar" if language == "ar" else "en",
        title=LOAN_TITLES[language],
        fields=loan_fields(),
        request=LOAN_REQUEST,
    )


@pytest.fixture(scope="module")
def arabic_pdf() -> bytes:
    return html_to_pdf(_render("ar").html)


@pytest.fixture(scope="module")
def english_pdf() -> bytes:
    return html_to_pdf(_render("en").html)


def squeeze(line: str) -> str:
    return " ".join(line.split())


def test_arabic_sentences_read_back_in_logical_order(arabic_pdf: bytes) -> None:
    lines = [squeeze(line) for line in logical_lines(arabic_pdf, rtl=True)]
    for sentence in ARABIC_SENTENCES:
        assert sentence in lines
    # Eastern-Arabic numbers in their own order inside the Arabic sentence (pdfminer puts a space
    # after the tanween of شهرًا, a mark drawn with no advance; the rest of the line is compared)
    amount = next(line for line in lines if line.startswith("المبلغ"))
    assert amount.startswith("المبلغ: ١٥٬٠٠٠ جنيه مصري، تسدد على ١٢ شهر")
    assert amount.endswith("من ٢٠٢٦-٠١-٠١.")


def test_the_extractor_sees_visual_order_and_no_presentation_forms(arabic_pdf: bytes) -> None:
    """What the reordering undoes: the raw line is the sentence reversed (as drawn, right to left
    on the page), made of base letters (U+0600 block), not presentation forms (U+FB50-U+FEFF)."""
    raw = [squeeze(line) for line in raw_lines(arabic_pdf)]
    assert "يصخش ليومت دقع" in raw
    assert "عقد تمويل شخصي" not in raw
    text = "".join(raw)
    assert not re.search("[\ufb50-\ufdff\ufe70-\ufeff]", text)
    assert unicodedata.normalize("NFKC", text) == text


def test_english_contract_with_arabic_name_reads_back(english_pdf: bytes) -> None:
    lines = [squeeze(line) for line in logical_lines(english_pdf, rtl=False)]
    assert "Personal Loan Agreement" in lines
    assert (
        "The customer محمد أحمد علي confirms having read and accepted the terms and conditions."
        in lines
    )
    assert "Amount: EGP 15,000, repaid over 12 months starting 2026-01-01." in lines
    assert "Purpose: تجهيز منزل الزوجية" in lines


def _boxes(pdf: bytes) -> dict[str, float]:
    """Left edge of each text line on the first page, by its (visual) text."""
    out: dict[str, float] = {}
    for page in extract_pages(io.BytesIO(pdf)):
        for element in page:
            if isinstance(element, LTTextContainer):
                for line in element:
                    out.setdefault(squeeze(line.get_text()), line.x0)
        break
    return out


def test_layout_is_right_to_left_for_arabic_and_left_to_right_for_english(
    arabic_pdf: bytes, english_pdf: bytes
) -> None:
    ar, en = _boxes(arabic_pdf), _boxes(english_pdf)
    # the table's first column (the instalment number) is on the right in Arabic, left in English
    first, last = "Instalment / طسقلا", "Amount / غلبملا"
    assert ar[first] > ar[last]
    first, last = "طسقلا / Instalment", "غلبملا / Amount"
    assert en[first] < en[last]
    # a paragraph starts at the right margin in Arabic
    page_width = 595
    title = "ليومت دقع"
    sentence = ".اهيلع قفاوو ماكحألاو طورشلا ىلع علطا هنأب يلع دمحأ دمحم ليمعلا رقي"
    assert ar[sentence] > page_width / 4 and ar[sentence] > en["Life insurance: Yes"]
    assert title not in ar  # the title line carries the bold heading only
    assert any(key.startswith("يصخش ليومت دقع") for key in ar)


def _fonts(pdf: bytes) -> dict[str, bool]:
    """Each font of the first page: is its program embedded?"""
    reader = PdfFileReader(io.BytesIO(pdf))
    page = reader.root["/Pages"]["/Kids"][0]
    out: dict[str, bool] = {}
    for ref in page["/Resources"]["/Font"].values():
        font = ref.get_object()
        for descendant in font.get("/DescendantFonts", [font]):
            descriptor = descendant.get_object()["/FontDescriptor"]
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            out[str(font["/BaseFont"])] = embedded
    return out


def _info(pdf: bytes) -> dict[str, str]:
    reader = PdfFileReader(io.BytesIO(pdf))
    info = reader.trailer_view.get("/Info")
    return {} if info is None else {str(k): str(v) for k, v in info.get_object().items()}


def test_fonts_are_embedded_and_the_file_is_pdf_a(arabic_pdf: bytes) -> None:
    fonts = _fonts(arabic_pdf)
    assert any("Noto-Naskh-Arabic" in name for name in fonts), fonts
    assert all(fonts.values()), fonts  # every font program is in the file
    reader = PdfFileReader(io.BytesIO(arabic_pdf))
    assert "/OutputIntents" in reader.root
    metadata = reader.root["/Metadata"].data
    assert b'pdfaid:part="3" pdfaid:conformance="B"' in metadata


def test_same_html_same_bytes_and_the_creation_date_when_asked(arabic_pdf: bytes) -> None:
    html = _render("ar").html
    assert html_to_pdf(html) == arabic_pdf
    assert "/CreationDate" not in _info(arabic_pdf)
    dated = html_to_pdf(html, created=datetime(2026, 11, 22, 9, 30, tzinfo=UTC))
    assert _info(dated)["/CreationDate"].startswith("D:20261122093000")
    assert _info(dated)["/Title"] == "عقد تمويل شخصي"


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="http://127.0.0.1:9/logo.png">',
        '<img src="file:///etc/passwd">',
        '<link rel="stylesheet" href="https://example.invalid/x.css">',
        "<style>@import url(http://127.0.0.1:9/x.css);</style>",
        '<p style="background: url(file:///etc/hostname)">x</p>',
    ],
)
def test_external_resources_are_refused(markup: str) -> None:
    doc = render_contract(f"<p>نص</p>{markup}", language="ar", title="x", fields=[])
    with pytest.raises(ContractPdfError, match="external resource"):
        html_to_pdf(doc.html)


def test_inline_data_images_are_allowed() -> None:
    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
        "z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
    )
    doc = render_contract(f'<p>نص</p><img src="{pixel}">', language="ar", title="x", fields=[])
    assert html_to_pdf(doc.html).startswith(b"%PDF-")
