using System.Text;
using Azure.Data.Tables;

namespace PensionCert.IntegrationTests;

/// <summary>
/// A full run's captured logs never contain an ID number or a name, and no stored table row or blob name holds
/// them in clear (names and ID numbers are stored AES-GCM encrypted; lookups use the keyed hash).
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class PersonalDataLogTests(LocalHostFixture host)
{
    [Fact]
    public async Task FullFlow_LogsAndStoredRows_ContainNoIdNumberOrName()
    {
        var id = TestIdNumbers.New();
        const string name = "欧阳测试";
        using (var enrol = await host.EnrollAsync(id, name, "110105", Photos.GenuineReference))
            Assert.True(enrol.IsSuccessStatusCode);
        using (var again = await host.EnrollAsync(id, name, "110105", Photos.GenuineProbe))
            Assert.True(again.IsSuccessStatusCode);
        await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.GenuineProbe));
        await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.NoFace));
        using (await host.SubmitAsync(id[..17] + "0", Photos.GenuineProbe)) { }
        using (await host.SubmitAsync(id, Photos.GenuineProbe, channel: "fax")) { }

        var lines = host.Logs.Lines.ToArray();
        Assert.NotEmpty(lines);
        Assert.Contains(lines, l => l.Contains("decided", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(id, StringComparison.OrdinalIgnoreCase) || l.Contains(id[..17], StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(name, StringComparison.Ordinal));

        var stored = await StoredTextAsync();
        Assert.Contains(stored, s => s.Contains("NameProtected", StringComparison.Ordinal));
        foreach (var forbidden in Forms(id).Concat(Forms(name)))
            Assert.DoesNotContain(stored, s => s.Contains(forbidden, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The value as text, and as the base64 and hex a careless serialiser might write.</summary>
    private static IEnumerable<string> Forms(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        return [value, value[..Math.Min(value.Length, 14)], Convert.ToBase64String(bytes), Convert.ToHexString(bytes)];
    }

    /// <summary>Every table row (every property, as text) and every blob name in the account, one string each.</summary>
    private async Task<List<string>> StoredTextAsync()
    {
        var texts = new List<string>();
        foreach (var table in host.Storage.Tables)
        {
            await foreach (var entity in table.QueryAsync<TableEntity>())
            {
                texts.Add(table.Name + " " + string.Join(";", entity.Select(p => p.Key + "=" + (p.Value is byte[] b ? Convert.ToBase64String(b) : Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)))));
            }
        }
        foreach (var container in host.Storage.Containers)
            await foreach (var blob in container.GetBlobsAsync())
                texts.Add(container.Name + "/" + blob.Name);
        return texts;
    }
}
