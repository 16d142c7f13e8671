"""`assistant index export FILE` / `import FILE`: a built index carried to an offline machine as one file,
checked file by file against the sha256 list it carries; a damaged or altered file is refused in Chinese
and the index already there stays as it was."""
from __future__ import annotations

import gzip
import io
import json
import shutil
import tarfile

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.core.index.build import build_index, load_index
from small_corpus import small_settings


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    settings = small_settings(tmp_path_factory.mktemp("src"))
    build_index(settings, log=lambda *_: None)
    return settings


def env_of(settings, index_dir=None) -> dict:
    return {"ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
            "ASSISTANT_INDEX_DIR": str(index_dir or settings.index_dir),
            "ASSISTANT_LAWS": json.dumps(settings.laws, ensure_ascii=False),
            "ASSISTANT_REGULATION_DIRS": json.dumps([str(d) for d in settings.regulation_dirs]),
            "ASSISTANT_CITED_LAWS": json.dumps(settings.cited_laws)}


def cli(args, env):
    return CliRunner().invoke(app, args, env=env)


@pytest.fixture()
def exported(built, tmp_path):
    out = tmp_path / "idx.tar.gz"
    r = cli(["index", "export", str(out)], env_of(built))
    assert r.exit_code == 0, r.output
    assert "索引已导出" in r.output and "sha256" in r.output
    return out


def test_export_then_import_gives_the_same_working_index(built, exported, tmp_path):
    target = tmp_path / "offline-index"
    sha = [line for line in cli(["index", "export", str(tmp_path / "again.tar.gz")], env_of(built)).output.splitlines()
           if "sha256" in line][0].split("：")[1].split("（")[0]
    r = cli(["index", "import", str(tmp_path / "again.tar.gz"), "--sha256", sha], env_of(built, target))
    assert r.exit_code == 0, r.output
    assert "校验通过" in r.output and "注意" not in r.output  # same corpus here: the index is fresh
    idx = load_index(built.model_copy(update={"index_dir": target}))
    assert idx.manifest == json.loads((built.index_dir / "manifest.json").read_text(encoding="utf-8"))
    assert {g.name for g in idx.corpus.guides} == {"结婚登记", "离婚登记"}


def rewrite(src, dst, change):
    """Copy the tar.gz `src` to `dst`, passing each (name, bytes) through `change` (None drops it)."""
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dst, "w:gz") as tout:
        for m in tin.getmembers():
            data = tin.extractfile(m).read() if m.isfile() else None
            new = change(m.name, data) if m.isfile() else data
            if m.isfile() and new is None:
                continue
            if m.isfile():
                m.size = len(new)
                tout.addfile(m, io.BytesIO(new))
            else:
                tout.addfile(m)


def refused(built, tmp_path, file, *, extra=()):
    """Import `file` over an existing index; it must be refused and the existing index unchanged."""
    target = tmp_path / "existing"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(built.index_dir, target)
    before = (target / "manifest.json").read_bytes()
    r = cli(["index", "import", str(file), *extra], env_of(built, target))
    assert r.exit_code == 1
    assert (target / "manifest.json").read_bytes() == before
    load_index(built.model_copy(update={"index_dir": target}))
    assert not list(tmp_path.glob(".index-import-*"))  # no half-unpacked folder left behind
    return r.output


def test_an_altered_file_inside_is_refused(built, exported, tmp_path):
    bad = tmp_path / "altered.tar.gz"
    rewrite(exported, bad, lambda name, data: data.replace("结婚".encode(), "离婚".encode())
            if name.endswith("chunks.jsonl") else data)
    out = refused(built, tmp_path, bad)
    assert "已损坏或被改动" in out and "chunks.jsonl" in out


def add_member(src, dst, name: str, data: bytes) -> None:
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dst, "w:gz") as tout:
        for m in tin.getmembers():
            tout.addfile(m, tin.extractfile(m) if m.isfile() else None)
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tout.addfile(info, io.BytesIO(data))


def test_a_missing_extra_or_edited_file_is_refused(built, exported, tmp_path):
    short = tmp_path / "short.tar.gz"
    rewrite(exported, short, lambda name, data: None if name.endswith("dense.faiss") else data)
    assert "缺少：dense.faiss" in refused(built, tmp_path, short)
    extra = tmp_path / "extra.tar.gz"
    add_member(exported, extra, "index/extra.py", b"print('x')")
    assert "清单之外的文件：extra.py" in refused(built, tmp_path, extra)
    # an edited manifest.json does not match the export's own checksum of it
    edited = tmp_path / "edited.tar.gz"
    rewrite(exported, edited, lambda name, data: data.replace(b'"format"', b'"format" ', 1)
            if name.endswith("manifest.json") else data)
    out = refused(built, tmp_path, edited)
    assert "manifest.json" in out and "被改动" in out


def test_a_truncated_or_foreign_file_is_refused_in_chinese(built, exported, tmp_path):
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(exported.read_bytes()[: exported.stat().st_size // 2])
    assert "无法读取索引文件" in refused(built, tmp_path, cut)
    foreign = tmp_path / "notes.tar.gz"
    with tarfile.open(foreign, "w:gz") as t:
        info = tarfile.TarInfo("notes.txt")
        info.size = 2
        t.addfile(info, io.BytesIO(b"hi"))
    assert "不是 `assistant index export` 导出的文件" in refused(built, tmp_path, foreign)
    plain = tmp_path / "plain.gz"
    plain.write_bytes(gzip.compress(b"not a tar"))
    assert "无法读取索引文件" in refused(built, tmp_path, plain)


def test_a_path_outside_the_index_is_refused(built, exported, tmp_path):
    evil = tmp_path / "evil.tar.gz"
    add_member(exported, evil, "../../escaped.txt", b"x")
    assert "不安全" in refused(built, tmp_path, evil)
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_a_wrong_whole_file_checksum_is_refused(built, exported, tmp_path):
    assert "sha256 与给出的不符" in refused(built, tmp_path, exported, extra=["--sha256", "0" * 64])


def test_export_without_an_index_says_so(built, tmp_path):
    r = cli(["index", "export", str(tmp_path / "x.tar.gz")], env_of(built, tmp_path / "none"))
    assert r.exit_code == 1 and "索引不存在" in r.output
