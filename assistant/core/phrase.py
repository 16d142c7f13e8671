"""Optional LLM phrasing of the grounded answer (OpenAI-compatible endpoint through LangChain).

Off unless ``ASSISTANT_LLM_BASE_URL`` and ``ASSISTANT_LLM_MODEL`` are set (key: ``ASSISTANT_LLM_API_KEY``).
The model is given ONLY the numbered evidence (the citations of the extractive answer) and the
extractive answer, and asked for a short friendly answer citing [n] after every sentence.  Its output
is then checked, sentence by sentence:

* every [n] must be one of the citations it was given, and every kept sentence must carry one;
* every number in a sentence (amounts, fees, window numbers, dates, days, article numbers — Arabic
  or Chinese numerals) must appear in the texts of the chunks that sentence cites (or in the
  extractive answer's sentences citing the same chunks).

Sentences that fail are dropped.  If nothing valid remains, or on timeout (``ASSISTANT_LLM_TIMEOUT``,
default 8 s), a connection error or any other exception, ``phrase`` returns ``(None, info)`` and the
pipeline keeps the extractive answer; ``info`` (recorded as ``trace["llm"]``) says why.  ``phrase``
never raises, and neither the log nor ``info`` carries unmasked ID-card or phone numbers.
"""
from __future__ import annotations

import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, Iterable

from assistant.core.text.normalize import mask_pii
from assistant.core.text.numerals import NUMERAL_CHARS, cn_to_int

log = logging.getLogger("assistant.llm")

SYSTEM_PROMPT = """你是政务服务中心的导办助手，负责把已经核对过的答案改写得简短、亲切、口语化。
规则：
1. 只能使用下面“编号证据”和“参考答案”里的信息，不得添加任何证据里没有的事实，尤其不得编造收费、金额、窗口号、电话、地址、日期、时限或材料。
2. 每一句话的句末都必须标注它所依据的证据编号，格式为[1]、[2]，只能使用给出的编号；一句话依据多条证据时写成[1][2]。
3. 数字、窗口号、日期、金额必须与证据原文完全一致；证据里没有的内容就不要提。
4. 用简体中文，不要使用 Markdown 标题或表格，不要寒暄，不要写没有编号的句子；材料较多时可以每行一项，每行末尾标注编号。
5. 不要改变参考答案的结论；证据不足以回答的部分，照参考答案原样说明。"""

USER_TEMPLATE = """问题：{question}

编号证据：
{evidence}

参考答案（已核对，可直接依据）：
{answer}

请按规则写出简短、亲切的回答，每句话末尾标注证据编号。"""

EVIDENCE_CHARS = 900  # per citation shown to the model (and checked against)

_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="llm")

# [1] [1][2] [1,2] [1、2] 【1】 ［1］
_MARK = re.compile(r"\s*[\[【［]\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]】］]")
_THINK = re.compile(r"<think>.*?</think>", re.S)
_END = "。！？!?；;"
_ENUM = re.compile(r"^\s*(?:\d{1,2}[.、)）](?!\d)|[（(]\d{1,2}[)）]|[-*·•●]|#+)\s*")
_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_WINDOW = re.compile(r"(?<![A-Za-z])[A-Za-z]\d+")  # A33: a window number
_CN_DIGITS = NUMERAL_CHARS
_CN_RUN = re.compile(f"[{_CN_DIGITS}]+")
# a Chinese numeral in the model's answer counts as a quantity when a unit follows ("二百元", "三个工作日")
_CN_QTY = re.compile(f"(第?)([{_CN_DIGITS}]+)(?=元|块|角|个|天|日|年|月|号|次|份|张|岁|小时|分钟|周|星期|工作日|"
                     f"楼|层|寸|倍|条|款|项|人|名|%|％)")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


def _norm_num(tok: str) -> str:
    if "." in tok:
        whole, frac = tok.split(".", 1)
        frac = frac.rstrip("0")
        return (whole.lstrip("0") or "0") + (f".{frac}" if frac else "")
    return (tok.lstrip("0") or "0") if len(tok) <= 2 else tok  # 08:00 = 8:00; 0527 stays an area code


def evidence_numbers(text: str) -> set[str]:
    """Every number in a trusted text: Arabic (half- or full-width) and Chinese numerals."""
    text = text.translate(_FULLWIDTH)
    nums = {_norm_num(t) for t in _ARABIC.findall(text)} | {t.upper() for t in _WINDOW.findall(text)}
    for run in _CN_RUN.findall(text):
        v = cn_to_int(run)
        if v is not None:
            nums.add(str(v))
    return nums


def claim_numbers(sentence: str) -> set[str]:
    """Numbers a sentence of the model claims: Arabic numbers and Chinese numerals followed by a unit
    (standalone 一 only before a unit that makes it a fact: 一次, 一元, 一天 — not 一个/一份/一起)."""
    text = _ENUM.sub("", sentence.translate(_FULLWIDTH))
    text = _MARK.sub("", text)
    nums = {_norm_num(t) for t in _ARABIC.findall(text)} | {t.upper() for t in _WINDOW.findall(text)}
    for m in _CN_QTY.finditer(text):
        ordinal, run = m.group(1), m.group(2)
        after = text[m.end():m.end() + 2]
        if ordinal and not after.startswith(("条", "款", "项")):
            continue  # 第一步, 第二次: an ordinal, not a quantity
        if run == "一" and not ordinal and not after.startswith(("元", "次", "天", "日", "年", "岁", "小时", "周",
                                                               "工作日", "楼", "层", "寸")):
            continue
        v = cn_to_int(run)
        if v is not None:
            nums.add(str(v))
    return nums


def markers(sentence: str) -> list[int]:
    return [int(n) for m in _MARK.finditer(sentence) for n in re.split(r"\s*[,，、]\s*", m.group(1))]


def normalise_markers(text: str) -> str:
    """[1,2] / 【1】 / ［1］ → [1][2] / [1]."""
    return _MARK.sub(lambda m: "".join(f"[{n}]" for n in re.split(r"\s*[,，、]\s*", m.group(1))), text)


def split_sentences(line: str) -> list[str]:
    """Split one line at 。！？；, keeping the [n] markers that follow a full stop with its sentence."""
    out, buf, i = [], "", 0
    while i < len(line):
        ch = line[i]
        buf += ch
        i += 1
        if ch in _END:
            while i < len(line):
                m = _MARK.match(line, i)
                if m:
                    buf += m.group()
                    i = m.end()
                elif line[i] in _END or line[i] in "”’）)」』":
                    buf += line[i]
                    i += 1
                else:
                    break
            out.append(buf)
            buf = ""
    if buf.strip():
        out.append(buf)
    return out


@dataclass
class Check:
    text: str | None
    kept: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # the dropped sentences (PII masked)
    why: list[str] = field(default_factory=list)  # why each was dropped


def _shown(c: Any) -> str:
    return f"{c.title} {c.section}：{(c.text or '')[:EVIDENCE_CHARS]}"


def check_answer(text: str, citations: Iterable[Any], extractive: str = "") -> Check:
    """Keep the sentences whose [n] all exist and whose numbers appear in the chunks they cite."""
    cites = {c.n: c for c in citations}
    allowed: dict[int, set[str]] = {n: evidence_numbers(_shown(c)) for n, c in cites.items()}
    # numbers the (trusted) extractive answer states with the same citation, e.g. the hall's floor
    for line in extractive.splitlines():
        for s in split_sentences(line):
            for n in markers(s):
                if n in allowed:
                    allowed[n] |= evidence_numbers(_MARK.sub("", s))
    text = _THINK.sub("", text).replace("**", "").strip()
    result = Check(None)
    out_lines = []
    for line in text.splitlines():
        kept_line = []
        for s in split_sentences(line):
            if not s.strip() or not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", _MARK.sub("", s)):
                continue
            ns = markers(s)
            bad = sorted({n for n in ns if n not in cites})
            if not ns:
                why = "no citation"
            elif bad:
                why = "unknown citation " + "".join(f"[{n}]" for n in bad)
            else:
                ok_nums = set().union(*(allowed[n] for n in set(ns)))
                extra = sorted(claim_numbers(s) - ok_nums)
                why = f"numbers not in the cited evidence: {', '.join(extra)}" if extra else ""
            if why:
                result.dropped.append(mask_pii(s.strip())[:200])
                result.why.append(why)
            else:
                kept_line.append(normalise_markers(s.strip()))
                result.kept.append(s.strip())
        if kept_line:
            out_lines.append("".join(kept_line).strip())
    if out_lines:
        result.text = "\n".join(out_lines)
    return result


def _trailing_notes(extractive: str) -> list[str]:
    """The uncited fixed lines that end the extractive answer (sample-data note, policy disclaimer)."""
    notes = []
    for line in reversed(extractive.splitlines()):
        if not line.strip() or _MARK.search(line):
            break
        notes.insert(0, line.strip())
    return notes


class Phraser:
    """Rewrites the extractive answer with an OpenAI-compatible chat model and checks the result."""

    def __init__(self, chat_model: Any, model: str, timeout: float):
        self.chat_model = chat_model  # a LangChain chat model (ChatOpenAI)
        self.model = model
        self.timeout = timeout

    def messages(self, question: str, extractive: str, citations: list[Any]) -> list[tuple[str, str]]:
        evidence = "\n".join(f"[{c.n}] {_shown(c)}" for c in citations)
        user = USER_TEMPLATE.format(question=mask_pii(question), evidence=evidence, answer=extractive)
        return [("system", SYSTEM_PROMPT), ("user", user)]

    def phrase(self, question: str, extractive: str, citations: list[Any]) -> tuple[str | None, dict]:
        t0 = time.perf_counter()
        info: dict = {"model": self.model, "used": False, "reason": "", "dropped": [], "dropped_why": [], "ms": 0.0}

        def done(text: str | None, reason: str) -> tuple[str | None, dict]:
            info["reason"] = reason
            info["used"] = text is not None
            info["ms"] = round((time.perf_counter() - t0) * 1000, 1)
            log.info("llm model=%s used=%s reason=%s dropped=%d ms=%s", self.model, info["used"],
                     mask_pii(reason)[:120], len(info["dropped"]), info["ms"])
            return text, info

        try:
            citations = list(citations or [])
            if not citations:
                return done(None, "skipped: no evidence")
            msgs = self.messages(question, extractive, citations)
            future = _pool.submit(self.chat_model.invoke, msgs)
            try:
                reply = future.result(timeout=self.timeout)
            except FutureTimeout:
                future.cancel()
                return done(None, "timeout")
            content = reply.content if hasattr(reply, "content") else reply
            if isinstance(content, list):  # content blocks
                content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
            if not isinstance(content, str) or not content.strip():
                return done(None, "check failed: empty reply")
            check = check_answer(content, citations, extractive)
            info["dropped"], info["dropped_why"] = check.dropped, check.why
            if check.text is None:
                whys = sorted({w.split(":")[0] for w in check.why}) or ["nothing to keep"]
                return done(None, f"check failed: no sentence with valid support ({'; '.join(whys)})")
            text = check.text
            for note in _trailing_notes(extractive):
                if note not in text:
                    text += "\n" + note
            return done(text, "ok")
        except Exception as e:  # never raise: the extractive answer stands
            if _is_timeout(e):
                return done(None, "timeout")
            status = getattr(e, "status_code", None)
            return done(None, f"error: {type(e).__name__}" + (f" (HTTP {status})" if status else ""))


def _is_timeout(e: BaseException) -> bool:
    seen = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if "Timeout" in type(e).__name__ or isinstance(e, TimeoutError):
            return True
        e = e.__cause__ or e.__context__
    return False


def make_phraser(settings) -> Phraser | None:
    """A Phraser for the configured endpoint, or None when ASSISTANT_LLM_BASE_URL / _MODEL are unset."""
    if not settings.llm_base_url or not settings.llm_model:
        return None
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as e:  # configured but not installed: say how to fix it
        raise RuntimeError("已设置 ASSISTANT_LLM_BASE_URL，但没有安装 langchain-openai："
                           "请运行 pip install -e '.[llm]'") from e
    chat_model = ChatOpenAI(model=settings.llm_model, base_url=settings.llm_base_url,
                            api_key=settings.llm_api_key or "EMPTY", timeout=settings.llm_timeout,
                            max_retries=0, temperature=0, max_tokens=800)
    return Phraser(chat_model, settings.llm_model, settings.llm_timeout)
