"""The API's text-stamp font names, each mapped to one of the 14 standard PDF fonts by family.

Monopond lists about 120 font names for a text stamp (ImageMagick/Ghostscript
names such as "Arial-Bold" or "URW-Palladio-Italic"). Locally only the 14
standard PDF fonts can be drawn everywhere, so each name is drawn with the
standard font of its family (sans → Helvetica, serif → Times, monospaced →
Courier, Symbol, ZapfDingbats) in the same weight and slant. Qt-free and cheap
to import: the designer uses it to offer the names and to size stamps on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

STAMP_FONT_NAMES: tuple[str, ...] = (
    "Andale-Mono-Regular",
    "Arial-Black-Regular",
    "Arial-Bold",
    "Arial-Bold-Italic",
    "Arial-Italic",
    "Arial-Regular",
    "AvantGarde-Book",
    "AvantGarde-BookOblique",
    "AvantGarde-Demi",
    "AvantGarde-DemiOblique",
    "Bitstream-Charter-Bold",
    "Bitstream-Charter-Bold-Italic",
    "Bitstream-Charter-Italic",
    "Bitstream-Charter-Regular",
    "Bitstream-Vera-Sans-Bold",
    "Bitstream-Vera-Sans-Bold-Oblique",
    "Bitstream-Vera-Sans-Mono-Bold",
    "Bitstream-Vera-Sans-Mono-Bold-Oblique",
    "Bitstream-Vera-Sans-Mono-Oblique",
    "Bitstream-Vera-Sans-Mono-Roman",
    "Bitstream-Vera-Sans-Oblique",
    "Bitstream-Vera-Sans-Roman",
    "Bitstream-Vera-Serif-Bold",
    "Bitstream-Vera-Serif-Roman",
    "Bookman-Demi",
    "Bookman-DemiItalic",
    "Bookman-Light",
    "Bookman-LightItalic",
    "Century-Schoolbook-Bold",
    "Century-Schoolbook-Bold-Italic",
    "Century-Schoolbook-Italic",
    "Century-Schoolbook-Roman",
    "Comic-Sans-MS-Bold",
    "Comic-Sans-MS-Regular",
    "Courier",
    "Courier-Bold",
    "Courier-BoldOblique",
    "Courier-New-Bold",
    "Courier-New-Bold-Italic",
    "Courier-New-Italic",
    "Courier-New-Regular",
    "Courier-Oblique",
    "Dingbats-Regular",
    "Georgia-Bold",
    "Georgia-Bold-Italic",
    "Georgia-Italic",
    "Georgia-Regular",
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-BoldOblique",
    "Helvetica-Narrow",
    "Helvetica-Narrow-Bold",
    "Helvetica-Narrow-BoldOblique",
    "Helvetica-Narrow-Oblique",
    "Helvetica-Oblique",
    "Impact-Regular",
    "NewCenturySchlbk-Bold",
    "NewCenturySchlbk-BoldItalic",
    "NewCenturySchlbk-Italic",
    "NewCenturySchlbk-Roman",
    "Nimbus-Mono-Bold",
    "Nimbus-Mono-Bold-Oblique",
    "Nimbus-Mono-Regular",
    "Nimbus-Mono-Regular-Oblique",
    "Nimbus-Roman-No9-Bold",
    "Nimbus-Roman-No9-Bold-Italic",
    "Nimbus-Roman-No9-Regular",
    "Nimbus-Roman-No9-Regular-Italic",
    "Nimbus-Sans-Bold",
    "Nimbus-Sans-Bold-Italic",
    "Nimbus-Sans-Condensed-Bold",
    "Nimbus-Sans-Condensed-Bold-Italic",
    "Nimbus-Sans-Condensed-Regular",
    "Nimbus-Sans-Condensed-Regular-Italic",
    "Nimbus-Sans-Regular",
    "Nimbus-Sans-Regular-Italic",
    "Palatino-Bold",
    "Palatino-BoldItalic",
    "Palatino-Italic",
    "Palatino-Roman",
    "Standard-Symbols-Regular",
    "Symbol",
    "Tahoma-Regular",
    "Times-Bold",
    "Times-BoldItalic",
    "Times-Italic",
    "Times-New-Roman-Bold",
    "Times-New-Roman-Bold-Italic",
    "Times-New-Roman-Italic",
    "Times-New-Roman-Regular",
    "Times-Roman",
    "Trebuchet-MS-Bold",
    "Trebuchet-MS-Bold-Italic",
    "Trebuchet-MS-Italic",
    "Trebuchet-MS-Regular",
    "URW-Bookman-Demi-Bold",
    "URW-Bookman-Demi-Bold-Italic",
    "URW-Bookman-Light",
    "URW-Bookman-Light-Italic",
    "URW-Chancery-Medium-Italic",
    "URW-Gothic-Book",
    "URW-Gothic-Book-Oblique",
    "URW-Gothic-Demi",
    "URW-Gothic-Demi-Oblique",
    "URW-Palladio-Bold",
    "URW-Palladio-Bold-Italic",
    "URW-Palladio-Italic",
    "URW-Palladio-Roman",
    "Utopia-Bold",
    "Utopia-Bold-Italic",
    "Utopia-Italic",
    "Utopia-Regular",
    "Verdana-Bold",
    "Verdana-Bold-Italic",
    "Verdana-Italic",
    "Verdana-Regular",
    "Webdings-Regular",
)
"""Every font name the API accepts for a text stamp, in the order its documentation lists them."""

DEFAULT_FONT_NAME = "Times-Roman"
"""The font of a new text stamp (the API documentation's own example)."""

DEFAULT_FONT_SIZE = 12.0
"""The size of a new text stamp, in points of the printed page."""

BASE_FONTS: tuple[str, ...] = (
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-Oblique",
    "Helvetica-BoldOblique",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
    "Courier",
    "Courier-Bold",
    "Courier-Oblique",
    "Courier-BoldOblique",
    "Symbol",
    "ZapfDingbats",
)
"""The 14 standard PDF fonts, as PyMuPDF's `insert_text(fontname=…)` names them."""

# Height of a capital letter above the baseline, as a fraction of the font size,
# measured on the glyphs MuPDF actually draws for each standard font (its
# Helvetica is Nimbus Sans, whose capitals stand a little taller than Adobe's
# 0.718). Symbol's is its Alpha; ZapfDingbats has no capitals, so its typical
# glyph top is used.
_CAP_HEIGHTS = {
    "Helvetica": 0.729,
    "Times-Roman": 0.662,
    "Times-Bold": 0.676,
    "Times-Italic": 0.653,
    "Times-BoldItalic": 0.669,
    "Courier": 0.563,
    "Symbol": 0.673,
    "ZapfDingbats": 0.706,
}

# Words in a font name that decide its family; checked in this order, so
# "Bitstream-Vera-Sans-Mono" is monospaced before it is sans.
_FAMILY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ZapfDingbats", ("dingbats", "webdings")),
    ("Symbol", ("symbol",)),
    ("Courier", ("mono", "courier")),
    (
        "Times",
        (
            "times",
            "roman",
            "serif",
            "georgia",
            "bookman",
            "century",
            "centuryschlbk",
            "charter",
            "palatino",
            "palladio",
            "utopia",
            "chancery",
        ),
    ),
)
_BOLD_WORDS = ("bold", "demi", "black", "impact")
_ITALIC_WORDS = ("italic", "oblique", "chancery")


@dataclass(frozen=True, slots=True)
class StampFont:
    """How one API font name is drawn locally.

    `base` is one of `BASE_FONTS`; `family` is "Helvetica", "Times", "Courier",
    "Symbol" or "ZapfDingbats" (names Qt and fontconfig also resolve);
    `cap_height` is the height of a capital above the baseline as a fraction of
    the font size.
    """

    api_name: str
    base: str
    family: str
    bold: bool
    italic: bool
    cap_height: float


def stamp_font(api_name: str | None) -> StampFont:
    """The local font for an API font name; None or "" means `DEFAULT_FONT_NAME`.

    A name not in `STAMP_FONT_NAMES` is matched by the same family words (so
    "Arial-Narrow" is Helvetica) and otherwise drawn in Helvetica, as a service
    would substitute an unknown font rather than refuse the fax.
    """
    name = api_name.strip() if api_name else ""
    if not name:
        name = DEFAULT_FONT_NAME
    words = name.lower().replace("-", " ").replace("_", " ")
    family = "Helvetica"
    for candidate, markers in _FAMILY_WORDS:
        if any(marker in words for marker in markers):
            family = candidate
            break
    # "Bitstream-Vera-Sans-Roman" is the upright sans, not Times: "roman" only
    # names the serif family when no sans word says otherwise.
    if family == "Times" and "sans" in words.split() and "serif" not in words:
        family = "Helvetica"
    bold = any(word in words for word in _BOLD_WORDS)
    italic = any(word in words for word in _ITALIC_WORDS)
    base = _base_font(family, bold=bold, italic=italic)
    cap_height = _CAP_HEIGHTS.get(base, _CAP_HEIGHTS.get(family, _CAP_HEIGHTS["Helvetica"]))
    if family in ("Symbol", "ZapfDingbats"):
        bold = italic = False
    return StampFont(name, base, family, bold, italic, cap_height)


def _base_font(family: str, *, bold: bool, italic: bool) -> str:
    if family in ("Symbol", "ZapfDingbats"):
        return family
    if family == "Times":
        style = {(False, False): "Roman", (True, False): "Bold", (False, True): "Italic"}
        return f"Times-{style.get((bold, italic), 'BoldItalic')}"
    slant = "Oblique"
    if bold and italic:
        return f"{family}-Bold{slant}"
    if bold:
        return f"{family}-Bold"
    if italic:
        return f"{family}-{slant}"
    return family
