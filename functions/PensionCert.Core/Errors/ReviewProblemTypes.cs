namespace PensionCert.Core.Errors;

/// <summary>Problem codes of manual review, four-eyes changes and record dates (issue #11, part 1).</summary>
public static partial class ProblemTypes
{
    public static readonly ProblemType ReviewCaseNotFound = new("review-case-not-found", ProblemKind.NotFound, "Review case not found", "未找到该复核案件。");
    public static readonly ProblemType ReviewCaseClaimed = new("review-case-claimed", ProblemKind.Conflict, "Another reviewer holds the claim on this case", "该案件正由其他复核员处理，请选择其他案件。");
    public static readonly ProblemType ReviewCaseClosed = new("review-case-closed", ProblemKind.Conflict, "The case is already decided", "该案件已经处理完毕。");
    public static readonly ProblemType ReviewClaimRequired = new("review-claim-required", ProblemKind.Conflict, "Claim the case first (or the claim expired)", "请先领取该案件（领取已过期的需重新领取）。");
    public static readonly ProblemType ReviewConflictOfInterest = new("review-conflict-of-interest", ProblemKind.Forbidden, "The operator submitted this case or changed the pensioner's reference photo", "您提交了该业务或变更过该人员的登记照片，须由其他工作人员复核。");
    public static readonly ProblemType InvalidReviewDecision = new("invalid-review-decision", ProblemKind.BadRequest, "decision must be approve, reject (with a listed reason) or send-offline (counter or home-visit)", "复核结论不正确：应为批准、驳回（须选择驳回原因）或转线下（窗口或上门）。");
    public static readonly ProblemType InvalidReviewFilter = new("invalid-review-filter", ProblemKind.BadRequest, "A review list filter is not valid", "案件筛选条件不正确。");
    public static readonly ProblemType ReviewPhotoUnavailable = new("review-photo-unavailable", ProblemKind.NotFound, "The photo is not kept (retention) or the case has none", "该照片已按规定删除或本案件没有此照片。");
    public static readonly ProblemType PensionerDeceased = new("pensioner-deceased", ProblemKind.Conflict, "A deceased pensioner cannot be enrolled again (a wrong death record is corrected by two admins: a status reversal, or after erasure a re-enrolment confirmed by a second admin)", "该人员已登记死亡，不能重新登记。如死亡登记有误，请本人携带身份证到社保经办机构，由两名管理员核实后更正。");
    public static readonly ProblemType NameChangeNotExplicit = new("name-change-not-explicit", ProblemKind.Conflict, "The name differs from the enrolled one; change it with POST /api/pensioners/{pensionerId}/name", "姓名与登记信息不一致。如需更改姓名，请通过“姓名变更”办理并说明原因。");
    public static readonly ProblemType DateInFuture = new("date-in-future", ProblemKind.BadRequest, "The date is after today (China Standard Time)", "日期不能晚于今天。");
    public static readonly ProblemType DateBeforeBirth = new("date-before-birth", ProblemKind.BadRequest, "The date is before the pensioner's date of birth", "日期不能早于该人员的出生日期。");
    public static readonly ProblemType DateBeforeEnrollment = new("date-before-enrollment", ProblemKind.BadRequest, "The date is before the pensioner was first enrolled", "日期不能早于该人员首次登记的日期。");
    public static readonly ProblemType InvestigationEvidenceRequired = new("investigation-evidence-required", ProblemKind.BadRequest, "certified needs evidence: a certificationId of this pensioner or a documentReference", "核查结果为“已认证”时，须注明依据：本人的认证编号或证明材料编号。");
    public static readonly ProblemType InvestigationEvidenceNotApproved = new("investigation-evidence-not-approved", ProblemKind.Conflict, "The certification named as evidence was not approved", "作为依据的认证未通过（未确认为本人），不能据此恢复认证。请以审核通过的认证或证明材料为依据。");
    public static readonly ProblemType InvestigationDocumentReferenceInvalid = new("investigation-document-reference-invalid", ProblemKind.BadRequest,
        "documentReference must be a file number: 6-64 characters, at least 4 digits, letters, digits, spaces and - _ / # . : ( ) （ ） 〔 〕 [ ] 【 】 only",
        "证明材料编号不正确：应为 6 至 64 个字符的文书编号，至少含 4 位数字，例如 HV-2026-000123。");
    public static readonly ProblemType ReviewPensionerDeceased = new("review-pensioner-deceased", ProblemKind.Conflict,
        "The pensioner was recorded deceased after this case opened; it cannot be approved (reject it or send it to a home visit; a wrong death record is reversed by two admins)",
        "该人员已登记死亡，不能批准本案件。请驳回或转上门核实；如死亡登记确有错误，须由管理员申请撤销死亡登记并经另一名管理员批准。");
    public static readonly ProblemType NothingToReverse = new("nothing-to-reverse", ProblemKind.Conflict, "The pensioner is not recorded deceased or transferred", "该人员没有可更正的死亡或转出登记。");
    public static readonly ProblemType NameChangeReasonRequired = new("name-change-reason-required", ProblemKind.BadRequest, "A name change needs a reason of 2-500 characters", "姓名变更须填写变更原因（2 至 500 个字符）。");
    public static readonly ProblemType InvalidReversalRequest = new("invalid-reversal-request", ProblemKind.BadRequest, "A reversal needs a reason of 2-500 characters", "更正申请须填写原因（2 至 500 个字符）。");
}
