using NUnit.Framework;

namespace Engine.Tests;

/// <summary>
/// A request option that would do nothing is refused by the session's one check, before any work, and never ignored:
/// each case is a combination a user could set through the public API.
/// </summary>
[Category("unit")]
public sealed class RequestValidationTests
{
    private static readonly RegionRequest Base = new() { Data = Engine.Core.Data.DatasetCatalog.Load("paper-fig3"), Hidden = 2 };

    private static IEnumerable<TestCaseData> IgnoredOptions()
    {
        yield return new TestCaseData(new RegionRequest { Data = Base.Data, Hidden = 2, Witnesses = true, KeepRegions = true }, "set Realizability").SetName("witnesses without realizability");
        yield return new TestCaseData(new RegionRequest { Data = Base.Data, Hidden = 2, KeepSolutions = true }, "KeepSolutions").SetName("solutions through the session");
        yield return new TestCaseData(new RegionRequest { Data = Base.Data, Hidden = 2, Unordered = true }, "nonempty").SetName("unordered without nonempty");
        yield return new TestCaseData(new RegionRequest { Data = Base.Data, Hidden = 2, Nonempty = true, Start = 3 }, "start and count").SetName("start with nonempty");
        yield return new TestCaseData(new RegionRequest { Data = Base.Data, Hidden = 2, Closure = true }, "keep the regions").SetName("closure without kept rows");
    }

    [TestCaseSource(nameof(IgnoredOptions))]
    public void AnOptionThatWouldDoNothingIsRefused(RegionRequest request, string expected)
    {
        using EngineSession session = EngineSession.Open(Backend.Cpu);
        var error = Assert.Throws<EngineInputException>(() => session.Check(request));
        Assert.That(error!.Message, Does.Contain(expected));
        Assert.Throws<EngineInputException>(() => session.Enumerate(request));
    }
}
