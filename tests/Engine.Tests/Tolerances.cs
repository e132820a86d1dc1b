
namespace Engine.Tests;

/// <summary>Every floating-point tolerance the tests use, keyed by backend and precision.</summary>
public static class Tolerances
{
    /// <summary>
    /// Region losses against the SVD reference, absolute (losses here are O(1–10)): the 1e-9.
    /// Measured differences are about 1e-14; the slack covers the Σy² − ‖z‖² cancellation on larger data.
    /// </summary>
    public static double RegionLoss(Backend backend) => backend switch
    {
        _ => 1e-9,
    };

    /// <summary>
    /// Minimum-norm solutions against the SVD reference, relative to 1 + ‖p‖. Solutions of near-singular
    /// systems amplify rounding by the condition number of the kept part of Z (up to about 1e5 here).
    /// </summary>
    public static double RegionSolution(Backend backend) => backend switch
    {
        _ => 1e-7,
    };

    /// <summary>Singular values below this fraction of the largest count as zero in the reference.</summary>
    public const double ReferenceRcond = 1e-8;
}
