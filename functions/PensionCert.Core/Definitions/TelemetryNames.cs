namespace PensionCert.Core.Definitions;

/// <summary>
/// The one place for every OpenTelemetry name: the <see cref="System.Diagnostics.ActivitySource"/> and the
/// <see cref="System.Diagnostics.Metrics.Meter"/> (both <see cref="Source"/>), each instrument, each attribute.
/// README "Telemetry" and docs/deploy.md "Metrics" list them with their units; infra/modules/alerts.bicep reads the
/// metric names (tests keep the three equal). Attributes never carry an ID number, a name, a phone number or an image.
/// </summary>
public static class TelemetryNames
{
    /// <summary>The ActivitySource and the Meter of the application (both hosts).</summary>
    public const string Source = "PensionCert";

    /// <summary>Counter {submission}: certification submissions by <c>channel</c> and <c>outcome</c> (accepted, replayed or the problem code).</summary>
    public const string Submissions = "pensioncert.submissions";

    /// <summary>Counter {decision}: worker decisions by <c>region</c>, <c>channel</c>, <c>status</c> and <c>reason</c>.</summary>
    public const string Decisions = "pensioncert.decisions";

    /// <summary>Histogram ms: verification time by <c>stage</c> (face pipeline stages, storage reads, the decision write, total).</summary>
    public const string VerificationDuration = "pensioncert.verification.duration";

    /// <summary>Histogram s: age of a verification message when a worker dequeues it.</summary>
    public const string QueueAge = "pensioncert.queue.age";

    /// <summary>Gauge {case}: open review cases, as of the last review sweep.</summary>
    public const string ReviewBacklog = "pensioncert.review.backlog";

    /// <summary>Gauge s: age of the oldest open review case, as of the last review sweep.</summary>
    public const string ReviewBacklogOldestAge = "pensioncert.review.backlog.oldest_age";

    /// <summary>Counter {pensioner}: pensioners the cycle scan processed, by due <c>date</c>.</summary>
    public const string CycleScanProcessed = "pensioncert.cycle.scan.processed";

    /// <summary>Counter {pensioner}: pensioners the cycle scan failed on (recorded as cycle exceptions), by due <c>date</c>.</summary>
    public const string CycleScanFailed = "pensioncert.cycle.scan.failed";

    /// <summary>Gauge s: age of the oldest pending outbox event at the dispatcher's last run (0 when none waits).</summary>
    public const string OutboxLag = "pensioncert.outbox.lag";

    /// <summary>
    /// Histogram {request}: storage round trips (HTTP requests to Blob, Queue, Table, retries included) of one
    /// verification or one accepted submission, by <c>operation</c>; counted by the SDK pipeline policy.
    /// </summary>
    public const string StorageCalls = "pensioncert.storage.calls";

    /// <summary>Every metric name above.</summary>
    public static readonly IReadOnlyList<string> Metrics =
        [Submissions, Decisions, VerificationDuration, QueueAge, ReviewBacklog, ReviewBacklogOldestAge, CycleScanProcessed, CycleScanFailed, OutboxLag, StorageCalls];

    /// <summary>Metric attribute names.</summary>
    public static class Attributes
    {
        /// <summary>Channel wire name (wechat, alipay, …; <c>invalid</c> for an unknown one).</summary>
        public const string Channel = "channel";
        /// <summary>Submission outcome: accepted, replayed, or the problem code that refused it.</summary>
        public const string Outcome = "outcome";
        /// <summary>Prefecture-level region code (GB/T 2260, first four digits + 00) of the pensioner.</summary>
        public const string Region = "region";
        /// <summary>Decision status (Approved, Rejected, NeedsReview, Failed).</summary>
        public const string Status = "status";
        /// <summary>The decision's first reason code, or <c>none</c>.</summary>
        public const string Reason = "reason";
        /// <summary>Verification stage.</summary>
        public const string Stage = "stage";
        /// <summary>China due date (yyyy-MM-dd).</summary>
        public const string Date = "date";
        /// <summary>What the storage calls were for: <c>verification</c> or <c>submission</c>.</summary>
        public const string Operation = "operation";
    }

    /// <summary>Values of <see cref="Attributes.Operation"/>.</summary>
    public static class Operations
    {
        /// <summary>One delivery of a verification message.</summary>
        public const string Verification = "verification";
        /// <summary>One accepted submission (POST /api/certifications, 202).</summary>
        public const string Submission = "submission";
    }

    /// <summary>Span attribute names (opaque ids only).</summary>
    public static class SpanAttributes
    {
        /// <summary>The opaque certification id (c…).</summary>
        public const string CertificationId = "pensioncert.certification.id";
        /// <summary>The certification channel.</summary>
        public const string Channel = "pensioncert.channel";
        /// <summary>The decision status.</summary>
        public const string Status = "pensioncert.status";
        /// <summary>The CloudEvents type of a published event.</summary>
        public const string EventType = "pensioncert.event.type";
        /// <summary>The event id (also the Service Bus MessageId).</summary>
        public const string EventId = "pensioncert.event.id";
        /// <summary>Which delivery of the queue message this is (1 on the first).</summary>
        public const string DequeueCount = "messaging.message.delivery_count";
        /// <summary>The storage round trips one verification or accepted submission made (the pipeline policy's count).</summary>
        public const string StorageCalls = "pensioncert.storage.calls";
        /// <summary>Those round trips described (<c>METHOD resource[row kind]</c>, no keys), in order.</summary>
        public const string StorageRequests = "pensioncert.storage.requests";
    }

    /// <summary>Span names.</summary>
    public static class Spans
    {
        /// <summary>Accepting a submission (inside the HTTP request span).</summary>
        public const string Submit = "certification submit";
        /// <summary>One delivery of a verification message (consumer; parent = the traceparent the message carries).</summary>
        public const string Verify = "certification verify";
        /// <summary>The face pipeline of one verification.</summary>
        public const string Analyze = "face analyze";
        /// <summary>Writing a decision with its effects (cycle, review hold, outbox).</summary>
        public const string Decide = "certification decide";
        /// <summary>Publishing one outbox event (producer; parent = the trace that wrote the event).</summary>
        public const string Publish = "event publish";
        /// <summary>One dispatcher run.</summary>
        public const string Dispatch = "outbox dispatch";
    }

    /// <summary>Verification stages of <see cref="VerificationDuration"/>.</summary>
    public static class Stages
    {
        /// <summary>Face pipeline stages (PensionCert.FaceMatching).</summary>
        public const string Decode = "decode", Detect = "detect", Landmarks = "landmarks", Align = "align", Embed = "embed", Liveness = "liveness";
        /// <summary>Storage reads before the analysis (record, profile, selfie).</summary>
        public const string Load = "load";
        /// <summary>The whole face analysis, slot wait included.</summary>
        public const string Analyze = "analyze";
        /// <summary>Writing the decision and its effects.</summary>
        public const string Decide = "decide";
        /// <summary>The whole delivery.</summary>
        public const string Total = "total";
    }
}
