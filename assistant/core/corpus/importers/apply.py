"""Import one file into the corpus, all or nothing: read the drafts, check each against the guide
schema, write them into a copy of the corpus beside it, validate that copy as `assistant corpus check`
does, and only then swap its guides folder in.  Problems name the source file, row or section and
field; a failed import changes nothing."""
from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import yaml

from assistant.core.corpus.importers.common import Draft, ImportFailed, ImportReport, cell, slug
from assistant.core.corpus.importers.excel import read_excel
from assistant.core.corpus.importers.word import read_word
from assistant.core.corpus.schema import CorpusError, Guide, load_centre

# guide field path (pydantic loc) → the column (or Word section) it comes from
LOC_COLUMN = {"办理地点.大厅": "大厅", "办理地点.专区": "专区", "办理地点.窗口": "窗口", "收费.是否收费": "是否收费",
              "收费.标准": "收费标准", "收费.依据": "收费依据", "网上办理.深度": "网办深度", "网上办理.途径": "网办途径",
              "网上办理.网址": "网办网址", "sample": "示例数据"}


def _where_of(draft: Draft, loc: str) -> tuple[str, str]:
    """(where, field) for a pydantic field path of a draft: 申请材料.1.必要性 → (材料!第6行, 必要性)."""
    parts = loc.split(".")
    if len(parts) >= 2 and f"{parts[0]}.{parts[1]}" in draft.field_where:
        return draft.field_where[f"{parts[0]}.{parts[1]}"], ".".join(parts[2:]) or parts[0]
    column = LOC_COLUMN.get(".".join(parts[:2]), parts[0])
    return draft.field_where.get(column, draft.field_where.get(parts[0], draft.where)), column


def import_file(path: Path, settings, dry_run: bool = False) -> ImportReport:
    """Import an .xlsx or .docx into settings.corpus_dir; all-or-nothing (see module doc)."""
    path = Path(path)
    report = ImportReport(source=path.name)
    corpus_dir = Path(settings.corpus_dir)
    drafts = _read_drafts(path, load_centre(corpus_dir / "centre.yaml"), report)
    plan = _plan(drafts, _existing_guides(corpus_dir), path.name, report)
    if report.problems:
        raise ImportFailed(report)
    # write into a copy of the corpus beside it, validate the whole corpus there, then swap
    stage = Path(tempfile.mkdtemp(prefix=f".{corpus_dir.name}-import-", dir=corpus_dir.parent))
    try:
        shutil.copytree(corpus_dir, stage / "corpus")
        for stem, d in plan.items():
            (stage / "corpus" / "guides" / f"{stem}.yaml").write_text(
                "# 由 assistant corpus import 从 " + path.name + " 导入\n"
                + yaml.safe_dump(d.data, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
        _validate_stage(stage / "corpus", settings, plan, path.name, report)
        if not dry_run and plan:
            old = corpus_dir.parent / f"{stage.name}-old"
            (corpus_dir / "guides").rename(old)
            (stage / "corpus" / "guides").rename(corpus_dir / "guides")
            shutil.rmtree(old, ignore_errors=True)
            report.written = True
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return report


def _read_drafts(path: Path, centre, report: ImportReport) -> list[Draft]:
    """The drafts of an .xlsx or .docx; its problems and skipped rows go into `report`.  Any other
    file type fails the import at once."""
    if path.suffix.lower() == ".xlsx":
        drafts, problems, skipped = read_excel(path)
    elif path.suffix.lower() == ".docx":
        drafts, problems, skipped = read_word(path, centre)
    else:
        report.problems.append((path.name, "", "", "只支持 .xlsx（Excel 模板）和 .docx（Word 办事指南）"))
        raise ImportFailed(report)
    report.skipped += skipped
    report.problems += problems
    return drafts


def _existing_guides(corpus_dir: Path) -> dict[str, tuple[str, dict]]:
    """事项编码 → (file stem, YAML mapping) of the guides already in the corpus."""
    existing = {}
    for f in sorted((corpus_dir / "guides").glob("*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        existing[str(data.get("事项编码"))] = (f.stem, data)
    return existing


def _plan(drafts: list[Draft], existing: dict[str, tuple[str, dict]], fname: str,
          report: ImportReport) -> dict[str, Draft]:
    """file stem → draft to write.  A draft with the 事项编码 of an existing guide updates that file
    and keeps the fields the template does not carry (情形, 一件事); one identical to its guide is
    skipped; schema errors, a bad file name and two drafts for one file are reported."""
    plan: dict[str, Draft] = {}
    stems_seen: dict[str, str] = {}
    for d in drafts:
        old = existing.get(cell(d.data.get("事项编码")))
        if old:  # fields the template does not carry (情形, 一件事) stay as they are
            d.data = {**{k: v for k, v in old[1].items() if k not in d.data}, **d.data}
        for err in _schema_errors(d.data):
            w, col = _where_of(d, err[0])
            report.problems.append((fname, w, col, err[1]))
        code = cell(d.data.get("事项编码"))
        old = existing.get(code)
        stem = old[0] if old else (d.stem or slug(code))
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,60}", stem or ""):
            report.problems.append((fname, d.where, "文件名", f"「{stem}」应为英文小写字母、数字和连字符"))
            continue
        if stem in stems_seen:
            report.problems.append((fname, d.where, "事项编码", f"与 {stems_seen[stem]} 重复"))
            continue
        stems_seen[stem] = d.where
        if old and old[1] == d.data:
            report.skipped.append((d.where, f"与现有指南 {stem}.yaml 相同，无需更新"))
            continue
        plan[stem] = d
        (report.updated if old else report.imported).append(stem)
    return plan


def _validate_stage(staged: Path, settings, plan: dict[str, Draft], fname: str, report: ImportReport) -> None:
    """Validate the staged corpus as `assistant corpus check` does (schema, halls, 设定依据 articles in
    force); each problem is named by the row or section of the imported file it came from."""
    from assistant.core.corpus.laws import check_basis
    from assistant.core.corpus.load import load_corpus
    from assistant.core.index.build import collect_law_chunks

    try:
        corpus = load_corpus(staged)
        basis = check_basis(corpus.guides, collect_law_chunks(settings, corpus))
        if basis:
            raise CorpusError(basis)
    except CorpusError as e:
        for f, fld, msg in e.problems:
            d = plan.get(Path(f).stem)
            w, col = _where_of(d, fld) if d else (Path(f).name, fld)
            report.problems.append((fname if d else Path(f).name, w, col, msg))
        raise ImportFailed(report) from None


def _schema_errors(data: dict) -> list[tuple[str, str]]:
    """(field path, message) of the Guide schema for one draft (the import names row and column)."""
    from pydantic import ValidationError

    try:
        Guide.model_validate(data)
        return []
    except ValidationError as e:
        out = []
        for err in e.errors():
            msg = {"missing": "缺失", "extra_forbidden": "不是已知字段"}.get(err["type"], f"不合法：{err['msg']}")
            if err["type"] == "too_short":
                msg = "不能为空"
            elif err["type"] == "literal_error":
                msg = f"应为 {err.get('ctx', {}).get('expected', '')} 之一，而不是「{err.get('input')}」"
            elif err["type"] in ("int_parsing", "int_type"):
                msg = f"应为整数，而不是「{err.get('input')}」"
            out.append((".".join(str(p) for p in err["loc"]), msg))
        return out
