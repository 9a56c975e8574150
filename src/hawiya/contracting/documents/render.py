"""Contract templates rendered with a request's values: a sandboxed, autoescaping Jinja2 environment
(templates are written by tenant admins), Eastern-Arabic digits where a field asks, tables, and the
right-to-left Arabic page; the output is the HTML that goes into the request's `documents` and the
SHA-256 of its canonical form (the hash a signing OTP is bound to, checklist OTP-8)."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

Language = Literal["ar", "en"]

# Bounds that keep one template from eating the worker: rendered size, and the two operators that
# can build huge values from a short expression (the sandbox already caps range() at 100 000).
MAX_HTML_CHARS = 2_000_000
MAX_POWER_EXPONENT = 64
MAX_REPEAT_CHARS = 100_000

CANONICAL_FORM = "hawiya-contract-html-v1"

_WESTERN_DIGITS = "0123456789"
_EASTERN_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_EASTERN = str.maketrans(_WESTERN_DIGITS, _EASTERN_DIGITS)
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3})")
_INTEGER_PART = re.compile(r"^(-?)(\d+)((?:\.\d+)?)$")


class ContractTemplateError(ValueError):
    """A template that does not compile, reaches for something the sandbox refuses, names a value
    that does not exist, or renders too large. The message is safe to show to the tenant admin."""


def arabic_digits(value: object) -> str:
    """Western digits as Eastern-Arabic ones (١٢٣), with the Arabic decimal (٫) and thousands (٬)
    separators between digits; everything else unchanged."""
    text = "" if value is None else str(value)
    text = _DECIMAL_POINT.sub("٫", text)
    text = _THOUSANDS_COMMA.sub("٬", text)
    return text.translate(_TO_EASTERN)


def thousands(value: object) -> str:
    """`1234567.5` as `1,234,567.5`; anything that is not a plain decimal number is left alone."""
    text = "" if value is None else str(value).strip()
    match = _INTEGER_PART.match(text)
    if match is None:
        return text
    sign, whole, fraction = match.groups()
    return f"{sign}{int(whole):,}{fraction}"


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One field of a request as a template sees it (the spec's form-field object, value filled).

    `tabular_data` holds a table field's rows; `first_row_header` makes its first row the header.
    `convert_numbers_to_arabic` shows the field's digits as Eastern-Arabic ones in the Arabic
    document (the English one keeps Western digits; the `arabic_digits` filter works in both)."""

    key: str
    value: str | None = None
    type: str = "text"
    display_text: str = ""
    display_ar_text: str = ""
    order: int = 0
    visible_to_user: bool = True
    multi_values: tuple[str, ...] = ()
    tabular_data: tuple[tuple[str, ...], ...] = ()
    first_row_header: bool = False
    convert_numbers_to_arabic: bool = False


_YES_NO: dict[Language, tuple[str, str]] = {"ar": ("نعم", "لا"), "en": ("Yes", "No")}


@dataclass(frozen=True, slots=True)
class FieldView:
    """What `{{ fields.key }}` is in a template: printing it gives the value formatted for the
    document (a table for table fields); `.label`, `.text`, `.rows`, `.header`, `.body` and `.key`
    give the parts. Only plain data is exposed: the sandbox refuses every `_` attribute."""

    key: str
    type: str
    label: str
    text: str
    rows: tuple[tuple[str, ...], ...]
    header: tuple[str, ...]
    body: tuple[tuple[str, ...], ...]
    visible: bool
    order: int

    def __html__(self) -> str:
        if self.type == "table":
            return _table_html(self.header, self.body)
        return str(escape(self.text))

    def __str__(self) -> str:
        return self.text


def _table_html(header: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    parts = ['<table class="field-table">']
    if header:
        cells = "".join(f"<th>{escape(cell)}</th>" for cell in header)
        parts.append(f"<thead><tr>{cells}</tr></thead>")
    parts.append("<tbody>")
    for row in body:
        cells = "".join(f"<td>{escape(cell)}</td>" for cell in row)
        parts.append(f"<tr>{cells}</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def field_view(item: FieldValue, language: Language) -> FieldView:
    def shown(text: str) -> str:
        if item.convert_numbers_to_arabic and language == "ar":
            return arabic_digits(text)
        return text

    label = (item.display_ar_text or item.display_text) if language == "ar" else item.display_text
    rows = tuple(tuple(shown(cell) for cell in row) for row in item.tabular_data)
    header: tuple[str, ...] = ()
    body = rows
    if item.first_row_header and rows:
        header, body = rows[0], rows[1:]
    raw = item.value or ""
    if item.type == "checkbox":
        yes, no = _YES_NO[language]
        text = yes if raw.strip().lower() in {"true", "1", "yes", "on"} else no
    elif item.multi_values and not raw:
        text = "، ".join(item.multi_values) if language == "ar" else ", ".join(item.multi_values)
        text = shown(text)
    else:
        text = shown(raw)
    return FieldView(
        key=item.key,
        type=item.type,
        label=label or item.key,
        text=text,
        rows=rows,
        header=header,
        body=body,
        visible=item.visible_to_user,
        order=item.order,
    )


class _ContractEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox of jinja2 (no `_` attributes, no unsafe callables, no mutation of what the
    template is given) plus bounds on `**` and `*`, which build huge values in one expression."""

    intercepted_binops = frozenset({"**", "*"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if isinstance(right, int | float) and abs(right) > MAX_POWER_EXPONENT:
                raise SecurityError("exponent too large")
            return left**right
        for seq, times in ((left, right), (right, left)):
            if (
                isinstance(seq, str | list | tuple)
                and isinstance(times, int)
                and len(seq) * times > MAX_REPEAT_CHARS
            ):
                raise SecurityError("repetition too large")
        return left * right


def _environment() -> _ContractEnvironment:
    env = _ContractEnvironment(autoescape=True, undefined=StrictUndefined, loader=None)
    env.filters["arabic_digits"] = arabic_digits
    env.filters["thousands"] = thousands
    env.filters["table"] = _table_filter
    # Only range() (bounded) is left of the default globals; with no loader, include, import and
    # extends have nothing to reach, and check_template refuses them outright.
    env.globals.clear()
    env.globals["range"] = _safe_range
    return env


def _safe_range(*args: int) -> range:
    result = range(*args)
    if len(result) > 10_000:
        raise SecurityError("range too large")
    return result


def _table_filter(rows: object, first_row_header: bool = False) -> Markup:
    """`{{ some_rows | table(first_row_header=true) }}` for rows a template builds itself."""
    if isinstance(rows, FieldView):
        return Markup(rows.__html__())  # noqa: S704 - every cell is escaped by _table_html
    if not isinstance(rows, list | tuple):
        raise SecurityError("table needs a list of rows")
    cells = [tuple(str(cell) for cell in row) for row in rows if isinstance(row, list | tuple)]
    header: tuple[str, ...] = ()
    if first_row_header and cells:
        header, cells = cells[0], cells[1:]
    return Markup(_table_html(header, cells))  # noqa: S704 - every cell is escaped


_ENV = _environment()


@dataclass(frozen=True, slots=True)
class RenderedDocument:
    """One rendered contract document: `html` is what the request's `documents` list carries and
    what the PDF is made from; `sha256` is over its canonical form (`canonical_bytes`)."""

    language: Language
    title: str
    html: str
    sha256: str

    def as_document(self, order: int) -> dict[str, object]:
        """The spec's document object (`{order, title, content, signature, isHtml}`)."""
        return {
            "order": order,
            "title": self.title,
            "content": self.html,
            "signature": None,
            "isHtml": True,
        }


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """Request-level values a template may show besides the fields (`request.request_number`)."""

    request_number: str = ""
    type_name: str = ""
    full_name: str = ""
    id_number: str = ""
    issued_on: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)


def check_template(source: str) -> None:
    """Compile a template (when a tenant admin saves it): syntax errors and the constructs the
    sandbox refuses at compile time raise ContractTemplateError."""
    try:
        parsed = _ENV.parse(source)
    except TemplateError as exc:
        raise ContractTemplateError(_describe(exc)) from exc
    for node in parsed.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        raise ContractTemplateError(
            f"line {node.lineno}: templates stand alone (no include, import or extends)"
        )


def render_contract(
    template: str,
    *,
    language: Language,
    title: str,
    fields: Iterable[FieldValue],
    request: RequestInfo | None = None,
    stylesheet: str | None = None,
) -> RenderedDocument:
    """Render one language's contract. `template` is the body (HTML with Jinja2 expressions); it
    sees `fields` (key -> FieldView), `visible_fields` (in `order`), `request`, `lang` and `dir`.
    Raises ContractTemplateError for anything the sandbox refuses or a name that is not defined."""
    check_template(source=template)
    views = {item.key: field_view(item, language) for item in fields}
    visible = sorted((v for v in views.values() if v.visible), key=lambda v: (v.order, v.key))
    context = {
        "fields": views,
        "visible_fields": visible,
        "request": request or RequestInfo(),
        "lang": language,
        "dir": "rtl" if language == "ar" else "ltr",
    }
    try:
        compiled = _ENV.from_string(template)
        body = _bounded_join(compiled.generate(context))
    except (TemplateError, SecurityError) as exc:
        raise ContractTemplateError(_describe(exc)) from exc
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise ContractTemplateError(f"template error: {type(exc).__name__}: {exc}") from exc
    page = _page(language, title, body, stylesheet)
    return RenderedDocument(language=language, title=title, html=page, sha256=content_sha256(page))


def _bounded_join(chunks: Iterable[str]) -> str:
    out: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_HTML_CHARS:
            raise ContractTemplateError(f"the contract renders to over {MAX_HTML_CHARS} characters")
        out.append(chunk)
    return "".join(out)


def _describe(exc: Exception) -> str:
    line = getattr(exc, "lineno", None)
    where = f"line {line}: " if line else ""
    if isinstance(exc, SecurityError):
        return f"{where}not allowed in a contract template: {exc}"
    return f"{where}{type(exc).__name__}: {exc}"


def base_stylesheet(language: Language) -> str:
    """Page size and margins, the Debian fonts (Noto Naskh Arabic, then Amiri, for Arabic; Noto
    Serif for Latin text), page numbers in the document's digits, and the field table."""
    if language == "ar":
        families = '"Noto Naskh Arabic", "Amiri", "Noto Sans", "Noto Serif", serif'
        counter = 'counter(page, arabic-indic) " / " counter(pages, arabic-indic)'
    else:
        families = '"Noto Serif", "Noto Sans", "Noto Naskh Arabic", "Amiri", serif'
        counter = 'counter(page) " / " counter(pages)'
    return (
        "@page { size: A4; margin: 20mm 18mm 22mm;"
        f" @bottom-center {{ content: {counter}; font-size: 9pt; }} }}\n"
        f"html {{ font-family: {families}; font-size: 11pt; line-height: 1.6; }}\n"
        "body { margin: 0; }\n"
        "h1 { font-size: 16pt; text-align: center; margin: 0 0 0.8em; }\n"
        "h2 { font-size: 13pt; margin: 1em 0 0.4em; }\n"
        "p { margin: 0 0 0.6em; text-align: justify; }\n"
        "table.field-table { border-collapse: collapse; width: 100%; margin: 0.4em 0 0.8em; }\n"
        "table.field-table th, table.field-table td { border: 0.6pt solid #444;"
        " padding: 0.2em 0.5em; text-align: start; vertical-align: top; }\n"
        "table.field-table th { background: #eee; font-weight: bold; }\n"
        ".field-label { font-weight: bold; }\n"
    )


def _page(language: Language, title: str, body: str, stylesheet: str | None) -> str:
    direction = "rtl" if language == "ar" else "ltr"
    extra = f"<style>\n{stylesheet}\n</style>\n" if stylesheet else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{language}" dir="{direction}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>\n{base_stylesheet(language)}</style>\n"
        f"{extra}"
        "</head>\n"
        f'<body dir="{direction}">\n'
        f"{body.strip()}\n"
        "</body>\n"
        "</html>\n"
    )


def canonical_bytes(page: str) -> bytes:
    """The canonical form hashed for OTP binding: Unicode NFC, LF line ends, no trailing blanks on
    a line, no leading or trailing blank lines, UTF-8. Storing or transporting the HTML (CRLF, a
    different normalisation of the same Arabic) does not change the hash; any visible edit does."""
    text = unicodedata.normalize("NFC", page).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip(" \t") for line in text.split("\n")]
    return "\n".join(lines).strip("\n").encode("utf-8")


def content_sha256(page: str) -> str:
    return hashlib.sha256(canonical_bytes(page)).hexdigest()


def bundle_sha256(documents: Sequence[RenderedDocument | tuple[str, str]]) -> str:
    """One hash over a request's documents (Arabic and English), in order: what a signing OTP is
    bound to. Takes rendered documents or stored `(language, html)` pairs (a request's
    `documents` list); each line hashed is `position, language, SHA-256 of the canonical HTML`."""
    lines = [CANONICAL_FORM]
    for position, doc in enumerate(documents, start=1):
        language, page = (doc.language, doc.html) if isinstance(doc, RenderedDocument) else doc
        lines.append(f"{position}\t{language}\t{content_sha256(page)}")
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
