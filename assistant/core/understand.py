"""Stage 2: understand the message — what kind of turn it is (a request for a
human, a prompt-injection attempt, small talk, a question), which aspect of a
service it asks about (材料, 时限, 收费, 地点, 网办, 依据 …), whether it is a
follow-up to the item in focus, and the colloquial → official expansion used
for retrieval.  Every decision names the rule that made it."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# aspect → trigger pattern (order matters for the answer: the first matching aspects lead)
ASPECT_PATTERNS: dict[str, re.Pattern] = {
    "materials": re.compile(r"带什么|带啥|带哪些|要带|材料|资料|证件|准备什么|准备啥|提交什么|要啥|需要什么|需要哪些|手续|证明"),
    "time": re.compile(r"多久|哪天|截止|几个月能|多长时间|几天|几个工作日|时限|多快|什么时候能|啥时候能|办结|当天|当场|拿到|出证|等多久"),
    "fee": re.compile(r"多少钱|收费|费用|要钱|花钱|免费|工本费|交钱|几块钱|贵不贵|收钱|费"),
    "place": re.compile(r"在哪|哪里|哪儿|哪个窗口|窗口|地址|几楼|哪个大厅|去哪|什么地方|怎么走|几点|上班时间|开门|周末|周六"),
    "online": re.compile(r"网上|线上|网办|app|宿心办|手机|小程序|不用跑|政务服务网|网站|在家|远程|电子"),
    "basis": re.compile(r"依据|哪条|法律规定|政策依据|法规|条例|根据什么|哪部法"),
    "steps": re.compile(r"流程|步骤|怎么办理|程序|怎么弄|怎么操作|咋办|怎么办"),
    "conditions": re.compile(r"条件|资格|符合|住满|满几|满多久|满多长|年满|能不能办|可以办吗|能办吗|谁可以|哪些人|够不够"),
    "agent": re.compile(r"代办|代领|代拿|委托|别人帮|替我|帮我办|家人去|家里人|亲属|不用本人|本人不能|本人去不了"),
    "contact": re.compile(r"电话|联系方式|咨询热线"),
}

# Facts about the person that decide which of an item's materials apply (the guides' 情形)
FACTS: dict[str, re.Pattern] = {
    "外地户籍": re.compile(r"(外地|外省|外市|非本地|不是本地|不是宿迁)(户口|户籍|人)|户口(在|是)(外地|外省|老家)|外来务工|随迁"),
    "本地户籍": re.compile(r"(?<!不是)(?<!非)(本地(户|人)|宿迁户口|宿迁户籍|宿迁人|本市户籍|本市户口)"),
    "委托代办": ASPECT_PATTERNS["agent"],
}
# each fact → the 情形 of the guides' materials it brings in (compose.guide_answer points them out)
FACT_SITUATIONS: dict[str, re.Pattern] = {
    "外地户籍": re.compile(r"(非本地|外地|外省)户籍|随迁"),
    "本地户籍": re.compile(r"(?<!非)本地户籍|本市户籍"),
    "委托代办": re.compile(r"代办|委托|代理|代为|代领"),
}
CONFLICTS = {"外地户籍": "本地户籍", "本地户籍": "外地户籍"}


def facts_of(text: str, earlier: list[str] | None = None) -> list[str]:
    """What the person has said about themselves, this turn over earlier ones ("我是外地户口")."""
    now = [f for f, p in FACTS.items() if p.search(text)]
    kept = [f for f in (earlier or []) if f not in now and CONFLICTS.get(f) not in now]
    return kept + now


HANDOFF = re.compile(r"转人工|人工客服|人工服务|找人工|真人|人工坐席|工作人员|找客服|接人工|要人工|人工$")
INJECTION = re.compile(
    r"忽略.{0,8}(指令|指示|提示|设定|规则|要求|限制)|无视.{0,8}(指令|规则|设定)|你现在(是|扮演|变成)|扮演|角色扮演|"
    r"系统提示|system\s*prompt|prompt|ignore\s+(all\s+)?(previous|above|prior)|jailbreak|越狱|开发者模式|"
    r"developer\s*mode|不受(任何)?限制|没有限制|DAN\b|假装你|pretend|从现在起你|新的指令|覆盖.{0,4}设定|泄露.{0,6}(指令|提示)",
    re.I,
)
# Off-topic words.  Only "illegal" refuses by rule; the others are a topic word that lowers confidence
# (scope.py asks for more probability), never a refusal on their own ("我感冒发烧在家，社保卡丢了能在网上补吗").
REFUSE_BY_RULE = frozenset({"illegal"})
OUT_OF_SCOPE: dict[str, re.Pattern] = {
    "weather": re.compile(r"天气|下雨|下雪|暴雨|气温|预报|大雾|雾霾|pm2\.?5|空气质量|weather|台风", re.I),
    "finance": re.compile(r"股票|股价|炒股|基金定投|比特币|以太坊|加密货币|彩票|双色球|大乐透|抄底|选号|ethereum|bitcoin|crypto|stock", re.I),
    "medical": re.compile(r"吃什么药|什么药|能吃.{0,6}(药|头孢|布洛芬)|安眠药|头痛|头疼|发烧|咳嗽|失眠|胃疼|高血压|糖尿病|布洛芬|头孢|sore throat|怎么治", re.I),
    "writing": re.compile(r"写一首|写首|写一篇|写篇|写一封|写段|作文|情书|七言|五言|绝句|诗歌|现代诗|讲个段子|讲个笑话|睡前.{0,4}故事|代码|python|javascript|爬虫|poem|essay", re.I),
    "foreign_visa": re.compile(r"(美国|日本|英国|加拿大|澳洲|澳大利亚|泰国|韩国|欧洲|法国|德国|新加坡|申根|留学|旅游|探亲|打工度假|\bus\b|\buk\b)"
                               r".{0,10}(签证|visa)|落地签|面签|拒签|schengen", re.I),
    # a request to do something illegal, not a question about the rule ("偷税被查出来，追缴有没有年限")
    "illegal": re.compile(r"(怎么|怎样|如何|帮我|帮忙|教我|教教|哪里|哪儿|能不能|可不可以|可以|想|给我)[^。？?]{0,12}"
                          r"(伪造|做假|造假|假证|假的|代考|骗领|骗保|骗取|逃税|偷税|漏税|P一张|P个)|不被.{0,6}查|fake", re.I),
    "unrelated": re.compile(r"推荐.{0,8}(好吃|餐厅|电影|烧烤|火锅|酒店|景点)|好吃吗|nba|比分|世界杯|世界盃|明星|塌房|养猫|养狗|解.{0,4}(题|方程)|x²|hotpot|movie|(订|点|叫)(个|份)?外卖|订餐|打车|订机票|订酒店", re.I),
}
# ...unless the question is about something the centre does handle (tax on lottery winnings or shares).
OUT_OF_SCOPE_UNLESS: dict[str, re.Pattern] = {
    "finance": re.compile(r"税"),
}
OTHER_CITY = re.compile(r"北京|上海|深圳|广州|杭州|成都|武汉|武漢|重庆|天津|西安|苏州|南京|shenzhen|shanghai|beijing", re.I)
LOCAL_POLICY = re.compile(r"补贴|補貼|人才|积分落户|公寓|subsidy|talent")
GREETING = re.compile(r"^(你好|您好|hi|hello|嗨|在吗|在不在|早上好|下午好|晚上好|喂)[!！,，。.~ ]*$", re.I)
THANKS = re.compile(r"^(谢谢|感谢|多谢|好的|ok|明白了|知道了|懂了|再见|拜拜)[^?？]{0,8}$", re.I)
WHO = re.compile(r"你是谁|你叫什么|你能做什么|你会什么|你能干什么|怎么用你|你是机器人吗")
# "…也行吗", "能一起办吗", "包含…吗": a question about the item in focus, even when it names another thing
# "我是灵活就业的能领吗", "单位不配合怎么办": whether or how the focus item works in the person's case
STAY_CUE = re.compile(r"也行吗|也可以吗|也能办吗|一起办|一起弄|包含|包括|在里面|在内|算在|要用|用得上|"
                      r"(能|可以|能不能|可不可以)(领|申请|享受|报销|参加|办理?)吗?$|不配合|不同意|不给(办|开|出具|盖章)")
TOGETHER = re.compile(r"一起|同时|一并|顺便|一块")
FOLLOWUP_LEAD = re.compile(r"^(那|那么|还有|另外|如果是|如果|要是|换成|改成|那要是|然后|接着|再)")
POLICY_CUE = re.compile(
    r"法律|规定|第.{1,6}条|法条|依据|合法|违法|权利|义务|赔偿|处罚|罚款|冷静期|法定|年龄|多少年|几年|比例|税率|"
    r"标准是|算不算|是否属于|有没有规定|怎么规定|能不能要求|有权|应当|责任|继承|抚养|遗产|退休年龄|缴费年限|补偿"
)

# Colloquial, abbreviated and mistyped words → the official words the guides and laws use.
TERMS: dict[str, str] = {
    "补办": "补领", "销掉": "注销", "关门": "注销", "不干了": "注销", "不想干了": "注销", "不做了": "注销", "搬地方": "变更 住所", "改地址": "变更 住所",
    "增资": "变更 注册资本", "下岗": "失业", "被裁": "失业", "裁员": "失业", "开发票": "发票", "要发票": "发票",
    "种地": "城乡居民", "村里": "城乡居民", "农民": "城乡居民", "澡堂": "公共场所 卫生许可", "理发店": "公共场所 卫生许可",
    "奶茶店": "食品经营许可", "饭店": "食品经营许可", "小吃店": "食品经营许可", "饭馆": "食品经营许可",
    "摆摊": "个体工商户", "外国人": "外商投资", "外资": "外商投资", "一窗通": "企业开办一件事",
    "刻章": "企业开办一件事", "无房证明": "不动产登记资料查询", "投诉": "办不成事反映",
    "办不成": "办不成事反映", "离昏": "离婚", "结昏": "结婚", "投个标": "投标", "公基金": "公积金", "工积金": "公积金", "公积今": "公积金", "营业执造": "营业执照", "营业职照": "营业执照",
    "社宝": "社保", "社保卡": "社会保障卡", "社保": "社会保险", "医保": "医疗保险", "养老金": "养老保险待遇",
    "个税": "个人所得税", "汇缴": "汇算", "退税": "个人所得税 汇算 退税", "房产证": "不动产权证书",
    "房本": "不动产权证书", "二手房": "存量房", "新房": "新建商品房", "过户": "转移登记", "按揭": "抵押 贷款", "房贷": "抵押 贷款",
    "领证": "结婚登记", "扯证": "结婚登记", "开公司": "企业设立登记", "注册公司": "企业设立登记",
    "开店": "个体工商户设立登记", "开个店": "个体工商户设立登记", "开个体": "个体工商户设立登记",
    "小店": "个体工商户", "个体户": "个体工商户",
    "上户口": "户口 登记", "落户": "户口迁入", "户口签入": "户口迁入", "迁户口": "户口迁入",
    "护照": "出入境证件 护照", "港澳通行证": "出入境证件", "签注": "出入境证件", "失业金": "失业保险金",
    "低保": "最低生活保障", "健康证": "健康证明", "施工证": "施工许可证", "规划证": "规划许可证",
    "退休": "退休 养老保险待遇", "生孩子": "出生 生育", "生娃": "出生 生育", "上学": "义务教育 入学",
    "招标": "招标投标", "投标": "招标投标", "保证金": "投标保证金", "开票": "发票", "代开": "代开发票",
    "公积金贷款": "住房公积金个人住房贷款", "提公积金": "住房公积金提取", "取公积金": "住房公积金提取",
    "withdraw": "提取", "passport": "护照 出入境证件", "visa": "签证", "license": "许可证", "tax": "税",
    "app": "宿心办", "残疾证": "残疾人证", "老年补贴": "高龄津贴", "尊老金": "高龄津贴", "买房": "购房", "律师": "法律援助", "打官司": "法律援助",
    "去世": "死亡 继承", "过世": "死亡 继承", "离世": "死亡 继承", "病故": "死亡 继承", "老人走了": "死亡 继承",
    "爸走了": "死亡 继承", "妈走了": "死亡 继承",
}
_TERM_RE = re.compile("|".join(sorted(map(re.escape, TERMS), key=len, reverse=True)), re.I)


@dataclass
class Understanding:
    text: str  # normalised message
    turn: str  # "handoff" | "injection" | "out_of_scope" | "greeting" | "thanks" | "who" | "question"
    aspects: list[str] = field(default_factory=list)
    expansion: str = ""  # official words added for retrieval
    policy_cue: bool = False
    followup_like: bool = False  # short, leans on the previous turn
    facts: list[str] = field(default_factory=list)  # 外地户籍, 委托代办 … (this turn and earlier ones)
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (typed, corpus word) from spelling
    rules: list[str] = field(default_factory=list)
    topic: str | None = None  # an off-topic word's topic (weather, medical …): lowers scope confidence

    @property
    def search_text(self) -> str:
        return f"{self.text} {self.expansion}".strip()


def aspects_of(text: str) -> list[str]:
    return [a for a, p in ASPECT_PATTERNS.items() if p.search(text)]


NEGATED = re.compile(r"(没|没有|不是|并非|未)$")


def negated(text: str, start: int) -> bool:
    """"我又没开公司": the words at `start` are said not to apply."""
    return bool(NEGATED.search(text[max(0, start - 2):start]))


def expand_terms(text: str) -> str:
    seen, out = set(), []
    for m in _TERM_RE.finditer(text):
        if negated(text, m.start()):
            continue
        rep = TERMS[m.group(0).lower()] if m.group(0).lower() in TERMS else TERMS.get(m.group(0), "")
        if rep and rep not in seen and rep != m.group(0):
            seen.add(rep)
            out.append(rep)
    return " ".join(out)


def _strip_aspects(text: str) -> str:
    """What is left of a message once aspect words and fillers are removed."""
    rest = text
    for p in ASPECT_PATTERNS.values():
        rest = p.sub("", rest)
    return re.sub(r"[的了吗呢吧啊呀么嘛要能可以是不还也就都请问你好您好一下我想需需要怎么办理这个那个，。？！?!,. ]", "", rest)


def understand(text: str) -> Understanding:
    rules: list[str] = []
    if INJECTION.search(text):
        return Understanding(text, "injection", rules=["rule:injection-pattern"])
    if HANDOFF.search(text):
        return Understanding(text, "handoff", rules=["rule:handoff-request"])
    off_topic = None
    for topic, pattern in OUT_OF_SCOPE.items():
        if pattern.search(text) and not (topic in OUT_OF_SCOPE_UNLESS and OUT_OF_SCOPE_UNLESS[topic].search(text)):
            if topic in REFUSE_BY_RULE:
                return Understanding(text, "out_of_scope", rules=[f"rule:out-of-scope:{topic}"])
            off_topic = off_topic or topic
    if off_topic is None and OTHER_CITY.search(text) and LOCAL_POLICY.search(text) and "宿迁" not in text:
        off_topic = "other-city-policy"
    if off_topic:
        rules.append(f"rule:topic-word:{off_topic}")
    if GREETING.match(text):
        return Understanding(text, "greeting", rules=["rule:greeting"])
    if THANKS.match(text):
        return Understanding(text, "thanks", rules=["rule:thanks"])
    if WHO.search(text):
        return Understanding(text, "who", rules=["rule:who-are-you"])
    aspects = aspects_of(text)
    expansion = expand_terms(text)
    if expansion:
        rules.append("rule:term-map")
    rest = _strip_aspects(text)
    followup = bool(FOLLOWUP_LEAD.match(text)) or (len(text) <= 14 and len(rest) <= 2)
    if followup:
        rules.append("rule:followup-shape")
    return Understanding(text, "question", aspects=aspects, expansion=expansion,
                         policy_cue=bool(POLICY_CUE.search(text)), followup_like=followup, rules=rules, topic=off_topic)
