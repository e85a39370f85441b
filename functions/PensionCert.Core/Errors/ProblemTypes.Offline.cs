namespace PensionCert.Core.Errors;

/// <summary>Problem codes of offline certification, home visits and family helpers (issue 11, part 2).</summary>
public static partial class ProblemTypes
{
    public static readonly ProblemType InvalidOfflineChannel = new("invalid-offline-channel", ProblemKind.BadRequest, "channel must be counter, community or home-visit", "现场认证渠道不正确，应为 counter（窗口）、community（社区）或 home-visit（上门）。");
    public static readonly ProblemType InvalidServicePoint = new("invalid-service-point", ProblemKind.BadRequest, "servicePoint must be 3-64 letters, digits or '-'", "服务网点编码不正确。");
    public static readonly ProblemType IdDocumentNotChecked = new("id-document-not-checked", ProblemKind.BadRequest, "idDocumentChecked must be true: check the pensioner's ID document first", "请先核验本人身份证件原件，再进行现场认证。");
    public static readonly ProblemType HomeVisitIdRequired = new("home-visit-id-required", ProblemKind.BadRequest, "channel home-visit needs the visitId of a scheduled visit (and other channels must not send one)", "上门认证须填写已排期的上门服务单号；窗口和社区认证不填写。");
    public static readonly ProblemType HomeVisitNotFound = new("home-visit-not-found", ProblemKind.NotFound, "Home visit not found", "未找到该上门认证申请。");
    public static readonly ProblemType HomeVisitStateConflict = new("home-visit-state-conflict", ProblemKind.Conflict, "The home visit's state does not allow this change", "该上门认证申请当前状态不能办理此操作，请刷新后查看最新状态。");
    public static readonly ProblemType HomeVisitAlreadyOpen = new("home-visit-already-open", ProblemKind.Conflict, "The pensioner already has an open home-visit request", "该人员已有尚未办结的上门认证申请，请勿重复申请。");
    public static readonly ProblemType InvalidVisitReason = new("invalid-visit-reason", ProblemKind.BadRequest, "reason must be bedridden, disabled or very-old", "申请原因不正确，应为 bedridden（卧床）、disabled（残疾）或 very-old（高龄）。");
    public static readonly ProblemType InvalidContactPhone = new("invalid-contact-phone", ProblemKind.BadRequest, "contactPhone must be an 11-digit mobile number or a landline (digits and '-', 7-20 characters)", "联系电话不正确，请填写 11 位手机号码或固定电话。");
    public static readonly ProblemType InvalidAddress = new("invalid-address", ProblemKind.BadRequest, "address must be 5-200 characters", "上门地址不正确，请填写详细地址（5-200 个字）。");
    public static readonly ProblemType InvalidPreferredDates = new("invalid-preferred-dates", ProblemKind.BadRequest, "preferredDates must be 1-5 distinct dates (yyyy-MM-dd) from tomorrow up to 60 days ahead", "期望上门日期不正确，请选择明天起 60 天内的 1-5 个日期。");
    public static readonly ProblemType InvalidVisitDate = new("invalid-visit-date", ProblemKind.BadRequest, "date must be yyyy-MM-dd, not before today and at most 90 days ahead", "上门日期不正确，应为今天起 90 天内的日期（yyyy-MM-dd）。");
    public static readonly ProblemType InvalidStaffId = new("invalid-staff-id", ProblemKind.BadRequest, "assignedStaff must be 1-64 letters, digits, '-', '_' or '.'", "上门工作人员编号不正确。");
    public static readonly ProblemType InvalidVisitOutcomeReason = new("invalid-visit-outcome-reason", ProblemKind.BadRequest, "Unknown reason for this home-visit change", "办理原因不正确，请从列表中选择。");
    public static readonly ProblemType VisitCertificationMismatch = new("visit-certification-mismatch", ProblemKind.Conflict, "The certification was not captured on this home visit", "该认证记录不是本次上门采集的，请核对后重新提交。");
    public static readonly ProblemType CertificationNotDecided = new("certification-not-decided", ProblemKind.Conflict, "The certification is not decided yet; retry after Retry-After", "认证结果尚未产生，请稍候再试。");
    public static readonly ProblemType VisitCertificationRejected = new("visit-certification-rejected", ProblemKind.Conflict, "The visit's certification was rejected or failed; capture the photo again", "本次上门采集的照片未通过，请按提示重新拍摄后再办结。");
    public static readonly ProblemType InvalidVisitFilter = new("invalid-visit-filter", ProblemKind.BadRequest, "Filters: region (6 digits), state (Requested, Scheduled, Completed, Cancelled, Unsuccessful, Expired), date (yyyy-MM-dd), staff", "查询条件不正确。");
    public static readonly ProblemType FamilyHelperNotFound = new("family-helper-not-found", ProblemKind.NotFound, "Family helper not found for this pensioner", "未找到该亲属代办绑定。");
    public static readonly ProblemType FamilyHelperNotApproved = new("family-helper-not-approved", ProblemKind.Forbidden, "The family helper is not approved yet", "亲属代办绑定尚未经社保经办人员审核通过，暂不能代为认证。");
    public static readonly ProblemType FamilyHelperRevoked = new("family-helper-revoked", ProblemKind.Forbidden, "The family helper's binding was revoked", "亲属代办资格已被撤销，不能代为认证。如有需要请重新申请绑定。");
    public static readonly ProblemType FamilyHelperStateConflict = new("family-helper-state-conflict", ProblemKind.Conflict, "The family helper's state does not allow this change", "该亲属代办绑定当前状态不能办理此操作。");
    public static readonly ProblemType FamilyHelperLimit = new("family-helper-limit", ProblemKind.Conflict, "A pensioner may have at most 3 pending or active family helpers", "每位退休人员最多绑定 3 名代办亲属，请先撤销不再需要的绑定。");
    public static readonly ProblemType InvalidRelationship = new("invalid-relationship", ProblemKind.BadRequest, "relationship must be spouse, child, child-in-law, grandchild, sibling or guardian", "与退休人员的关系不正确。");
    public static readonly ProblemType HelperNotForOfflineChannel = new("helper-online-only", ProblemKind.BadRequest, "Family-assisted certification uses the online channels only", "亲属代办认证仅支持线上渠道。");
}
