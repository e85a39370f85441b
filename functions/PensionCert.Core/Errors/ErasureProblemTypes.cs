namespace PensionCert.Core.Errors;

/// <summary>Problem codes of erasure and of re-enrolment after erasure (four-eyes on whose face a pensioner is).</summary>
public static partial class ProblemTypes
{
    public static readonly ProblemType ErasureWhileDrawingPension = new("erasure-while-drawing-pension", ProblemKind.Conflict,
        "A pensioner still drawing a pension cannot be erased; record the death or transfer first (four-eyes)",
        "该人员仍在领取养老金，不能删除其信息。只有在登记死亡或转出、待遇停发后，才可按个人信息保护规定删除。");
    public static readonly ProblemType ReEnrollmentNeedsSecondOperator = new("re-enrollment-needs-second-operator", ProblemKind.Conflict,
        "This ID number was erased after a transfer; the same re-enrolment must be confirmed by a second admin (not the requester)",
        "该身份证号码的信息已在转出后删除。重新登记须由另一名管理员核对本人后，用同一照片和信息再次提交确认。");
    public static readonly ProblemType ReferenceNotLive = new("reference-not-live", ProblemKind.Unprocessable,
        "The first reference photo is not of a live person (a photo of a photo or of a screen); photograph the pensioner in person",
        "登记照片不是本人现场照片（疑似翻拍照片或屏幕）。请让参保人本人到场，当场拍摄正面照片后重新登记。");
    public static readonly ProblemType ReferenceChangePending = new("reference-change-pending", ProblemKind.Conflict,
        "A reference change of this pensioner already waits for a second operator; it must be decided first",
        "该人员已有一张新登记照片正在等待复核，请等复核完成后再提交。");
}
