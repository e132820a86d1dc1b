using BenchmarkDotNet.Attributes;
using Engine.Core.Data;
using Engine.Core.Geometry;

namespace Engine.Bench;

/// <summary>
/// Region geometry on the host (it has no kernel): the per-node arrangement cells, then every nonempty region of
/// h = 2 ordered, unordered, and unordered with realizability. The cells alone are the baseline.
/// </summary>
[MemoryDiagnoser(false)]
public class GeometryBenchmarks
{
    private Dataset _data = null!;
    private ArrangementCells _cells = null!;

    [Params("random:200,2,1", "random:20,2,1+bias")]
    public string Case { get; set; } = "";

    private bool Bias => Case.EndsWith("+bias", StringComparison.Ordinal);

    [GlobalSetup]
    public void Setup()
    {
        _data = DatasetCatalog.Load(Case.Replace("+bias", "", StringComparison.Ordinal));
        _cells = ArrangementCells.Enumerate(_data, Bias);
    }

    [Benchmark(Baseline = true)]
    public int Cells() => ArrangementCells.Enumerate(_data, Bias).Count;

    [Benchmark]
    public long Ordered() => Nonempty(unordered: false, realizability: false);

    [Benchmark]
    public long Unordered() => Nonempty(unordered: true, realizability: false);

    [Benchmark]
    public long UnorderedRealizable() => Nonempty(unordered: true, realizability: true);

    private long Nonempty(bool unordered, bool realizability) =>
        NonemptyRegions.Enumerate(_cells, 2, new NonemptyOptions { Unordered = unordered, Realizability = realizability }).Summary.Count;
}
