"""Normalising Vietnamese unit names for storage and for matching.

* ``nfc`` is what we store: Unicode NFC, trimmed, single spaces.
* ``fold`` is what we match on: no diacritics, lower case, ``đ`` -> ``d``, unit-type
  prefixes (Xã, Phường, Thị trấn, Huyện, Tỉnh, …) removed. Tone-mark placement ("Hoà" vs
  "Hòa") disappears with the diacritics.
"""

from __future__ import annotations

import re
import unicodedata

_PREFIXES = (
    "thanh pho", "thi xa", "thi tran", "phuong", "xa", "huyen", "quan", "tinh", "tp.", "tp",
    "tx.", "tx", "tt.", "tt", "dac khu", "ap", "khu pho", "thon", "to dan pho", "ban", "khom",
)
_PREFIX_RE = re.compile(r"^(?:" + "|".join(re.escape(p) for p in _PREFIXES) + r")\s+")
_SPACES = re.compile(r"\s+")


def nfc(name: object) -> str:
    """The stored form of a name: NFC, trimmed, inner whitespace collapsed."""
    if name is None:
        return ""
    text = unicodedata.normalize("NFC", str(name))
    return _SPACES.sub(" ", text).strip()


def strip_accents(text: str) -> str:
    """Remove every diacritic (Vietnamese tone and vowel marks), ``đ`` -> ``d``."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return bare.replace("đ", "d").replace("Đ", "D")


def fold(name: object, *, drop_prefix: bool = True) -> str:
    """The matching key of a name: accent-free, lower case, without unit-type prefix.

    >>> fold("Phường Vĩnh Lạc") == fold("vinh lac") == fold("P. Vĩnh  Lạc")
    True
    >>> fold("Huyện Châu Thành") == fold("Chau Thanh") == fold("H. Châu Thành")
    True
    """
    text = strip_accents(nfc(name)).lower()
    text = re.sub(r"[.,;:()\-_/]+", " ", text)
    text = _SPACES.sub(" ", text).strip()
    if drop_prefix:
        # "P. Vĩnh Lạc", "X. Mong Thọ A", "H. Châu Thành", "Q. 1": the abbreviations
        text = re.sub(r"^[pxhq]\s+", "", text)
        text = _PREFIX_RE.sub("", text)
    # "Phường 1" and "phuong 01" match
    text = re.sub(r"\b0+(\d)", r"\1", text)
    return text
