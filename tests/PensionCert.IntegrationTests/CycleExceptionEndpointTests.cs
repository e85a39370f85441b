using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Cycle;
using PensionCert.Core.Operators;

namespace PensionCert.IntegrationTests;

/// <summary>GET /api/regions/{regionCode}/cycle-exceptions through the local host: listed for the region's operators only.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class CycleExceptionEndpointTests(LocalHostFixture host)
{
    [Fact]
    public async Task ListCycleExceptions_ProvinceOperatorSeesItsCounties_OtherProvinceRefused()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New("130104"), Photos.GenuineReference);
        var store = host.App.Services.GetRequiredService<ICycleExceptionStore>();
        var recorded = await store.RecordAsync(pensionerId, new DateOnly(2026, 5, 1), "CryptographicException", DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.Equal("130104", recorded.RegionCode);
        try
        {
            var list = await host.GetJsonAsync("/api/regions/130000/cycle-exceptions", LocalHostFixture.OperatorHeader(OperatorRole.Clerk, "130000"));
            var item = list.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("pensionerId").GetString() == pensionerId);
            Assert.Equal("2026-05-01", item.GetProperty("dueOn").GetString());
            Assert.Equal(1, item.GetProperty("attempts").GetInt32());
            Assert.Equal("CryptographicException", item.GetProperty("errorType").GetString());
            Assert.True(list.GetProperty("count").GetInt32() >= 1);

            using var refused = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, "/api/regions/130000/cycle-exceptions", LocalHostFixture.OperatorHeader(OperatorRole.Clerk, "110000")));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            var elsewhere = await host.GetJsonAsync("/api/regions/110000/cycle-exceptions", LocalHostFixture.OperatorHeader(OperatorRole.Clerk, "110000"));
            Assert.DoesNotContain(elsewhere.GetProperty("items").EnumerateArray(), i => i.GetProperty("pensionerId").GetString() == pensionerId);
        }
        finally
        {
            await store.RemoveAsync(recorded, CancellationToken.None);
        }
    }
}
