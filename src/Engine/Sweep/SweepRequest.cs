using System.Globalization;
using Engine.Core.Data;
using Engine.Core.Geometry;
using Engine.Core.Regions;

namespace Engine;

/// <summary>
/// Where a sweep's targets come from: the family's own Gaussian targets (<see cref="Gaussian"/>), or a teacher, a random
/// ReLU network with <see cref="TeacherHidden"/> hidden nodes plus Gaussian noise at <see cref="Noise"/> times the spread
/// of its outputs (<see cref="GaussianData.Teacher"/>).
/// </summary>
/// <param name="TeacherHidden">K, the teacher's hidden nodes; 0 for Gaussian targets.</param>
/// <param name="Noise">Relative noise added to a teacher's outputs; 0 for none.</param>
public sealed record SweepTargets(int TeacherHidden, double Noise)
{
    /// <summary>y_i ~ N(0, 1), as the family's generator draws them.</summary>
    public static SweepTargets Gaussian { get; } = new(0, 0.0);

    /// <summary>The name the command line and the documents use: gaussian, teacher:K or teacher:K,noise.</summary>
    public string Name => TeacherHidden == 0 ? "gaussian"
        : Noise == 0.0 ? string.Create(CultureInfo.InvariantCulture, $"teacher:{TeacherHidden}")
        : string.Create(CultureInfo.InvariantCulture, $"teacher:{TeacherHidden},{Noise:R}");

    /// <summary>Parses <see cref="Name"/>, throwing <see cref="EngineInputException"/> with one line otherwise.</summary>
    public static SweepTargets Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == "gaussian") return Gaussian;
        string[] parts = text.StartsWith("teacher:", StringComparison.Ordinal) ? text["teacher:".Length..].Split(',') : [];
        if (parts.Length is 1 or 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k >= 1
            && (parts.Length == 1 || (double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double noise) && noise >= 0.0 && double.IsFinite(noise))))
            return new SweepTargets(k, parts.Length == 2 ? double.Parse(parts[1], CultureInfo.InvariantCulture) : 0.0);
        throw new EngineInputException($"Targets: '{text}': expected gaussian, teacher:K or teacher:K,noise (K ≥ 1, noise ≥ 0)");
    }
}

/// <summary>
/// A sweep of the paper's §3.2 claim across datasets: for every dataset of the family (each N, each seed) and every
/// width h, the nonempty regions' subglobal minima and realizability with the certified global minimum inf L_f
/// (<see cref="EngineSession.Sweep"/>). One unit per (N, seed, h), in that order.
/// </summary>
public sealed record SweepRequest
{
    /// <summary>N, the points per dataset; several values give one curve each.</summary>
    public required IReadOnlyList<int> Points { get; init; }

    /// <summary>n, the input dimension.</summary>
    public required int Inputs { get; init; }

    /// <summary>Whether the networks (and a teacher) have biases.</summary>
    public bool Bias { get; init; }

    /// <summary>The first seed of the family's generator (random:N,n,seed).</summary>
    public required int FirstSeed { get; init; }

    /// <summary>The last seed, inclusive.</summary>
    public required int LastSeed { get; init; }

    /// <summary>The smallest width h.</summary>
    public required int MinHidden { get; init; }

    /// <summary>The largest width h, inclusive.</summary>
    public required int MaxHidden { get; init; }

    /// <summary>Where the targets come from.</summary>
    public SweepTargets Targets { get; init; } = SweepTargets.Gaussian;

    /// <summary>
    /// Count all 2^(N·h) activation patterns, as the paper's Figure 3 does, instead of the nonempty regions (whose minima a
    /// network can reach). Needs N·h ≤ <see cref="MaxPatternBits"/>.
    /// </summary>
    public bool AllPatterns { get; init; }

    /// <summary>Most activation bits N·h for <see cref="AllPatterns"/>: 2^24 regions per unit.</summary>
    public const int MaxPatternBits = 24;

    /// <summary>Most units a sweep may have.</summary>
    public const int MaxUnits = 1_000_000;

    /// <summary>The family's name: random:N,n[,bias], N a list when several.</summary>
    public string Family => string.Create(CultureInfo.InvariantCulture, $"random:{string.Join("|", Points)},{Inputs}{(Bias ? ",bias" : "")}");

    /// <summary>Units: every (N, seed, h), N outermost.</summary>
    public long Units => (long)Points.Count * (LastSeed - (long)FirstSeed + 1) * (MaxHidden - MinHidden + 1);

    /// <summary>Unit <paramref name="unit"/>'s N, seed and h.</summary>
    public (int Points, int Seed, int Hidden) Unit(long unit)
    {
        int widths = MaxHidden - MinHidden + 1;
        long seeds = LastSeed - (long)FirstSeed + 1;
        int hidden = MinHidden + (int)(unit % widths);
        long rest = unit / widths;
        return (Points[(int)(rest / seeds)], (int)(FirstSeed + rest % seeds), hidden);
    }

    /// <summary>The dataset of N points drawn from <paramref name="seed"/>, with this sweep's targets.</summary>
    public Dataset Dataset(int points, int seed) => Targets.TeacherHidden == 0
        ? GaussianData.Create(string.Create(CultureInfo.InvariantCulture, $"random:{points},{Inputs},{seed}"), points, Inputs, seed)
        : GaussianData.Teacher(string.Create(CultureInfo.InvariantCulture, $"random:{points},{Inputs},{seed}+{Targets.Name}"), points, Inputs, seed, Targets.TeacherHidden, Bias, Targets.Noise);

    /// <summary>
    /// Throws <see cref="EngineInputException"/>, naming the property, for a sweep that cannot run; needs no device and
    /// draws no data.
    /// </summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Points);
        ArgumentNullException.ThrowIfNull(Targets);
        if (Points.Count == 0) throw new EngineInputException("Points: give at least one N");
        if (Points.Any(n => n < 1)) throw new EngineInputException($"Points: every N must be positive, got {string.Join(", ", Points)}");
        if (Points.Distinct().Count() != Points.Count) throw new EngineInputException($"Points: {string.Join(", ", Points)} repeats a value");
        if (Inputs < 1) throw new EngineInputException($"Inputs: n must be positive, got {Inputs}");
        if (FirstSeed > LastSeed) throw new EngineInputException($"FirstSeed: seeds {FirstSeed}..{LastSeed} are empty");
        if (MinHidden < 1 || MinHidden > MaxHidden) throw new EngineInputException($"MinHidden: widths {MinHidden}..{MaxHidden} must satisfy 1 ≤ first ≤ last");
        if (MaxHidden > Realizability.MaxHidden) throw new EngineInputException($"MaxHidden: h = {MaxHidden} exceeds {Realizability.MaxHidden}, the most for which realizability is decided");
        if (Units > MaxUnits) throw new EngineInputException($"FirstSeed: {Units:N0} units exceed {MaxUnits:N0}; take fewer seeds, widths or N");
        int parameters = RegionShape.ForColumns(1, Inputs, MaxHidden, Bias).Parameters;
        if (parameters > GlobalRequest.MaxParameters)
            throw new EngineInputException($"MaxHidden: h·(n{(Bias ? " + 1) + 1" : ")")} = {parameters} parameters exceed the {GlobalRequest.MaxParameters} the closure programs take");
        if (AllPatterns && (long)Points.Max() * MaxHidden > MaxPatternBits)
            throw new EngineInputException($"AllPatterns: N·h = {Points.Max()}·{MaxHidden} exceeds {MaxPatternBits} bits (2^{MaxPatternBits} regions per unit); count the nonempty regions instead");
    }

    /// <summary>
    /// A sweep from the command line's and the server's words: --family random:N,n[,bias] (N a value, a range A..B or a
    /// list A|B|C), --seeds S or A..B, --hidden H or A..B, --targets gaussian or teacher:K[,noise]. One-line
    /// <see cref="EngineInputException"/>s name the option.
    /// </summary>
    public static SweepRequest Parse(string family, string seeds, string hidden, string targets, bool allPatterns)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(hidden);
        (IReadOnlyList<int> points, int inputs, bool bias) = ParseFamily(family);
        (int firstSeed, int lastSeed) = ParseRange(seeds, "--seeds", allowNegative: true);
        (int minHidden, int maxHidden) = ParseRange(hidden, "--hidden", allowNegative: false);
        return new SweepRequest
        {
            Points = points, Inputs = inputs, Bias = bias, FirstSeed = firstSeed, LastSeed = lastSeed, MinHidden = minHidden, MaxHidden = maxHidden,
            Targets = SweepTargets.Parse(targets), AllPatterns = allPatterns,
        };
    }

    /// <summary>random:N,n[,bias] with N a value, a range A..B or a list A|B|C.</summary>
    private static (IReadOnlyList<int> Points, int Inputs, bool Bias) ParseFamily(string text)
    {
        string[] parts = text.StartsWith("random:", StringComparison.Ordinal) ? text["random:".Length..].Split(',') : [];
        if (parts.Length is 2 or 3 && (parts.Length == 2 || parts[2] == "bias")
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int inputs))
        {
            int[]? points = parts[0].Contains("..", StringComparison.Ordinal)
                ? ParseRange(parts[0], "--family", allowNegative: false) is var (a, b) && b - a < 1000 ? [.. Enumerable.Range(a, b - a + 1)] : null
                : parts[0].Split('|').Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1).ToArray();
            if (points is not null && points.All(n => n > 0)) return (points, inputs, parts.Length == 3);
        }
        throw new EngineInputException($"--family '{text}': expected random:N,n or random:N,n,bias, N a value, a range A..B or a list A|B|C");
    }

    /// <summary>A or A..B, inclusive.</summary>
    private static (int First, int Last) ParseRange(string text, string option, bool allowNegative)
    {
        NumberStyles style = allowNegative ? NumberStyles.AllowLeadingSign : NumberStyles.None;
        string[] ends = text.Split("..");
        if (ends.Length is 1 or 2 && ends.All(e => int.TryParse(e, style, CultureInfo.InvariantCulture, out _)))
        {
            int first = int.Parse(ends[0], style, CultureInfo.InvariantCulture), last = int.Parse(ends[^1], style, CultureInfo.InvariantCulture);
            if (first <= last) return (first, last);
        }
        throw new EngineInputException($"{option} '{text}': expected a value or a range A..B with A ≤ B");
    }
}
