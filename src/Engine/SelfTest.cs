using System.Diagnostics;
using System.Globalization;
using Engine.Core.Data;
using Engine.Core.Mlp;
using Engine.Core.Mnist;
using Engine.Core.Regions;
using Engine.Mnist;

namespace Engine;

/// <summary>One check of a self-test: a kernel against its host twin on one shape.</summary>
/// <param name="Name">What was compared, and on which shape.</param>
/// <param name="Passed">Whether every value agreed within the tolerance.</param>
/// <param name="MaxError">The largest difference, in the tolerance's units (a fraction of ½Σy² for losses, absolute plus relative for parameters).</param>
/// <param name="Tolerance">The tolerance it was held to.</param>
/// <param name="Detail">The first disagreement, or what was compared.</param>
/// <param name="Seconds">Wall time of the check.</param>
public sealed record SelfTestCheck(string Name, bool Passed, double MaxError, double Tolerance, string Detail, double Seconds);

/// <summary>A self-test's checks, on the device it ran on.</summary>
/// <param name="Device">The device, as <see cref="ComputeDevice.Description"/> says.</param>
/// <param name="Checks">Every check, in order.</param>
public sealed record SelfTestReport(string Device, IReadOnlyList<SelfTestCheck> Checks)
{
    /// <summary>Whether every check passed.</summary>
    public bool Passed => Checks.All(c => c.Passed);
}

/// <summary>
/// Every kernel of the session's device against its host twin, on data of several shapes, with the tests' tolerances
/// (<c>engine selftest</c>): what a user runs after installing a driver. The region kernel (Eq. 7 with its fused
/// reduction and the device merge) on exhaustive runs with and without kept rows, with and without bias, m from 2 to
/// 13, one chunk and several; the training kernels (GEMM, masked forward of Eq. 8, softmax and cross entropy, Adam,
/// gather) by taking the same Adam steps as the host path on small networks of both modes.
/// </summary>
internal static class SelfTest
{
    /// <summary>Losses kernel against host, relative to ½Σy² (the tests' region-loss tolerance, both in double precision).</summary>
    public const double RegionLossTolerance = 1e-9;

    /// <summary>Float32 parameters after a few Adam steps, kernel against host: |a − b| ≤ abs + rel·|b| (the tests' path-vs-path tolerance).</summary>
    public const double PathAbsolute = 1e-5;

    /// <summary>The relative part of the path-vs-path tolerance.</summary>
    public const double PathRelative = 1e-4;

    /// <summary>
    /// Runs the checks on <paramref name="device"/>; <paramref name="quick"/> takes fewer regions per shape. A non-null
    /// <paramref name="corrupt"/> changes the kernel's losses before they are compared: how the tests show that a wrong
    /// kernel is reported.
    /// </summary>
    public static SelfTestReport Run(ComputeDevice device, bool quick, IProgress<RunProgress>? progress, CancellationToken cancellation, Action<double[]>? corrupt = null)
    {
        var engine = new RegionEngine(device);
        var checks = new List<SelfTestCheck>();
        (string Dataset, int Hidden, bool Bias)[] regions =
        [
            ("paper-fig3", 1, false), ("paper-fig3", 2, false), ("paper-fig3", 4, false),
            ("random:8,2,1", 1, true), ("random:8,2,2", 2, true), ("random:8,2,3", 3, true), ("random:6,2,4", 4, true),
            ("random:12,1,5", 2, false), ("random:13,2,6", 2, true),
        ];
        var clock = Stopwatch.StartNew();
        int total = 2 * regions.Length + 2;
        foreach ((string name, int hidden, bool bias) in regions)
        {
            foreach (bool keep in new[] { true, false })
            {
                cancellation.ThrowIfCancellationRequested();
                checks.Add(Regions(engine, DatasetCatalog.Load(name), hidden, bias, keep, quick, corrupt));
                progress?.Report(new RunProgress("selftest", checks.Count, total, clock.Elapsed));
            }
        }
        foreach (NetworkMode mode in new[] { NetworkMode.Rich, NetworkMode.Random })
        {
            cancellation.ThrowIfCancellationRequested();
            checks.Add(Training(device, mode));
            progress?.Report(new RunProgress("selftest", checks.Count, total, clock.Elapsed));
        }
        return new SelfTestReport(device.Description, checks);
    }

    // The region kernel against the host twin on one shape: every kept loss and rank, or the summaries alone.
    private static SelfTestCheck Regions(RegionEngine engine, Dataset data, int hidden, bool bias, bool keep, bool quick, Action<double[]>? corrupt)
    {
        var clock = Stopwatch.StartNew();
        var shape = new RegionShape(data.Count, data.Inputs, hidden, bias);
        long count = Math.Min(shape.Regions, quick ? 1L << 12 : 1L << 18);
        RegionRequest On(RegionPath path) => new() { Data = data, Hidden = hidden, Bias = bias, Count = count, KeepRegions = keep, Bins = 64, Path = path };
        string name = string.Create(CultureInfo.InvariantCulture,
            $"Eq. 7 {(keep ? "kept rows" : "summaries")}: {data.Name}, h = {hidden}{(bias ? ", bias" : "")}, m = {shape.Parameters}, {shape.Chunks} chunk{(shape.Chunks == 1 ? "" : "s")}, {count:N0} regions");
        RegionEnumeration host = engine.Enumerate(On(RegionPath.Host));
        RegionEnumeration kernel = engine.Enumerate(On(RegionPath.Kernel));
        double scale = NormalizedData.Create(data, bias).DeadRegionLoss;
        double tolerance = RegionLossTolerance * Math.Max(scale, double.Epsilon);
        if (keep)
        {
            double[] losses = (double[])kernel.Losses!.Clone();
            corrupt?.Invoke(losses);
            double worst = 0.0;
            string detail = "every loss and rank agree";
            bool passed = true;
            for (long r = 0; r < count; r++)
            {
                double error = Math.Abs(losses[r] - host.Losses![r]);
                worst = Math.Max(worst, error);
                if (passed && (error > tolerance || kernel.Ranks![r] != host.Ranks![r]))
                {
                    passed = false;
                    detail = string.Create(CultureInfo.InvariantCulture, $"region {r}: kernel loss {losses[r]:R} rank {kernel.Ranks![r]}, host {host.Losses![r]:R} rank {host.Ranks![r]}");
                }
            }
            return new SelfTestCheck(name, passed, worst / Math.Max(scale, double.Epsilon), RegionLossTolerance, detail, clock.Elapsed.TotalSeconds);
        }
        LossSummary a = kernel.Summary, b = host.Summary;
        double extremes = Math.Max(Math.Abs(a.Min - b.Min), Math.Abs(a.Max - b.Max));
        bool same = a.Count == b.Count && a.Singular == b.Singular && extremes <= tolerance && a.Bins.AsSpan().SequenceEqual(b.Bins);
        string summary = same ? "counts, singular systems, extremes and all 64 bins agree"
            : string.Create(CultureInfo.InvariantCulture, $"kernel count {a.Count} singular {a.Singular} min {a.Min:R} max {a.Max:R}; host {b.Count}, {b.Singular}, {b.Min:R}, {b.Max:R}; bins {(a.Bins.AsSpan().SequenceEqual(b.Bins) ? "agree" : "differ")}");
        return new SelfTestCheck(name, same, extremes / Math.Max(scale, double.Epsilon), RegionLossTolerance, summary, clock.Elapsed.TotalSeconds);
    }

    // The training kernels against the host path: two epochs of Adam steps on a tiny seeded pool, then every parameter.
    private static SelfTestCheck Training(ComputeDevice device, NetworkMode mode)
    {
        var clock = Stopwatch.StartNew();
        const int Features = 12, K = 4, Repeats = 3, Batch = 8;
        var random = new Random(5);
        byte[] pixels = new byte[40 * Features];
        random.NextBytes(pixels);
        byte[] labels = [.. Enumerable.Range(0, 40).Select(_ => (byte)random.Next(10))];
        MnistData data = MnistData.FromArrays(pixels, labels, Features, trainCount: 32);
        using ComputeDevice cpu = ComputeDevice.Open(Backend.Cpu);
        using MnistTraining host = MnistTraining.Create(cpu, data, K, mode, Repeats, 9UL, TrainingPath.Host, Batch);
        using MnistTraining kernels = MnistTraining.Create(device, data, K, mode, Repeats, 9UL, TrainingPath.Kernels, Batch);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            host.TrainEpoch(epoch);
            kernels.TrainEpoch(epoch);
        }
        float[] expected = host.Trainer.GetParameters(), actual = kernels.Trainer.GetParameters();
        double worst = 0.0;
        string detail = $"all {expected.Length} parameters agree after 2 epochs";
        bool passed = true;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]) / (PathAbsolute + PathRelative * Math.Abs(expected[i]));
            worst = Math.Max(worst, error);
            if (passed && error > 1.0)
            {
                passed = false;
                detail = string.Create(CultureInfo.InvariantCulture, $"parameter {i}: kernels {actual[i]:R}, host {expected[i]:R}");
            }
        }
        string name = $"training kernels (GEMM, masked forward, softmax/CE, Adam, gather), {mode.Name()} mode, k = {K}, {Repeats} repeats";
        return new SelfTestCheck(name, passed, worst, 1.0, detail, clock.Elapsed.TotalSeconds);
    }
}
