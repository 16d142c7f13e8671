"""Stage 1: normalise the query — traditional → simplified (OpenCC),
full-width → half-width, stray punctuation and spaces, and mask ID-card and
phone numbers before anything is logged or stored."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

_SPACES = re.compile(r"\s+")
_STRAY = re.compile(r"[~`^*_=|\\<>{}\[\]【】〔〕「」『』\"“”‘’'#@$%&]+")
_REPEAT_PUNCT = re.compile(r"([，。？！、；：,.?!;:])\1+")
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def to_halfwidth(text: str) -> str:
    # NFKC folds full-width letters, digits and ASCII punctuation; keep Chinese punctuation as is.
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E and ch not in "，。？！：；（）":
            out.append(chr(code - 0xFEE0))
        elif code == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def normalize(text: str) -> str:
    text = to_simplified(to_halfwidth(text))
    text = _STRAY.sub(" ", text)
    text = _REPEAT_PUNCT.sub(r"\1", text)
    text = _SPACES.sub(" ", text).strip()
    # Spaces between Chinese characters carry no meaning ("结婚 登记" == "结婚登记").
    text = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", text)
    return text.lower()


def mask_pii(text: str) -> str:
    """Mask ID-card and mobile numbers: 3213…1234 → 321302********1234, 138****5678."""
    text = _ID_CARD.sub(lambda m: f"{m.group(1)}********{m.group(3)}", text)
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
