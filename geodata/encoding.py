"""Text encodings of attribute tables: detection and legacy Vietnamese fonts.

Old Vietnamese GIS files (MapInfo/ArcView era) often store names in the 8-bit font
encodings TCVN3 (ABC, ".VnTime") or VNI-Windows rather than in a real code page. Read
as Latin-1 they look like ``Hµ Néi`` (TCVN3) or ``Haø Noäi`` (VNI). The tables below are
data: one entry per legacy byte (TCVN3) or per legacy mark (VNI), turned into Unicode.

* ``dbf_encoding(cpg_text, dbf_bytes)``: the code page to read a .dbf with.
* ``detect_legacy(texts)``: "tcvn3", "vni" or None for strings read as Latin-1.
* ``to_unicode(text, legacy)``: the NFC Unicode form of one legacy string.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# --- TCVN3 (TCVN 5712:1993, "ABC"): one byte per letter -----------------------------
# For each vowel the five toned forms come in the order grave, hook, tilde, acute, dot.
_TCVN3_VOWELS: dict[str, tuple[int, ...]] = {
    "a": (0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
_TCVN3_PLAIN: dict[int, str] = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
}
_TONES = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # grave hook tilde acute dot


def _tcvn3_table() -> dict[int, str]:
    table = {code: unicodedata.normalize("NFC", base + tone)
             for base, codes in _TCVN3_VOWELS.items()
             for code, tone in zip(codes, _TONES, strict=True)}
    table.update(_TCVN3_PLAIN)
    return table


TCVN3 = _tcvn3_table()  # legacy byte -> Unicode letter

# --- VNI-Windows: base letter followed by a mark character --------------------------
# Mark characters (as read in Latin-1) -> combining marks; upper-case marks for capitals.
_VNI_MARKS: dict[str, str] = {
    "ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323",
    "â": "\u0302", "ê": "\u0306",
    "á": "\u0302\u0301", "à": "\u0302\u0300", "å": "\u0302\u0309", "ã": "\u0302\u0303",
    "ä": "\u0302\u0323",
    "é": "\u0306\u0301", "è": "\u0306\u0300", "ú": "\u0306\u0309", "ü": "\u0306\u0303",
    "ë": "\u0306\u0323",
    "î": "\u0323",  # dot below after y (ỵ)
}
_VNI_SINGLE: dict[str, str] = {
    "ñ": "đ", "Ñ": "Đ", "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư",
    "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị",
    "Í": "Í", "Ì": "Ì", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị",
}


def _vni_pairs() -> dict[str, str]:
    """Every two-character VNI sequence that composes to one Vietnamese letter."""
    bases = "aeouyAEOUY" + "ôÔöÖ"
    pairs: dict[str, str] = {}
    for base in bases:
        uni_base = _VNI_SINGLE.get(base, base)
        for mark, combining in _VNI_MARKS.items():
            key_mark = mark.upper() if base.isupper() else mark
            letter = unicodedata.normalize("NFC", uni_base + combining)
            if len(letter) == 1:
                pairs[base + key_mark] = letter
    return pairs


VNI_PAIRS = _vni_pairs()
_VNI_RE = re.compile("|".join(sorted(map(re.escape, [*VNI_PAIRS, *_VNI_SINGLE]),
                                     key=len, reverse=True)))

# Letters of the Vietnamese alphabet outside ASCII (to score a conversion).
_VIET_LETTERS = frozenset(
    {unicodedata.normalize("NFC", b + t) for b in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
     for t in ("", *_TONES)} | {"đ", "Đ"}) - frozenset("aeiouyAEIOUY")


def tcvn3_to_unicode(text: str) -> str:
    """A TCVN3 string (read as Latin-1) in Unicode NFC."""
    return "".join(TCVN3.get(ord(ch), ch) for ch in text)


def vni_to_unicode(text: str) -> str:
    """A VNI-Windows string (read as Latin-1) in Unicode NFC."""
    return _VNI_RE.sub(lambda m: VNI_PAIRS.get(m.group(0)) or _VNI_SINGLE[m.group(0)], text)


def to_unicode(text: str, legacy: str | None) -> str:
    """``text`` converted from the ``legacy`` font encoding ("tcvn3", "vni" or None)."""
    if legacy == "tcvn3":
        return tcvn3_to_unicode(text)
    if legacy == "vni":
        return vni_to_unicode(text)
    return text


def _score(text: str) -> int:
    """Vietnamese letters minus other non-ASCII characters: higher is more plausible."""
    good = sum(ch in _VIET_LETTERS for ch in text)
    bad = sum(ord(ch) > 127 and ch not in _VIET_LETTERS for ch in text)
    return good - 2 * bad


def detect_legacy(texts: Iterable[str]) -> str | None:
    """Which legacy font encoding ``texts`` (decoded as Latin-1) are in, if any.

    TCVN3 writes the commonest letters (à á ả ã ạ ă â đ ê ô ơ ư) with bytes 0xA1-0xBF,
    which VNI never uses; VNI writes a vowel followed by a mark character. The stronger
    signature wins; text with neither stays as it is unless TCVN3 makes it Vietnamese.
    """
    sample = " ".join(s for s in texts if isinstance(s, str))[:200_000]
    if not any(ord(ch) > 127 for ch in sample) or any(ord(ch) > 255 for ch in sample):
        return None
    tcvn_hits = sum(0xA1 <= ord(ch) <= 0xBF for ch in sample)
    vni_hits = sum(len(m) == 2 or m in "ñÑ" for m in _VNI_RE.findall(sample))
    if vni_hits > tcvn_hits:
        return "vni"
    if tcvn_hits or _score(tcvn3_to_unicode(sample)) > _score(sample):
        return "tcvn3"
    return None


# --- code pages ----------------------------------------------------------------------
_CPG_NAMES = {
    "utf8": "utf-8", "utf-8": "utf-8", "65001": "utf-8",
    "1258": "cp1258", "cp1258": "cp1258", "windows-1258": "cp1258", "ansi1258": "cp1258",
    "1252": "cp1252", "ansi1252": "cp1252", "cp1252": "cp1252", "windows-1252": "cp1252",
    "88591": "latin-1", "iso88591": "latin-1", "latin1": "latin-1",
}


def cpg_encoding(cpg_text: str) -> str | None:
    """The Python codec named in a ``.cpg`` file (None when not recognised)."""
    key = re.sub(r"[\s_]", "", cpg_text.strip().lower())
    return _CPG_NAMES.get(key) or _CPG_NAMES.get(key.replace("-", ""))


def detect_bytes(data: bytes) -> str:
    """The most likely codec of raw text bytes: utf-8 when valid, else charset-normalizer.

    Legacy font encodings are single-byte and are found afterwards by ``detect_legacy`` on
    a Latin-1 reading, so anything that is not UTF-8 or Windows-1258 is read as Latin-1.
    """
    if not any(b > 127 for b in data):
        return "utf-8"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding in ("cp1258", "windows_1258"):
        text = data.decode("cp1258", errors="replace")
        if any("\u0300" <= ch <= "\u0323" for ch in text):
            return "cp1258"
    return "latin-1"


def contradicts(codec: str, data: bytes) -> bool:
    """Whether text bytes cannot be in ``codec`` as a ``.cpg`` names it: "UTF-8" for bytes
    that are not valid UTF-8, or a single-byte code page for bytes that are UTF-8 with
    multi-byte letters (names would be stored as mojibake: "HÃ  Ná»™i")."""
    if not any(b > 127 for b in data):
        return False
    try:
        data.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    return not utf8 if codec == "utf-8" else utf8


def dbf_text_bytes(dbf: bytes) -> bytes:
    """The record area of a dBASE file (skips the binary header)."""
    if len(dbf) < 12:
        return b""
    header_len = int.from_bytes(dbf[8:10], "little")
    return dbf[header_len:header_len + 2_000_000]


def fix_strings(values: Iterable[object], legacy: str | None) -> list[object]:
    """Legacy-converted, NFC-normalised copies of string values (others unchanged)."""
    return [unicodedata.normalize("NFC", to_unicode(v, legacy)) if isinstance(v, str) else v
            for v in values]
