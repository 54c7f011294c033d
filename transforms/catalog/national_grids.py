"""Tables 三 and 四 of the 第二十条 formats, shared by fmt2019 and fmt2021."""

from __future__ import annotations

from .model import Block, Column, Identity, Row

WITHHELD = "（三）不予公开"
UNAVAILABLE = "（四）无法提供"
NOT_PROCESSED = "（五）不予处理"
OTHER = "（六）其他处理"

APPLICANT_COLUMNS: tuple[Column, ...] = (
    Column("natural_person", "自然人", meaning="applications by natural persons"),
    Column("commercial_enterprise", "商业企业", meaning="法人或其他组织: commercial enterprises"),
    Column("research_institution", "科研机构", meaning="法人或其他组织: research institutions"),
    Column("social_welfare_org", "社会公益组织",
           meaning="法人或其他组织: public-welfare organizations"),
    Column("legal_service_agency", "法律服务机构",
           meaning="法人或其他组织: legal service agencies"),
    Column("other_org", "其他", meaning="法人或其他组织: other organizations"),
    Column("total", "总计", row_total=True, meaning="all applicants"),
)

_HEAD = (
    Row("new_received", "一、本年新收政府信息公开申请数量",
        aliases=("本年新收政府信息公开申请数量",), meaning="applications received this year"),
    Row("carried_over", "二、上年结转政府信息公开申请数量",
        aliases=("上年结转政府信息公开申请数量",),
        meaning="applications carried over from the previous year"),
    Row("granted", "（一）予以公开", aliases=("予以公开",), group="三、本年度办理结果",
        meaning="disclosed in full"),
    Row("partly_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        aliases=("部分公开", "（二）部分公开"), group="三、本年度办理结果",
        meaning="disclosed in part"),
    Row("withheld_state_secret", "1.属于国家秘密", aliases=("属于国家秘密",), group=WITHHELD,
        meaning="withheld: state secret"),
    Row("withheld_prohibited_by_law", "2.其他法律行政法规禁止公开",
        aliases=("其他法律行政法规禁止公开",), group=WITHHELD,
        meaning="withheld: prohibited by other laws"),
    Row("withheld_three_safeties", "3.危及“三安全一稳定”", aliases=("危及三安全一稳定",),
        group=WITHHELD, meaning="withheld: endangers the three securities and stability"),
    Row("withheld_third_party", "4.保护第三方合法权益", aliases=("保护第三方合法权益",),
        group=WITHHELD, meaning="withheld: third-party rights"),
    Row("withheld_internal_affairs", "5.属于三类内部事务信息", aliases=("属于三类内部事务信息",),
        group=WITHHELD, meaning="withheld: internal affairs"),
    Row("withheld_process_info", "6.属于四类过程性信息", aliases=("属于四类过程性信息",),
        group=WITHHELD, meaning="withheld: process information"),
    Row("withheld_enforcement_file", "7.属于行政执法案卷", aliases=("属于行政执法案卷",),
        group=WITHHELD, meaning="withheld: administrative enforcement files"),
    Row("withheld_admin_query", "8.属于行政查询事项", aliases=("属于行政查询事项",),
        group=WITHHELD, meaning="withheld: administrative query matters"),
    Row("unavailable_not_held", "1.本机关不掌握相关政府信息", aliases=("本机关不掌握相关政府信息",),
        group=UNAVAILABLE, meaning="cannot provide: not held"),
    Row("unavailable_needs_creation", "2.没有现成信息需要另行制作",
        aliases=("没有现成信息需要另行制作",), group=UNAVAILABLE,
        meaning="cannot provide: would need to be created"),
    Row("unavailable_unclear", "3.补正后申请内容仍不明确", aliases=("补正后申请内容仍不明确",),
        group=UNAVAILABLE, meaning="cannot provide: still unclear after correction"),
    Row("not_processed_petition", "1.信访举报投诉类申请", aliases=("信访举报投诉类申请",),
        group=NOT_PROCESSED, meaning="not processed: petitions and complaints"),
    Row("not_processed_repeat", "2.重复申请", aliases=("重复申请",), group=NOT_PROCESSED,
        meaning="not processed: repeated application"),
    Row("not_processed_publication", "3.要求提供公开出版物", aliases=("要求提供公开出版物",),
        group=NOT_PROCESSED, meaning="not processed: asks for published material"),
    Row("not_processed_mass", "4.无正当理由大量反复申请", aliases=("无正当理由大量反复申请",),
        group=NOT_PROCESSED, meaning="not processed: mass repeated applications"),
    Row("not_processed_confirm", "5.要求行政机关确认或重新出具已获取信息",
        aliases=("要求行政机关确认或重新出具已获取信息",), group=NOT_PROCESSED,
        meaning="not processed: asks to confirm or re-issue information already obtained"),
)

_TAIL = (
    Row("results_total", "（七）总计", aliases=("总计",), group="三、本年度办理结果",
        meaning="applications completed this year"),
    Row("carried_forward", "四、结转下年度继续办理", aliases=("结转下年度继续办理",),
        meaning="applications carried forward to next year"),
)

OTHER_2019 = (
    Row("other_handling", "（六）其他处理", aliases=("其他处理",), group="三、本年度办理结果",
        meaning="other handling"),
)
OTHER_2021 = (
    Row("other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        aliases=("申请人无正当理由逾期不补正行政机关不再处理其政府信息公开申请",),
        group=OTHER, meaning="other: applicant did not correct in time"),
    Row("other_no_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        aliases=("申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请",),
        group=OTHER, meaning="other: applicant did not pay the fee in time"),
    Row("other_other", "3.其他", aliases=("其他",), group=OTHER, meaning="other: other"),
)


def applications_block(other_rows: tuple[Row, ...]) -> Block:
    return Block(
        code="applications",
        table="applications",
        title="三、收到和处理政府信息公开申请情况",
        rows=(*_HEAD, *other_rows, *_TAIL),
        columns=APPLICANT_COLUMNS,
    )


RESULT_COLUMNS: tuple[Column, ...] = (
    Column("upheld", "结果维持", meaning="original decision upheld"),
    Column("corrected", "结果纠正", meaning="original decision corrected"),
    Column("other", "其他结果", meaning="other outcome"),
    Column("pending", "尚未审结", meaning="not yet concluded"),
    Column("total", "总计", row_total=True, meaning="all cases"),
)

APPEALS = Block(
    code="appeals",
    table="appeals",
    title="四、政府信息公开行政复议、行政诉讼情况",
    rows=(
        Row("review", "行政复议", meaning="administrative reconsideration"),
        Row("lawsuit_direct", "未经复议直接起诉", aliases=("行政诉讼未经复议直接起诉",),
            meaning="lawsuits filed without prior reconsideration"),
        Row("lawsuit_after_review", "复议后起诉", aliases=("行政诉讼复议后起诉",),
            meaning="lawsuits filed after reconsideration"),
    ),
    columns=RESULT_COLUMNS,
)


def leaf_codes(block: Block) -> tuple[str, ...]:
    """Rows that A2 adds up: everything under 三、本年度办理结果 except the total."""
    heads = {"new_received", "carried_over", "results_total", "carried_forward"}
    return tuple(r.code for r in block.rows if r.code not in heads)


def national_identities(applications: Block) -> tuple[Identity, ...]:
    cols = tuple(c.code for c in APPLICANT_COLUMNS if c.code != "total")
    parts = tuple(c.code for c in RESULT_COLUMNS if c.code != "total")
    return (
        Identity("A1", "applications", ("new_received", "carried_over"),
                 ("results_total", "carried_forward"), strength="T",
                 description="一 + 二 = 三（七）总计 + 四, per column"),
        Identity("A2", "applications", ("results_total",), leaf_codes(applications),
                 description="（七）总计 = sum of the leaf rows （一）…（六）, per column"),
        Identity("A3", "applications", ("total",), cols, over="rows",
                 description="总计 = sum of the six applicant columns, per row"),
        Identity("A4", "appeals", ("total",), parts, over="rows",
                 description="总计 = 维持 + 纠正 + 其他 + 尚未审结, per group"),
        Identity("A5", "*", (), (), op="nonneg",
                 description="counts are non-negative (本年增/减 and money excepted)"),
        Identity("C1", "applications", ("carried_over",), ("carried_forward",), strength="C",
                 over="previous_year",
                 description="上年结转(t) = 结转下年度继续办理(t−1), same body"),
    )
