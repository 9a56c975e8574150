"""Contract rendering: both languages, Eastern-Arabic digits, tables, the sandbox, escaping and the
canonical hash a signing OTP is bound to."""

from __future__ import annotations

import re

import pytest

from hawiya.contracting.documents.examples import (
    LOAN_REQUEST,
    LOAN_TEMPLATE_AR,
    LOAN_TEMPLATE_EN,
    LOAN_TITLES,
    loan_fields,
)
from hawiya.contracting.documents.render import (
    ContractTemplateError,
    FieldValue,
    RenderedDocument,
    arabic_digits,
    bundle_sha256,
    check_template,
    content_sha256,
    render_contract,
    thousands,
)


def render(language: str = "ar", template: str | None = None) -> RenderedDocument:
    source = template or (LOAN_TEMPLATE_AR if language == "ar" else LOAN_TEMPLATE_EN)
    return render_contract(
        source,
        language="ar" if language == "ar" else "en",
        title=LOAN_TITLES[language],
        fields=loan_fields(),
        request=LOAN_REQUEST,
    )


def body(doc: RenderedDocument) -> str:
    match = re.search(r"<body[^>]*>(.*)</body>", doc.html, re.S)
    assert match is not None
    return match.group(1)


def test_arabic_contract_is_right_to_left_with_arabic_fonts() -> None:
    doc = render("ar")
    assert '<html lang="ar" dir="rtl">' in doc.html
    assert '<body dir="rtl">' in doc.html
    assert '"Noto Naskh Arabic", "Amiri"' in doc.html
    assert "<title>عقد تمويل شخصي</title>" in doc.html
    text = body(doc)
    assert "يقر العميل محمد أحمد علي بأنه اطلع على الشروط والأحكام ووافق عليها." in text


def test_arabic_contract_shows_eastern_arabic_digits_where_the_field_asks() -> None:
    text = body(render("ar"))
    assert "المبلغ: ١٥٬٠٠٠ جنيه مصري" in text
    assert "تسدد على ١٢ شهرًا ابتداءً من ٢٠٢٦-٠١-٠١" in text
    # identifiers stay Western inside an LTR isolate (hyphenated Eastern-Arabic digit groups
    # would be reordered by the bidi algorithm)
    assert 'رقم الطلب: <bdi dir="ltr">REQ-20261122-0001</bdi>' in text
    assert "15000" not in text and "15,000" not in text


def test_english_contract_keeps_western_digits_and_ltr() -> None:
    doc = render("en")
    assert '<html lang="en" dir="ltr">' in doc.html
    text = body(doc)
    assert "Amount: EGP 15,000, repaid over\n12 months starting 2026-01-01." in text
    assert "The customer محمد أحمد علي confirms" in text
    assert not re.search("[٠-٩]", text)


def test_table_field_with_header_row_in_both_languages() -> None:
    ar, en = body(render("ar")), body(render("en"))
    assert (
        '<table class="field-table"><thead><tr><th>القسط / Instalment</th>'
        "<th>التاريخ / Date</th><th>المبلغ / Amount</th></tr></thead>"
    ) in ar
    assert "<tr><td>١</td><td>٢٠٢٦-٠١-٠١</td><td>١٬٢٥٠٫٠٠</td></tr>" in ar
    assert "<tr><td>3</td><td>2026-03-01</td><td>1,250.00</td></tr>" in en
    assert ar.count("<tr>") == en.count("<tr>") == 4


def test_table_without_header_row_and_labels_per_language() -> None:
    table = FieldValue(
        key="t", type="table", display_text="Fees", display_ar_text="الرسوم",
        tabular_data=(("a", "1"), ("b", "2")),
    )  # fmt: skip
    ar = render_contract(
        "{{ fields.t.label }}{{ fields.t }}", language="ar", title="x", fields=[table]
    )
    en = render_contract(
        "{{ fields.t.label }}{{ fields.t }}", language="en", title="x", fields=[table]
    )
    assert "الرسوم<table" in ar.html and "<thead>" not in ar.html
    assert "<tr><td>a</td><td>1</td></tr>" in ar.html  # no conversion asked: Western digits
    assert "Fees<table" in en.html


def test_checkbox_and_visible_fields_in_order() -> None:
    template = "{% for f in visible_fields %}[{{ f.label }}={{ f }}]{% endfor %}"
    fields = [
        FieldValue(key="b", value="false", type="checkbox", display_text="B", order=2),
        FieldValue(key="a", value="true", type="checkbox", display_text="A", order=1),
        FieldValue(key="hidden", value="x", display_text="H", order=0, visible_to_user=False),
    ]
    doc = render_contract(template, language="en", title="x", fields=fields)
    assert "[A=Yes][B=No]" in doc.html
    doc = render_contract(template, language="ar", title="x", fields=fields)
    assert "[A=نعم][B=لا]" in doc.html


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234567.89", "١٢٣٤٥٦٧٫٨٩"),
        ("1,250.00", "١٬٢٥٠٫٠٠"),
        ("2026-01-31", "٢٠٢٦-٠١-٣١"),
        ("Ref. 7, item 3", "Ref. ٧, item ٣"),  # separators only between digits
        (None, ""),
    ],
)
def test_arabic_digits(value: str | None, expected: str) -> None:
    assert arabic_digits(value) == expected


def test_thousands() -> None:
    assert thousands("1234567.5") == "1,234,567.5"
    assert thousands(-15000) == "-15,000"
    assert thousands("n/a") == "n/a"


def test_values_are_escaped() -> None:
    hostile = FieldValue(key="name", value='<script>alert("x")</script><b onclick=1>')
    doc = render_contract(
        "<p>{{ fields.name }}|{{ fields.name.text }}|{{ request.full_name }}</p>",
        language="en",
        title="<script>t</script>",
        fields=[hostile],
    )
    assert "<script>" not in doc.html and "<b onclick" not in doc.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b onclick=1&gt;" in doc.html
    assert "<title>&lt;script&gt;t&lt;/script&gt;</title>" in doc.html


def test_table_cells_are_escaped() -> None:
    table = FieldValue(key="t", type="table", tabular_data=(("<img src=x onerror=1>",),))
    doc = render_contract("{{ fields.t }}", language="en", title="x", fields=[table])
    assert "<img" not in doc.html and "&lt;img src=x onerror=1&gt;" in doc.html


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ fields.__class__.__init__.__globals__ }}",
        "{{ fields.amount.__html__() }}",
        "{{ request.__class__ }}",
        "{{ request.extra.__class__ }}",
        "{{ fields.update({'x': 1}) }}",
        "{{ fields.amount.label.format.__globals__ }}",
        "{% set x = fields.pop('amount') %}",
        "{{ 'a' * 100000000 }}",
        "{{ 9 ** 9999999 }}",
        "{% for i in range(100000000) %}{% endfor %}",
        "{{ lipsum() }}{{ cycler }}",
        "{% include 'other.html' %}",
        "{% extends 'base.html' %}",
        "{% import 'macros.html' as m %}",
        "{{ fields.no_such_field }}",
        "{% if %}",
    ],
)
def test_sandbox_refuses(template: str) -> None:
    with pytest.raises(ContractTemplateError):
        render_contract(template, language="en", title="x", fields=loan_fields())


def test_sandbox_refusal_names_the_problem() -> None:
    with pytest.raises(ContractTemplateError, match=r"not allowed.*__class__"):
        render_contract("{{ ''.__class__ }}", language="en", title="x", fields=[])
    with pytest.raises(ContractTemplateError, match="line 2: templates stand alone"):
        check_template("ok\n{% include 'x' %}")


def test_the_hash_is_over_a_canonical_form() -> None:
    doc = render("ar")
    assert doc.sha256 == content_sha256(doc.html)
    crlf = doc.html.replace("\n", "\r\n")
    trailing = doc.html.replace("\n", "  \n")
    assert content_sha256(crlf) == content_sha256(trailing) == doc.sha256
    # the same Arabic in decomposed form (alef with hamza above as alef + combining hamza)
    decomposed = doc.html.replace("أ", "\u0627\u0654")
    assert decomposed != doc.html and content_sha256(decomposed) == doc.sha256
    assert content_sha256(doc.html.replace("١٥٬٠٠٠", "١٦٬٠٠٠")) != doc.sha256
    assert render("ar").sha256 == doc.sha256  # rendering is deterministic


def test_bundle_hash_binds_every_document_and_their_order() -> None:
    ar, en = render("ar"), render("en")
    bundle = bundle_sha256([ar, en])
    assert bundle == bundle_sha256([("ar", ar.html), ("en", en.html)])
    assert bundle != bundle_sha256([en, ar])
    assert bundle != bundle_sha256([ar])
    edited = en.html.replace("EGP 15,000", "EGP 16,000")
    assert bundle != bundle_sha256([("ar", ar.html), ("en", edited)])


def test_as_document_is_the_spec_shape() -> None:
    doc = render("en")
    assert doc.as_document(2) == {
        "order": 2,
        "title": "Personal Loan Agreement",
        "content": doc.html,
        "signature": None,
        "isHtml": True,
    }
