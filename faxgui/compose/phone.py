"""Fax numbers as people type them, turned into the service's form (international digits, no '+').

`PhoneNormaliser` reads a number the way a receptionist writes it for a
default country ("(02) 8003 9890", "+61 2 8003 9890", "0061 2 8003 9890",
"02-8003-9890") with the `phonenumbers` library and gives the digits the
service dials ("61280039890"), or a sentence saying what is wrong with it.

Numbers that `phonenumbers` rejects but the caller knows to be fine (the
sandbox's test numbers, 61 5 0000 xxxx, sit in a range Australia does not
use) are accepted through the `extra_valid` hook, so this module stays
independent of the sandbox.

Speed: `phonenumbers.parse` and `is_valid_number` together cost about 70 µs
a number, most of a second for a 10,000-row CSV. Plain digit strings in the
three common shapes (+CC..., trunk prefix + national number, bare national
number) therefore take a shortcut: a landline or mobile of the default
country is matched against the country's own patterns from `phonenumbers`'
metadata (three regular expressions), a number of another country is built
directly and given to `is_valid_number`. Anything else, and anything the
shortcut does not accept, goes through the full parser, which has the last
word and words the problem. A test holds the shortcut to the parser's answer
for every country's example numbers. Results are cached per input text.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from phonenumbers import (
    NumberParseException,
    PhoneMetadata,
    PhoneNumber,
    PhoneNumberDesc,
    PhoneNumberFormat,
    ValidationResult,
)

DEFAULT_REGION = "AU"

# Separators people put in numbers; removing them never changes which number it is.
_SEPARATORS = re.compile(r"[\s()\-./\u00a0\u2010-\u2015]")
_CACHE_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class PhoneResult:
    """A typed number and what it means: `number` in the service's form, or a `problem`."""

    text: str
    number: str | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.number is not None


class PhoneNormaliser:
    """Normalises fax numbers for one default country; safe to share between threads.

    `default_region` is an ISO 3166 code ("AU", "GB", "US"): numbers written
    without a country code belong to it. `extra_valid` receives the digits of
    a number `phonenumbers` finds invalid (e.g. "61500000002") and returns
    True to accept it anyway.
    """

    def __init__(
        self,
        default_region: str = DEFAULT_REGION,
        extra_valid: Callable[[str], bool] | None = None,
    ) -> None:
        region = default_region.upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"{default_region!r} is not a country phonenumbers knows")
        self.default_region = region
        self.extra_valid = extra_valid
        self._country_code = phonenumbers.country_code_for_region(region)
        metadata = PhoneMetadata.metadata_for_region(region)
        # The shortcut is only sound where stripping the trunk prefix is all parsing does.
        trunk = metadata.national_prefix if metadata is not None else None
        transforms = metadata is not None and metadata.national_prefix_transform_rule is not None
        self._trunk_prefix = trunk if trunk and not transforms else None
        self._common_types = _common_type_patterns(metadata)
        self._cache: dict[str, PhoneResult] = {}
        self._lock = threading.Lock()

    @property
    def region_name(self) -> str:
        """The default country's name in English: "Australia"."""
        return region_name(self.default_region)

    def normalise(self, text: str) -> PhoneResult:
        """The service's form of `text`, or the reason it is not a usable fax number."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        result = self._normalise(text)
        with self._lock:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[text] = result
        return result

    def _normalise(self, text: str) -> PhoneResult:
        stripped = text.strip()
        if not stripped:
            return PhoneResult(text, None, "Enter a fax number")
        compact = _SEPARATORS.sub("", stripped)
        quick = self._quick_number(compact)
        if quick is not None:
            return PhoneResult(text, quick)
        return self._parse(text, compact)

    def _quick_number(self, compact: str) -> str | None:
        """The number when it is plain digits in a common shape and valid; None to parse fully."""
        if compact.startswith("+"):
            digits = compact[1:]
            if not _is_ascii_digits(digits) or digits.startswith("0"):
                return None
            # Country codes are prefix-free: the first 1, 2 or 3 digits that are one, are it.
            for length in (1, 2, 3):
                country_code = int(digits[:length])
                if country_code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                    national = digits[length:]
                    break
            else:
                return None
        elif _is_ascii_digits(compact):
            country_code, national = self._country_code, compact
            if self._trunk_prefix and compact.startswith(self._trunk_prefix):
                national = compact[len(self._trunk_prefix) :]
        else:
            return None
        # A leading 0 after the prefix belongs to the number (Italy) or is a mistake;
        # int() would drop it, so those take the full parser.
        if not national or national[0] == "0" or len(national) > 17:
            return None
        if country_code == self._country_code:
            # Anything but a landline or mobile of the default country is rare enough
            # to leave to the parser, which also words the problem when it is invalid.
            return f"{country_code}{national}" if self._is_common_type(national) else None
        number = PhoneNumber(country_code=country_code, national_number=int(national))
        return f"{country_code}{national}" if phonenumbers.is_valid_number(number) else None

    def _is_common_type(self, national: str) -> bool:
        if self._common_types is None:
            return False
        general, specific = self._common_types
        return general.matches(national) and any(t.matches(national) for t in specific)

    def _parse(self, text: str, compact: str) -> PhoneResult:
        try:
            parsed = phonenumbers.parse(text, self.default_region)
        except NumberParseException as exc:
            return PhoneResult(text, None, _parse_problem(exc, text))
        if parsed.extension:
            return PhoneResult(text, None, "A fax number cannot have an extension")
        digits = _service_digits(parsed)
        if phonenumbers.is_valid_number(parsed):
            return PhoneResult(text, digits)
        # "00" is the international prefix almost everywhere except where it is not
        # (Australia's is 0011), so a number written "0061 2 ..." is tried that way too.
        if compact.startswith("00") and _is_ascii_digits(compact):
            with contextlib.suppress(NumberParseException):
                abroad = phonenumbers.parse("+" + compact[2:])
                if phonenumbers.is_valid_number(abroad):
                    return PhoneResult(text, _service_digits(abroad))
        if self.extra_valid is not None and self.extra_valid(digits):
            return PhoneResult(text, digits)
        return PhoneResult(text, None, self._invalid_problem(parsed, compact))

    def _invalid_problem(self, parsed: PhoneNumber, compact: str) -> str:
        reason = phonenumbers.is_possible_number_with_reason(parsed)
        if reason == ValidationResult.TOO_SHORT:
            return "This number is too short"
        if reason == ValidationResult.TOO_LONG:
            return "This number is too long"
        if reason == ValidationResult.INVALID_COUNTRY_CODE:
            return "This number starts with a country code that does not exist"
        if reason == ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
            if self._written_in_full(compact):
                return "This number is too short"
            return "This number is missing its area code"
        if parsed.country_code == self._country_code:
            where = self.default_region
        else:
            where = phonenumbers.region_code_for_country_code(parsed.country_code or 0)
        if where not in _REGION_NAMES:  # a non-geographic code such as +800
            return "This is not a valid fax number"
        length_problem = self._length_problem(parsed, where, compact)
        if length_problem is not None:
            return length_problem
        if reason == ValidationResult.INVALID_LENGTH:
            return f"This number has the wrong number of digits for {_in_sentence(where)}"
        return f"Not a valid number for {_in_sentence(where)}"

    def _written_in_full(self, compact: str) -> bool:
        """True when the number starts with a country code or trunk prefix, so has an area code."""
        return compact.startswith(("+", "00")) or bool(
            self._trunk_prefix and compact.startswith(self._trunk_prefix)
        )

    def _length_problem(self, parsed: PhoneNumber, region: str, compact: str) -> str | None:
        """Too short or too long for any landline or mobile of the country, when it is.

        `phonenumbers` counts short service numbers as possible, so "02 8003 98"
        passes its length test; landline and mobile lengths give a clearer answer.
        """
        metadata = PhoneMetadata.metadata_for_region(region)
        if metadata is None:
            return None
        lengths: set[int] = set()
        local_only: set[int] = set()
        for desc in (metadata.fixed_line, metadata.mobile):
            if desc is not None:
                lengths.update(n for n in desc.possible_length if n > 0)
                local_only.update(desc.possible_length_local_only)
        if not lengths:
            return None
        size = len(phonenumbers.national_significant_number(parsed))
        if size < min(lengths):
            if size in local_only and not self._written_in_full(compact):
                return "This number is missing its area code"
            return "This number is too short"
        if size > max(lengths):
            return "This number is too long"
        return None


@dataclass(frozen=True, slots=True)
class _TypePattern:
    """One number type of a country's metadata: its lengths and its national-number pattern."""

    lengths: frozenset[int]
    pattern: re.Pattern[str]

    def matches(self, national: str) -> bool:
        return (not self.lengths or len(national) in self.lengths) and bool(
            self.pattern.fullmatch(national)
        )


def _common_type_patterns(
    metadata: PhoneMetadata | None,
) -> tuple[_TypePattern, tuple[_TypePattern, ...]] | None:
    """The country's general pattern, and its landline and mobile patterns.

    A number matching the general pattern and a landline or mobile one is
    valid (`phonenumbers` calls a number valid when it has any known type), so
    the common case needs three regular expressions instead of a dozen; the
    rest goes to the full parser.
    """
    if metadata is None or metadata.general_desc is None:
        return None

    def compile_desc(desc: PhoneNumberDesc | None) -> _TypePattern | None:
        if desc is None or not desc.national_number_pattern:
            return None
        pattern = re.compile(desc.national_number_pattern)
        return _TypePattern(frozenset(desc.possible_length), pattern)

    general = compile_desc(metadata.general_desc)
    specific = tuple(
        t for t in (compile_desc(metadata.fixed_line), compile_desc(metadata.mobile)) if t
    )
    return (general, specific) if general is not None and specific else None


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _service_digits(parsed: PhoneNumber) -> str:
    """Country code and national number, digits only, as the service dials them."""
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164).removeprefix("+")


def _parse_problem(exc: NumberParseException, text: str) -> str:
    if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
        if text.strip().startswith("+"):
            return "This number starts with a country code that does not exist"
        return "Start the number with + and its country code"
    if exc.error_type in (
        NumberParseException.TOO_SHORT_NSN,
        NumberParseException.TOO_SHORT_AFTER_IDD,
    ):
        return "This number is too short"
    if exc.error_type == NumberParseException.TOO_LONG:
        return "This number is too long"
    return "This is not a phone number"


def normalise_number(
    text: str,
    default_region: str = DEFAULT_REGION,
    extra_valid: Callable[[str], bool] | None = None,
) -> PhoneResult:
    """One-off `PhoneNormaliser(default_region, extra_valid).normalise(text)`."""
    return PhoneNormaliser(default_region, extra_valid).normalise(text)


def format_for_display(number: str) -> str:
    """A service-form number written for people: "61280039890" gives "+61 2 8003 9890"."""
    try:
        parsed = phonenumbers.parse("+" + number)
    except NumberParseException:
        return number
    if not phonenumbers.is_valid_number(parsed):
        # phonenumbers cannot group numbers it does not know (the sandbox's 05 range,
        # a brand-new range): group them like the country's landlines, if as long.
        grouped = _grouped_like_landline(parsed)
        if grouped is not None:
            return grouped
    return phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL)


def _grouped_like_landline(parsed: PhoneNumber) -> str | None:
    if parsed.country_code is None:
        return None
    region = phonenumbers.region_code_for_country_code(parsed.country_code)
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.FIXED_LINE)
    if example is None:
        return None
    digits = phonenumbers.national_significant_number(parsed)
    groups = phonenumbers.format_number(example, PhoneNumberFormat.INTERNATIONAL).split()[1:]
    sizes = [sum(ch.isdigit() for ch in group) for group in groups]
    if sum(sizes) != len(digits):
        return None
    parts, start = [], 0
    for size in sizes:
        parts.append(digits[start : start + size])
        start += size
    return f"+{parsed.country_code} " + " ".join(parts)


# ------------------------------------------------------------------ pasted numbers

_ANGLE_ROW = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<\s*(?P<number>[^<>]+?)\s*>\s*$")
_NUMBER_LIKE = re.compile(r"^\+?[\d\s().\-/\u00a0]*\d[\d\s().\-/\u00a0]*$")
_CELL_SEPARATORS = re.compile(r"[,;\t]")


def looks_like_number(text: str) -> bool:
    """True for text made of digits and the punctuation numbers are written with."""
    return _NUMBER_LIKE.match(text.strip()) is not None


@dataclass(frozen=True, slots=True)
class PastedEntry:
    """One number found in pasted text, with the name written next to it ("" if none)."""

    name: str
    number_text: str


def parse_pasted(text: str) -> list[PastedEntry]:
    """Numbers in a pasted block: one per line, or separated by commas, semicolons or tabs.

    A line "Name <number>" or "Name, number" (any of those separators) keeps
    its name; a name on a line with several numbers goes with each of them.
    Text that has no digits at all is kept as an entry too, so the table can
    say it is not a number instead of it vanishing.
    """
    entries: list[PastedEntry] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        angle = _ANGLE_ROW.match(line)
        if angle:
            entries.append(PastedEntry(angle["name"].strip(" \t,;\"'"), angle["number"]))
            continue
        cells = [cell.strip().strip("\"'").strip() for cell in _CELL_SEPARATORS.split(line)]
        cells = [cell for cell in cells if cell]
        numbers = [cell for cell in cells if looks_like_number(cell)]
        words = [cell for cell in cells if not looks_like_number(cell)]
        if not numbers:
            entries.extend(PastedEntry("", cell) for cell in words)
            continue
        name = " ".join(words)
        entries.extend(PastedEntry(name, number) for number in numbers)
    return entries


# ------------------------------------------------------------------ countries


def region_name(region: str) -> str:
    """A country's name in English by its ISO 3166 code ("AU" gives "Australia")."""
    return _REGION_NAMES.get(region.upper(), region.upper())


def region_choices() -> list[tuple[str, str]]:
    """(code, name) of every country `phonenumbers` knows, sorted by name, for a chooser."""
    return sorted(_REGION_NAMES.items(), key=lambda item: item[1])


def _in_sentence(region: str) -> str:
    name = region_name(region)
    return f"the {name}" if region in _NAMES_TAKING_THE else name


_NAMES_TAKING_THE = frozenset(
    {"AE", "AX", "BS", "CC", "CD", "CF", "CG", "CK", "CZ", "DO", "FK", "FO", "GB"}
    | {"GM", "IM", "IO", "KY", "MH", "MP", "NL", "PH", "SB", "TC", "US", "VG", "VI"}
)

# English short names for every region of phonenumbers' metadata (a test keeps them in step).
_REGION_NAMES: dict[str, str] = {
    "AC": "Ascension Island", "AD": "Andorra", "AE": "United Arab Emirates",
    "AF": "Afghanistan", "AG": "Antigua and Barbuda", "AI": "Anguilla", "AL": "Albania",
    "AM": "Armenia", "AO": "Angola", "AR": "Argentina", "AS": "American Samoa",
    "AT": "Austria", "AU": "Australia", "AW": "Aruba", "AX": "Åland Islands",
    "AZ": "Azerbaijan", "BA": "Bosnia and Herzegovina", "BB": "Barbados",
    "BD": "Bangladesh", "BE": "Belgium", "BF": "Burkina Faso", "BG": "Bulgaria",
    "BH": "Bahrain", "BI": "Burundi", "BJ": "Benin", "BL": "Saint Barthélemy",
    "BM": "Bermuda", "BN": "Brunei", "BO": "Bolivia",
    "BQ": "Bonaire, Sint Eustatius and Saba", "BR": "Brazil", "BS": "Bahamas",
    "BT": "Bhutan", "BW": "Botswana", "BY": "Belarus", "BZ": "Belize", "CA": "Canada",
    "CC": "Cocos (Keeling) Islands", "CD": "Democratic Republic of the Congo",
    "CF": "Central African Republic", "CG": "Republic of the Congo", "CH": "Switzerland",
    "CI": "Côte d'Ivoire", "CK": "Cook Islands", "CL": "Chile", "CM": "Cameroon",
    "CN": "China", "CO": "Colombia", "CR": "Costa Rica", "CU": "Cuba", "CV": "Cape Verde",
    "CW": "Curaçao", "CX": "Christmas Island", "CY": "Cyprus", "CZ": "Czech Republic",
    "DE": "Germany", "DJ": "Djibouti", "DK": "Denmark", "DM": "Dominica",
    "DO": "Dominican Republic", "DZ": "Algeria", "EC": "Ecuador", "EE": "Estonia",
    "EG": "Egypt", "EH": "Western Sahara", "ER": "Eritrea", "ES": "Spain",
    "ET": "Ethiopia", "FI": "Finland", "FJ": "Fiji", "FK": "Falkland Islands",
    "FM": "Micronesia", "FO": "Faroe Islands", "FR": "France", "GA": "Gabon",
    "GB": "United Kingdom", "GD": "Grenada", "GE": "Georgia", "GF": "French Guiana",
    "GG": "Guernsey", "GH": "Ghana", "GI": "Gibraltar", "GL": "Greenland", "GM": "Gambia",
    "GN": "Guinea", "GP": "Guadeloupe", "GQ": "Equatorial Guinea", "GR": "Greece",
    "GT": "Guatemala", "GU": "Guam", "GW": "Guinea-Bissau", "GY": "Guyana",
    "HK": "Hong Kong", "HN": "Honduras", "HR": "Croatia", "HT": "Haiti", "HU": "Hungary",
    "ID": "Indonesia", "IE": "Ireland", "IL": "Israel", "IM": "Isle of Man", "IN": "India",
    "IO": "British Indian Ocean Territory", "IQ": "Iraq", "IR": "Iran", "IS": "Iceland",
    "IT": "Italy", "JE": "Jersey", "JM": "Jamaica", "JO": "Jordan", "JP": "Japan",
    "KE": "Kenya", "KG": "Kyrgyzstan", "KH": "Cambodia", "KI": "Kiribati", "KM": "Comoros",
    "KN": "Saint Kitts and Nevis", "KP": "North Korea", "KR": "South Korea",
    "KW": "Kuwait", "KY": "Cayman Islands", "KZ": "Kazakhstan", "LA": "Laos",
    "LB": "Lebanon", "LC": "Saint Lucia", "LI": "Liechtenstein", "LK": "Sri Lanka",
    "LR": "Liberia", "LS": "Lesotho", "LT": "Lithuania", "LU": "Luxembourg", "LV": "Latvia",
    "LY": "Libya", "MA": "Morocco", "MC": "Monaco", "MD": "Moldova", "ME": "Montenegro",
    "MF": "Saint Martin", "MG": "Madagascar", "MH": "Marshall Islands",
    "MK": "North Macedonia", "ML": "Mali", "MM": "Myanmar", "MN": "Mongolia",
    "MO": "Macao", "MP": "Northern Mariana Islands", "MQ": "Martinique",
    "MR": "Mauritania", "MS": "Montserrat", "MT": "Malta", "MU": "Mauritius",
    "MV": "Maldives", "MW": "Malawi", "MX": "Mexico", "MY": "Malaysia", "MZ": "Mozambique",
    "NA": "Namibia", "NC": "New Caledonia", "NE": "Niger", "NF": "Norfolk Island",
    "NG": "Nigeria", "NI": "Nicaragua", "NL": "Netherlands", "NO": "Norway", "NP": "Nepal",
    "NR": "Nauru", "NU": "Niue", "NZ": "New Zealand", "OM": "Oman", "PA": "Panama",
    "PE": "Peru", "PF": "French Polynesia", "PG": "Papua New Guinea", "PH": "Philippines",
    "PK": "Pakistan", "PL": "Poland", "PM": "Saint Pierre and Miquelon",
    "PR": "Puerto Rico", "PS": "Palestine", "PT": "Portugal", "PW": "Palau",
    "PY": "Paraguay", "QA": "Qatar", "RE": "Réunion", "RO": "Romania", "RS": "Serbia",
    "RU": "Russia", "RW": "Rwanda", "SA": "Saudi Arabia", "SB": "Solomon Islands",
    "SC": "Seychelles", "SD": "Sudan", "SE": "Sweden", "SG": "Singapore",
    "SH": "Saint Helena", "SI": "Slovenia", "SJ": "Svalbard and Jan Mayen",
    "SK": "Slovakia", "SL": "Sierra Leone", "SM": "San Marino", "SN": "Senegal",
    "SO": "Somalia", "SR": "Suriname", "SS": "South Sudan", "ST": "São Tomé and Príncipe",
    "SV": "El Salvador", "SX": "Sint Maarten", "SY": "Syria", "SZ": "Eswatini",
    "TA": "Tristan da Cunha", "TC": "Turks and Caicos Islands", "TD": "Chad", "TG": "Togo",
    "TH": "Thailand", "TJ": "Tajikistan", "TK": "Tokelau", "TL": "Timor-Leste",
    "TM": "Turkmenistan", "TN": "Tunisia", "TO": "Tonga", "TR": "Turkey",
    "TT": "Trinidad and Tobago",
    "TV": "Tuvalu", "TW": "Taiwan", "TZ": "Tanzania", "UA": "Ukraine", "UG": "Uganda",
    "US": "United States", "UY": "Uruguay", "UZ": "Uzbekistan", "VA": "Vatican City",
    "VC": "Saint Vincent and the Grenadines", "VE": "Venezuela",
    "VG": "British Virgin Islands", "VI": "US Virgin Islands", "VN": "Vietnam",
    "VU": "Vanuatu", "WF": "Wallis and Futuna", "WS": "Samoa", "XK": "Kosovo",
    "YE": "Yemen", "YT": "Mayotte", "ZA": "South Africa", "ZM": "Zambia", "ZW": "Zimbabwe",
}  # fmt: skip
