using PensionCert.Core.Operators;

namespace PensionCert.Core.Tests.Operators;

public sealed class OperatorPrincipalTests
{
    [Theory]
    [InlineData("110105", "110105", true)]
    [InlineData("110105", "110106", false)]
    [InlineData("110000", "110105", true)]
    [InlineData("110000", "120105", false)]
    [InlineData("440300", "440305", true)]
    [InlineData("440300", "440105", false)]
    [InlineData("110105", "11010", false)]
    [InlineData("110105", "", false)]
    [InlineData("110105", null, false)]
    public void Serves_FollowsTheGbt2260Hierarchy(string served, string? regionCode, bool expected) =>
        Assert.Equal(expected, new OperatorPrincipal("op", OperatorRole.Clerk, [served]).Serves(regionCode));

    [Fact]
    public void Constructor_InvalidRegion_Throws() =>
        Assert.Throws<ArgumentException>(() => new OperatorPrincipal("op", OperatorRole.Clerk, ["99999x"]));

    [Theory]
    [InlineData(OperatorRole.Clerk, false)]
    [InlineData(OperatorRole.Reviewer, false)]
    [InlineData(OperatorRole.Admin, true)]
    public void MaySeeFullIdNumber_OnlyAdmin(OperatorRole role, bool expected) =>
        Assert.Equal(expected, new OperatorPrincipal("op", role, ["110000"]).MaySeeFullIdNumber);

    [Theory]
    [InlineData("clerk", OperatorRole.Clerk)]
    [InlineData("reviewer", OperatorRole.Reviewer)]
    [InlineData("admin", OperatorRole.Admin)]
    public void Roles_RoundTrip(string wire, OperatorRole role)
    {
        Assert.True(OperatorRoles.TryParse(wire, out var parsed));
        Assert.Equal(role, parsed);
        Assert.Equal(wire, role.ToWireName());
    }

    [Theory]
    [InlineData("Admin")]
    [InlineData("root")]
    [InlineData(null)]
    public void Roles_Unknown_NotParsed(string? wire) => Assert.False(OperatorRoles.TryParse(wire, out _));
}
