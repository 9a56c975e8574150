"""List parsers on generated files: UN, OFAC (XML and legacy CSV), EU, FollowTheMoney and tenant
blacklists; Arabic names and aliases, namespaces, byte-order marks, skipped records reported with
their reason and line, unsafe XML (external entities, entity expansion) refused, bounded memory
on a large file, and dates as the lists write them."""

from __future__ import annotations

import hashlib
import io
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from hawiya.identity.aml.sources import (
    ENTITY,
    FORMATS,
    NATIONAL_ID,
    PASSPORT,
    PERSON,
    ListedParty,
    ParseOptions,
    ParseStats,
    SourceError,
    SourceFile,
    UnsafeXmlError,
)
from hawiya.identity.aml.sources.base import full_date, partial_date
from hawiya.identity.aml.sources.blacklist import header_key
from hawiya.identity.aml.sources.ofac import remarks
from tests.identity.aml import samples
from tests.identity.aml.samples import NID_1, NID_2, NID_3


def stream(data: str | bytes) -> io.BufferedReader:
    return io.BufferedReader(io.BytesIO(data.encode() if isinstance(data, str) else data))


def parse(
    fmt: str, data: str | bytes, options: ParseOptions | None = None
) -> tuple[list[ListedParty], ParseStats]:
    stats = ParseStats()
    parties = list(FORMATS[fmt].parse(stream(data), stats, options or ParseOptions()))
    return parties, stats


def skipped(stats: ParseStats) -> dict[str, int]:
    return {reason: tally.count for reason, tally in stats.skipped.items()}


# --- UN ------------------------------------------------------------------------------------------


def test_un_individuals_entities_aliases_documents() -> None:
    parties, stats = parse("un", samples.un_xml())
    assert stats.read == 4 and stats.published == "2026-11-20"
    assert skipped(stats) == {"no name": 1}
    assert stats.skipped["no name"].examples == ["QDi.992"]
    mohamed, fatma, charity = parties
    assert mohamed.names == [
        "MOHAMED ABDEL RAHMAN EL SAYED",
        "محمد عبد الرحمن السيد",  # NAME_ORIGINAL_SCRIPT
        "Mohammed Abdul Rahman al-Sayyid",  # a "Good" alias
    ]
    assert mohamed.weak_aliases == ["Abu Omar"]  # a "Low" alias is not matched on
    assert [(d.kind, d.number) for d in mohamed.documents] == [
        (NATIONAL_ID, NID_1),
        (PASSPORT, "A12345678"),
    ]
    assert mohamed.birth_dates == ["1970-03-14"] and mohamed.nationalities == ["Egypt"]
    assert (mohamed.case_no, mohamed.case_year, mohamed.listed_on) == (
        "QDi.990",
        2011,
        date(2011, 5, 12),
    )
    assert mohamed.programmes == ["Al-Qaida"] and mohamed.reference == "990001"
    assert mohamed.kind == PERSON
    assert fatma.birth_dates == ["1985"]  # APPROXIMATELY, a year only
    assert charity.kind == ENTITY
    assert charity.names == [
        "AL-NOOR CHARITABLE FOUNDATION",
        "مؤسسة النور الخيرية",
        "Al Nur Foundation",
    ]


def test_un_refuses_another_format_and_broken_xml() -> None:
    with pytest.raises(SourceError, match="root element is <export>"):
        parse("un", samples.eu_xml())
    with pytest.raises(SourceError, match=r"not well-formed XML .* line 3"):
        parse("un", "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL></INDIVIDUALS>")


# --- unsafe XML ----------------------------------------------------------------------------------

XXE = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&xxe;</FIRST_NAME>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"""
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n<export>&lol9;</export>"
)
EXTERNAL_DTD = (
    '<?xml version="1.0"?><!DOCTYPE sdnList SYSTEM "http://127.0.0.1:9/sdn.dtd"><sdnList/>'
)
PARAMETER_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x">'
    "%remote;]><sdnList/>"
)


@pytest.mark.parametrize(
    ("fmt", "document"),
    [
        ("un", XXE),
        ("eu", LAUGHS),
        ("ofac-xml", EXTERNAL_DTD),
        ("ofac-xml", PARAMETER_ENTITY),
        ("un", XXE.encode("utf-16")),
    ],
    ids=["xxe", "billion-laughs", "external-dtd", "parameter-entity", "xxe-utf16"],
)
def test_doctype_and_entities_are_refused(fmt: str, document: str | bytes) -> None:
    with pytest.raises(UnsafeXmlError, match="refused: the file declares a DOCTYPE"):
        parse(fmt, document)


# --- OFAC ----------------------------------------------------------------------------------------


def test_ofac_xml_namespaced() -> None:
    parties, stats = parse("ofac-xml", samples.ofac_xml())
    assert stats.read == 4 and stats.published == "2026-11-20"  # month first in OFAC's file
    assert skipped(stats) == {"not a person or organisation (vessel)": 1, "no name": 1}
    omar, company = parties
    assert omar.names == ["Omar Mahmoud EL-MASRY", "Omar AL-MASRI", "عمر محمود المصري"]
    assert omar.weak_aliases == ["ABU HAMZA"]
    # E-mail and gender entries of idList are not documents.
    assert [(d.kind, d.number) for d in omar.documents] == [
        (PASSPORT, "A7654321"),
        (NATIONAL_ID, NID_3),
    ]
    assert omar.birth_dates == ["1992-06-30", "1991"]
    assert omar.programmes == ["SDGT", "IRGC"] and omar.case_no == "90001"
    assert company.kind == ENTITY and company.names == ["NILE DELTA TRADING COMPANY"]


def test_ofac_xml_without_namespace_also_reads() -> None:
    plain = samples.ofac_xml().replace(f' xmlns="{samples.OFAC_NS}"', "")
    parties, _ = parse("ofac-xml", plain)
    assert [p.reference for p in parties] == ["90001", "90002"]


def test_ofac_csv_with_aliases_and_remarks() -> None:
    options = ParseOptions(alt=stream(samples.OFAC_ALT_CSV))
    parties, stats = parse("ofac-csv", samples.OFAC_SDN_CSV, options)
    assert stats.read == 4
    assert skipped(stats) == {"not a person or organisation (vessel)": 1, "malformed row": 1}
    assert stats.skipped["malformed row"].examples == ["line 4"]
    omar, company = parties
    # "LAST, First" as "First LAST", as the XML form has it; aliases from alt.csv.
    assert omar.names == ["Omar Mahmoud EL-MASRY", "Omar AL-MASRI", "عمر محمود المصري"]
    assert [(d.kind, d.number, d.country) for d in omar.documents] == [
        (PASSPORT, "A7654321", "Egypt"),
        (NATIONAL_ID, NID_3, "Egypt"),
    ]
    assert omar.birth_dates == ["1992-06-30"] and omar.nationalities == ["Egypt"]
    assert omar.programmes == ["SDGT", "IRGC"] and omar.line == 1
    assert company.kind == ENTITY
    assert company.names == ["NILE DELTA TRADING COMPANY", "DELTA NILE TRADING"]


def test_ofac_csv_without_alt_and_wrong_file() -> None:
    parties, _ = parse("ofac-csv", samples.OFAC_SDN_CSV)
    assert parties[0].names == ["Omar Mahmoud EL-MASRY"]
    with pytest.raises(SourceError, match=r"not an OFAC sdn\.csv"):
        parse("ofac-csv", samples.blacklist_csv())


def test_ofac_remarks() -> None:
    documents, births, nationalities = remarks(
        "DOB 01 Jan 1960; alt. DOB 1961; POB Cairo; citizen Egypt; Cedula No. 123-45 (Colombia); "
        "Website www.example.test; Tax ID No. 99.88.77 (Egypt)."
    )
    assert births == ["1960-01-01"] and nationalities == ["Egypt"]
    assert [(d.kind, d.number, d.country) for d in documents] == [
        ("cedula no.", "123-45", "Colombia"),
        ("tax id no.", "99.88.77", "Egypt"),
    ]


# --- EU ------------------------------------------------------------------------------------------


def test_eu_namespaced_attributes() -> None:
    parties, stats = parse("eu", samples.eu_xml())
    assert stats.read == 3 and stats.published == "2026-11-19"
    assert skipped(stats) == {"no name": 1}
    youssef, company = parties
    assert youssef.names == [
        "Youssef Kamal Abdel Aziz",
        "يوسف كمال عبد العزيز",
        "Yusuf Abdelaziz",  # first + last when wholeName is empty
    ]
    assert youssef.weak_aliases == ["Abu Kamal"]
    assert [(d.kind, d.number) for d in youssef.documents] == [
        (NATIONAL_ID, NID_2),
        (PASSPORT, "E9988776"),
    ]
    assert youssef.birth_dates == ["1985-11-02"] and youssef.nationalities == ["EGYPT"]
    # The earliest regulation is the listing.
    assert youssef.listed_on == date(2014, 3, 22) and youssef.case_year == 2014
    assert youssef.case_no == "EU.9001.01" and youssef.reference == "880001"
    assert youssef.programmes == ["EGY"]
    assert company.kind == ENTITY and company.programmes == ["SYR"]


# --- FollowTheMoney ------------------------------------------------------------------------------


def test_ftm_parties_only() -> None:
    parties, stats = parse("ftm", samples.ftm_sample())
    assert stats.read == 7
    assert skipped(stats) == {
        "not a person or organisation (Sanction)": 1,
        "not a person or organisation (Address)": 1,
        "not valid JSON": 1,
        "no name": 1,
    }
    assert stats.skipped["not valid JSON"].examples == ["line 5"]
    omar, company, mona = parties
    assert omar.names == ["Omar Mahmoud El-Masry", "عمر محمود المصري", "Omar Al-Masri"]
    assert omar.weak_aliases == ["Abu Hamza"]
    assert [(d.kind, d.number) for d in omar.documents] == [
        (NATIONAL_ID, NID_3),
        (PASSPORT, "A7654321"),
    ]
    # The nested sanction gives programme, listing date and the authority's id.
    assert omar.programmes == ["SDGT"] and omar.listed_on == date(2018, 4, 5)
    assert omar.case_no == "90001" and omar.dataset == "us_ofac_sdn" and omar.line == 1
    assert company.kind == ENTITY and company.programmes == ["sanction"]  # topics otherwise
    assert mona.names == ["Mona Farouk"] and mona.line == 7


def test_ftm_refuses_a_file_that_is_not_json_lines() -> None:
    with pytest.raises(SourceError, match="not a FollowTheMoney"):
        parse("ftm", samples.un_xml())


# --- tenant blacklist ----------------------------------------------------------------------------


def test_blacklist_arabic_headers_bom_and_bad_rows() -> None:
    parties, stats = parse("blacklist", samples.blacklist_csv(bom=True))
    assert stats.read == 7  # the blank row is not a record
    assert skipped(stats) == {
        "invalid national ID (check digit)": 1,
        "no name or national ID": 1,
        "invalid national ID (not 14 digits)": 1,
    }
    assert stats.skipped["no name or national ID"].examples == ["line 6"]
    example = stats.skipped["invalid national ID (check digit)"].examples[0]
    assert example.startswith("line 4: ") and samples.BAD_CHECK_DIGIT not in example  # masked
    assert stats.skipped["invalid national ID (not 14 digits)"].examples[0].startswith("line 8")
    warnings = {k: t.count for k, t in stats.warnings.items()}
    assert warnings == {"column ignored": 1, "record_date unreadable (row kept without it)": 1}
    first, fatma, name_only, number_only = parties
    assert first.names == ["محمد عبد الرحمن السيد"]
    assert [(d.kind, d.number) for d in first.documents] == [(NATIONAL_ID, NID_1)]
    assert (first.case_no, first.case_year, first.listed_on) == ("1234", 2020, date(2021, 3, 15))
    assert first.birth_dates == ["1970-03-14"]  # from the national ID when no column gives it
    assert first.programmes == ["Fraud"] and first.line == 2 and first.reference == "row-2"
    assert (fatma.case_no, fatma.case_year) == ("77/ج", 2019)  # Eastern-Arabic digits
    assert fatma.birth_dates == ["1985-11-02"] and fatma.listed_on == date(2019, 7, 1)
    assert name_only.documents == [] and name_only.listed_on is None and name_only.line == 7
    assert number_only.documents[0].number == NID_3  # Eastern-Arabic digits as ASCII


def test_blacklist_english_headers_semicolons_no_bom() -> None:
    text = f"Full Name;National-ID;CASE_NO\nAhmed Ali;{NID_1};5\n"
    parties, stats = parse("blacklist", text)
    assert [(p.names, p.documents[0].number, p.case_no) for p in parties] == [
        (["Ahmed Ali"], NID_1, "5")
    ]
    assert stats.skipped == {} and stats.warnings == {}


def test_blacklist_check_digit_can_be_turned_off() -> None:
    text = f"national_id\n{samples.BAD_CHECK_DIGIT}\n"
    assert parse("blacklist", text)[0] == []
    parties, _ = parse("blacklist", text, ParseOptions(verify_check_digit=False))
    assert parties[0].documents[0].number == samples.BAD_CHECK_DIGIT


def test_blacklist_needs_a_known_header_and_utf8() -> None:
    with pytest.raises(SourceError, match="needs a header row with a 'name' or 'national_id'"):
        parse("blacklist", "foo,bar\n1,2\n")
    with pytest.raises(SourceError, match="not UTF-8"):
        parse("blacklist", b"name\n" + "محمد".encode("cp1256") + b"\n")


def test_header_spellings() -> None:
    assert header_key("\ufeffNational ID") == "national_id"
    assert header_key(" Date-Of-Birth ") == "date_of_birth"
    assert header_key("الرقم القومي") == "الرقم_القومي"


# --- shared pieces -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1970-03-14", "1970-03-14"),
        ("1970-03-14T00:00:00", "1970-03-14"),
        ("14/03/1970", "1970-03-14"),
        ("14 Mar 1970", "1970-03-14"),
        ("Mar 1970", "1970-03"),
        ("circa 1970", "1970"),
        ("1970 to 1972", "1970"),
        ("١٤/٠٣/١٩٧٠", "1970-03-14"),
        ("31/02/1970", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_partial_dates(text: str, expected: str | None) -> None:
    assert partial_date(text) == expected


def test_full_date_needs_a_day() -> None:
    assert full_date("1970") is None and full_date("14/03/1970") == date(1970, 3, 14)


def test_source_file_hashes_and_counts(tmp_path: Path) -> None:
    path = samples.write(tmp_path / "un.xml", samples.un_xml())
    seen: list[int] = []
    with SourceFile(path, seen.append) as source:
        parties = list(FORMATS["un"].parse(source.stream, ParseStats(), ParseOptions()))
        source.drain()
    assert len(parties) == 3
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert sum(seen) == source.bytes_read == path.stat().st_size


def _peak(fmt: str, data: bytes) -> tuple[int, int]:
    """(records, peak bytes allocated while parsing them)."""
    tracemalloc.start()
    try:
        count = sum(1 for _ in FORMATS[fmt].parse(stream(data), ParseStats(), ParseOptions()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


@pytest.mark.parametrize("fmt", ["un", "ftm"])
def test_memory_does_not_grow_with_the_file(fmt: str) -> None:
    """Five times the records, the same memory: one record is held at a time."""

    def data(count: int) -> bytes:
        if fmt == "un":
            return samples.un_xml(samples.un_people(1) * count).encode()
        return "\n".join(samples.ftm_lines(count)).encode()

    base = 600 if fmt == "un" else 1500
    small, large = data(base), data(5 * base)
    assert len(large) > 4 * len(small)
    (n_small, peak_small), (n_large, peak_large) = _peak(fmt, small), _peak(fmt, large)
    assert n_large > 4 * n_small
    assert peak_large < peak_small * 1.5 + 100_000, (peak_small, peak_large)
    assert peak_large < 1_000_000 < len(large)
