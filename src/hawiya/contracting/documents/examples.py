"""An example contract (a personal loan) in Arabic and English with fields of each kind the
renderer handles: the docs, the tests and bench/contracts.py use it, and a demo product may too."""

from __future__ import annotations

from hawiya.contracting.documents.render import FieldValue, RequestInfo

LOAN_TEMPLATE_AR = """
<h1>عقد تمويل شخصي</h1>
<p>رقم الطلب: <bdi dir="ltr">{{ request.request_number }}</bdi></p>
<p>يقر العميل {{ request.full_name }} بأنه اطلع على الشروط والأحكام ووافق عليها.</p>
<p>{{ fields.amount.label }}: {{ fields.amount | thousands | arabic_digits }} جنيه مصري،
تسدد على {{ fields.months }} شهرًا ابتداءً من {{ fields.first_installment_date }}.</p>
<p>{{ fields.purpose.label }}: {{ fields.purpose }}</p>
<h2>{{ fields.schedule.label }}</h2>
{{ fields.schedule }}
<p>{{ fields.insurance.label }}: {{ fields.insurance }}</p>
<p>يلتزم العميل بسداد الأقساط في مواعيدها، ويحق للشركة المطالبة بكامل المبلغ عند التأخر.</p>
"""

LOAN_TEMPLATE_EN = """
<h1>Personal Loan Agreement</h1>
<p>Request number: {{ request.request_number }}</p>
<p>The customer {{ request.full_name }} confirms having read and accepted the terms and
conditions.</p>
<p>{{ fields.amount.label }}: EGP {{ fields.amount | thousands }}, repaid over
{{ fields.months }} months starting {{ fields.first_installment_date }}.</p>
<p>{{ fields.purpose.label }}: {{ fields.purpose }}</p>
<h2>{{ fields.schedule.label }}</h2>
{{ fields.schedule }}
<p>{{ fields.insurance.label }}: {{ fields.insurance }}</p>
<p>The customer shall pay each instalment when due; on late payment the company may demand the
whole amount.</p>
"""

LOAN_TITLES = {"ar": "عقد تمويل شخصي", "en": "Personal Loan Agreement"}


def loan_fields(*, full_rows: int = 3) -> list[FieldValue]:
    """The example request's values: Arabic text, numbers to show as Eastern-Arabic digits, a
    date, a checkbox and an instalment table whose first row is its header."""
    rows: list[tuple[str, ...]] = [("القسط / Instalment", "التاريخ / Date", "المبلغ / Amount")]
    rows += [(str(i), f"2026-{i:02d}-01", "1,250.00") for i in range(1, full_rows + 1)]
    return [
        FieldValue(
            key="amount",
            value="15000",
            type="number",
            display_text="Amount",
            display_ar_text="المبلغ",
            order=1,
            convert_numbers_to_arabic=True,
        ),
        FieldValue(
            key="months",
            value="12",
            type="number",
            display_text="Months",
            display_ar_text="عدد الشهور",
            order=2,
            convert_numbers_to_arabic=True,
        ),
        FieldValue(
            key="first_installment_date",
            value="2026-01-01",
            type="date",
            display_text="First instalment",
            display_ar_text="تاريخ أول قسط",
            order=3,
            convert_numbers_to_arabic=True,
        ),
        FieldValue(
            key="purpose",
            value="تجهيز منزل الزوجية",
            type="dropdown",
            display_text="Purpose",
            display_ar_text="الغرض من التمويل",
            order=4,
        ),
        FieldValue(
            key="schedule",
            type="table",
            display_text="Repayment schedule",
            display_ar_text="جدول السداد",
            order=5,
            tabular_data=tuple(rows),
            first_row_header=True,
            convert_numbers_to_arabic=True,
        ),
        FieldValue(
            key="insurance",
            value="true",
            type="checkbox",
            display_text="Life insurance",
            display_ar_text="تأمين على الحياة",
            order=6,
        ),
    ]


LOAN_REQUEST = RequestInfo(
    request_number="REQ-20261122-0001",
    type_name="قرض شخصي",
    full_name="محمد أحمد علي",
    id_number="29001011234567",
    issued_on="2026-11-22",
)
