using BenchmarkDotNet.Attributes;
using Engine.Core.Data;
using Engine.Core.Regions;

namespace Engine.Bench;

/// <summary>
/// Eq. 7 build + solve + reduction for the three named workloads, per region. The scalar host path is the baseline;
/// beside it the host path with SIMD lanes, and the kernel on every accelerator present (the CPU accelerator always),
/// alone and with its transfers.
/// </summary>
[MemoryDiagnoser(false)]
public class RegionBenchmarks
{
    private const int RegionsPerOp = 1 << 16;

    private ComputeDevice _device = null!;
    private RegionTables _tables = null!;
    private KernelRegionSolver _solver = null!;
    private LossSummary _summary = null!;
    private double[] _losses = null!;
    private int[] _ranks = null!;
    private long _regions;

    [ParamsSource(nameof(Workloads))]
    public string Workload { get; set; } = "";

    [ParamsSource(nameof(Backends))]
    public Backend Backend { get; set; }

    public static IEnumerable<string> Workloads => RegionWorkload.All.Select(w => w.Name);

    // Only accelerators this machine has: a missing GPU is not a benchmark failure.
    public static IEnumerable<Backend> Backends =>
        ComputeDevice.List().Select(line => BackendNames.Parse(line[..line.IndexOf(':', StringComparison.Ordinal)])).Distinct();

    [GlobalSetup]
    public void Setup()
    {
        RegionWorkload w = RegionWorkload.Find(Workload);
        _device = ComputeDevice.Open(Backend);
        _tables = new RegionTables(DatasetCatalog.Load(w.Dataset), w.Hidden, w.Bias);
        _regions = Math.Min(_tables.Shape.Regions, RegionsPerOp);
        _solver = new KernelRegionSolver(_device.Accelerator, _tables, _regions, 20, RegionKeep.Losses);
        _summary = new LossSummary(20, _tables.DeadRegionLoss);
        _losses = new double[_regions];
        _ranks = new int[_regions];
        _solver.Launch(0, _regions);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _solver.Dispose();
        _device.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = RegionsPerOp)]
    public void HostScalar() => Cover(start => HostRegionSolver.Solve(_tables, start, _regions, _summary, lanes: false));

    [Benchmark(OperationsPerInvoke = RegionsPerOp)]
    public void HostLanes() => Cover(start => HostRegionSolver.Solve(_tables, start, _regions, _summary, lanes: true));

    [Benchmark(OperationsPerInvoke = RegionsPerOp)]
    public void KernelOnly() => Cover(start => _solver.Launch(start, _regions));

    [Benchmark(OperationsPerInvoke = RegionsPerOp)]
    public void KernelWithTransfers() => Cover(start =>
    {
        _solver.Launch(start, _regions);
        _solver.Collect(_summary, new RegionOutputs(_losses, _ranks, default));
    });

    // Workloads with fewer than RegionsPerOp regions (fig3 has 4096) are covered repeatedly.
    private void Cover(Action<long> batch)
    {
        for (long done = 0; done < RegionsPerOp; done += _regions) batch(done % _tables.Shape.Regions);
    }
}
