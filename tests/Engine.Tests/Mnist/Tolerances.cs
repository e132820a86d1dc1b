namespace Engine.Tests.Mnist;

/// <summary>Every float tolerance of the MNIST tests, keyed by backend and what is compared; checks are |a − b| ≤ abs + rel·|b|.</summary>
internal static class Tolerances
{
    public enum Check
    {
        // A float32 kernel or host routine against a double-precision naive reference: sums of ≤ 600 products of values in [−1, 1].
        KernelVsReference,
        // Float32 back-propagated gradients against double central differences (h = 1e-5, truncation ~1e-10).
        GradientVsFiniteDifference,
        // Two float32 paths (host, kernels) that sum in different orders, after a few Adam steps.
        PathVsPath,
        // One Adam step against the hand-computed step in double: the step is ±lr·g/(|g|+ε), so float noise in g barely shows.
        AdamStep,
    }

    private static readonly Dictionary<(Backend, Check), (double Abs, double Rel)> Table = new()
    {
        [(Backend.Cpu, Check.KernelVsReference)] = (1e-4, 1e-5),
        [(Backend.Cuda, Check.KernelVsReference)] = (1e-4, 1e-5),
        [(Backend.OpenCL, Check.KernelVsReference)] = (1e-4, 1e-5),
        [(Backend.Cpu, Check.GradientVsFiniteDifference)] = (2e-5, 1e-3),
        [(Backend.Cpu, Check.PathVsPath)] = (1e-5, 1e-4),
        [(Backend.Cuda, Check.PathVsPath)] = (1e-5, 1e-4),
        [(Backend.OpenCL, Check.PathVsPath)] = (1e-5, 1e-4),
        [(Backend.Cpu, Check.AdamStep)] = (1e-6, 1e-5),
    };

    public static (double Abs, double Rel) For(Backend backend, Check check) => Table[(backend, check)];

    public static bool Close(double actual, double expected, (double Abs, double Rel) t) =>
        Math.Abs(actual - expected) <= t.Abs + t.Rel * Math.Abs(expected);
}
