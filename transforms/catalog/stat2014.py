"""国办发〔2014〕32号 《政府信息公开情况统计表》 (data years 2014–2018).

One long list 统计指标 | 单位 | 统计数. Rows under a 其中 or a numbered sub-list
carry ``group`` = the printed label of their parent (a row, or a section
header from ``SECTIONS`` when the parent prints no figure), so that repeated
labels such as （二）被依法纠错数 are placed by the row above them.
"""

from __future__ import annotations

from .model import Block, Column, Identity, Layout, Row

# Section headers print "——" or nothing in the 统计数 column: they carry no figure,
# but parsers use them as group context for the numbered rows below them.
PROACTIVE = "一、主动公开情况"
CHANNELS = "（二）通过不同渠道和方式公开政府信息的情况"
RESPONSES = "二、回应解读情况"
RESPONSE_CHANNELS = "（二）通过不同渠道和方式回应解读的情况"
APPLICATIONS = "三、依申请公开情况"
STAFFING = "八、机构建设和保障经费情况"
MEETINGS = "九、政府信息公开会议和培训情况"
SECTIONS: tuple[str, ...] = (
    PROACTIVE, CHANNELS, RESPONSES, RESPONSE_CHANNELS, APPLICATIONS, STAFFING, MEETINGS,
)

PROACTIVE_TOTAL = "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）"
RECEIVED = "（一）收到申请数"
COMPLETED = "（二）申请办结数"
REPLIES = "（三）申请答复数"
REFUSED = "4.不同意公开答复数"
REVIEWS = "四、行政复议数量"
LAWSUITS = "五、行政诉讼数量"
STAFF = "（三）从事政府信息公开工作人员数"
PRESS = "1.参加或举办新闻发布会总次数"
INTERVIEWS = "2.政府网站在线访谈次数"

ROWS: tuple[Row, ...] = (
    Row("proactive_total", PROACTIVE_TOTAL, aliases=("主动公开政府信息数",), unit="条",
        meaning="items published proactively (one item on several channels counts once)"),
    Row("proactive_normative_docs", "其中：主动公开规范性文件数", aliases=("主动公开规范性文件数",),
        group=PROACTIVE_TOTAL, unit="条", meaning="of which: normative documents published"),
    Row("normative_docs_issued", "制发规范性文件总数", unit="件",
        meaning="normative documents issued this year"),
    Row("channel_gazette", "1.政府公报公开政府信息数", aliases=("政府公报公开政府信息数",),
        group=CHANNELS, unit="条", meaning="items published in the government gazette"),
    Row("channel_website", "2.政府网站公开政府信息数", aliases=("政府网站公开政府信息数",),
        group=CHANNELS, unit="条", meaning="items published on government websites"),
    Row("channel_weibo", "3.政务微博公开政府信息数", aliases=("政务微博公开政府信息数",),
        group=CHANNELS, unit="条", meaning="items published on government Weibo accounts"),
    Row("channel_wechat", "4.政务微信公开政府信息数", aliases=("政务微信公开政府信息数",),
        group=CHANNELS, unit="条", meaning="items published on government WeChat accounts"),
    Row("channel_other", "5.其他方式公开政府信息数",
        aliases=("其他方式公开政府信息数", "其它方式公开政府信息数"),
        group=CHANNELS, unit="条", meaning="items published through other channels"),
    Row("hot_topic_responses", "（一）回应公众关注热点或重大舆情数",
        aliases=("回应公众关注热点或重大舆情数",), unit="次",
        meaning="responses to public concerns or major public-opinion events"),
    Row("press_conferences", PRESS, aliases=("参加或举办新闻发布会总次数",),
        group=RESPONSE_CHANNELS, unit="次", meaning="press conferences held or attended"),
    Row("press_conferences_leaders", "其中：主要负责同志参加新闻发布会次数",
        aliases=("主要负责同志参加新闻发布会次数",), group=PRESS, unit="次",
        meaning="of which: attended by the principal leader"),
    Row("online_interviews", INTERVIEWS, aliases=("政府网站在线访谈次数",), group=RESPONSE_CHANNELS,
        unit="次", meaning="online interviews on government websites"),
    Row("online_interviews_leaders", "其中：主要负责同志参加政府网站在线访谈次数",
        aliases=("主要负责同志参加政府网站在线访谈次数",), group=INTERVIEWS, unit="次",
        meaning="of which: attended by the principal leader"),
    Row("policy_explanations", "3.政策解读稿件发布数", aliases=("政策解读稿件发布数",),
        group=RESPONSE_CHANNELS, unit="篇", meaning="policy explanation articles published"),
    Row("weibo_wechat_responses", "4.微博微信回应事件数", aliases=("微博微信回应事件数",),
        group=RESPONSE_CHANNELS, unit="次", meaning="events responded to on Weibo/WeChat"),
    Row("other_responses", "5.其他方式回应事件数",
        aliases=("其他方式回应事件数", "其它方式回应事件数"), group=RESPONSE_CHANNELS, unit="次",
        meaning="events responded to through other channels"),
    Row("applications_received", RECEIVED, aliases=("收到申请数",), unit="件",
        meaning="applications for disclosure received"),
    Row("applications_in_person", "1.当面申请数", aliases=("当面申请数",), group=RECEIVED,
        unit="件", meaning="received in person"),
    Row("applications_fax", "2.传真申请数", aliases=("传真申请数",), group=RECEIVED, unit="件",
        meaning="received by fax"),
    Row("applications_online", "3.网络申请数", aliases=("网络申请数", "网上申请数"), group=RECEIVED,
        unit="件", meaning="received online"),
    Row("applications_letter", "4.信函申请数", aliases=("信函申请数",), group=RECEIVED, unit="件",
        meaning="received by letter"),
    Row("applications_email", "电子邮件申请数", aliases=("电子邮件申请",), group=RECEIVED,
        unit="件", meaning="received by e-mail (local editions)"),
    Row("completed_total", COMPLETED, aliases=("申请办结数",), unit="件",
        meaning="applications completed"),
    Row("completed_on_time", "1.按时办结数", aliases=("按时办结数",), group=COMPLETED, unit="件",
        meaning="completed within the time limit"),
    Row("completed_extended", "2.延期办结数", aliases=("延期办结数",), group=COMPLETED,
        unit="件", meaning="completed after an extension"),
    Row("replies_total", REPLIES, aliases=("申请答复数",), unit="件",
        meaning="replies to applications"),
    Row("replies_already_public", "1.属于已主动公开范围数", aliases=("属于已主动公开范围数",),
        group=REPLIES, unit="件", meaning="reply: already published proactively"),
    Row("replies_granted", "2.同意公开答复数", aliases=("同意公开答复数", "同意公开"),
        group=REPLIES, unit="件", meaning="reply: disclosure granted"),
    Row("replies_partly_granted", "3.同意部分公开答复数",
        aliases=("同意部分公开答复数", "同意部分公开"), group=REPLIES, unit="件",
        meaning="reply: disclosure granted in part"),
    Row("replies_refused", REFUSED, aliases=("不同意公开答复数", "不同意公开"), group=REPLIES,
        unit="件", meaning="reply: disclosure refused"),
    Row("refused_state_secret", "其中：涉及国家秘密", aliases=("涉及国家秘密",), group=REFUSED,
        unit="件", meaning="refused: state secret"),
    Row("refused_trade_secret", "涉及商业秘密", group=REFUSED, unit="件",
        meaning="refused: trade secret"),
    Row("refused_privacy", "涉及个人隐私", group=REFUSED, unit="件",
        meaning="refused: personal privacy"),
    Row("refused_security", "危及国家安全、公共安全、经济安全和社会稳定", group=REFUSED, unit="件",
        meaning="refused: endangers national, public or economic security or social stability"),
    Row("refused_not_gov_info", "不是《条例》所指政府信息", aliases=("不是条例所指政府信息",),
        group=REFUSED, unit="件", meaning="refused: not government information under the 条例"),
    Row("refused_other_law", "法律法规规定的其他情形", aliases=("法律法规规定的其它情形",),
        group=REFUSED, unit="件", meaning="refused: other grounds under laws and regulations"),
    Row("replies_not_this_agency", "5.不属于本行政机关公开数", aliases=("不属于本行政机关公开数",),
        group=REPLIES, unit="件", meaning="reply: not this agency's information"),
    Row("replies_not_exist", "6.申请信息不存在数", aliases=("申请信息不存在数",), group=REPLIES,
        unit="件", meaning="reply: information does not exist"),
    Row("replies_to_amend", "7.告知作出更改补充数", aliases=("告知作出更改补充数",),
        group=REPLIES, unit="件", meaning="reply: applicant told to amend the application"),
    Row("replies_other_channel", "8.告知通过其他途径办理数",
        aliases=("告知通过其他途径办理数", "告知通过其它途径办理数"), group=REPLIES, unit="件",
        meaning="reply: applicant referred to another procedure"),
    Row("reviews", REVIEWS, aliases=("行政复议数量", "行政复议数"), unit="件",
        meaning="administrative reconsiderations about disclosure"),
    Row("reviews_upheld", "（一）维持具体行政行为数", aliases=("维持具体行政行为数",),
        group=REVIEWS, unit="件", meaning="reconsideration: decision upheld"),
    Row("reviews_corrected", "（二）被依法纠错数", aliases=("被依法纠错数",), group=REVIEWS,
        unit="件", meaning="reconsideration: decision corrected"),
    Row("reviews_other", "（三）其他情形数", aliases=("其他情形数", "其它情形数"), group=REVIEWS,
        unit="件", meaning="reconsideration: other outcome"),
    Row("lawsuits", LAWSUITS, aliases=("行政诉讼数量", "行政诉讼数"), unit="件",
        meaning="administrative lawsuits about disclosure"),
    Row("lawsuits_upheld", "（一）维持具体行政行为或者驳回原告诉讼请求数",
        aliases=("维持具体行政行为或者驳回原告诉讼请求数", "维持具体行政行为数"),
        group=LAWSUITS, unit="件", meaning="lawsuit: decision upheld or claim dismissed"),
    Row("lawsuits_corrected", "（二）被依法纠错数", aliases=("被依法纠错数",), group=LAWSUITS,
        unit="件", meaning="lawsuit: decision corrected"),
    Row("lawsuits_other", "（三）其他情形数", aliases=("其他情形数", "其它情形数"),
        group=LAWSUITS, unit="件", meaning="lawsuit: other outcome"),
    Row("complaints", "六、举报投诉数量", aliases=("举报投诉数量", "举报投诉数"), unit="件",
        meaning="reports and complaints about disclosure"),
    Row("fees", "七、依申请公开信息收取的费用", aliases=("依申请公开信息收取的费用",),
        kind="money", unit="万元", meaning="fees charged for disclosure on application (万元)"),
    Row("dedicated_offices", "（一）政府信息公开工作专门机构数",
        aliases=("政府信息公开工作专门机构数",), unit="个",
        meaning="dedicated open-government-information offices"),
    Row("reading_points", "（二）设置政府信息公开查阅点数", aliases=("设置政府信息公开查阅点数",),
        unit="个", meaning="public reading points"),
    Row("staff_total", STAFF, aliases=("从事政府信息公开工作人员数",), unit="人",
        meaning="staff working on open government information"),
    Row("staff_full_time", "1.专职人员数（不包括政府公报及政府网站工作人员数）",
        aliases=("专职人员数",), group=STAFF, unit="人", meaning="full-time staff"),
    Row("staff_part_time", "2.兼职人员数", aliases=("兼职人员数",), group=STAFF, unit="人",
        meaning="part-time staff"),
    Row("special_budget",
        "（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）",
        aliases=("政府信息公开专项经费",), kind="money", unit="万元",
        meaning="dedicated budget for open government information (万元)"),
    Row("meetings", "（一）召开政府信息公开工作会议或专题会议数",
        aliases=("召开政府信息公开工作会议或专题会议数",), unit="次",
        meaning="working or special meetings held"),
    Row("training_sessions", "（二）举办各类培训班数", aliases=("举办各类培训班数",), unit="次",
        meaning="training sessions held"),
    Row("trainees", "（三）接受培训人员数", aliases=("接受培训人员数",), unit="人次",
        meaning="people trained"),
)

INDICATORS = Block(
    code="indicators",
    table="legacy",
    title="政府信息公开情况统计表",
    title_aliases=("政府信息公开工作情况统计表",),
    rows=ROWS,
    columns=(Column("value", "统计数", aliases=("数量", "数值"), meaning="the figure reported"),),
)

_CHANNELS = ("channel_gazette", "channel_website", "channel_weibo", "channel_wechat",
             "channel_other")
_RECEIVED = ("applications_in_person", "applications_fax", "applications_online",
             "applications_letter", "applications_email")
_REPLIES = ("replies_already_public", "replies_granted", "replies_partly_granted",
            "replies_refused", "replies_not_this_agency", "replies_not_exist", "replies_to_amend",
            "replies_other_channel")
_REFUSED = ("refused_state_secret", "refused_trade_secret", "refused_privacy", "refused_security",
            "refused_not_gov_info", "refused_other_law")

IDENTITIES: tuple[Identity, ...] = (
    Identity("B1", "indicators", ("applications_received",), _RECEIVED,
             partial=True, description="收到申请数 = sum of the channels present"),
    Identity("B2", "indicators", ("completed_total",), ("completed_on_time", "completed_extended"),
             description="申请办结数 = 按时办结数 + 延期办结数"),
    Identity("B3", "indicators", ("replies_total",), _REPLIES,
             description="申请答复数 = items 1–8"),
    Identity("B4", "indicators", ("replies_refused",), _REFUSED, op="ge",
             description="不同意公开答复数 ≥ sum of its 其中 reasons (usually =)"),
    Identity("B5", "indicators", ("reviews",), ("reviews_upheld", "reviews_corrected",
                                                "reviews_other"),
             description="行政复议数量 = its three parts (B5 also covers 行政诉讼数量)"),
    Identity("B5", "indicators", ("lawsuits",), ("lawsuits_upheld", "lawsuits_corrected",
                                                 "lawsuits_other"),
             description="行政诉讼数量 = its three parts (B5 also covers 行政复议数量)"),
    Identity("B6", "indicators", ("staff_total",), ("staff_full_time", "staff_part_time"),
             description="从事政府信息公开工作人员数 = 专职 + 兼职"),
    Identity("B7", "indicators", ("proactive_total",), _CHANNELS, op="between_max_and_sum",
             partial=True,
             description="largest channel ≤ 主动公开政府信息数 ≤ sum of channels "
                         "(an item on two channels counts once)"),
    Identity("A5", "*", (), (), op="nonneg", description="counts are non-negative"),
)

LAYOUT = Layout(
    code="stat2014",
    title="政府信息公开情况统计表 (2014)",
    years=(2014, 2018),
    basis="国办发〔2014〕32号",
    blocks=(INDICATORS,),
    identities=IDENTITIES,
    anchors=("统计指标", "申请答复数"),
    meaning="the national one-column indicator list used for data years 2014–2018",
)
