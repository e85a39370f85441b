using System.ComponentModel.DataAnnotations;

namespace PensionCert.Core.Sessions;

/// <summary>Certification sessions and the phone page, bound from <c>PensionCert:Sessions</c>.</summary>
public sealed class SessionOptions
{
    public const string SectionName = "PensionCert:Sessions";

    /// <summary>How long a session may be used after it is created (2-30 minutes, default 5): the page must submit within it.</summary>
    [Range(2, 30)]
    public int LifetimeMinutes { get; set; } = 5;

    /// <summary>
    /// How long after expiry the session row is kept so the page and the channel can read the result (default 60
    /// minutes); then the purge timer deletes the row and any frames left (an abandoned session leaves nothing behind).
    /// </summary>
    [Range(1, 1440)]
    public int KeepAfterExpiryMinutes { get; set; } = 60;

    /// <summary>
    /// Sessions a pensioner may be given per China calendar day (1-100, default 10, twice the daily limit of rejected
    /// online certifications): a channel cannot create session after session for one pensioner until a challenge it
    /// likes comes up. Abandoned sessions count too; operator-captured certifications never use sessions.
    /// </summary>
    [Range(1, 100)]
    public int MaxSessionsPerPensionerPerDay { get; set; } = 10;

    /// <summary>Frames accepted per action step (1-12, default 8).</summary>
    [Range(1, 12)]
    public int MaxFramesPerAction { get; set; } = 8;

    /// <summary>Largest frame accepted, in bytes (default 200 KB; the page sends 480-pixel JPEGs of about 20-40 KB).</summary>
    [Range(10_000, 2_000_000)]
    public int MaxFrameBytes { get; set; } = 200_000;

    /// <summary>
    /// The phone page's address that session responses point to (default <c>/h5/</c>, served by the local host; in Azure
    /// the static site's URL, e.g. <c>https://pensioncertweb.z7.web.core.chinacloudapi.cn/h5/</c>). The token follows in the
    /// URL fragment (<c>#token=…</c>), which browsers never send to a server.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string PageUrl { get; set; } = "/h5/";
}

/// <summary>
/// Thresholds of the action-liveness check, bound from <c>PensionCert:ActionLiveness</c>. Calibrated with
/// <c>PensionCert.Tools read-frames</c> on <c>shared/liveness/clips</c> (README, "Certification sessions"): frontal frames of
/// the webcam clip read fr_pose yaw −11.5…+4.5° and landmark yaw −11…+19.3°; its turns read fr_pose +30…+41° with landmark
/// yaw −50…−90° (towards the image's left) and −48…−74° with landmark yaw +90° (towards the image's right); fr_pose alone
/// misreads some near-profile frames (chin up) as +4…+30°, so a turn or a frontal frame needs both estimates to agree.
/// Eyes: fr_eye reads 1.00 on closed and 0.00 on open eyes of the blink clip, 0.00 throughout the gaze clip, and 0.35-1.00
/// on open eyes behind glasses (so a blink is never the only action).
/// </summary>
public sealed class ActionLivenessOptions
{
    public const string SectionName = "PensionCert:ActionLiveness";

    /// <summary>fr_pose |yaw| at or above which a frame shows a head turn (default 25°; turns measured 30-74°, frontal at most 16.7°).</summary>
    [Range(5.0, 80.0)]
    public double TurnYawDegrees { get; set; } = 25;

    /// <summary>Landmark |yaw| (opposite sign convention) at or above which the landmarks agree with a turn (default 25°; turned frames read 50-90°).</summary>
    [Range(5.0, 90.0)]
    public double LandmarkTurnYawDegrees { get; set; } = 25;

    /// <summary>Frames that must show the turn (default 2; the clip's turns span 3-6 frames at 4 per second).</summary>
    [Range(1, 10)]
    public int MinTurnFrames { get; set; } = 2;

    /// <summary>fr_pose |yaw| at most this for a frontal frame (default 15°).</summary>
    [Range(1.0, 45.0)]
    public double FrontalYawDegrees { get; set; } = 15;

    /// <summary>Landmark |yaw| at most this for a frontal frame (default 25°; frontal frames read up to 19.3°).</summary>
    [Range(1.0, 60.0)]
    public double LandmarkFrontalYawDegrees { get; set; } = 25;

    /// <summary>fr_eye closed probability at or above which the eyes are closed (default 0.9; closed eyes read 0.98-1.00).</summary>
    [Range(0.5, 1.0)]
    public double EyesClosedProbability { get; set; } = 0.9;

    /// <summary>fr_eye closed probability at or below which the eyes are open (default 0.2; open eyes read 0.00 without glasses).</summary>
    [Range(0.0, 0.5)]
    public double EyesOpenProbability { get; set; } = 0.2;

    /// <summary>
    /// Cosine similarity every frontal frame must reach against the session's best frontal frame to count as the same person
    /// (default 0.35). Measured: frontal frames of one person within a clip score 0.38-0.76 against the anchor (the webcam
    /// clip's 9.1 s frame, yaw −13°, 0.49; the phone replay's frames 0.38-0.59); on shared/faces 0.7 % of impostor pairs
    /// reach 0.34 and 0.4 % reach 0.36 (<c>evaluate --threshold-report</c>, RGB embedding). A person change is a rejection
    /// with a retake message, and 1:1 against the reference still decides; recalibrate with the embedding (issue 16).
    /// </summary>
    [Range(0.0, 1.0)]
    public double SamePersonSimilarity { get; set; } = 0.35;
}
