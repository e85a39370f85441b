namespace PensionCert.Core.Errors;

/// <summary>Problem codes of a first enrolment from a scanned ID or archive photo (four-eyes).</summary>
public static partial class ProblemTypes
{
    public static readonly ProblemType InvalidReferenceSource = new("invalid-reference-source", ProblemKind.BadRequest,
        "referenceSource must be live-capture (default) or id-photo",
        "登记照片来源不正确：当场拍摄请填 live-capture（或不填），证件照或档案照片请填 id-photo。");
    public static readonly ProblemType IdPhotoEnrollmentPending = new("id-photo-enrollment-pending", ProblemKind.Conflict,
        "Another ID-photo enrolment of this ID number already waits for a second operator; it must be decided first",
        "该身份证号码已有一份证件照登记申请正在等待另一名工作人员复核，请等复核完成后再提交。");
}
