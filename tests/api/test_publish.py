"""Staff edit and publish without a restart, through the staff API on a copy of the corpus and
index: validation by field, preview, publish (the next answer shows the edit), versions, diff, rollback,
and upload of a Word guide with preview → publish."""
from __future__ import annotations

import shutil
from datetime import datetime

import docx
import pytest
from fastapi.testclient import TestClient

from assistant.web.app import create_app
from assistant.config import get_settings
from assistant.core.index.build import load_index
from assistant.core.assistant import Assistant
from assistant.store.conversations import SessionStore

PASSWORD = "s3cret-pass"
CLOCK_START = datetime(2026, 3, 4, 2, 0)


@pytest.fixture(scope="module")
def copied(index, tmp_path_factory):
    """A corpus and index of our own: publishing writes files and rebuilds the index."""
    tmp = tmp_path_factory.mktemp("publish")
    shutil.copytree(index.settings.corpus_dir, tmp / "corpus")
    shutil.copytree(index.settings.index_dir, tmp / "index", ignore=shutil.ignore_patterns(".building"))
    s = get_settings(corpus_dir=tmp / "corpus", index_dir=tmp / "index")
    return s, Assistant(load_index(s, embedder=index.embedder))


@pytest.fixture()
def client(copied, tmp_path):
    s, a = copied
    app = create_app(s, a, SessionStore(f"sqlite:///{tmp_path / 'p.db'}"))
    app.state.staff.add("admin1", PASSWORD, "admin")
    app.state.staff.add("guide1", PASSWORD, "guide")
    with TestClient(app) as c:
        assert c.post("/staff/login", json={"username": "admin1", "password": PASSWORD}).status_code == 200
        c.app_ref = app
        yield c


def _windows(c: TestClient) -> str:
    r = c.post("/v1/chat", json={"message": "结婚登记在哪个窗口办"}).json()
    return "、".join(r["items"][0]["location"]["windows"]) + " | " + r["answer"]


def test_publish_shows_at_once_keeps_versions_and_rolls_back(client):
    data = client.get("/staff/api/kb/guides/marriage-registration").json()["data"]
    old = data["办理地点"]["窗口"]
    assert "A97" not in _windows(client)
    data["办理地点"]["窗口"] = ["A97"]
    preview = client.post("/staff/api/kb/guides/marriage-registration/preview",
                          json={"data": data, "questions": ["结婚登记在哪个窗口办"]}).json()
    assert "A97" in preview["answers"][0]["answer"] and "A97" not in _windows(client)  # preview is not live
    r = client.post("/staff/api/kb/guides/marriage-registration/publish", json={"data": data, "note": "窗口调整"})
    assert r.status_code == 200, r.text
    pub = r.json()
    assert pub["by"] == "admin1" and pub["embedded_now"] >= 1
    assert "A97" in _windows(client)  # same app, no restart
    versions = client.get("/staff/api/kb/guides/marriage-registration").json()["versions"]
    assert [v["action"] for v in versions] == ["publish", "original"] and versions[0]["note"] == "窗口调整"
    diff = client.get(f"/staff/api/kb/guides/marriage-registration/diff?version={versions[1]['id']}").json()["diff"]
    assert "+  - A97" in diff or "+  窗口:\n+  - A97" in diff or ("A97" in diff and "+" in diff)
    r = client.post("/staff/api/kb/guides/marriage-registration/rollback", json={"version_id": versions[1]["id"]})
    assert r.status_code == 200, r.text
    now = _windows(client)
    assert "A97" not in now and old[0] in now
    assert [v["action"] for v in client.get("/staff/api/kb/guides/marriage-registration").json()["versions"]][0] == "rollback"


def test_an_invalid_edit_names_the_field_and_changes_nothing(client, copied):
    s, _ = copied
    before = (s.corpus_dir / "guides" / "marriage-registration.yaml").read_bytes()
    data = client.get("/staff/api/kb/guides/marriage-registration").json()["data"]
    data["办理地点"]["大厅"] = "火星大厅"
    data["申请材料"][0]["必要性"] = "随便"
    r = client.post("/staff/api/kb/guides/marriage-registration/publish", json={"data": data})
    assert r.status_code == 422
    msg = r.json()["error"]["message"]
    assert "申请材料.0.必要性" in msg
    data["申请材料"][0]["必要性"] = "必要"
    msg = client.post("/staff/api/kb/guides/marriage-registration/publish", json={"data": data}).json()["error"]["message"]
    assert "办理地点.大厅" in msg and "火星大厅" in msg
    assert (s.corpus_dir / "guides" / "marriage-registration.yaml").read_bytes() == before
    assert client.post("/staff/api/kb/guides/no-such-item/publish", json={"data": data}).status_code == 404


def test_only_admins_publish(client):
    c = TestClient(client.app_ref)
    c.__enter__()
    assert c.post("/staff/login", json={"username": "guide1", "password": PASSWORD}).status_code == 200
    data = c.get("/staff/api/kb/guides/marriage-registration").json()["data"]
    assert c.post("/staff/api/kb/guides/marriage-registration/publish", json={"data": data}).status_code == 403


def test_upload_of_a_word_guide_previews_then_publishes(client, tmp_path):
    d = docx.Document()
    t = d.add_table(rows=0, cols=2)
    for k, v in [("事项名称", "养犬登记证核发"), ("事项编码", "TEST-WORD-9"), ("实施主体", "宿迁市公安局宿城分局"),
                 ("服务对象", "个人"), ("别名", "狗证、养狗登记、办狗证"), ("办理地点", "综合政务大厅 公共服务和综合办件专区 A36窗口"),
                 ("办理时间", "工作日"), ("受理条件", "犬只已接种狂犬病疫苗"), ("申请材料", "居民身份证（必要，1份，原件）"),
                 ("办理流程", "申请\n发证"), ("办理时限", "法定：20个工作日；承诺：5个工作日；到现场1次"), ("收费标准", "不收费"),
                 ("网上办理", "仅限现场办理：到窗口办理"), ("设定依据", "《婚姻登记条例》第五条"), ("咨询电话", "0527-80000000（示例）"),
                 ("常见问题", "问：狗证可以代办吗\n答：可以，带授权委托书。"), ("示例数据", "是")]:
        cells = t.add_row().cells
        cells[0].text, cells[1].text = k, v
    d.save(tmp_path / "dog.docx")
    files = {"file": ("dog.docx", (tmp_path / "dog.docx").read_bytes())}
    r = client.post("/staff/api/kb/upload", files=files)
    assert r.status_code == 200 and r.json()["report"]["imported"] and not r.json()["report"]["written"]
    assert client.post("/v1/chat", json={"message": "办狗证去哪个窗口"}).json()["items"][0]["name"] != "养犬登记证核发"
    r = client.post("/staff/api/kb/upload?publish=true", files=files)
    assert r.status_code == 200 and r.json()["report"]["written"]
    chat = client.post("/v1/chat", json={"message": "办狗证去哪个窗口"}).json()
    assert chat["items"][0]["name"] == "养犬登记证核发" and "A36" in chat["answer"]
    bad = client.post("/staff/api/kb/upload", files={"file": ("x.docx", b"not a word file")})
    assert bad.status_code == 422 and "不是可读取的 Word 文档" in bad.json()["report"]["problems"][0]["message"]
