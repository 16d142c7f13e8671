"""Stage 1: normalise the query — traditional → simplified (OpenCC),
full-width → half-width, stray punctuation and spaces, and mask ID-card and
phone numbers before anything is logged or stored."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

from opencc import OpenCC

_SPACES = re.compile(r"\s+")
STORY_SPACES, STORY_CHARS = 2, 24  # a message with this many clause spaces and characters is a story
_STRAY = re.compile(r"[~`^*_=|\\<>{}\[\]【】〔〕「」『』\"“”‘’'#@$%&]+")
_REPEAT_PUNCT = re.compile(r"([，。？！、；：,.?!;:])\1+")
_FW_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")  # only digits: （） and the rest stay as written
_SEP = r"[ \-\u00a0]?"  # one optional space or dash between digit groups: 139-1234-5678, 6222 0212 …
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])([A-Za-z0-9])([A-Za-z0-9._%+\-]*)(@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)")
_ID_CARD = re.compile(rf"(?<![0-9A-Za-z])(\d{{6}}){_SEP}(\d{{8}}){_SEP}(\d{{3}}[\dXx])(?![0-9A-Za-z])"
                      r"|(?<![0-9A-Za-z])(\d{6})(\d{6})(\d{3})(?![0-9A-Za-z])")
_CARD = re.compile(rf"(?<![0-9])\d{{4}}(?:{_SEP}\d{{4}}){{2,3}}(?:{_SEP}\d{{1,3}})?(?![0-9])")
_PHONE = re.compile(rf"(?<![0-9])(?:(?:[(（]?(?:[+＋]|00)\s?86[)）]?|86){_SEP}\s?)?(1[3-9]\d){_SEP}(\d{{4}}){_SEP}(\d{{4}})(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])([(（]?0\d{2,3}[)）]?)[ \-]?(\d{3,4})[ \-]?(\d{4})(?:[ \-]?(?:转|ext\.?|-)\s?\d{1,5})?(?![0-9])")
# Every personal number above holds three digits in a row (\d{6}, \d{4}, 1[3-9]\d, 0\d{2,3}) or an "@": a text
# with neither is only digit-folded (most strings of a trace: names, sections, law text).
_MAYBE_PII = re.compile(r"\d{3}|@")

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
    # personal numbers are masked first: the normalised query goes into traces and logs, and stripping
    # punctuation (the "@" of an e-mail, the "-" of 139-1234-5678) would hide them from masking later
    text = to_simplified(to_halfwidth(mask_pii(text)))
    text = _STRAY.sub(" ", text)
    text = _REPEAT_PUNCT.sub(r"\1", text)
    text = _SPACES.sub(" ", text).strip()
    # Spaces between Chinese characters carry no meaning in a question ("结婚 登记" == "结婚登记"), but in a
    # long story typed on a phone they end the clauses ("我们结婚三年了 孩子都两岁了 … 需要准备什么"):
    # there they become commas, so the request can be told from its background (understand.request_span).
    gap = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")
    story = len(gap.findall(text)) >= STORY_SPACES and len(text) >= STORY_CHARS
    text = gap.sub("，" if story else "", text)
    return text.lower()


def _card(m: re.Match) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    return m.group(0) if len(digits) < 15 else "*" * (len(digits) - 4) + digits[-4:]


def mask_pii(text: str, keep: Iterable[str] = ()) -> str:
    """The one masking function for personal numbers before anything is stored, logged, traced or exported.

    ID cards (18 and 15 digits, also grouped 6-8-4), bank cards (15–19 digits, also in groups of four),
    mobiles in every common form (13912345678, 139-1234-5678, 139 1234 5678, +86 139 1234 5678,
    (+86)13912345678, 008613912345678), landlines with an area code (025-84561234, (0527)8888-1234,
    0527 88881234 转 123) and e-mail addresses.  Full-width digits are folded first, so
    「１３９１２３４５６７８」 is masked too.  Examples::

        320102199001011234 → 320102********1234     13912345678 / +86 139-1234-5678 → 139****5678
        6222 0212 3456 7890 123 → ***************0123   025-84561234 → 025-****1234   zhang.san@qq.com → z***@qq.com

    Idempotent: masked text masks to itself.

    ``keep``: public numbers that are not personal — the centre's own phones (`public_numbers`) in a staff
    reply stay readable (and tap-to-call); compared by their digits, so 0527-80000000 keeps 052780000000 too.
    Every other number in the same text is masked as usual.
    """
    if not text:
        return text
    text = text.translate(_FW_DIGITS)
    if not _MAYBE_PII.search(text):
        return text
    kept = {re.sub(r"\D", "", k) for k in keep} - {""}
    # the first character stays only when more follow: a one-letter name ("a@qq.com") would be all shown
    text = _EMAIL.sub(lambda m: f"{m.group(1) if m.group(2) else ''}***{m.group(3)}", text)
    text = _ID_CARD.sub(lambda m: f"{m.group(1)}********{m.group(3)[-4:] if m.group(3) else ''}" if m.group(1)
                        else f"{m.group(4)}*****{m.group(6)}", text)
    text = _CARD.sub(_card, text)

    def public(m: re.Match) -> bool:
        return bool(kept) and re.sub(r"\D", "", m.group(0)) in kept

    text = _PHONE.sub(lambda m: m.group(0) if public(m) else f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: m.group(0) if public(m) else f"{m.group(1)}-****{m.group(3)}", text)


def public_numbers(text: str) -> list[str]:
    """Every phone number written in ``text`` (corpus/centre.yaml: 咨询电话, 导办台 …) — the centre's public
    numbers, which `mask_pii(..., keep=...)` leaves readable in staff replies."""
    text = (text or "").translate(_FW_DIGITS)
    return sorted({m.group(0) for rx in (_PHONE, _LANDLINE) for m in rx.finditer(text)})


class MaskedTrace(dict):
    """A trace that `mask_trace` has masked.  ``idempotent``: masking any of its strings again changes
    nothing (true unless a masked text still holds a pattern, e.g. two e-mails run together), so the
    conversation store keeps it without a second pass (`store.conversations.stored_trace`)."""
    idempotent = True


def mask_trace(trace: dict) -> MaskedTrace:
    """`mask_deep` of a trace, marked as masked and whether masking it again would change it."""
    masked: list[str] = []

    def mask(text: str) -> str:
        out = mask_pii(text)
        if out != text:
            masked.append(out)
        return out

    out = MaskedTrace(mask_deep(trace, mask))
    out.idempotent = all(mask_pii(m) == m for m in masked)  # an unchanged text masks to itself
    return out


def mask_deep(value, mask=mask_pii):
    """`mask_pii` (or ``mask``) on every string inside a JSON-like value (a trace, an export row); other
    values unchanged."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: mask_deep(v, mask) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_deep(v, mask) for v in value]
    return value
