namespace PensionCert.Core.Faces;

/// <summary>
/// A reason attached to a decision or an analysis: a stable machine-readable <see cref="Code"/>
/// (kebab-case, never changes once published) and zh-CN guidance a pensioner understands.
/// </summary>
/// <param name="Code">Stable machine-readable code, e.g. <c>no-face</c>.</param>
/// <param name="Message">Guidance in Simplified Chinese, shown to the pensioner or operator.</param>
public sealed record Reason(string Code, string Message);

/// <summary>
/// The catalogue of every reason code the face pipeline and the decision policy can produce.
/// Clients may switch on <see cref="Reason.Code"/>; the messages may be reworded.
/// </summary>
public static class Reasons
{
    /// <summary>The image could not be decoded (not an image, truncated, corrupt).</summary>
    public static readonly Reason ImageUnreadable = new("image-unreadable", "照片无法读取，请重新拍摄一张清晰的 JPEG 照片后再试。");

    /// <summary>The image header declares more pixels than the decoder accepts (decompression bomb guard).</summary>
    public static readonly Reason ImageTooLarge = new("image-too-large", "照片尺寸过大，请使用手机相机正常拍摄的照片（不超过约 5000 万像素）。");

    /// <summary>The image is too small to hold a usable face.</summary>
    public static readonly Reason ImageTooSmall = new("image-too-small", "照片分辨率太低，请靠近镜头重新拍摄。");

    /// <summary>No face was found.</summary>
    public static readonly Reason NoFace = new("no-face", "未检测到人脸，请正对镜头、露出完整面部后重新拍摄。");

    /// <summary>
    /// A second face as large as the main one and wholly inside the frame (a helper leaning in): which one is the
    /// pensioner cannot be told. Faces cut by the frame's edge and small background faces do not count (main-face rule).
    /// Also answered when the main face does not match but a smaller face wholly inside the frame does (a helper's face
    /// in front of the pensioner's): never an approval from a secondary face, never a counted mismatch.
    /// </summary>
    public static readonly Reason MultipleFaces = new("multiple-faces", "照片中不止一个人，无法确定哪一位是本人。请只让本人出现在画面中，其他人离开镜头后重新拍摄。");

    /// <summary>
    /// The face is cut by the edge of the photo around the eyes and did not match: half a face cannot be compared, so a
    /// retake is asked for instead of "another person".
    /// </summary>
    public static readonly Reason FaceNotFullyVisible = new("face-not-fully-visible", "脸部没有完整拍进照片（额头或眼睛在画面边缘外）。请把手机拿远一点、举正，让整张脸都在取景框内后重新拍摄。");

    /// <summary>The face is smaller than the configured minimum size.</summary>
    public static readonly Reason FaceTooSmall = new("face-too-small", "人脸太小，请将手机靠近面部，让脸部占满取景框后重新拍摄。");

    /// <summary>The face region is too dark.</summary>
    public static readonly Reason TooDark = new("too-dark", "光线太暗，请在明亮处、面向光源重新拍摄。");

    /// <summary>The face region is overexposed.</summary>
    public static readonly Reason TooBright = new("too-bright", "光线过强或逆光，请避开强光直射后重新拍摄。");

    /// <summary>The face region is blurred (low sharpness).</summary>
    public static readonly Reason Blurred = new("blurred", "照片模糊，请保持手机稳定、对焦清楚后重新拍摄。");

    /// <summary>
    /// The face is covered in grain or noise far beyond a phone camera's (a "grain" filter, a noise-adding app, a very dark
    /// room at maximum sensitivity): passive liveness cannot judge it (noise makes a photo of a screen look live), so a
    /// retake is asked for. Not counted as a failed attempt.
    /// </summary>
    public static readonly Reason TooNoisy = new("too-noisy", "照片噪点太多（颗粒感强），无法判断是否本人现场拍摄。请关闭滤镜和美颜，在光线充足的地方直接用相机重新拍摄。");

    /// <summary>
    /// Reference photos only: the photo's orientation cannot be told (stored sideways or upside down without an EXIF
    /// orientation, and no quarter turn shows a clearly upright face), so enrolling it could store a template of a
    /// misread face (<see cref="ReferenceOrientation"/>).
    /// </summary>
    public static readonly Reason FaceOrientationUnclear = new("face-orientation-unclear", "无法确定照片中人脸的方向（照片可能是横着或倒着的）。请把照片转正后重新上传，或让参保人端正坐好、正对镜头重新拍摄一张登记照片。");

    /// <summary>The head is turned too far from frontal.</summary>
    public static readonly Reason FaceNotFrontal = new("face-not-frontal", "请正对镜头，不要侧脸、低头或仰头。");

    /// <summary>Passive liveness says the face is a presentation attack (photo of a photo or a screen).</summary>
    public static readonly Reason FaceNotLive = new("face-not-live", "未通过活体检测，请本人直接面对镜头拍摄，不要翻拍照片或屏幕。");

    /// <summary>Liveness score is doubtful; a person will review.</summary>
    public static readonly Reason LivenessDoubtful = new("liveness-doubtful", "活体检测结果不确定，已转人工审核，请耐心等待结果。");

    /// <summary>The probe face clearly belongs to another person.</summary>
    public static readonly Reason FaceMismatch = new("face-mismatch", "人脸与登记照片不一致。如确为本人，请到社保经办窗口或社区服务中心办理认证。");

    /// <summary>The similarity score is between the review and accept thresholds; a person will review.</summary>
    public static readonly Reason SimilarityDoubtful = new("similarity-doubtful", "人脸比对相似度不足以自动通过（登记照片可能较早），已转人工审核，请耐心等待结果。");

    /// <summary>The probe is (nearly) the enrolled reference image itself: a replayed photo, not a live capture.</summary>
    public static readonly Reason ProbeMatchesReference = new("probe-matches-reference", "提交的照片与登记照片几乎完全相同，请本人现场重新拍摄，已转人工审核。");

    /// <summary>
    /// The reference photo replayed again while an earlier replay of it waits for a reviewer: rejected (counted against
    /// the day's limit) instead of opening another review case.
    /// </summary>
    public static readonly Reason ReplayReviewPending = new("replay-review-pending", "提交的照片与登记照片几乎完全相同，同样的照片已在人工审核中，本次不再重复审核。请本人对着镜头现场拍摄，或到社保经办窗口、社区服务站办理认证。");

    /// <summary>The pensioner's reference photo or embedding is missing.</summary>
    public static readonly Reason ReferenceUnavailable = new("reference-unavailable", "未找到您的登记照片，请到社保经办窗口办理认证或重新登记。");

    /// <summary>The submitted selfie is missing from storage.</summary>
    public static readonly Reason PhotoUnavailable = new("photo-unavailable", "未找到提交的照片，请重新提交认证。");

    /// <summary>Processing failed after every retry; the submission can be retried.</summary>
    public static readonly Reason ProcessingFailed = new("processing-failed", "系统处理失败，请稍后重新提交认证。");

    /// <summary>The verification was lost (the worker stopped and its retry never ran); the submission can be retried.</summary>
    public static readonly Reason ProcessingInterrupted = new("processing-interrupted", "认证处理中断，未能完成比对，请重新提交认证。");
    /// <summary>
    /// Operator-captured certification (counter, community, home visit) whose face the comparison rejects as another
    /// person: the operator attested the ID document, so a reviewer decides instead of an automatic rejection.
    /// </summary>
    public static readonly Reason AttestedFaceMismatch = new("attested-face-mismatch", "现场采集的照片与登记照片不一致，经办人员已核验身份证件，已转人工复核，请耐心等待结果。");

    /// <summary>Action challenge: an action asked for was not seen in its step's frames.</summary>
    public static readonly Reason ActionNotSeen = new("action-not-seen", "没有看到您按提示完成动作。请在光线充足的地方，听到提示后慢慢转头或眨眼，再重新认证；戴眼镜的请摘下眼镜再眨眼。");

    /// <summary>Action challenge: the actions were done, but not in the order asked.</summary>
    public static readonly Reason ActionWrongOrder = new("action-wrong-order", "动作顺序与提示不一致。请按屏幕和语音提示，一次只做一个动作，再重新认证。");

    /// <summary>Action challenge: the frames show more than one person.</summary>
    public static readonly Reason PersonChanged = new("person-changed", "认证过程中画面里的人发生了变化。请本人独自面对镜头完成全部动作，再重新认证。");

    /// <summary>Action challenge: the session expired before it was submitted.</summary>
    public static readonly Reason SessionExpired = new("session-expired", "本次认证已超时。请返回办理页面，重新点击“开始认证”。");

    /// <summary>Action challenge: the session was already submitted once.</summary>
    public static readonly Reason SessionAlreadyUsed = new("session-already-used", "本次认证链接已经使用过。请返回办理页面，重新点击“开始认证”。");

    /// <summary>Action challenge: frames of a step are missing.</summary>
    public static readonly Reason FramesMissing = new("frames-missing", "没有收到完整的认证画面。请在网络良好的地方重新认证。");

    /// <summary>
    /// Photo-quality refusals: the photo could not be compared at all and only a retake helps. They say nothing about
    /// who is in it, so they do not use up the daily budget of failed attempts meant for mismatches.
    /// </summary>
    public static IReadOnlySet<string> RetakeOnly { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        ImageUnreadable.Code, ImageTooLarge.Code, ImageTooSmall.Code, NoFace.Code, MultipleFaces.Code, FaceTooSmall.Code,
        TooDark.Code, TooBright.Code, Blurred.Code, FaceNotFrontal.Code, TooNoisy.Code, FaceNotFullyVisible.Code,
    };

    /// <summary>True when every code of a rejection is a photo-quality refusal (<see cref="RetakeOnly"/>).</summary>
    public static bool AreRetakeOnly(IReadOnlyCollection<string> codes) => codes.Count > 0 && codes.All(RetakeOnly.Contains);

    /// <summary>Every reason, keyed by code.</summary>
    public static IReadOnlyDictionary<string, Reason> All { get; } = new[]
    {
        ImageUnreadable, ImageTooLarge, ImageTooSmall, NoFace, MultipleFaces, FaceTooSmall, TooDark, TooBright,
        Blurred, TooNoisy, FaceNotFullyVisible, FaceNotFrontal, FaceOrientationUnclear, FaceNotLive, LivenessDoubtful, FaceMismatch, SimilarityDoubtful, ProbeMatchesReference, ReplayReviewPending,
        ReferenceUnavailable, PhotoUnavailable, ProcessingFailed, ProcessingInterrupted,
        ActionNotSeen, ActionWrongOrder, PersonChanged, SessionExpired, SessionAlreadyUsed, FramesMissing, AttestedFaceMismatch,
    }.ToDictionary(r => r.Code, StringComparer.Ordinal);

    /// <summary>Looks a reason up by code; an unknown code (from a newer version) keeps its code with a generic message.</summary>
    public static Reason FromCode(string code) =>
        All.TryGetValue(code, out var reason) ? reason : new Reason(code, "认证未通过，请按提示重新拍摄或到经办窗口办理。");
}
