"""Legacy Vietnamese font encodings (TCVN3, VNI-Windows) and code-page detection."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geodata import encoding as enc

# Unicode -> legacy, inverted from the module's own tables (the tests check round trips).
TO_TCVN3 = {v: chr(k) for k, v in enc.TCVN3.items()}
TO_VNI = {v: k for k, v in {**enc.VNI_PAIRS, **enc._VNI_SINGLE}.items() if v != k}


def as_tcvn3(text: str) -> str:
    return "".join(TO_TCVN3.get(ch, ch) for ch in text)


def as_vni(text: str) -> str:
    return "".join(TO_VNI.get(ch, ch) for ch in text)


@pytest.mark.parametrize(("legacy", "raw", "expected"), [
    ("tcvn3", "Hµ Néi", "Hà Nội"),
    ("tcvn3", "Phó Quèc, Kiªn Giang", "Phú Quốc, Kiên Giang"),
    ("tcvn3", "R¹ch Gi¸ - VÜnh L¹c - §«ng H¶i", "Rạch Giá - Vĩnh Lạc - Đông Hải"),
    ("vni", "Haø Noäi", "Hà Nội"),
    ("vni", "Thaønh phoá Hoà Chí Minh", "Thành phố Hồ Chí Minh"),
    ("vni", "HAØ NOÄI", "HÀ NỘI"),
    ("vni", "Ñaø Naüng, Thöøa Thieân Hueá", "Đà Nẵng, Thừa Thiên Huế"),
])
def test_known_strings(legacy, raw, expected):
    assert enc.to_unicode(raw, legacy) == expected
    assert enc.detect_legacy([raw]) == legacy


@pytest.mark.parametrize("text", ["Hà Nội", "abc", "Tân Hòa", "", "12345"])
def test_unicode_or_ascii_is_left_alone(text):
    assert enc.detect_legacy([text]) is None


VIET = st.text(alphabet="aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợ"
                        "uùủũúụưừửữứựyỳỷỹýỵđ bcdghklmnpqrstvx", min_size=1, max_size=30)


@given(VIET)
def test_tcvn3_round_trip(text):
    assert enc.tcvn3_to_unicode(as_tcvn3(text)) == text


@given(VIET)
def test_vni_round_trip(text):
    assert enc.vni_to_unicode(as_vni(text)) == text


@pytest.mark.parametrize(("cpg", "codec"), [
    ("UTF-8", "utf-8"), ("utf8", "utf-8"), ("65001", "utf-8"), ("1258", "cp1258"),
    ("ANSI 1252", "cp1252"), ("ISO-8859-1", "latin-1"), ("LATIN1", "latin-1"),
    ("EBCDIC-42", None),
])
def test_cpg_names(cpg, codec):
    assert enc.cpg_encoding(cpg) == codec


def test_detect_bytes():
    assert enc.detect_bytes("Hà Nội".encode()) == "utf-8"
    assert enc.detect_bytes(b"plain") == "utf-8"
    assert enc.detect_bytes("Hµ Néi, Thanh Ho¸".encode("latin-1")) in ("latin-1", "cp1258")


def test_fix_strings_normalises_nfc_and_keeps_other_values():
    decomposed = "Hòa".replace("ò", "o\u0300")
    assert enc.fix_strings([decomposed, 3, None], None) == ["Hòa", 3, None]
