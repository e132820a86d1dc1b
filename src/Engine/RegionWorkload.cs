using Engine.Core.Data;
using Engine.Core.Regions;

namespace Engine;

/// <summary>The named throughput workloads shared by <c>engine bench regions</c> and the BenchmarkDotNet suite.</summary>
public sealed record RegionWorkload(string Name, string Dataset, int Hidden, bool Bias)
{
    /// <summary>Every workload.</summary>
    public static IReadOnlyList<RegionWorkload> All { get; } =
    [
        new("fig3", "paper-fig3", 4, false),
        new("n12h2", "random:12,2,7", 2, false),
        new("n8d3h3b", "random:8,3,7", 3, true),
    ];

    /// <summary>The workload called <paramref name="name"/>, or an <see cref="EngineInputException"/>.</summary>
    public static RegionWorkload Find(string name) =>
        All.FirstOrDefault(w => w.Name == name)
        ?? throw new EngineInputException($"unknown workload '{name}': expected {string.Join(", ", All.Select(w => w.Name))}");

    /// <summary>The workload's 2^(N·h) regions.</summary>
    public long Regions
    {
        get
        {
            RegionRequest request = Request();
            return new RegionShape(request.Data.Count, request.Data.Inputs, Hidden, Bias).Regions;
        }
    }

    /// <summary>A request for <paramref name="count"/> regions of this workload from index 0.</summary>
    public RegionRequest Request(long? count = null, RegionPath path = RegionPath.Auto) => new()
    {
        Data = DatasetCatalog.Load(Dataset), Hidden = Hidden, Bias = Bias, Count = count, Path = path,
    };
}
