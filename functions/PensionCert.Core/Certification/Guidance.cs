namespace PensionCert.Core.Certification;

/// <summary>
/// What the pensioner should do next after a decision: a stable code (in events and responses) and a plain zh-CN
/// message. Channels show the message; SMS and app messages pick their text by the code.
/// </summary>
public static class Guidance
{
    /// <summary>Nothing to do.</summary>
    public const string None = "none";
    /// <summary>Take the selfie again (light, frontal, one face).</summary>
    public const string RetakePhoto = "retake-photo";
    /// <summary>Certify at a bureau counter or community service centre.</summary>
    public const string VisitCounter = "visit-counter";
    /// <summary>Ask for a home visit (for those who cannot travel).</summary>
    public const string RequestHomeVisit = "request-home-visit";
    /// <summary>A reviewer decides; the result will be sent.</summary>
    public const string WaitForReview = "wait-for-review";
    /// <summary>The system could not finish; submit again later.</summary>
    public const string RetryLater = "retry-later";
    /// <summary>The reference photo must be taken again at a counter.</summary>
    public const string ReEnrollAtCounter = "re-enroll-at-counter";

    /// <summary>Each code's message.</summary>
    public static readonly IReadOnlyDictionary<string, string> Messages = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [None] = "无需办理其他事项。",
        [RetakePhoto] = "请在光线充足的地方正对手机摄像头，摘下帽子和眼镜，重新拍照认证。",
        [VisitCounter] = "请携带身份证到社保经办窗口或社区服务中心办理认证。",
        [RequestHomeVisit] = "工作人员将与您联系上门认证，请保持电话畅通。",
        [WaitForReview] = "您的认证需要工作人员人工复核，结果将通过短信或应用消息通知您，无需重复提交。",
        [RetryLater] = "系统暂时无法完成认证，请稍后重新提交。",
        [ReEnrollAtCounter] = "您的登记照片需要更新，请携带身份证到社保经办窗口重新采集照片。",
    };

    /// <summary>The guidance of a worker decision: retake after a rejection, wait during review, retry after a failure.</summary>
    public static string ForStatus(CertificationStatus status) => status switch
    {
        CertificationStatus.Rejected => RetakePhoto,
        CertificationStatus.NeedsReview => WaitForReview,
        CertificationStatus.Failed => RetryLater,
        _ => None,
    };
}

/// <summary>Who decided a certification (<see cref="Storage.CertificationRecord.DecisionSource"/>).</summary>
public static class DecisionSources
{
    /// <summary>The verification worker (automatic decision).</summary>
    public const string Worker = "worker";

    /// <summary>A reviewer (manual review).</summary>
    public const string Review = "review";
}
