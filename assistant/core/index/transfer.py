"""Carry a built index to another machine as one file: `assistant index export FILE` / `import FILE`.

A centre builds its index once (its own guides, `--all-laws`, a LawRefBook folder …) and installs it on
an offline service-hall machine without rebuilding there.  The file is a gzip'd tar of the index folder
with `EXPORT.json` first:

    {"format": 1, "fingerprint": "<manifest fingerprint>", "embedder": "...", "manifest_sha256": "...",
     "files": {"manifest.json": "<sha256>", "dense.faiss": "<sha256>", "bm25_chunks/params.index.json": ...}}

`manifest_sha256` is the sha256 of manifest.json (the index's own fingerprint, counts and versions),
and every other file is listed with its sha256.  Import unpacks into a temporary folder next to the
index, refuses the file when anything is missing, extra, outside the folder or differs from its
hash (a damaged download, a truncated copy, an edited file), and only then swaps the index in, so a
refused import leaves the current index as it was.
"""
from __future__ import annotations

import json
import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path

from assistant.core.index.build import IndexError_, _file_hash, check_fresh, read_manifest

FORMAT = 1
HEADER = "EXPORT.json"
file_sha256 = _file_hash  # sha256 hex digest of a file, read in 1 MB blocks


class TransferError(RuntimeError):
    """The export file cannot be written or imported; the message (Chinese) says why."""


def _index_files(index_dir: Path) -> list[str]:
    """Relative paths of every file of the index (the embedding cache included; no temp folders)."""
    return sorted(str(p.relative_to(index_dir)) for p in index_dir.rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(index_dir).parts))


def export_index(index_dir: Path, out: Path) -> dict:
    """Write `out` (.tar.gz) from `index_dir`; returns its EXPORT.json header."""
    manifest = read_manifest(index_dir)  # a missing or unreadable index cannot be exported
    files = _index_files(index_dir)
    header = {"format": FORMAT, "fingerprint": manifest.get("fingerprint"), "embedder": manifest.get("embedder"),
              "counts": manifest.get("counts"), "manifest_sha256": file_sha256(index_dir / "manifest.json"),
              "files": {name: file_sha256(index_dir / name) for name in files}}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with tempfile.TemporaryDirectory() as td:
        head = Path(td) / HEADER
        head.write_text(json.dumps(header, ensure_ascii=False, indent=1), encoding="utf-8")
        with tarfile.open(tmp, "w:gz") as tar:
            tar.add(head, arcname=HEADER)
            for name in files:
                tar.add(index_dir / name, arcname=f"index/{name}")
    tmp.replace(out)
    return header


def _unpack(src: Path, into: Path) -> dict:
    try:
        with tarfile.open(src, "r:*") as tar:
            members = tar.getmembers()  # reads the whole file: a truncated or damaged gzip fails here
            for m in members:
                parts = Path(m.name).parts
                if not (m.isfile() or m.isdir()) or m.name.startswith("/") or ".." in parts:
                    raise TransferError(f"{src.name} 含有不安全的条目（{m.name}），已拒绝导入")
            tar.extractall(into, members=members)
    except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error) as e:
        raise TransferError(f"无法读取索引文件 {src.name}：文件不完整或不是 `assistant index export` 导出的文件（{e}）") from None
    try:
        header = json.loads((into / HEADER).read_text(encoding="utf-8"))
        header["files"] = dict(header["files"])  # {relative path: sha256}
    except (OSError, ValueError, KeyError, TypeError):
        raise TransferError(f"{src.name} 缺少有效的 {HEADER}，不是 `assistant index export` 导出的文件") from None
    if header.get("format") != FORMAT:
        raise TransferError(f"{src.name} 的导出格式版本（{header.get('format')}）与本程序（{FORMAT}）不符")
    return header


def verify(header: dict, root: Path) -> None:
    """Every listed file present with its sha256, nothing else, manifest.json matching manifest_sha256."""
    files = header["files"]
    if files.get("manifest.json") != header.get("manifest_sha256") or "manifest.json" not in files:
        raise TransferError("导出文件的清单校验值不一致（manifest.json），文件可能被改动，已拒绝导入")
    present = set(_index_files(root)) if root.exists() else set()
    missing, extra = sorted(set(files) - present), sorted(present - set(files))
    if missing:
        raise TransferError(f"导出文件不完整，缺少：{'、'.join(missing[:5])}，已拒绝导入")
    if extra:
        raise TransferError(f"导出文件含有清单之外的文件：{'、'.join(extra[:5])}，已拒绝导入")
    bad = [name for name, digest in files.items() if file_sha256(root / name) != digest]
    if bad:
        raise TransferError(f"导出文件已损坏或被改动：{'、'.join(bad[:5])} 的 sha256 校验值不符，已拒绝导入")
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("fingerprint") != header.get("fingerprint"):
        raise TransferError("导出文件的指纹与其中的 manifest.json 不一致，已拒绝导入")


def import_index(src: Path, index_dir: Path) -> dict:
    """Verify `src` and install it as `index_dir` (replacing what is there); returns its header."""
    if not src.is_file():
        raise TransferError(f"找不到索引文件：{src}")
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".index-import-", dir=index_dir.parent))
    try:
        header = _unpack(src, work)
        verify(header, work / "index")
        index_dir.mkdir(parents=True, exist_ok=True)
        # replace only the index's files: index/.gitkeep and other dot files stay
        for name in _index_files(index_dir):
            (index_dir / name).unlink()
        for sub in sorted((p for p in index_dir.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True):
            shutil.rmtree(sub)
        for item in (work / "index").iterdir():
            shutil.move(str(item), index_dir / item.name)
        return header
    finally:
        shutil.rmtree(work, ignore_errors=True)


def freshness(settings) -> str | None:
    """None when the imported index matches this machine's corpus and settings, else why not."""
    try:
        check_fresh(settings)
    except IndexError_ as e:
        return str(e)
    return None
