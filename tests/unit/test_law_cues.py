"""A question that names a regulation by a word of its title ("失业金", "工伤") lets that regulation compete
with the governing laws in the law ranking; a word many laws share, or one of a governing law's title, does not."""
from __future__ import annotations

from assistant.core.corpus.chunks import Chunk
from assistant.core.law_cues import cued_laws, title_cues


def art(law: str, n: int, text: str) -> Chunk:
    return Chunk(chunk_id=f"law/{law}#{n}", doc_id=f"law/{law}", kind="law", title=law, section=str(n),
                 text=text, source="t", law=law, article=str(n))


SHEBAO, SHIYE, GONGSHANG = "中华人民共和国社会保险法", "失业保险条例", "工伤保险条例"
CHUNKS = [art(SHEBAO, 1, "职工应当参加失业保险和工伤保险，由用人单位登记。"),
          art(SHIYE, 1, "失业人员领取失业保险金的期限最长为24个月。"),
          art(SHIYE, 2, "失业保险费由单位登记缴纳。"),
          art(GONGSHANG, 1, "职工有下列情形之一的，应当认定为工伤。"),
          art(GONGSHANG, 2, "工伤职工在停工留薪期内原工资福利待遇不变，单位登记。")]


def test_a_title_word_the_regulation_owns_cues_it():
    cues = title_cues({SHIYE, GONGSHANG}, {SHEBAO}, CHUNKS)
    assert cued_laws("失业金能领几个月", cues) == {SHIYE}
    assert cued_laws("下班路上出车祸算工伤吗", cues) == {GONGSHANG}


def test_words_of_a_governing_title_or_of_every_law_cue_nothing():
    cues = title_cues({SHIYE, GONGSHANG}, {SHEBAO}, CHUNKS)
    assert cued_laws("社会保险要交多少年", cues) == set()  # 保险 is in 社会保险法's title
    assert cued_laws("单位登记要带什么", cues) == set()  # 登记 is no title word of theirs
