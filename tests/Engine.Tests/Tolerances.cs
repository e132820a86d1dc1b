namespace Engine.Tests;

/// <summary>
/// Every floating-point tolerance the tests use. Kernel comparisons are keyed by backend and what is compared, and
/// checked as |a − b| ≤ abs + rel·|b|; the host-only geometry checks are plain constants below.
/// </summary>
public static class Tolerances
{
    public enum Check
    {
        // Region losses against the SVD reference, relative to ½Σy², where the design's condition number κ is at most
        // 1e6: the contract of the certified solve (measured differences are about 1e-15).
        RegionLoss,
        // The same where 1e6 < κ ≤ 1e9: the exact path's QR is backward stable, so errors grow like κ·ε.
        RegionLossIllConditioned,
        // Minimum-norm solutions against the SVD reference, their fitted values relative to 1 + ‖y‖ and their norms relative
        // to 1 + ‖p‖: rounding is amplified by the condition number of the kept part of Z (at most 1e4 where compared).
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
        [(Backend.Cpu, Check.RegionLoss)] = (0.0, 1e-9),
        [(Backend.Cuda, Check.RegionLoss)] = (0.0, 1e-9),
        [(Backend.OpenCL, Check.RegionLoss)] = (0.0, 1e-9),
        [(Backend.Cpu, Check.RegionLossIllConditioned)] = (0.0, 1e-6),
        [(Backend.Cuda, Check.RegionLossIllConditioned)] = (0.0, 1e-6),
        [(Backend.OpenCL, Check.RegionLossIllConditioned)] = (0.0, 1e-6),
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

    /// <summary>
    /// Largest difference allowed between a region's loss and the reference's: a fraction of ½Σy² (the loss scale) set by
    /// the condition number κ of the design, or NaN where κ exceeds 1e9 and no accuracy is promised.
    /// </summary>
    public static double RegionLoss(Backend backend, double condition, double lossScale) => condition switch
    {
        <= 1e6 => For(backend, Check.RegionLoss).Rel * lossScale,
        <= 1e9 => For(backend, Check.RegionLossIllConditioned).Rel * lossScale,
        _ => double.NaN,
    };

    /// <summary>Losses of well-conditioned data compared path against path (<see cref="Check.RegionLoss"/>), for a loss scale.</summary>
    public static double RegionLoss(Backend backend, double lossScale) => For(backend, Check.RegionLoss).Rel * lossScale;

    /// <summary>
    /// Minimum-norm solutions are compared only where the design as given (not equilibrated: the norm is the data's) has κ
    /// at most this; beyond it both the engine's and the reference's solutions carry errors of order κ·ε·‖p‖.
    /// </summary>
    public const double SolutionCondition = 1e4;

    /// <summary>Tolerance on minimum-norm solutions per unit of 1 + ‖p‖ (<see cref="Check.RegionSolution"/>).</summary>
    public static double RegionSolution(Backend backend) => For(backend, Check.RegionSolution).Abs;

    /// <summary>Optimal values of hand-solved linear programs: the simplex on these tiny problems is exact to rounding.</summary>
    public const double LinearProgram = 1e-9;

    /// <summary>
    /// Subglobal losses of the nonempty path against the exhaustive path, absolute on these O(1) datasets: both solve the
    /// same problem, certified to 1e-10 of Σy², summed in a different order.
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

    /// <summary>
    /// The best of 300 gradient descents on the real network (<see cref="RealNetworkDescent"/>, 4,000 backtracking steps)
    /// must end within this of the certified global minimum, relative to 1 + the minimum: descent converges linearly to a
    /// smooth minimum and more slowly onto a boundary one, and measured runs end 1e-9 to 1e-7 from it.
    /// </summary>
    public const double DescentReach = 1e-5;
}
