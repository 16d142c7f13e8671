"""Corpus format, version 1: the centre map (`corpus/centre.yaml`) and one
service guide (办事指南) per file (`corpus/guides/*.yaml`).

YAML keys are the Chinese field names of a national 办事指南 so that guide
staff can read and edit them; Python attributes are English.  Loading
validates every file and raises :class:`CorpusError` naming the file and the
field, never a bare stack trace.
"""
from __future__ import annotations

import copy
import functools
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

FORMAT_VERSION = 1

ARTICLE_RE = re.compile(r"^第[一二三四五六七八九十百千零〇两]+条(之[一二三四五六七八九十]+)?$")


class CorpusError(ValueError):
    """A corpus file is missing, unreadable or invalid.  `problems` lists (file, field, message)."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        self.problems = problems
        lines = [f"{f}: 字段「{field}」{msg}" if field else f"{f}: {msg}" for f, field, msg in problems]
        super().__init__("语料校验失败：\n" + "\n".join(lines))


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid", frozen=True, str_strip_whitespace=True)


# --------------------------------------------------------------------------- centre


class Zone(_Model):
    name: str = Field(alias="名称", min_length=2)
    windows: list[str] = Field(alias="窗口", min_length=1)
    description: str = Field("", alias="说明")


class Hall(_Model):
    name: str = Field(alias="名称", min_length=2)
    floor: str = Field(alias="楼层")
    windows: list[str] = Field(default_factory=list, alias="窗口")
    zones: list[Zone] = Field(default_factory=list, alias="专区")
    description: str = Field("", alias="说明")

    def zone(self, name: str) -> Zone | None:
        return next((z for z in self.zones if z.name == name), None)


class OnlineChannel(_Model):
    name: str = Field(alias="名称")
    kind: str = Field(alias="类型")  # app / 网站 / 小程序
    url: str | None = Field(None, alias="网址")
    description: str = Field("", alias="说明")


class SpecialPoint(_Model):
    """A desk or window with a special role (导办台, 办不成事反映窗口, 外资登记专窗, 24小时自助区)."""

    name: str = Field(alias="名称")
    location: str = Field(alias="位置")
    hours: str = Field(alias="时间")
    description: str = Field("", alias="说明")


SPAN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class OpeningHours(_Model):
    """办公时间 as spans the code can check ("08:30-12:00"), for the hand-off (see `handoff.py`).
    Public holidays and adjusted working days come from the State Council calendar."""

    workdays: list[str] = Field(alias="工作日", min_length=1)
    saturday: list[str] = Field(default_factory=list, alias="周六")
    summer_workdays: list[str] = Field(default_factory=list, alias="夏令时工作日")
    summer: str | None = Field(None, alias="夏令时期间", pattern=r"^\d\d-\d\d至\d\d-\d\d$")  # "05-01至09-30"

    @field_validator("workdays", "saturday", "summer_workdays")
    @classmethod
    def _spans(cls, v: list[str]) -> list[str]:
        bad = [s for s in v if not SPAN.match(s) or s[:5] >= s[6:]]
        if bad:
            raise ValueError(f"时段应写成 08:30-12:00（开始早于结束）：{bad}")
        return v


class Theme(_Model):
    """Colours of the chat page and the embeddable widget (`#rrggbb`)."""

    main: str = Field("#1557a0", alias="主色", pattern=COLOUR.pattern)
    dark: str = Field("#0e3f77", alias="深色", pattern=COLOUR.pattern)
class DepartmentPlace(_Model):
    """Where the centre handles a department's items (for catalogue-only items without a guide):
    a department whose name contains one of 关键词 (区人社局 ∋ 人社) is served in 大厅/专区."""

    name: str = Field(alias="名称")
    keywords: list[str] = Field(alias="关键词", min_length=1)
    hall: str = Field(alias="大厅")
    zone: str | None = Field(None, alias="专区")


class Centre(_Model):
    name: str = Field(alias="名称")
    short_name: str = Field(alias="简称")
    address: str = Field(alias="地址")
    hours: str = Field(alias="办公时间")
    phone: str = Field(alias="咨询电话")
    hotline: str = Field(alias="服务热线")
    halls: list[Hall] = Field(alias="大厅", min_length=1)
    points: list[SpecialPoint] = Field(default_factory=list, alias="特色窗口")
    online: list[OnlineChannel] = Field(alias="网上渠道", min_length=1)
    sample: bool = Field(alias="sample")
    notice: str = Field("", alias="声明")
    opening: OpeningHours | None = Field(None, alias="开放时段")
    theme: Theme = Field(default_factory=Theme, alias="配色")
    departments: list[DepartmentPlace] = Field(default_factory=list, alias="部门")

    @model_validator(mode="after")
    def _department_places_exist(self) -> "Centre":
        for i, d in enumerate(self.departments):
            hall = self.hall(d.hall)
            if hall is None:
                raise ValueError(f"部门.{i}（{d.name}）的大厅「{d.hall}」不在「大厅」中")
            if d.zone and hall.zone(d.zone) is None:
                raise ValueError(f"部门.{i}（{d.name}）的专区「{d.zone}」不是{hall.name}的专区")
        return self

    def hall(self, name: str) -> Hall | None:
        return next((h for h in self.halls if h.name == name), None)

    def point(self, keyword: str) -> SpecialPoint | None:
        return next((p for p in self.points if keyword in p.name), None)


# --------------------------------------------------------------------------- guide


class Place(_Model):
    hall: str = Field(alias="大厅")
    zone: str | None = Field(None, alias="专区")
    windows: list[str] = Field(alias="窗口", min_length=1)


class Material(_Model):
    name: str = Field(alias="名称", min_length=2)
    necessity: Literal["必要", "非必要", "情形必要"] = Field(alias="必要性")
    copies: str = Field(alias="份数")
    form: str = Field(alias="形式")
    waivable: bool = Field(False, alias="容缺")
    situation: str | None = Field(None, alias="情形")  # e.g. 代办, 企业, 外地户籍
    note: str = Field("", alias="备注")


class Fee(_Model):
    charged: bool = Field(alias="是否收费")
    standard: str = Field(alias="标准")
    basis: str = Field("", alias="依据")


class Online(_Model):
    depth: Literal["全程网办", "网上申报、现场核验", "网上预约", "仅限现场办理"] = Field(alias="深度")
    route: str = Field(alias="途径")
    url: str | None = Field(None, alias="网址")


class LegalBasis(_Model):
    law: str = Field(alias="法规", min_length=2)
    articles: list[str] = Field(default_factory=list, alias="条款")
    note: str = Field("", alias="说明")

    @field_validator("articles")
    @classmethod
    def _articles_are_numbered(cls, v: list[str]) -> list[str]:
        for a in v:
            if not ARTICLE_RE.match(a):
                raise ValueError(f"条款应写作「第X条」（中文数字），而不是「{a}」")
        return v


class QA(_Model):
    question: str = Field(alias="问", min_length=4)
    answer: str = Field(alias="答", min_length=4)


class Situation(_Model):
    """A fact that changes the route or the materials (本人/代办, 个人/企业, 本地/外地户籍)."""

    name: str = Field(alias="名称")
    description: str = Field(alias="说明")


class Bundle(_Model):
    """一件事一次办: the member items and what is saved."""

    members: list[str] = Field(alias="包含事项", min_length=2)
    saving: str = Field(alias="减少内容")


class Guide(_Model):
    id: str = ""  # the file stem, filled by the loader
    name: str = Field(alias="事项名称", min_length=2)
    code: str = Field(alias="事项编码", min_length=4)
    department: str = Field(alias="实施主体", min_length=2)
    audience: list[Literal["个人", "法人"]] = Field(alias="服务对象", min_length=1)
    aliases: list[str] = Field(alias="别名", min_length=1)
    place: Place = Field(alias="办理地点")
    hours: str = Field(alias="办理时间")
    conditions: list[str] = Field(alias="受理条件", min_length=1)
    materials: list[Material] = Field(alias="申请材料", min_length=1)
    steps: list[str] = Field(alias="办理流程", min_length=1)
    legal_limit: str = Field(alias="法定办结时限")
    promised_limit: str = Field(alias="承诺办结时限")
    visits: int = Field(alias="到现场次数", ge=0, le=5)
    fee: Fee = Field(alias="收费")
    online: Online = Field(alias="网上办理")
    basis: list[LegalBasis] = Field(alias="设定依据", min_length=1)
    phone: str = Field(alias="咨询电话")
    faq: list[QA] = Field(alias="常见问题", min_length=1)
    situations: list[Situation] = Field(default_factory=list, alias="情形")
    bundle: Bundle | None = Field(None, alias="一件事")
    updates: list[str] = Field(default_factory=list, alias="政策变化")
    sample: bool = Field(alias="sample")

    @model_validator(mode="after")
    def _aliases_unique(self) -> "Guide":
        if len(set(self.aliases)) != len(self.aliases):
            raise ValueError("别名有重复")
        return self


# --------------------------------------------------------------------------- loading


def _field_path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "（整个文件）"


# libyaml's parser when PyYAML has it (the wheels do): the same data as yaml.safe_load, about 9× faster
# (0.05 s instead of 0.47 s for the 69 sample guides: paid by every server start and index load)
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=2048)
def _parse_yaml(text: str) -> object:
    """Parsed once per text: publishing one guide re-reads the 68 unchanged ones (a deep copy of the
    parsed data, 5 ms)."""
    return yaml.load(text, Loader=YAML_LOADER)


def _read_yaml(path: Path) -> object:
    try:
        return copy.deepcopy(_parse_yaml(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError) as e:
        raise CorpusError([(str(path), "", f"无法读取：{e}")]) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark else ""
        raise CorpusError([(str(path), "", f"YAML 格式错误{where}：{getattr(e, 'problem', e)}")]) from None


def _validate(model: type[BaseModel], path: Path, data: object):
    if not isinstance(data, dict):
        raise CorpusError([(str(path), "", "文件内容应为键值映射（YAML 字典）")])
    try:
        return model.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            kind = err["type"]
            msg = {
                "missing": "缺失",
                "extra_forbidden": "不是已知字段（拼写错误？）",
            }.get(kind, f"不合法：{err['msg']}")
            problems.append((str(path), _field_path(err["loc"]), msg))
        raise CorpusError(problems) from None


def load_centre(path: Path) -> Centre:
    if not path.exists():
        raise CorpusError([(str(path), "", "文件不存在")])
    return _validate(Centre, path, _read_yaml(path))


def load_guide(path: Path) -> Guide:
    guide = _validate(Guide, path, _read_yaml(path))
    return guide.model_copy(update={"id": path.stem})


def load_guides(folder: Path, centre: Centre | None = None) -> list[Guide]:
    """Load every `*.yaml` in `folder`; collect all problems before failing."""
    if not folder.is_dir():
        raise CorpusError([(str(folder), "", "办事指南目录不存在")])
    guides: list[Guide] = []
    problems: list[tuple[str, str, str]] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            guides.append(load_guide(path))
        except CorpusError as e:
            problems.extend(e.problems)
    if not guides and not problems:
        problems.append((str(folder), "", "目录中没有任何 .yaml 办事指南"))
    problems.extend(_cross_check(guides, centre, folder))
    if problems:
        raise CorpusError(problems)
    return guides


def _cross_check(guides: list[Guide], centre: Centre | None, folder: Path) -> list[tuple[str, str, str]]:
    problems = []
    seen_names: dict[str, str] = {}
    seen_codes: dict[str, str] = {}
    for g in guides:
        f = str(folder / f"{g.id}.yaml")
        if g.name in seen_names:
            problems.append((f, "事项名称", f"与 {seen_names[g.name]} 重复"))
        seen_names[g.name] = g.id
        if g.code in seen_codes:
            problems.append((f, "事项编码", f"与 {seen_codes[g.code]} 重复"))
        seen_codes[g.code] = g.id
        if centre is None:
            continue
        hall = centre.hall(g.place.hall)
        if hall is None:
            problems.append((f, "办理地点.大厅", f"「{g.place.hall}」不在 centre.yaml 的大厅中"))
        elif g.place.zone and hall.zone(g.place.zone) is None:
            problems.append((f, "办理地点.专区", f"「{g.place.zone}」不是{hall.name}的专区"))
    return problems
