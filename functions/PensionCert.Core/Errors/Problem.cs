using PensionCert.Core.Faces;

namespace PensionCert.Core.Errors;

/// <summary>The class of a problem; each host maps it to its status code (e.g. HTTP 400, 404, 413, 415, 503).</summary>
public enum ProblemKind
{
    BadRequest,
    Unauthorized,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    Unprocessable,
    Unavailable,
    Internal,
    Forbidden,
    TooManyRequests,
    RequestTimeout,
    UriTooLong,
    RequestHeadersTooLarge,
}

/// <summary>
/// A problem a caller can act on: a stable machine-readable <see cref="Code"/>, a zh-CN <see cref="Message"/> a
/// pensioner understands, and an English <see cref="Title"/> for developers (RFC 9457 <c>title</c>).
/// </summary>
public sealed record ProblemType(string Code, ProblemKind Kind, string Title, string Message);

/// <summary>The catalogue of problem codes the API returns. Codes never change once published.</summary>
public static partial class ProblemTypes
{
    public static readonly ProblemType InvalidIdNumber = new("invalid-id-number", ProblemKind.BadRequest, "Invalid citizen ID number", "身份证号码不正确，请核对后重新输入。");
    public static readonly ProblemType InvalidName = new("invalid-name", ProblemKind.BadRequest, "Invalid name", "姓名格式不正确，请填写身份证上的姓名。");
    public static readonly ProblemType InvalidRegionCode = new("invalid-region-code", ProblemKind.BadRequest, "Invalid administrative region code", "行政区划代码不正确：请填写有效的 6 位行政区划代码（如 110105）。");
    public static readonly ProblemType InvalidChannel = new("invalid-channel", ProblemKind.BadRequest, "Unknown certification channel", "认证渠道不正确。");
    public static readonly ProblemType MissingPensioner = new("pensioner-identifier-missing", ProblemKind.BadRequest, "idNumber or pensionerId is required", "请提供身份证号码或人员编号。");
    public static readonly ProblemType PhotoMissing = new("photo-missing", ProblemKind.BadRequest, "The photo is missing", "缺少照片，请拍摄后重新提交。");
    public static readonly ProblemType PhotoInvalidBase64 = new("photo-invalid-base64", ProblemKind.BadRequest, "The photo is not valid base64", "照片数据格式不正确，请重新拍摄后提交。");
    public static readonly ProblemType PhotoTooLarge = new("photo-too-large", ProblemKind.PayloadTooLarge, "The request body is too large", "照片文件过大，请压缩后重新提交（不超过 10 MB）。");
    public static readonly ProblemType PhotoUnsupportedFormat = new("photo-unsupported-format", ProblemKind.UnsupportedMediaType, "Unsupported image format", "照片格式不支持，请使用 JPEG、PNG 或 WebP 格式的照片。");
    public static readonly ProblemType PhotoHeicUnsupported = new("photo-heic-unsupported", ProblemKind.UnsupportedMediaType, "HEIC/HEIF images are not supported", "暂不支持 HEIC 格式照片。请在手机相机设置中选择“兼容性最佳”（JPEG）后重新拍摄。");
    public static readonly ProblemType ReferencePhotoUnusable = new("reference-photo-unusable", ProblemKind.Unprocessable, "The reference photo has no single usable face", "登记照片不合格，请按提示重新拍摄登记照片。");
    public static readonly ProblemType MalformedRequest = new("malformed-request", ProblemKind.BadRequest, "The request body could not be read", "请求格式不正确，请重新提交。");
    public static readonly ProblemType UnknownField = new("unknown-field", ProblemKind.BadRequest, "The request has a field this endpoint does not accept", "请求中包含无法识别的字段，请检查后重新提交。");
    public static readonly ProblemType DuplicateField = new("duplicate-field", ProblemKind.BadRequest, "A field appears more than once", "请求中有重复的字段，请检查后重新提交。");
    public static readonly ProblemType InvalidFieldType = new("invalid-field-type", ProblemKind.BadRequest, "A field is not acceptable text (wrong type, invalid characters or too long)", "请求字段格式不正确，请检查后重新提交。");
    public static readonly ProblemType UnsupportedContentType = new("unsupported-content-type", ProblemKind.UnsupportedMediaType, "Use multipart/form-data or application/json", "请求格式不支持，请使用 multipart/form-data 或 JSON 提交。");
    public static readonly ProblemType PensionerNotFound = new("pensioner-not-found", ProblemKind.NotFound, "Pensioner not found", "未找到该人员的登记信息，请先到社保经办机构办理登记。");
    public static readonly ProblemType CertificationNotFound = new("certification-not-found", ProblemKind.NotFound, "Certification not found", "未找到该认证记录。");
    public static readonly ProblemType EnrollmentConflict = new("enrollment-conflict", ProblemKind.Conflict, "The pensioner is being enrolled by another request", "该人员正在被其他操作登记，请稍后重试。");
    public static readonly ProblemType ConflictingIdentifiers = new("conflicting-identifiers", ProblemKind.BadRequest, "Send idNumber or pensionerId, not both", "请只提供身份证号码或人员编号其中一项。");
    public static readonly ProblemType ServiceNotReady = new("service-not-ready", ProblemKind.Unavailable, "The face models are not loaded", "系统正在启动或维护，请稍后再试。");
    public static readonly ProblemType IdempotencyKeyReused = new("idempotency-key-reused", ProblemKind.Conflict, "Idempotency-Key was used with a different request", "重复提交的请求内容不一致，请重新发起认证。");
    public static readonly ProblemType InvalidIdempotencyKey = new("invalid-idempotency-key", ProblemKind.BadRequest, "Idempotency-Key must be 1-128 visible ASCII characters", "请求标识格式不正确。");
    public static readonly ProblemType Unauthorized = new("unauthorized", ProblemKind.Unauthorized, "Missing or invalid key", "身份验证失败，请使用正式渠道重新进入。");
    public static readonly ProblemType NotFound = new("not-found", ProblemKind.NotFound, "No such endpoint", "请求的地址不存在。");
    public static readonly ProblemType MethodNotAllowed = new("method-not-allowed", ProblemKind.MethodNotAllowed, "Method not allowed", "请求方式不正确。");
    public static readonly ProblemType PensionerInactive = new("pensioner-inactive", ProblemKind.Conflict, "The pensioner is deceased or transferred", "该人员已标记为死亡或已转出，不能办理此业务。");
    public static readonly ProblemType NoOpenInvestigation = new("no-open-investigation", ProblemKind.Conflict, "The pensioner has no open investigation", "该人员当前没有待处理的核查任务。");
    public static readonly ProblemType SuspensionHeld = new("suspension-held", ProblemKind.Conflict, "A home visit or review is open; suspension is not allowed", "该人员有未完成的上门核查或人工复核，暂不能停发待遇。");
    public static readonly ProblemType TooManyOpenHolds = new("too-many-open-holds", ProblemKind.Conflict, "The pensioner has the most open holds allowed", "该人员未完成的上门核查和人工复核已达上限（100 项），请先处理已有事项。");
    public static readonly ProblemType InvalidInvestigationOutcome = new("invalid-investigation-outcome", ProblemKind.BadRequest, "Unknown investigation outcome", "核查结果不正确，应为 suspend、certified、home-visit-requested 或 home-visit-closed。");
    public static readonly ProblemType InvalidStatusChange = new("invalid-status-change", ProblemKind.BadRequest, "status must be deceased or transferred", "状态变更不正确，应为 deceased（死亡）或 transferred（转出）。");
    public static readonly ProblemType InvalidDate = new("invalid-date", ProblemKind.BadRequest, "A date must be yyyy-MM-dd and not in the future", "日期格式不正确（应为 yyyy-MM-dd），且不能晚于今天。");
    public static readonly ProblemType InvalidMonth = new("invalid-month", ProblemKind.BadRequest, "month must be yyyy-MM", "月份格式不正确，应为 yyyy-MM。");
    public static readonly ProblemType InvalidStateFilter = new("invalid-state-filter", ProblemKind.BadRequest, "state must be DueSoon, Overdue, UnderInvestigation, Suspended, Deceased, Transferred or Valid", "状态筛选条件不正确。");
    public static readonly ProblemType InvalidPageSize = new("invalid-page-size", ProblemKind.BadRequest, "pageSize must be a whole number from 1 (larger than 500 is served as 500)", "每页条数不正确，应为 1 到 500 的整数。");
    public static readonly ProblemType InvalidContinuationToken = new("invalid-continuation-token", ProblemKind.BadRequest, "The continuation token is not valid", "分页标识不正确，请从第一页重新查询。");
    public static readonly ProblemType EvidenceFormatUnsupported = new("evidence-format-unsupported", ProblemKind.UnsupportedMediaType, "Use application/x-ndjson (JSON lines) or text/csv", "比对数据格式不支持，请使用 JSON Lines 或 CSV。");
    public static readonly ProblemType EvidenceMalformed = new("evidence-malformed", ProblemKind.BadRequest, "The evidence batch could not be read", "比对数据无法解析，请检查文件格式（表头应为 idNumber,type,date,source）。");
    public static readonly ProblemType EvidenceTooManyRecords = new("evidence-too-many-records", ProblemKind.PayloadTooLarge, "Too many records in one batch", "单批比对数据过多，请拆分后分批提交（已处理的记录重复提交不会重复生效）。");
    public static readonly ProblemType StorageUnavailable = new("storage-unavailable", ProblemKind.Unavailable, "Storage is temporarily unavailable", "系统繁忙，请稍后再试。");
    public static readonly ProblemType InternalError = new("internal-error", ProblemKind.Internal, "Unexpected error", "系统出现异常，请稍后再试。");
    public static readonly ProblemType OperatorUnauthorized = new("operator-unauthorized", ProblemKind.Unauthorized, "Missing, expired or invalid operator bearer token", "登录已失效或无效，请重新登录经办系统。");
    public static readonly ProblemType RoleNotAllowed = new("role-not-allowed", ProblemKind.Forbidden, "The operator's role does not allow this action", "您的岗位权限不能办理此业务。");
    public static readonly ProblemType RegionNotServed = new("region-not-served", ProblemKind.Forbidden, "The pensioner or region is outside the operator's regions", "该人员不属于您负责的行政区划，无权查看或办理。");
    public static readonly ProblemType DailyAttemptsExhausted = new("daily-attempts-exhausted", ProblemKind.TooManyRequests, "Too many failed certifications today; use an offline channel", "今天的刷脸认证未通过次数已达上限。请携带身份证到社保经办窗口或社区服务站办理认证，行动不便的可申请工作人员上门认证；也可明天再试。");
    public static readonly ProblemType RequestTimeout = new("request-timeout", ProblemKind.RequestTimeout, "The request body did not arrive in time", "网络较慢，照片上传超时，请在网络较好的地方重新提交。");
    public static readonly ProblemType RateLimited = new("rate-limited", ProblemKind.TooManyRequests, "Too many requests; retry after the time in Retry-After", "当前访问人数较多，请稍后再试。");
    public static readonly ProblemType IdempotentRequestInProgress = new("idempotent-request-in-progress", ProblemKind.Conflict, "A request with this Idempotency-Key is still being processed", "您的认证请求正在处理中，请稍候查看结果，不要重复提交。");
    public static readonly ProblemType PensionerSubmissionsLimited = new("pensioner-submissions-limited", ProblemKind.TooManyRequests, "Too many submissions for this pensioner; retry after the time in Retry-After", "提交过于频繁，请稍等片刻再试。");
    public static readonly ProblemType UriTooLong = new("uri-too-long", ProblemKind.UriTooLong, "The request target (path and query) is too long", "请求地址过长，请返回后重新操作。");
    public static readonly ProblemType RequestHeadersTooLarge = new("request-headers-too-large", ProblemKind.RequestHeadersTooLarge, "The request headers are too large or too many", "请求头过大，请清除浏览器或应用缓存后重试。");
    public static readonly ProblemType SessionTokenInvalid = new("session-token-invalid", ProblemKind.Unauthorized, "Missing or unknown session token", "认证链接无效，请返回办理页面重新开始认证。");
    public static readonly ProblemType SessionExpired = new("session-expired", ProblemKind.Conflict, "The certification session has expired", "本次认证已超时。请返回办理页面，重新点击“开始认证”。");
    public static readonly ProblemType SessionAlreadyUsed = new("session-already-used", ProblemKind.Conflict, "The certification session was already submitted", "本次认证链接已经使用过。请返回办理页面，重新点击“开始认证”。");
    public static readonly ProblemType DailySessionsExhausted = new("daily-sessions-exhausted", ProblemKind.TooManyRequests, "Too many certification sessions for this pensioner today; retry after the time in Retry-After", "今天为您发起的刷脸认证次数已达上限，请明天再试。也可携带身份证到社保经办窗口或社区服务站办理认证，行动不便的可申请工作人员上门认证。");
    public static readonly ProblemType SessionNotFound = new("session-not-found", ProblemKind.NotFound, "Certification session not found", "未找到该认证会话。");
    public static readonly ProblemType SessionNonceMismatch = new("session-nonce-mismatch", ProblemKind.BadRequest, "nonce does not match the session's challenge", "认证数据与本次认证不符，请返回办理页面重新开始认证。");
    public static readonly ProblemType SessionStepInvalid = new("session-step-invalid", ProblemKind.BadRequest, "step must be the index of one of the session's actions", "认证步骤不正确，请返回办理页面重新开始认证。");
    public static readonly ProblemType SessionFramesInvalid = new("session-frames-invalid", ProblemKind.BadRequest, "Send 1 to the configured number of JPEG frames, each within the size limit", "上传的画面不正确，请重新认证。");
    public static readonly ProblemType SessionIncomplete = new("session-incomplete", ProblemKind.Conflict, "Frames are missing for an action; upload every step before submitting", "还有动作没有完成，请按提示完成全部动作。");
    public static readonly ProblemType InvalidReturnUrl = new("invalid-return-url", ProblemKind.BadRequest, "returnUrl must be an absolute https URL of at most 2048 characters", "返回地址不正确。");
    public static readonly ProblemType ChannelNotAllowed = new("channel-not-allowed", ProblemKind.Forbidden, "This client key may not submit for this channel", "当前应用无权以该渠道提交认证，请从正式渠道进入。");
}

/// <summary>
/// Thrown by application services when a request cannot be carried out; hosts turn it into RFC 9457 problem+json.
/// The exception message is the problem code only: it never carries personal data.
/// </summary>
public sealed class ProblemException(ProblemType problem, string? detail = null, IReadOnlyList<Reason>? reasons = null)
    : Exception(problem.Code)
{
    /// <summary>
    /// When the caller may usefully retry (HTTP <c>Retry-After</c>, RFC 9110 §10.2.3, whole seconds rounded up); null
    /// when the host's default applies (5 s for 503) or retrying does not help.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The problem type.</summary>
    public ProblemType Problem { get; } = problem;

    /// <summary>Optional zh-CN detail specific to this occurrence (no personal data).</summary>
    public string? Detail { get; } = detail;

    /// <summary>Face reasons behind the problem, e.g. why a reference photo is unusable.</summary>
    public IReadOnlyList<Reason> Reasons { get; } = reasons ?? [];

    /// <summary>
    /// For the operator audit row only (never in the answer): the pensioner the refused call was about, when the answer
    /// must not say it exists (see <see cref="OutsideRegions"/>).
    /// </summary>
    public string? AuditPensionerId { get; init; }

    /// <summary>For the operator audit row only: a short non-personal note on why the call was refused.</summary>
    public string? AuditNote { get; init; }

    /// <summary>The audit note of a pensioner outside the operator's regions.</summary>
    public const string OutsideRegionsNote = "refused: pensioner outside the operator's regions";

    /// <summary>
    /// The answer for an operator asking about a pensioner outside their regions: the same 404 pensioner-not-found (code
    /// and message) an unknown ID number or id gets, so a clerk cannot learn that a number is enrolled elsewhere; the
    /// audit row still records the attempt against the pensioner with <see cref="OutsideRegionsNote"/>.
    /// </summary>
    public static ProblemException OutsideRegions(string pensionerId) =>
        new(ProblemTypes.PensionerNotFound) { AuditPensionerId = pensionerId, AuditNote = OutsideRegionsNote };
}

/// <summary>
/// A component the request needs is not ready (e.g. the face models failed to load); hosts answer 503 with
/// Retry-After and the health endpoint lists what is missing. The message names the component, never personal data.
/// </summary>
public sealed class ServiceNotReadyException(string message) : Exception(message);
