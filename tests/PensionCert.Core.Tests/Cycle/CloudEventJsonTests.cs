using System.Text.Json;
using PensionCert.Core.Events;

namespace PensionCert.Core.Tests.Cycle;

public sealed class CloudEventJsonTests
{
    private static CycleEvent Sample() => new(
        EventIds.For("p" + new string('a', 32), EventTypes.PaymentResumed, "2025-06-02"),
        EventTypes.PaymentResumed,
        new DateTimeOffset(2025, 6, 2, 3, 0, 0, TimeSpan.Zero),
        1,
        new CycleEventData
        {
            PensionerId = "p" + new string('a', 32),
            RegionCode = "440305",
            PreferredChannel = "wechat",
            State = "Valid",
            EffectiveOn = new DateOnly(2025, 6, 2),
            ResumeFromMonth = "2025-07",
            BackPayMonths = ["2025-04", "2025-05", "2025-06"],
        });

    [Fact]
    public void Serialize_Envelope_HasCloudEvents10AttributesAndData()
    {
        using var doc = JsonDocument.Parse(CloudEventJson.Serialize(Sample()));
        var root = doc.RootElement;
        Assert.Equal("1.0", root.GetProperty("specversion").GetString());
        Assert.Equal(Sample().Id, root.GetProperty("id").GetString());
        Assert.Equal("/pensioncert/regions/440305", root.GetProperty("source").GetString());
        Assert.Equal("payment.resumed", root.GetProperty("type").GetString());
        Assert.Equal("application/json", root.GetProperty("datacontenttype").GetString());
        Assert.Equal("p" + new string('a', 32), root.GetProperty("subject").GetString());
        Assert.Equal("2025-06-02T03:00:00+00:00", root.GetProperty("time").GetString());
        var data = root.GetProperty("data");
        Assert.Equal("2025-06-02", data.GetProperty("effectiveOn").GetString());
        Assert.Equal(["2025-04", "2025-05", "2025-06"], data.GetProperty("backPayMonths").EnumerateArray().Select(m => m.GetString()));
        Assert.False(data.TryGetProperty("dateOfDeath", out _)); // nulls omitted
    }

    [Fact]
    public void Serialize_Data_HasNoPersonalDataFields()
    {
        var names = typeof(CycleEventData).GetProperties().Select(p => p.Name).ToArray();
        Assert.DoesNotContain(names, n => n.Contains("IdNumber", StringComparison.OrdinalIgnoreCase) || n.Contains("Name", StringComparison.Ordinal) || n.Contains("Face", StringComparison.Ordinal) || n.Contains("Embedding", StringComparison.Ordinal));
    }

    [Fact]
    public void Deserialize_RoundTrip_KeepsIdTypeAndData()
    {
        var back = CloudEventJson.Deserialize(CloudEventJson.Serialize(Sample()));
        Assert.Equal(Sample().Id, back.Id);
        Assert.Equal(Sample().Type, back.Type);
        Assert.Equal(Sample().Data.BackPayMonths, back.Data.BackPayMonths);
        Assert.Equal(Sample().Data.EffectiveOn, back.Data.EffectiveOn);
    }

    [Fact]
    public void EventIds_SameInputs_SameIdDifferentInputs_DifferentId()
    {
        var a = EventIds.For("p1", EventTypes.CertificationDueSoon, "2025-03-15/30");
        Assert.Equal(a, EventIds.For("p1", EventTypes.CertificationDueSoon, "2025-03-15/30"));
        Assert.NotEqual(a, EventIds.For("p1", EventTypes.CertificationDueSoon, "2025-03-15/7"));
        Assert.Matches("^e[0-9a-f]{32}$", a);
    }
}
