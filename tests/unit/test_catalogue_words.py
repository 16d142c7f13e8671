"""How a question is matched against the catalogue's official item names: the everyday words of
corpus/lexicon/actions.yaml `catalogue_words`, the level notes left out of the names, the department a
question names and the operation it asks for."""
from __future__ import annotations

import shutil

import pytest

from assistant.core.catalogue import (CatalogueItem, asked_operations, catalogue_query, covered_items,
                                      department_cued, department_words, operation_agreement, operations, other_matter,
                                      other_operation, plain_name, words_lead)
from assistant.core.corpus.lexicon import DEFAULT_DIR, read_lexicon
from assistant.core.corpus.schema import CorpusError


@pytest.mark.parametrize("question, official", [
    ("我家想养条狗，要去哪办证", "犬类"),
    ("准备开一家ktv，要什么手续", "歌舞娱乐场所"),
    ("开个电玩城要办什么证", "游艺娱乐场所"),
    ("我们摄影协会想换个会长", "社会团体"),
    ("想开一家网吧，要办什么手续", "互联网上网服务营业场所"),
    ("我们的培训学校是民非，要关门了", "民办非企业单位"),
    ("工地的塔吊装好了要登记吗", "建筑起重机械"),
    ("我是医生，执业地点变了", "医师"),
])
def test_everyday_words_bring_the_catalogue_word(question, official):
    assert official in catalogue_query(question)


def test_a_question_without_such_words_is_matched_as_asked():
    assert catalogue_query("身份证丢了在哪里挂失") == "身份证丢了在哪里挂失"
    assert "客车租赁" not in catalogue_query("出租车的运输证旧了要换")  # 出租车 is not a hire car
    assert "医师" not in catalogue_query("乡村医生执业要变更")  # the catalogue names 乡村医生 itself
    assert catalogue_query("犬类准养证怎么办") == "犬类准养证怎么办"  # the official word is already there


@pytest.mark.parametrize("name, plain", [
    ("开具税收完税证明（县级行使）", "开具税收完税证明"),
    ("娱乐场所延续审批（含中外合资）", "娱乐场所延续审批"),
    ("生产建设项目水土保持方案审批（新办）（据省政府令第349号,部分省级权限下放成都等８市)",
     "生产建设项目水土保持方案审批（新办）"),
    ("网络预约出租汽车运输证发放（补办）", "网络预约出租汽车运输证发放（补办）"),  # the variant stays
])
def test_level_notes_are_left_out_of_the_matched_name(name, plain):
    assert plain_name(name) == plain


def test_a_centre_adds_catalogue_words_in_yaml_and_a_broken_one_is_named(tmp_path):
    folder = tmp_path / "lexicon"
    shutil.copytree(DEFAULT_DIR, folder)
    actions = folder / "actions.yaml"
    text = actions.read_text(encoding="utf-8")
    actions.write_text(text.replace("catalogue_words:\n", "catalogue_words:\n  公共浴室: '澡堂|洗澡堂'\n"),
                       encoding="utf-8")
    assert read_lexicon(folder).actions.catalogue_words["公共浴室"].search("开个澡堂")
    actions.write_text(text.replace("catalogue_words:\n", "catalogue_words:\n  上网服务: '(网吧'\n"), encoding="utf-8")
    with pytest.raises(CorpusError) as e:
        read_lexicon(folder)
    assert "actions.yaml" in str(e.value) and "catalogue_words.上网服务" in str(e.value)


def test_a_question_naming_a_department_favours_that_departments_items():
    items = [CatalogueItem(code=n, name=n, department=d)
             for n, d in [("复业登记", "广安区税务局"), ("旅馆业特种行业变更备案", "区公安分局"),
                          ("道路货物运输经营许可", "区交通运输局"), ("公司设立登记", "区行政审批局")]]
    assert list(department_cued(items, "之前报了停业，现在重新开门，税务上要办什么")) == [True, False, False, False]
    assert list(department_cued(items, "宾馆换了老板，要去公安那边变更吗")) == [False, True, False, False]
    assert list(department_cued(items, "买了货车跑运输，交通局要办什么证")) == [False, False, True, False]
    assert not department_cued(items, "开公司要去哪个窗口审批").any()  # the one-window bureau names no topic
    assert department_words("区自然资源和规划局") == ["自然资源和规划", "自然资源", "规划"]


def test_an_operation_the_guide_does_not_name_speaks_for_the_catalogue_item():
    guide = ["个体工商户设立登记", "办个体执照"]
    assert other_operation("个体工商户变更登记（备案）", "个体店搬了地方，执照上的地址要变更", guide)
    assert not other_operation("个体工商户变更登记（备案）", "开个个体店要办什么执照", guide)  # no operation asked
    assert not other_operation("企业注销登记", "公司不干了要注销", ["企业注销登记"])  # the guide's own operation
    # 挂失 is a kind of 补办, which the guide's alias 补办社保卡 already performs
    assert not other_operation("社会保障卡挂失", "社保卡丢了咋整", ["社会保障卡申领", "补办社保卡"])
    assert other_operation("社会保障卡挂失", "社保卡丢了咋整", ["社会保障卡申领"])


def test_when_a_story_cues_several_operations_the_last_one_is_asked():
    assert asked_operations("之前店里报了停业，现在要重新开门营业") == {"恢复"}
    assert asked_operations("退休金之前被暂停了，现在想恢复发放") == {"恢复"}
    assert asked_operations("想开个网吧，第一步要办什么") == {"筹设"}
    assert asked_operations("社保卡挂失以后又找到了，怎么解除挂失") == {"恢复"}
    assert asked_operations("村医的执业证快到期了，要重新注册吗") == {"延续"}  # 重新注册 is no new registration


@pytest.mark.parametrize("name, ops", [
    ("客运车辆道路运输证办理（过户）", {"过户"}),
    ("烟草专卖零售许可证延续", {"延续"}),
    ("拖拉机联合收割机驾驶证补换证", {"补办", "换发"}),
    ("劳务派遣经营许可注销(县级)", {"注销"}),
    ("经营游泳许可", {"新办"}),  # a name without an operation word issues the thing
    ("食品小作坊备案注销", {"注销"}),
])
def test_an_items_operation_is_read_from_its_name(name, ops):
    assert operations(name) == ops


def test_the_sibling_for_the_asked_operation_ranks_first_among_the_variants():
    siblings = ["文艺表演团体《营业性演出许可证》注销审批", "设立文艺表演团体《营业性演出许可证》核发",
                "文艺表演团体《营业性演出许可证》延续审批"]
    asked = asked_operations("剧团不搞了，演出证要交回去吗")
    assert asked == {"注销"}
    assert [operation_agreement(n, asked) for n in siblings] == [1, -1, -1]
    assert [operation_agreement(n, asked_operations("几个朋友想成立个乐队去商演")) for n in siblings] == [-1, 1, -1]
    assert operation_agreement(siblings[2], asked_operations("想问问演出证的事")) == 0  # no operation asked


def test_a_question_naming_the_items_own_subject_is_about_its_matter_not_the_guides():
    guide = ["企业变更登记", "公司变更"]
    assert other_matter("劳务派遣经营许可证延续审批(县级)", "劳务派遣公司换了法人要办什么", guide)
    assert not other_matter("劳务派遣经营许可证延续审批(县级)", "公司换了法人要办什么", guide)
    assert not other_matter("企业变更登记（备案）", "企业变更要带什么", guide)  # the guide's own subject


def test_a_centre_adds_an_operation_in_yaml_and_a_broken_cue_is_named(tmp_path):
    folder = tmp_path / "lexicon"
    shutil.copytree(DEFAULT_DIR, folder)
    actions = folder / "actions.yaml"
    text = actions.read_text(encoding="utf-8")
    actions.write_text(text.replace("operation_cues:\n", "operation_cues:\n  年检: '年检|年审'\n"), encoding="utf-8")
    assert read_lexicon(folder).actions.operations[1]["年检"].search("该年审了")
    actions.write_text(text.replace("operation_cues:\n", "operation_cues:\n  年检: '(年审'\n"), encoding="utf-8")
    with pytest.raises(CorpusError) as e:
        read_lexicon(folder)
    assert "actions.yaml" in str(e.value) and "operation_cues.年检" in str(e.value)


def test_a_guide_covers_an_item_named_like_it_only_for_the_same_operation():
    import numpy as np

    items = [CatalogueItem(code=n, name=n, department="区住建局") for n in ("补领结婚证", "建筑工程施工许可证变更")]
    phrases = ["结婚证补领", "建筑工程施工许可证核发"]
    sims = np.array([[0.99, 0.5], [0.5, 0.98]], dtype=np.float32)
    assert list(covered_items(items, sims, phrases)) == [True, False]


def test_an_item_sharing_clearly_more_words_with_the_question_than_the_guides_names_is_its_matter():
    guide = ["企业注销登记", "公司注销"]
    assert words_lead("个体工商户注销登记", "个体工商户不开了，要去哪注销", guide)
    assert not words_lead("个体工商户注销登记", "公司不开了，要去哪注销", guide)  # nothing the guide lacks


def test_an_item_named_as_a_guide_once_its_scope_note_and_issuing_words_are_left_out_is_the_guides():
    import numpy as np

    food = [CatalogueItem(code="f", name="食品(含保健食品)经营许可核发", department="区行政审批局")]
    assert list(covered_items(food, np.array([[0.9]], dtype=np.float32), ["食品经营许可"])) == [True]
