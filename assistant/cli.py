"""Command line: `assistant index build | ask | serve | corpus check | eval | bench`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress

from .config import get_settings
from .guides import CorpusError

app = typer.Typer(help="导办助手命令行", no_args_is_help=True, add_completion=False)
corpus_app = typer.Typer(help="语料", no_args_is_help=True)
index_app = typer.Typer(help="索引", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")
app.add_typer(index_app, name="index")
staff_app = typer.Typer(help="工作人员账号（/staff 控制台）", no_args_is_help=True)
app.add_typer(staff_app, name="staff")
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _fail(message: str) -> None:
    err.print(f"[red]{message}[/red]")
    raise typer.Exit(1)


@corpus_app.command("check")
def corpus_check() -> None:
    """校验 corpus/centre.yaml 与全部办事指南。"""
    from .corpus import load_corpus

    settings = get_settings()
    try:
        corpus = load_corpus(settings.corpus_dir)
        from .index import collect_law_chunks
        from .laws import check_basis

        problems = check_basis(corpus.guides, collect_law_chunks(settings, corpus))
        if problems:
            raise CorpusError(problems)
    except CorpusError as e:
        _fail(str(e))
    halls = {g.place.hall for g in corpus.guides}
    console.print(f"[green]语料校验通过[/green]：{len(corpus.guides)} 个事项，{len(halls)} 个大厅。")


@corpus_app.command("template")
def corpus_template(out: Path = typer.Option(Path("guides-template.xlsx"), "--out", help="写到哪个文件")) -> None:
    """生成 Excel 导入模板（事项、材料、常见问题三张表和填写说明，附一行示例）。"""
    import yaml

    from .importers import write_template

    settings = get_settings()
    example = settings.corpus_dir / "guides" / "marriage-registration.yaml"
    data = yaml.safe_load(example.read_text(encoding="utf-8")) if example.exists() else None
    console.print(f"[green]模板已写入[/green] {write_template(out, data)}")


@corpus_app.command("import")
def corpus_import(
    file: Path = typer.Argument(..., help="Excel 模板（.xlsx）或 Word 办事指南（.docx）"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只校验并报告，不写入"),
) -> None:
    """导入办事指南：全部校验通过才写入 corpus/guides/，有任何错误则不改动文件。"""
    from .importers import ImportFailed, import_file

    try:
        report = import_file(file, get_settings(), dry_run=dry_run)
    except (ImportFailed, CorpusError) as e:
        _fail(str(e))
    console.print(report.text())
    if report.written:
        console.print("请运行 `assistant index build --if-stale` 更新索引。")


@index_app.command("build")
def index_build(
    all_laws: bool = typer.Option(False, "--all-laws", help="收录 laws.db 中全部现行法律，而不只是默认清单"),
    law_dir: list[Path] = typer.Option([], "--law-dir", help="另收录一个 LawRefBook Markdown 法规目录（可多次）"),
    if_stale: bool = typer.Option(False, "--if-stale", help="索引已是最新时跳过"),
) -> None:
    """构建 index/：jieba + BM25、向量（FAISS）与清单。"""
    from .index import IndexError_, build_index, check_fresh

    overrides = {}
    if all_laws:
        overrides["all_laws"] = True
    if law_dir:
        overrides["law_dirs"] = list(law_dir)
    settings = get_settings(**overrides)
    if if_stale:
        try:
            check_fresh(settings)
            console.print("索引已是最新，跳过构建。")
            return
        except IndexError_ as e:
            console.print(str(e).split("。")[0])
    try:
        with Progress(console=err) as progress:
            m = build_index(settings, progress=progress, log=console.print)
    except (CorpusError, FileNotFoundError, ValueError) as e:
        _fail(str(e))
    c = m["counts"]
    console.print(f"[green]索引已写入[/green] {settings.index_dir}：{c['items']} 个事项，{c['chunks']} 个片段"
                  f"（法条 {c['law_chunks']}，{c['laws']} 部法规），本次向量化 {c['embedded_now']} 条，"
                  f"用时 {m['seconds']['total']} 秒。")


def _assistant():
    from .index import IndexError_, load_index
    from .pipeline import Assistant

    try:
        return Assistant(load_index(get_settings()))
    except IndexError_ as e:
        _fail(str(e))


@app.command()
def ask(question: str, as_json: bool = typer.Option(False, "--json", help="输出 /v1/chat 的 JSON"),
        debug: bool = typer.Option(False, "--debug", help="附带检索与路由轨迹")) -> None:
    """问一个问题（不保存会话）。"""
    a = _assistant()
    result = a.answer(question)
    resp = result.response.model_copy(update={"trace": result.trace if debug else None})
    if as_json:
        from .api import chat_body

        print(json.dumps(chat_body(resp), ensure_ascii=False, indent=2))
        return
    console.print(f"[bold]{resp.kind}[/bold]  {resp.answer}")
    for i in resp.items:
        console.print(f"  · {i.name}：{i.location.hall} {i.location.zone or ''} {'、'.join(i.location.windows)}")
    for c in resp.citations:
        console.print(f"  [{c.n}] {c.title} {c.section}")
    if debug:
        console.print_json(json.dumps(result.trace, ensure_ascii=False, default=str))


@app.command()
def serve(host: str = typer.Option(None, help="监听地址"), port: int = typer.Option(None, help="端口")) -> None:
    """启动 HTTP 服务（索引缺失或过期时拒绝启动并提示修复命令）。"""
    import uvicorn

    from .api import create_app
    from .index import IndexError_, load_index
    from .pipeline import Assistant

    settings = get_settings()
    try:
        from .llm import make_phraser

        assistant = Assistant(load_index(settings), phraser=make_phraser(settings))
    except IndexError_ as e:
        _fail(str(e))
    uvicorn.run(create_app(settings, assistant), host=host or settings.host, port=port or settings.port)


def _accounts():
    from .sessions import SessionStore
    from .staff import StaffStore

    settings = get_settings()
    return StaffStore(SessionStore(settings.database_url).engine, settings.staff_secret)


def _new_password(password: str | None) -> str:
    if password is not None:
        return password
    return typer.prompt("密码", hide_input=True, confirmation_prompt="再输入一次")


@staff_app.command("add")
def staff_add(username: str,
              role: str = typer.Option("guide", "--role", help="guide（导办员）或 admin（管理员）"),
              password: str = typer.Option(None, "--password", help="不给出时提示输入")) -> None:
    """新增工作人员账号（密码以 scrypt 散列保存）。"""
    from .staff import AccountError

    try:
        user = _accounts().add(username, _new_password(password), role)
    except AccountError as e:
        _fail(str(e))
    console.print(f"[green]已新增[/green] {user.username}（{user.role}）")


@staff_app.command("passwd")
def staff_passwd(username: str, password: str = typer.Option(None, "--password", help="不给出时提示输入")) -> None:
    """重置工作人员密码（同时使其已登录的会话失效）。"""
    from .staff import AccountError

    try:
        _accounts().update(username, password=_new_password(password))
    except AccountError as e:
        _fail(str(e))
    console.print(f"[green]已重置[/green] {username} 的密码")


@staff_app.command("disable")
def staff_disable(username: str) -> None:
    """停用工作人员账号。"""
    from .staff import AccountError

    try:
        _accounts().update(username, active=False)
    except AccountError as e:
        _fail(str(e))
    console.print(f"已停用 {username}")


@staff_app.command("list")
def staff_list() -> None:
    """列出工作人员账号。"""
    for u in _accounts().all():
        console.print(f"{u.username}\t{u.role}\t{'启用' if u.active else '停用'}")



@app.command("eval")
def eval_cmd(
    sets: list[str] = typer.Option(["guide", "policy", "out_of_scope", "dialog"], "--set", help="题集（可多次）"),
    baselines: bool = typer.Option(True, "--baselines/--no-baselines", help="同时运行基线"),
    limit: int = typer.Option(0, help="每个题集只跑前 N 题（0 为全部）"),
    eval_dir: Path = typer.Option(Path("eval"), help="题集目录"),
    out: Path = typer.Option(Path("eval/reports"), help="报告目录"),
) -> None:
    """在真实流水线上运行评测题集，打印表格并写出 JSON 报告。"""
    from rich.table import Table

    from .evaluate import Evaluator, load_set, refusal_summary

    a = _assistant()
    bl = []
    if baselines:
        from .baselines import make_baselines

        bl = make_baselines(a.index)
    ev = Evaluator(a, bl)
    results = {}
    for name in sets:
        path = eval_dir / f"{name}_dev.jsonl"
        if not path.exists():
            _fail(f"题集不存在：{path}")
        rows = load_set(path, limit or None)
        console.print(f"运行 {name}（{len(rows)} 题）……")
        results[name] = getattr(ev, name)(rows)
    if "out_of_scope" in results:
        results["refusal"] = refusal_summary(results)
    out.mkdir(parents=True, exist_ok=True)
    tag = "full" if not limit else f"first{limit}"
    report = out / f"eval-{tag}.json"
    report.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    for name, r in results.items():
        if name == "refusal":
            continue
        table = Table(title=f"{name}")
        keys = sorted({k for v in r["ours"].values() for k in v})
        table.add_column("system / split")
        for k in keys:
            table.add_column(k)
        for split, v in r["ours"].items():
            table.add_row(f"ours / {split}", *[str(v.get(k, "")) for k in keys])
        for bname, splits in r["baselines"].items():
            for split, v in splits.items():
                table.add_row(f"{bname} / {split}", *[str(v.get(k, "")) for k in keys])
        console.print(table)
        kt = Table(title=f"{name}: by kind")
        kt.add_column("kind")
        for k in keys:
            kt.add_column(k)
        for kind, v in sorted(r["kinds"].items()):
            kt.add_row(kind, *[str(v.get(k, "")) for k in keys])
        console.print(kt)
        console.print(f"失败 {len(r['failures'])} 题（详见 {report}）")
    if "refusal" in results:
        console.print(f"拒答 precision/recall：{results['refusal']}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
