"""Command line: `assistant index build | export | import | ship-embeddings`, `ask`, `serve`, `db upgrade`, `corpus check`,
`eval`, `staff …`.  Also `python -m assistant …`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress

from assistant.config import get_settings
from assistant.core.corpus.schema import CorpusError

app = typer.Typer(help="导办助手命令行", no_args_is_help=True, add_completion=False)
corpus_app = typer.Typer(help="语料", no_args_is_help=True)
index_app = typer.Typer(help="索引", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")
app.add_typer(index_app, name="index")
staff_app = typer.Typer(help="工作人员账号（/staff 控制台）", no_args_is_help=True)
app.add_typer(staff_app, name="staff")
from assistant.store.db_cli import check_before_serving, db_app  # noqa: E402
app.add_typer(db_app, name="db")
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _fail(message: str) -> None:
    err.print(f"[red]{message}[/red]")
    raise typer.Exit(1)


@corpus_app.command("check")
def corpus_check() -> None:
    """校验 corpus/centre.yaml、全部办事指南与 corpus/lexicon/ 词表。"""
    from assistant.core.corpus.lexicon import lexicon_dir, read_lexicon
    from assistant.core.corpus.load import load_corpus

    settings = get_settings()
    problems: list[tuple[str, str, str]] = []
    try:
        read_lexicon(lexicon_dir())
    except CorpusError as e:  # reported together with the guides' problems
        problems = e.problems
    try:
        corpus = load_corpus(settings.corpus_dir)
        from assistant.core.index.build import collect_law_chunks
        from assistant.core.corpus.laws import check_basis

        problems = check_basis(corpus.guides, collect_law_chunks(settings, corpus)) + problems
    except CorpusError as e:
        problems = e.problems + problems
    if problems:
        _fail(str(CorpusError(problems)))
    halls = {g.place.hall for g in corpus.guides}
    console.print(f"[green]语料校验通过[/green]：{len(corpus.guides)} 个事项，{len(halls)} 个大厅。")


@corpus_app.command("template")
def corpus_template(out: Path = typer.Option(Path("guides-template.xlsx"), "--out", help="写到哪个文件")) -> None:
    """生成 Excel 导入模板（事项、材料、常见问题三张表和填写说明，附一行示例）。"""
    import yaml

    from assistant.core.corpus.importers import write_template

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
    from assistant.core.corpus.importers import ImportFailed, import_file

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
    from assistant.core.index.build import IndexError_, build_index, check_fresh

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


@index_app.command("ship-embeddings")
def index_ship_embeddings(
    out: Path = typer.Option(None, "--out", help="输出目录（默认 assistant/data/embeddings/）"),
) -> None:
    """写出随附向量（默认语料的 float16 向量，按内容哈希与模型版本索引）：提交后新克隆无需重新向量化。"""
    from assistant.core.index.embed import SHIPPED_DIR
    from assistant.core.index.build import ship_embeddings

    try:
        with Progress(console=err) as progress:
            ship_embeddings(get_settings(), out or SHIPPED_DIR, progress=progress, log=console.print)
    except (CorpusError, FileNotFoundError, ValueError) as e:
        _fail(str(e))


@index_app.command("export")
def index_export(file: Path = typer.Argument(..., help="导出的文件，如 index-2026-12.tar.gz")) -> None:
    """把已构建的索引导出为一个文件（含每个文件的 sha256 与清单校验值），供离线机器 `assistant index import`。"""
    from assistant.core.index.build import IndexError_
    from assistant.core.index.transfer import TransferError, export_index, file_sha256

    settings = get_settings()
    try:
        header = export_index(settings.index_dir, file)
    except (IndexError_, TransferError, OSError) as e:
        _fail(str(e))
    c = header.get("counts") or {}
    console.print(f"[green]索引已导出[/green] {file}（{file.stat().st_size / 1e6:.1f} MB，{len(header['files'])} 个文件，"
                  f"{c.get('chunks')} 个片段，指纹 {header['fingerprint']}）")
    console.print(f"文件 sha256：{file_sha256(file)}（导入时可用 --sha256 核对）")


@index_app.command("import")
def index_import(
    file: Path = typer.Argument(..., help="`assistant index export` 导出的文件"),
    sha256: str = typer.Option(None, "--sha256", help="导出时显示的文件 sha256；给出时先核对整个文件"),
) -> None:
    """校验并导入一个导出的索引（替换 index/）；文件损坏或被改动时拒绝导入，原索引保持不变。"""
    from assistant.core.index.transfer import TransferError, file_sha256, freshness, import_index

    settings = get_settings()
    try:
        if sha256 and file.is_file() and file_sha256(file) != sha256.strip().lower():
            raise TransferError(f"{file.name} 的 sha256 与给出的不符：文件已损坏或不是导出的那一份，已拒绝导入")
        header = import_index(file, settings.index_dir)
    except TransferError as e:
        _fail(str(e))
    console.print(f"[green]索引已导入[/green] {settings.index_dir}（{len(header['files'])} 个文件校验通过，"
                  f"指纹 {header['fingerprint']}）")
    stale = freshness(settings)
    if stale:
        err.print(f"[yellow]注意：{stale.split('。')[0]}；本机语料、法规来源或向量模型与导出机器不同，"
                  f"`assistant serve` 会拒绝启动，直到两边一致。[/yellow]")


@index_app.command("milvus")
def index_milvus() -> None:
    """把当前索引的片段（向量与分词文本）写入 Milvus（ASSISTANT_MILVUS_URI），已是最新时跳过。"""
    from assistant.core.index.build import IndexError_, load_index
    from assistant.core.index.backends import _client, sync_collection

    settings = get_settings()
    try:
        index = load_index(settings)
        out = sync_collection(index, _client(settings), log_=console.print)
    except (IndexError_, RuntimeError) as e:
        _fail(str(e))
    state = "已写入" if out["created"] else "已是最新"
    console.print(f"[green]Milvus 集合{state}[/green] {out['collection']}：{out['rows']} 个片段，用时 {out['seconds']} 秒。")


def _assistant(**overrides):
    from assistant.core.index.build import IndexError_, load_index
    from assistant.core.assistant import Assistant

    try:
        return Assistant(load_index(get_settings(**overrides)))
    except (IndexError_, RuntimeError) as e:
        _fail(str(e))


@app.command()
def ask(question: str, as_json: bool = typer.Option(False, "--json", help="输出 /v1/chat 的 JSON"),
        debug: bool = typer.Option(False, "--debug", help="附带检索与路由轨迹")) -> None:
    """问一个问题（不保存会话）。"""
    a = _assistant()
    result = a.answer(question)
    from assistant.web.schemas import to_response
    resp = to_response(result).model_copy(update={"trace": result.trace if debug else None})
    if as_json:
        from assistant.web.app import chat_body

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
def serve(host: str = typer.Option(None, help="监听地址"), port: int = typer.Option(None, help="端口"),
          workers: int = typer.Option(1, "--workers", min=1, max=16, envvar="ASSISTANT_WORKERS",
                                      help="工作进程数（每个进程各载入一份索引；2 核机器建议 2）"),
          proxy_headers: bool = typer.Option(False, "--proxy-headers", envvar="ASSISTANT_PROXY_HEADERS",
                                             help="信任反向代理的 X-Forwarded-For/Proto（仅限 --forwarded-allow-ips）"),
          forwarded_allow_ips: str = typer.Option("127.0.0.1", "--forwarded-allow-ips",
                                                  envvar="ASSISTANT_FORWARDED_ALLOW_IPS",
                                                  help="可信代理地址，逗号分隔（容器网络可用网段，如 172.16.0.0/12）"),
          log_level: str = typer.Option("info", "--log-level", envvar="ASSISTANT_LOG_LEVEL", help="日志级别"),
          json_logs: bool = typer.Option(True, "--json-logs/--plain-logs", help="每行一个 JSON 对象（默认）")) -> None:
    """启动 HTTP 服务（索引缺失或过期时拒绝启动并提示修复命令）。"""
    import uvicorn

    from assistant.web.observability import logging_config
    from assistant.web.serving import remove_metrics_dir, run_options

    settings = get_settings()
    if problem := check_before_serving(settings.database_url):  # a database behind the code: name the command
        _fail(problem)
    options = run_options(settings, workers=workers, proxy_headers=proxy_headers,
                          forwarded_allow_ips=forwarded_allow_ips, on_error=_fail)
    try:
        uvicorn.run(**options, host=host or settings.host, port=port or settings.port, access_log=False,
                    log_config=logging_config(log_level.upper(), json_logs), log_level=log_level.lower())
    finally:
        remove_metrics_dir()


def _accounts():
    from assistant.store.conversations import SessionStore
    from assistant.store.accounts import StaffStore

    settings = get_settings()
    try:
        return StaffStore(SessionStore(settings.database_url).engine, settings.staff_secret)
    except RuntimeError as e:  # a database behind the code: the message names `assistant db upgrade`
        _fail(str(e))


def _new_password(password: str | None) -> str:
    if password is not None:
        return password
    return typer.prompt("密码", hide_input=True, confirmation_prompt="再输入一次")


@staff_app.command("add")
def staff_add(username: str,
              role: str = typer.Option("guide", "--role", help="guide（导办员）或 admin（管理员）"),
              password: str = typer.Option(None, "--password", help="不给出时提示输入")) -> None:
    """新增工作人员账号（密码以 Argon2id 散列保存）。"""
    from assistant.store.accounts import AccountError

    try:
        user = _accounts().add(username, _new_password(password), role)
    except AccountError as e:
        _fail(str(e))
    console.print(f"[green]已新增[/green] {user.username}（{user.role}）")


@staff_app.command("passwd")
def staff_passwd(username: str, password: str = typer.Option(None, "--password", help="不给出时提示输入")) -> None:
    """重置工作人员密码（同时使其已登录的会话失效）。"""
    from assistant.store.accounts import AccountError

    try:
        _accounts().update(username, password=_new_password(password))
    except AccountError as e:
        _fail(str(e))
    console.print(f"[green]已重置[/green] {username} 的密码")


@staff_app.command("disable")
def staff_disable(username: str) -> None:
    """停用工作人员账号。"""
    from assistant.store.accounts import AccountError

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
    sets: list[str] = typer.Option(["guide", "policy", "out_of_scope", "dialog", "fact", "scope", "followup"],
                                   "--set", help="题集（可多次）"),
    baselines: bool = typer.Option(True, "--baselines/--no-baselines", help="同时运行基线"),
    limit: int = typer.Option(0, help="每个题集只跑前 N 题（0 为全部）"),
    eval_dir: Path = typer.Option(Path("eval"), help="题集目录"),
    out: Path = typer.Option(Path("eval/reports"), help="报告目录"),
    backend: str = typer.Option(None, "--backend", help="检索后端 local 或 milvus（默认取 ASSISTANT_SEARCH_BACKEND）"),
    report_name: str = typer.Option("", "--report", help="报告文件名（不含 .json），默认 eval-full / eval-firstN"),
) -> None:
    """在真实流水线上运行评测题集，打印表格并写出 JSON 报告。"""
    from assistant.evaluation.harness import Evaluator, refusal_summary, set_rows
    from assistant.evaluation.tables import print_results

    if backend not in (None, "local", "milvus"):
        _fail(f"未知的检索后端：{backend}（可选 local、milvus）")
    a = _assistant(**({"search_backend": backend} if backend else {}))
    bl = []
    if baselines:
        from assistant.evaluation.baselines import make_baselines

        bl = make_baselines(a.index)
    ev = Evaluator(a, bl)
    results = {}
    for name in sets:
        try:
            rows, method = set_rows(eval_dir, name, limit or None)
        except ValueError as e:
            _fail(str(e))
        except FileNotFoundError as e:
            _fail(f"题集不存在：{e}")
        console.print(f"运行 {name}（{len(rows)} 题）……")
        results[name] = getattr(ev, method)(rows)
    if "out_of_scope" in results:
        results["refusal"] = refusal_summary(results)
    out.mkdir(parents=True, exist_ok=True)
    tag = "full" if not limit else f"first{limit}"
    report = out / f"{report_name or f'eval-{tag}'}.json"
    report.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print_results(console, results, report)


def main() -> None:
    """Entry point of `assistant`, `python -m assistant` and `python -m assistant.cli`.  It lives at the
    end of the module so that every command above is registered before the app runs."""
    try:
        sys.exit(app())
    except CorpusError as e:  # e.g. a broken corpus/lexicon/*.yaml met while loading the assistant
        err.print(f"[red]语料有误，请先运行 `assistant corpus check` 查看并修正：\n{e}[/red]")
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover - only after every @app.command above
    main()
