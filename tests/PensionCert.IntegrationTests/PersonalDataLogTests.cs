namespace PensionCert.IntegrationTests;

/// <summary>A full run's captured logs never contain an ID number or a name.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class PersonalDataLogTests(LocalHostFixture host)
{
    [Fact]
    public async Task FullFlow_Logs_ContainNoIdNumberOrName()
    {
        var id = TestIdNumbers.New();
        const string name = "欧阳测试";
        using (var enrol = await host.EnrollAsync(id, name, "110105", Photos.GenuineReference))
            Assert.True(enrol.IsSuccessStatusCode);
        await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.GenuineProbe));
        await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.NoFace));
        using (await host.SubmitAsync(id[..17] + "0", Photos.GenuineProbe)) { }

        var lines = host.Logs.Lines.ToArray();
        Assert.NotEmpty(lines);
        Assert.Contains(lines, l => l.Contains("decided", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(id, StringComparison.OrdinalIgnoreCase) || l.Contains(id[..17], StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(name, StringComparison.Ordinal));
    }
}
