"""The measuring sticks of whether an answer answers (fact in the first paragraph, yes/no lead,
governing source cited) and the dev data they are applied to: numbers written either way must match, the first
paragraph must stop at the first blank line, and every expected fact of eval/fact_dev.jsonl and
eval/followup_dev.jsonl must really stand in the article or guide field it names."""
from __future__ import annotations

import json

import pytest

from assistant.evaluation.metrics import (
    chunk_matches, cn_to_int, first_paragraph, has_fact, lead_polarity, length_stats, norm,
)
from assistant.config import ROOT
from assistant.core.corpus.chunks import Chunk
from assistant.evaluation.harness import Tally


@pytest.mark.parametrize("run, value", [("二十", 20), ("十五", 15), ("一千零四十七", 1047), ("一百八十三", 183),
                                        ("两", 2), ("二〇二五", 2025), ("五百", 500)])
def test_chinese_numerals_read_as_numbers(run, value):
    assert cn_to_int(run) == value


@pytest.mark.parametrize("answer, expected", [
    ("女方不得早于20周岁[1]。", "二十周岁"),
    ("女不早于二十周岁。", "20周岁"),
    ("女不早于２０周岁。", "二十周岁"),
    ("不得低于约定工资的80%", "百分之八十"),
    ("不得低于约定工资的百分之八十", "80％"),
    ("年收入不超过十二万元的", "12万元"),
    ("需要 两个 以上见证人", "2个以上见证人"),
    ("依据第1047条", "第一千零四十七条"),
])
def test_a_fact_matches_whichever_way_its_number_is_written(answer, expected):
    assert has_fact(answer, [expected])


def test_a_different_number_is_not_the_fact():
    assert not has_fact("男不得早于二十二周岁", ["二十周岁"])
    assert norm("男不得早于二十二周岁") == "男不得早于22周岁"
    assert not has_fact("试用期不得超过一个月", ["二个月", "两个月"])
    assert not has_fact("每本120元", ["60元"])
    assert not has_fact("", ["二十周岁"]) and not has_fact("二十周岁", [""])


def test_first_paragraph_is_the_text_before_the_first_blank_line():
    answer = "不能。结婚登记必须双方亲自到场[1]。\n\n【结婚登记】综合政务大厅 A33-A34\n材料：身份证"
    assert first_paragraph(answer) == "不能。结婚登记必须双方亲自到场[1]。"
    assert first_paragraph("第一行\n第二行，同一段\n \n下一段") == "第一行\n第二行，同一段"
    assert first_paragraph("\n\n  开头有空行\n\n正文") == "开头有空行"
    assert first_paragraph("只有一段") == "只有一段"
    assert first_paragraph("") == ""


@pytest.mark.parametrize("paragraph, polarity", [
    ("不能。结婚登记必须双方本人到场[1]。", "否"),
    ("【结婚登记】不需要预约，可直接到窗口办理。", "否"),
    ("不收费[2]。", "否"),
    ("免费。", "否"),
    ("无需办理：年收入不超过12万元。", "否"),
    ("可以，全程网办[1]。", "是"),
    ("您可以委托代理人提出申请[3]。", "是"),
    ("需要本人到场采集指纹。", "是"),
    ("是的，满十年可以要求。", "是"),
    ("一般不能，需夫妻双方到场。", "否"),
    ("结婚登记在A33-A34窗口办理。", None),
    ("根据现行法律法规的规定：\n《民法典》第一千零七十七条：…", None),
    ("您要办理的事项是「结婚登记」，由民政局实施。", None),
    ("不动产登记费按件收取。", None),
    ("行政机关实施行政许可不得收费。", None),
    ("有下列情形之一的，不予签发。", None),
    ("", None),
])
def test_yes_no_lead_is_read_from_the_start_of_the_first_clause(paragraph, polarity):
    assert lead_polarity(paragraph) == polarity


def test_a_yes_no_word_inside_the_sentence_is_not_a_lead():
    assert lead_polarity("结婚登记由宿城区民政局办理，不能代办") is None
    assert lead_polarity("结婚登记必须本人到场") is None


def _law(law, article):
    return Chunk(chunk_id=f"law/{law}#{article}", doc_id=f"law/{law}", kind="law", title=law, section=article,
                 text=f"{article} …", source="laws.db", law=law, article=article)


def _guide(item, aspect, text="…"):
    return Chunk(chunk_id=f"guide/{item}#{aspect}", doc_id=f"guide/{item}", kind="guide", title=item,
                 section=aspect, text=text, source="x.yaml", item_id=item, aspect=aspect)


def test_governing_source_matches_law_and_article_with_or_without_the_prc_prefix():
    src = {"law": "民法典", "article": "第一千零四十七条"}
    assert chunk_matches(_law("中华人民共和国民法典", "第一千零四十七条"), src)
    assert not chunk_matches(_law("中华人民共和国民法典", "第一千零四十六条"), src)
    assert not chunk_matches(_law("中华人民共和国公司法", "第一千零四十七条"), src)
    assert not chunk_matches(_guide("marriage-registration", "conditions"), src)


def test_governing_source_matches_item_and_field_or_a_faq_stating_the_fact():
    src = {"item": "exit-entry-documents", "field": "办结时限"}
    assert chunk_matches(_guide("exit-entry-documents", "time"), src)
    assert not chunk_matches(_guide("exit-entry-documents", "fee"), src)
    assert not chunk_matches(_guide("residence-permit", "time"), src)
    faq = _guide("exit-entry-documents", "faq", "问：办护照要多久？\n答：一般7个工作日出证。")
    assert chunk_matches(faq, src, ["七个工作日"])
    assert not chunk_matches(faq, src, ["十五日"])
    visits = {"item": "divorce-registration", "field": "到现场次数"}
    assert chunk_matches(_guide("divorce-registration", "overview"), visits)
    assert chunk_matches(_guide("divorce-registration", "time"), visits)


def test_a_metric_only_some_rows_carry_is_averaged_over_those_rows():
    t = Tally()
    t.add(fact=True, yesno=True)
    t.add(fact=False)
    t.add(fact=True, yesno=False)
    t.add(fact=True)
    assert t.means() == {"fact": 0.75, "yesno": 0.5, "n_yesno": 2, "n": 4}


def test_length_stats_give_median_and_share_within_the_limit():
    assert length_stats([50, 100, 130, 900]) == {"n": 4, "median": 115.0, "share_le_120": 0.5}
    assert length_stats([]) == {"n": 0}


# ------------------------------------------------------------------ the dev data itself

def _rows(name):
    return [json.loads(line) for line in (ROOT / "eval" / f"{name}_dev.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


@pytest.fixture(scope="module")
def sources(index):
    """Indexed text by source: the law articles in force (the default laws, the regulations and the laws the
    guides cite, as the index holds them) and guide fields."""
    return [c for c, stale in zip(index.chunks, index.uncitable_rows()) if not stale]


def _stated(chunks, source, facts):
    return any(chunk_matches(c, source) and has_fact(c.text, facts) for c in chunks)


def test_every_fact_question_is_answerable_from_its_indexed_source(sources):
    rows = _rows("fact")
    assert len(rows) >= 130 and {r["kind"] for r in rows} == {"law", "guide"}
    for r in rows:
        assert r["split"] == ("holdout" if int(r["id"][1:]) % 4 == 0 else "tune"), r["id"]
        assert r.get("yesno") in (None, "是", "否"), r["id"]
        assert _stated(sources, r["source"], r["expected"]), f"{r['id']}: {r['expected']} 不在 {r['source']}"
        for other in r.get("also", []):
            assert _stated(sources, other, r["expected"]), f"{r['id']}: {r['expected']} 不在 {other}"


def test_every_follow_up_fact_stands_in_its_guide_field(sources):
    rows = _rows("followup")
    assert sum(r["kind"] == "followup" for r in rows) >= 45 and sum(r["kind"] == "vague" for r in rows) >= 10
    items = {c.item_id for c in sources if c.kind == "guide"}
    for r in rows:
        for turn in r["turns"]:
            assert set(turn.get("items", [])) <= items, r["id"]
            if turn.get("facts"):
                assert _stated(sources, turn["source"], turn["facts"]), f"{r['id']}: {turn['user']}"


def test_scope_set_off_topic_questions_avoid_every_listed_refusal_word():
    from assistant.core import understand as u

    rows = _rows("scope")
    assert sum(r["scope"] == "in" for r in rows) >= 90 and sum(r["scope"] == "out" for r in rows) >= 90
    for r in rows:
        if r["scope"] == "out":
            q = r["question"]
            assert not any(p.search(q) for p in u.OUT_OF_SCOPE.values()), q
            assert not (u.INJECTION.search(q) or u.HANDOFF.search(q)), q
        else:
            assert r["items"] and all((ROOT / "corpus" / "guides" / f"{i}.yaml").exists() for i in r["items"]), r["id"]


def test_new_sets_run_through_the_pipeline_and_report_lengths(assistant):
    from assistant.evaluation.harness import Evaluator, load_set

    ev = Evaluator(assistant)
    fact = ev.fact(load_set(ROOT / "eval" / "fact_dev.jsonl", 8))
    a = fact["ours"]["all"]
    assert a["n"] == 8 and 0.0 <= a["fact_first_paragraph"] <= a["fact_anywhere"] <= 1.0
    assert a["governing_cited"] <= a["any_source_cited"] and a["n_yesno_lead"] >= 1
    for f in fact["failures"]:
        assert {"question", "expected", "source", "first_paragraph", "cited", "missing"} <= set(f)
    lens = next(iter(fact["lengths"].values()))["all"]
    assert lens["first_paragraph"]["median"] <= lens["whole"]["median"]

    rows = load_set(ROOT / "eval" / "scope_dev.jsonl")
    scope = ev.scope(rows[:4] + rows[-4:])["ours"]["all"]
    assert scope["n"] == 8 and scope["n_in_answered"] == 4 and scope["n_out_declined"] == 4

    follow = ev.followup(load_set(ROOT / "eval" / "followup_dev.jsonl", 6))["ours"]["all"]
    assert follow["n_followup_fact_first_paragraph"] >= 1 and 0.0 <= follow["turn_item_ok"] <= 1.0
