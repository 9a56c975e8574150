"""Small, realistic list files written by the tests themselves (never real list data): the UN,
OFAC (XML and legacy CSV), EU, FollowTheMoney and tenant blacklist formats, with Arabic names,
aliases, namespaces and a few rows that must be skipped. Every person here is made up."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from hawiya.identity import national_id

_RNG = random.Random(7)
NID_1 = national_id.generate(
    _RNG, birth_date=date(1970, 3, 14), governorate_code="01", gender=national_id.MALE
)
NID_2 = national_id.generate(
    _RNG, birth_date=date(1985, 11, 2), governorate_code="21", gender=national_id.FEMALE
)
NID_3 = national_id.generate(
    _RNG, birth_date=date(1992, 6, 30), governorate_code="02", gender=national_id.MALE
)
BAD_CHECK_DIGIT = NID_1[:-1] + str((int(NID_1[-1]) + 1) % 10)


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


# --- UN ------------------------------------------------------------------------------------------


def un_individual(
    dataid: str,
    reference: str,
    first: str,
    second: str = "",
    third: str = "",
    *,
    arabic: str = "",
    aliases: tuple[tuple[str, str], ...] = (),
    dob: str = "<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1970-03-14</DATE>",
    documents: tuple[tuple[str, str], ...] = (),
    listed_on: str = "2011-05-12",
    nationality: str = "Egypt",
) -> str:
    alias_xml = "".join(
        f"<INDIVIDUAL_ALIAS><QUALITY>{q}</QUALITY><ALIAS_NAME>{n}</ALIAS_NAME><NOTE/>"
        "<DATE_OF_BIRTH/><CITY_OF_BIRTH/><COUNTRY_OF_BIRTH/></INDIVIDUAL_ALIAS>"
        for q, n in aliases
    )
    docs = "".join(
        f"<INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>{t}</TYPE_OF_DOCUMENT><NUMBER>{n}</NUMBER>"
        "<ISSUING_COUNTRY>Egypt</ISSUING_COUNTRY><DATE_OF_ISSUE/><CITY_OF_ISSUE/><NOTE/>"
        "</INDIVIDUAL_DOCUMENT>"
        for t, n in documents
    )
    return f"""
  <INDIVIDUAL>
   <DATAID>{dataid}</DATAID>
   <VERSIONNUM>1</VERSIONNUM>
   <FIRST_NAME>{first}</FIRST_NAME>
   <SECOND_NAME>{second}</SECOND_NAME>
   <THIRD_NAME>{third}</THIRD_NAME>
   <FOURTH_NAME/>
   <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>
   <REFERENCE_NUMBER>{reference}</REFERENCE_NUMBER>
   <LISTED_ON>{listed_on}</LISTED_ON>
   <NAME_ORIGINAL_SCRIPT>{arabic}</NAME_ORIGINAL_SCRIPT>
   <COMMENTS1>Made up for the Hawiya tests.</COMMENTS1>
   <DESIGNATION><VALUE>na</VALUE></DESIGNATION>
   <NATIONALITY><VALUE>{nationality}</VALUE></NATIONALITY>
   <LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE>
   <LAST_DAY_UPDATED><VALUE>2020-01-01</VALUE></LAST_DAY_UPDATED>
   {alias_xml}
   <INDIVIDUAL_ADDRESS><COUNTRY>Egypt</COUNTRY></INDIVIDUAL_ADDRESS>
   <INDIVIDUAL_DATE_OF_BIRTH>{dob}</INDIVIDUAL_DATE_OF_BIRTH>
   <INDIVIDUAL_PLACE_OF_BIRTH><CITY>Cairo</CITY></INDIVIDUAL_PLACE_OF_BIRTH>
   {docs}
   <SORT_KEY/><SORT_KEY_LAST_MOD/>
  </INDIVIDUAL>"""


UN_PEOPLE = [
    un_individual(
        "990001",
        "QDi.990",
        "MOHAMED",
        "ABDEL RAHMAN",
        "EL SAYED",
        arabic="محمد عبد الرحمن السيد",
        aliases=(("Good", "Mohammed Abdul Rahman al-Sayyid"), ("Low", "Abu Omar")),
        documents=(("National Identification Number", NID_1), ("Passport", "A12345678")),
    ),
    un_individual(
        "990002",
        "QDi.991",
        "FATMA",
        "HASSAN",
        "ALI",
        arabic="فاطمة حسن علي",
        dob="<TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1985</YEAR>",
        listed_on="2015-09-30",
    ),
    # No name at all: skipped.
    un_individual("990003", "QDi.992", "", dob=""),
]

UN_ENTITY = """
  <ENTITY>
   <DATAID>990100</DATAID>
   <VERSIONNUM>1</VERSIONNUM>
   <FIRST_NAME>AL-NOOR CHARITABLE FOUNDATION</FIRST_NAME>
   <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>
   <REFERENCE_NUMBER>QDe.990</REFERENCE_NUMBER>
   <LISTED_ON>2012-01-02</LISTED_ON>
   <NAME_ORIGINAL_SCRIPT>مؤسسة النور الخيرية</NAME_ORIGINAL_SCRIPT>
   <COMMENTS1/>
   <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>Al Nur Foundation</ALIAS_NAME></ENTITY_ALIAS>
   <ENTITY_ADDRESS><COUNTRY>Egypt</COUNTRY></ENTITY_ADDRESS>
  </ENTITY>"""


def un_xml(people: list[str] | None = None, entities: str = UN_ENTITY) -> str:
    body = "".join(UN_PEOPLE if people is None else people)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<CONSOLIDATED_LIST xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="https://scsanctions.un.org/resources/xml/sc-sanctions.xsd"'
        ' dateGenerated="2026-11-20T10:00:01.0Z">\n'
        f" <INDIVIDUALS>{body}\n </INDIVIDUALS>\n <ENTITIES>{entities}\n </ENTITIES>\n"
        "</CONSOLIDATED_LIST>\n"
    )


def un_people(count: int, prefix: str = "UN") -> list[str]:
    """`count` made-up individuals, for replacement tests."""
    return [
        un_individual(f"{prefix}{i}", f"QDi.{prefix}{i}", "KARIM", f"NUMBER{i}", "MANSOUR")
        for i in range(count)
    ]


# --- OFAC ----------------------------------------------------------------------------------------

OFAC_NS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML"


def ofac_xml() -> str:
    return f"""<?xml version="1.0" standalone="yes"?>
<sdnList xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="{OFAC_NS}">
  <publshInformation>
    <Publish_Date>11/20/2026</Publish_Date>
    <Record_Count>4</Record_Count>
  </publshInformation>
  <sdnEntry>
    <uid>90001</uid>
    <firstName>Omar Mahmoud</firstName>
    <lastName>EL-MASRY</lastName>
    <sdnType>Individual</sdnType>
    <programList><program>SDGT</program><program>IRGC</program></programList>
    <idList>
      <id><uid>1</uid><idType>Passport</idType><idNumber>A7654321</idNumber>
        <idCountry>Egypt</idCountry></id>
      <id><uid>2</uid><idType>National ID No.</idType><idNumber>{NID_3}</idNumber>
        <idCountry>Egypt</idCountry></id>
      <id><uid>3</uid><idType>Email Address</idType><idNumber>omar@example.test</idNumber></id>
      <id><uid>4</uid><idType>Gender</idType><idNumber>Male</idNumber></id>
    </idList>
    <akaList>
      <aka><uid>10</uid><type>a.k.a.</type><category>strong</category>
        <lastName>AL-MASRI</lastName><firstName>Omar</firstName></aka>
      <aka><uid>11</uid><type>a.k.a.</type><category>weak</category>
        <lastName>ABU HAMZA</lastName></aka>
      <aka><uid>12</uid><type>a.k.a.</type><category>strong</category>
        <lastName>عمر محمود المصري</lastName></aka>
    </akaList>
    <nationalityList><nationality><uid>20</uid><country>Egypt</country>
      <mainEntry>true</mainEntry></nationality></nationalityList>
    <dateOfBirthList>
      <dateOfBirthItem><uid>30</uid><dateOfBirth>30 Jun 1992</dateOfBirth>
        <mainEntry>true</mainEntry></dateOfBirthItem>
      <dateOfBirthItem><uid>31</uid><dateOfBirth>1991</dateOfBirth>
        <mainEntry>false</mainEntry></dateOfBirthItem>
    </dateOfBirthList>
  </sdnEntry>
  <sdnEntry>
    <uid>90002</uid>
    <lastName>NILE DELTA TRADING COMPANY</lastName>
    <sdnType>Entity</sdnType>
    <programList><program>SDGT</program></programList>
  </sdnEntry>
  <sdnEntry>
    <uid>90003</uid>
    <lastName>SEA FALCON</lastName>
    <sdnType>Vessel</sdnType>
    <programList><program>IRAN</program></programList>
  </sdnEntry>
  <sdnEntry>
    <uid>90004</uid>
    <firstName></firstName>
    <lastName></lastName>
    <sdnType>Individual</sdnType>
  </sdnEntry>
</sdnList>
"""


OFAC_SDN_CSV = (
    '90001,"EL-MASRY, Omar Mahmoud","individual","SDGT] [IRGC",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    f'-0- ,"DOB 30 Jun 1992; POB Cairo, Egypt; nationality Egypt; Passport A7654321 (Egypt); '
    f'National ID No. {NID_3} (Egypt); Email Address omar@example.test."\n'
    '90002,"NILE DELTA TRADING COMPANY",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
    '90003,"SEA FALCON","vessel","IRAN",-0- ,"9XYZ","Crude Oil Tanker",-0- ,-0- ,"Iran",-0- ,'
    "-0- \n"
    "90004\n"
    "\x1a\n"
)
OFAC_ALT_CSV = (
    '90001,101,"aka","AL-MASRI, Omar",-0- \n'
    '90001,102,"aka","عمر محمود المصري",-0- \n'
    '90002,103,"fka","DELTA NILE TRADING",-0- \n'
)


# --- EU ------------------------------------------------------------------------------------------

EU_NS = "http://eu.europa.ec/fpi/fsd/export"


def eu_xml() -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<export xmlns="{EU_NS}" generationDate="2026-11-19T18:00:00.000+01:00" globalFileId="1">
  <sanctionEntity designationDetails="" unitedNationId="" euReferenceNumber="EU.9001.01"
      logicalId="880001">
    <remark>Made up for the Hawiya tests.</remark>
    <regulation regulationType="amendment" organisationType="council"
        publicationDate="2019-02-01" entryIntoForceDate="2019-02-02" numberTitle="2019/99 (OJ L1)"
        programme="EGY" logicalId="1"><publicationUrl>https://example.test</publicationUrl>
    </regulation>
    <regulation regulationType="regulation" organisationType="council"
        publicationDate="2014-03-22" entryIntoForceDate="2014-03-22" numberTitle="270/2014"
        programme="EGY" logicalId="2"/>
    <subjectType code="person" classificationCode="P"/>
    <nameAlias firstName="Youssef" middleName="Kamal" lastName="Abdel Aziz"
        wholeName="Youssef Kamal Abdel Aziz" function="" gender="M" title="" nameLanguage=""
        strong="true" regulationLanguage="en" logicalId="10"/>
    <nameAlias firstName="" middleName="" lastName="" wholeName="يوسف كمال عبد العزيز"
        function="" gender="M" title="" nameLanguage="AR" strong="true" regulationLanguage="en"
        logicalId="11"/>
    <nameAlias firstName="Yusuf" middleName="" lastName="Abdelaziz" wholeName=""
        function="" gender="M" title="" nameLanguage="" strong="true" regulationLanguage="en"
        logicalId="12"/>
    <nameAlias wholeName="Abu Kamal" strong="false" regulationLanguage="en" logicalId="13"/>
    <citizenship region="" countryIso2Code="EG" countryDescription="EGYPT"
        regulationLanguage="en" logicalId="20"/>
    <birthdate circa="false" calendarType="GREGORIAN" city="Giza" zipCode=""
        birthdate="1985-11-02" dayOfMonth="2" monthOfYear="11" year="1985" region="" place=""
        countryIso2Code="EG" countryDescription="EGYPT" regulationLanguage="en" logicalId="30"/>
    <identification diplomatic="false" knownExpired="false" knownFalse="false"
        reportedLost="false" revokedByIssuer="false" logicalId="40" issuedBy="" issuedDate=""
        validFrom="" validTo="" latinNumber="" nameOnDocument="" number="{NID_2}" region=""
        countryIso2Code="EG" countryDescription="EGYPT" identificationTypeCode="id"
        identificationTypeDescription="National identification card" regulationLanguage="en"/>
    <identification diplomatic="false" knownExpired="false" knownFalse="false"
        reportedLost="false" revokedByIssuer="false" logicalId="41" number="E9988776"
        countryIso2Code="EG" countryDescription="EGYPT" identificationTypeCode="passport"
        identificationTypeDescription="National passport" regulationLanguage="en"/>
  </sanctionEntity>
  <sanctionEntity designationDetails="" unitedNationId="" euReferenceNumber="EU.9002.02"
      logicalId="880002">
    <regulation regulationType="regulation" organisationType="council"
        publicationDate="2016-07-15" programme="SYR" logicalId="3"/>
    <subjectType code="enterprise" classificationCode="E"/>
    <nameAlias wholeName="Cairo Import Export LLC" strong="true" regulationLanguage="en"
        logicalId="50"/>
  </sanctionEntity>
  <sanctionEntity designationDetails="" unitedNationId="" euReferenceNumber="EU.9003.03"
      logicalId="880003">
    <subjectType code="person" classificationCode="P"/>
    <birthdate circa="true" year="1960" regulationLanguage="en" logicalId="60"/>
  </sanctionEntity>
</export>
"""


# --- FollowTheMoney ------------------------------------------------------------------------------


def ftm_person(i: int, dataset: str = "eg_watchlist") -> dict[str, object]:
    return {
        "id": f"{dataset}-person-{i}",
        "schema": "Person",
        "caption": f"Ahmed Number{i} Hassan",
        "properties": {
            "name": [f"Ahmed Number{i} Hassan"],
            "alias": [f"أحمد حسن {i}"],
            "birthDate": ["1970-03-14"],
            "nationality": ["eg"],
            "topics": ["sanction"],
        },
        "datasets": [dataset],
        "target": True,
    }


def ftm_sample() -> str:
    lines: list[dict[str, object] | str] = [
        {
            "id": "ofac-90001",
            "schema": "Person",
            "caption": "Omar Mahmoud El-Masry",
            "properties": {
                "name": ["Omar Mahmoud El-Masry"],
                "alias": ["عمر محمود المصري", "Omar Al-Masri"],
                "weakAlias": ["Abu Hamza"],
                "idNumber": [NID_3],
                "passportNumber": ["A7654321"],
                "birthDate": ["1992-06-30"],
                "nationality": ["eg"],
                "topics": ["sanction"],
                "sanctions": [
                    {
                        "id": "ofac-sanction-1",
                        "schema": "Sanction",
                        "properties": {
                            "program": ["SDGT"],
                            "listingDate": ["2018-04-05"],
                            "authorityId": ["90001"],
                        },
                    }
                ],
            },
            "datasets": ["us_ofac_sdn"],
        },
        {
            "id": "org-1",
            "schema": "Company",
            "properties": {"name": ["Nile Delta Trading Company"], "topics": ["sanction"]},
            "datasets": ["eu_fsf"],
        },
        {
            "id": "sanction-2",
            "schema": "Sanction",
            "properties": {"entity": ["org-1"], "program": ["SDGT"]},
            "datasets": ["us_ofac_sdn"],
        },
        {"id": "addr-1", "schema": "Address", "properties": {"full": ["Cairo"]}},
        "{not json",
        {"id": "person-noname", "schema": "Person", "properties": {"birthDate": ["1960"]}},
        {
            "id": "person-parts",
            "schema": "Person",
            "properties": {"firstName": ["Mona"], "lastName": ["Farouk"]},
            "datasets": ["eg_watchlist"],
        },
    ]
    return "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)


def ftm_lines(count: int, dataset: str = "eg_watchlist") -> Iterator[str]:
    for i in range(count):
        yield json.dumps(ftm_person(i, dataset), ensure_ascii=False)


# --- tenant blacklist ----------------------------------------------------------------------------


def blacklist_csv(bom: bool = True) -> str:
    rows = [
        "الاسم,الرقم القومي,Case No,case_year,Record Date,DOB,Reason,Branch",
        f"محمد عبد الرحمن السيد,{NID_1},1234,2020,15/03/2021,,Fraud,Giza",
        f"Fatma Hassan Ali,{NID_2},77/ج,٢٠١٩,2019-07-01,02/11/1985,Forged cheque,Cairo",
        f"Bad Number,{BAD_CHECK_DIGIT},1,2020,,,,",  # line 4: invalid check digit
        ",,,,,,,",  # blank row: ignored
        ",,55,2021,,,note only,",  # line 6: no name, no number
        "Only A Name,,9,2018,not a date,,,",  # kept; record_date warning
        '"Samir, Adel",12345,3,2022,,,,',  # line 8: not 14 digits
        f"رقم فقط,{NID_3.translate(str.maketrans('0123456789', '٠١٢٣٤٥٦٧٨٩'))},,,,,,",
    ]
    return ("\ufeff" if bom else "") + "\r\n".join(rows) + "\r\n"
