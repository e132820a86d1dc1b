namespace Engine.Tests;

/// <summary>
/// Every floating-point tolerance the tests use. Kernel comparisons are keyed by backend and what is compared, and
/// checked as |a − b| ≤ abs + rel·|b|; the host-only geometry checks are plain constants below.
/// </summary>
public static class Tolerances
{
    public enum Check
    {
        // Region losses against the SVD reference, absolute (losses here are O(1–10)): the 1e-9. Measured
        // differences are about 1e-14; the slack covers the Σy² − ‖z‖² cancellation on larger data.
        RegionLoss,
        // Minimum-norm solutions against the SVD reference, absolute after scaling by 1 + ‖p‖: near-singular systems
        // amplify rounding by the condition number of the kept part of Z (up to about 1e5 here).
        RegionSolution,
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
        [(Backend.Cpu, Check.RegionLoss)] = (1e-9, 0.0),
        [(Backend.Cuda, Check.RegionLoss)] = (1e-9, 0.0),
        [(Backend.OpenCL, Check.RegionLoss)] = (1e-9, 0.0),
        [(Backend.Cpu, Check.RegionSolution)] = (1e-7, 0.0),
        [(Backend.Cuda, Check.RegionSolution)] = (1e-7, 0.0),
        [(Backend.OpenCL, Check.RegionSolution)] = (1e-7, 0.0),
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

    /// <summary>Absolute tolerance on region losses (<see cref="Check.RegionLoss"/>).</summary>
    public static double RegionLoss(Backend backend) => For(backend, Check.RegionLoss).Abs;

    /// <summary>Tolerance on minimum-norm solutions per unit of 1 + ‖p‖ (<see cref="Check.RegionSolution"/>).</summary>
    public static double RegionSolution(Backend backend) => For(backend, Check.RegionSolution).Abs;

    /// <summary>Singular values below this fraction of the largest count as zero in the reference.</summary>
    public const double ReferenceRcond = 1e-8;

    /// <summary>Optimal values of hand-solved linear programs: the simplex on these tiny problems is exact to rounding.</summary>
    public const double LinearProgram = 1e-9;

    /// <summary>
    /// Subglobal losses of the nonempty path against the exhaustive path: both solve the same Eq. 7 system, summed in
    /// a different order, so they differ by rounding.
    /// </summary>
    public const double PathLoss = 1e-9;

    /// <summary>The paper's Figure 3 losses (0.16, 5, 6.5, 7) are exact decimals; the solve reproduces them to about 1e-15.</summary>
    public const double PaperLoss = 1e-12;

    /// <summary>
    /// Gradient descent on the real network, started near a realizable minimizer, must end within this absolute loss of
    /// the subglobal minimum (losses O(1–10)); it converges linearly there, so 1e-6 is reached well within the step budget.
    /// </summary>
    public const double DescentLoss = 1e-6;

    /// <summary>
    /// A descent from inside a non-realizable region "stalls higher" when it ends at least this far above the subglobal
    /// minimum: well above <see cref="DescentLoss"/>, far below the gaps between paper-fig3's levels (≥ 0.34).
    /// </summary>
    public const double DescentStall = 1e-3;

    /// <summary>
    /// A descent "ran into the boundary" when it ends with max-normalized margin min |w_jᵀx_i + b_j| / ‖x̃_i‖∞ below this:
    /// started from margins of order 0.1–1, only a descent converging onto the boundary gets this close.
    /// </summary>
    public const double DescentBoundary = 1e-4;

    /// <summary>
    /// Gradient norm at which a descent counts as converged: with losses O(1–10) and a linear rate, the loss is then
    /// within about 1e-20 of its limit, far inside <see cref="DescentLoss"/>.
    /// </summary>
    public const double DescentGradient = 1e-12;
}
