using System.ComponentModel.DataAnnotations;

namespace PensionCert.Core.Certification;

/// <summary>Submission and processing limits, section <c>PensionCert:Certification</c>.</summary>
public sealed class CertificationOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:Certification";

    /// <summary>
    /// Queue delivery attempts before a message is poisoned; must equal host.json
    /// <c>extensions.queues.maxDequeueCount</c> (a test checks it). On this attempt a failure records Failed.
    /// </summary>
    public const int MaxDequeueCount = 5;

    /// <summary>How long an Idempotency-Key stays bound to its certification; after that the key may be used afresh.</summary>
    public static readonly TimeSpan IdempotencyKeyLifetime = TimeSpan.FromHours(24);

    /// <summary>
    /// Rejected online certifications (alipay, wechat, e-ssc, app) a pensioner may have in one China calendar day;
    /// after that, further online attempts that day are refused with <c>daily-attempts-exhausted</c>, pointing to the
    /// offline channels (counter, community, home visit), and a review case is opened for the region (default 5).
    /// </summary>
    [Range(1, 100)]
    public int MaxFailedAttemptsPerDay { get; set; } = 5;

    /// <summary>
    /// Submissions one pensioner may make per minute on one instance (default 6), whatever the channel; further ones get
    /// 429 <c>pensioner-submissions-limited</c> with Retry-After (see <see cref="SubmissionRateLimiter"/>).
    /// </summary>
    [Range(1, 100_000)]
    public int SubmissionsPerPensionerPerMinute { get; set; } = 6;

    /// <summary>
    /// How long after an Idempotency-Key was claimed a repeat that finds no record yet is answered 409
    /// <c>idempotent-request-in-progress</c> (the first request is still running) rather than finished by the repeat.
    /// </summary>
    public static readonly TimeSpan IdempotentRequestInProgressFor = TimeSpan.FromSeconds(30);

    /// <summary>Largest accepted photo in bytes (default 10 MiB). Larger bodies get 413 photo-too-large.</summary>
    [Range(1024, 50L * 1024 * 1024)]
    public long MaxPhotoBytes { get; set; } = 10L * 1024 * 1024;

    /// <summary>
    /// How long a verification message may wait for its certification record to appear (the record is written just
    /// after the message is sent); after this the submission is taken as abandoned and the message is dropped.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan AbandonedSubmissionAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a certification may stay Pending or Processing (since it was submitted, or re-queued) before the stale
    /// sweep (<see cref="StaleCertificationSweeper"/>, every 5 minutes) treats its verification work as lost, provided
    /// no older message is waiting in the queue: the first time it queues the verification again, the second time it
    /// records Failed (<c>processing-interrupted</c>). Default 30 minutes, longer than the 5 deliveries of a message
    /// with the 5-minute function timeout; 5 minutes to 1 day.
    /// </summary>
    [Range(typeof(TimeSpan), "00:05:00", "1.00:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Most ID-number hashes whose pensioner id an instance keeps in memory (<see cref="Identity.PensionerIdCache"/>;
    /// default 100,000, about 20 MB), so a repeat submission by ID number needs no identity read; 0 turns the cache off.
    /// </summary>
    [Range(0, 10_000_000)]
    public int PensionerIdCacheEntries { get; set; } = 100_000;
}
