namespace PensionCert.Core.Definitions;

/// <summary>
/// Service Bus entities of the event hand-off, defined once (infra/modules/servicebus.bicep creates them; a test
/// checks that the template uses these names). Names are lower-case, as Service Bus compares them case-insensitively.
/// </summary>
public static class ServiceBusNames
{
    /// <summary>The topic every domain event (CloudEvents 1.0 JSON) is published to, with duplicate detection on.</summary>
    public const string EventsTopic = "pensioncert-events";

    /// <summary>Subscription of the SMS gateway (reminders and decisions by text message).</summary>
    public const string SmsSubscription = "sms";

    /// <summary>Subscription of the WeChat / Alipay mini-program message pushes.</summary>
    public const string WeChatAlipaySubscription = "wechat-alipay";

    /// <summary>Subscription of the pension payroll system (suspensions, resumptions, deaths).</summary>
    public const string PayrollSubscription = "payroll";

    /// <summary>Every subscription of <see cref="EventsTopic"/>.</summary>
    public static IReadOnlyList<string> Subscriptions { get; } = [SmsSubscription, WeChatAlipaySubscription, PayrollSubscription];
}
