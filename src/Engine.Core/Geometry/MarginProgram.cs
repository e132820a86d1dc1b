using System.Runtime.CompilerServices;

namespace Engine.Core.Geometry;

/// <summary>
/// How the geometry's yes/no decisions were reached, for reports: margin programs the simplex decided with a
/// checked answer, programs that went to the trusted solver (GLOP), and programs where even GLOP's answer could
/// not be checked, which are then taken as "no" and must be reported. Thread-safe.
/// </summary>
public sealed class DecisionCounts
{
    private long _programs;
    private long _fallbacks;
    private long _unchecked;
    private long _undecided;
    private long _exact;

    /// <summary>Margin programs solved.</summary>
    public long Programs => Interlocked.Read(ref _programs);

    /// <summary>Programs whose simplex answer lacked a verified witness or certificate and went to GLOP.</summary>
    public long Fallbacks => Interlocked.Read(ref _fallbacks);

    /// <summary>Decisions taken as "no" on GLOP's word alone, or without a program: neither a witness nor a certificate verified.</summary>
    public long Unchecked => Interlocked.Read(ref _unchecked);

    /// <summary>
    /// Regions (each counting the ordered regions it stands for) whose realizability is undecided: no verified witness,
    /// and some sign choice without a certificate. They are reported as undecided, never as "no".
    /// </summary>
    public long Undecided => Interlocked.Read(ref _undecided);

    /// <summary>
    /// Regions sent to the exact fallback (<see cref="ExactRealizability"/>): decided there in rational arithmetic, or,
    /// past its bit budget, left undecided and counted in <see cref="Undecided"/> as well.
    /// </summary>
    public long Exact => Interlocked.Read(ref _exact);

    /// <summary>Adds <paramref name="other"/>'s counts.</summary>
    public void Merge(DecisionCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Interlocked.Add(ref _programs, other.Programs);
        Interlocked.Add(ref _fallbacks, other.Fallbacks);
        Interlocked.Add(ref _unchecked, other.Unchecked);
        Interlocked.Add(ref _undecided, other.Undecided);
        Interlocked.Add(ref _exact, other.Exact);
    }

    /// <summary>Counts regions left undecided, with their weight.</summary>
    public void CountUndecided(long regions) => Interlocked.Add(ref _undecided, regions);

    /// <summary>Counts regions sent to the exact fallback.</summary>
    public void CountExact(long regions = 1) => Interlocked.Add(ref _exact, regions);

    /// <summary>Adds counts kept elsewhere (a finished unit of a run read back).</summary>
    public void Add(long programs, long fallbacks, long uncheckedDecisions, long undecidedRegions = 0)
    {
        Interlocked.Add(ref _undecided, undecidedRegions);
        Interlocked.Add(ref _programs, programs);
        Interlocked.Add(ref _fallbacks, fallbacks);
        Interlocked.Add(ref _unchecked, uncheckedDecisions);
    }

    /// <summary>Counts a decision that neither a witness nor a certificate backs, outside any program.</summary>
    public void CountUnchecked() => Interlocked.Increment(ref _unchecked);

    internal void Count(bool fallback, bool uncheckedAnswer)
    {
        Interlocked.Increment(ref _programs);
        if (fallback) Interlocked.Increment(ref _fallbacks);
        if (uncheckedAnswer) Interlocked.Increment(ref _unchecked);
    }
}

/// <summary>
/// Decides a margin program, max t over a box-bounded program whose rows have unit size: is the optimum above a
/// threshold? A yes is a point whose value exceeds it and that the caller's check accepts; a no is a set of row
/// multipliers whose <see cref="LinearProgram.UpperBound"/> is at or below it. The simplex answers first; any answer
/// it cannot back this way, and any trouble it reports, goes to GLOP, whose answer is checked the same way.
/// </summary>
public static class MarginProgram
{
    // Code run per region or per program is AggressiveOptimization: compiled once, fully optimized, when first called,
    // rather than run from ReadyToRun or tier-0 code until the tiering thread, busy with hundreds of lukewarm methods,
    // reaches it: 5 to 19 % of a half-second nonempty run (see the README's Performance section).

    /// <summary>
    /// The accepted result built from an optimal point above <paramref name="threshold"/>, or null when the optimum is
    /// certified to be at or below it. <paramref name="accept"/> turns a point into a verified result, or null when
    /// the point fails verification.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T? Decide<T>(LinearProgram program, double[] objective, double threshold, Func<double[], T?> accept, DecisionCounts counts) where T : class =>
        Decide(program, objective, threshold, accept, counts, out _);

    /// <summary>
    /// <see cref="Decide{T}(LinearProgram, double[], double, Func{double[], T}, DecisionCounts)"/>, saying whether the
    /// answer is backed: <paramref name="decided"/> is false when neither a verified point nor a verified bound was
    /// found, even by GLOP; the null returned then means "undecided", not "no".
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T? Decide<T>(LinearProgram program, double[] objective, double threshold, Func<double[], T?> accept, DecisionCounts counts, out bool decided) where T : class =>
        Decide(program, objective, threshold, double.PositiveInfinity, accept, counts, out decided);

    /// <summary>
    /// <see cref="Decide{T}(LinearProgram, double[], double, Func{double[], T}, DecisionCounts, out bool)"/> for a
    /// question whose answer is yes for any positive optimum: an optimum found at or above <paramref name="floor"/> but
    /// not above the threshold is no "no", whatever the bound, and leaves the program undecided at once (GLOP would find
    /// the same optimum), for the caller's exact fallback.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static T? Decide<T>(LinearProgram program, double[] objective, double threshold, double floor, Func<double[], T?> accept, DecisionCounts counts, out bool decided) where T : class
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(accept);
        ArgumentNullException.ThrowIfNull(counts);
        decided = true;
        if (TryDecide(program, objective, threshold, floor, accept, counts, out T? answer, out bool small)) return answer;
        if (small)
        {
            counts.Count(fallback: false, uncheckedAnswer: false);
            decided = false;
            return null;
        }
        LinearProgramResult trusted = program.MaximizeTrusted(objective);
        if (Checked(program, objective, threshold, floor, accept, trusted, out answer, out _))
        {
            counts.Count(fallback: true, uncheckedAnswer: false);
            return answer;
        }
        counts.Count(fallback: true, uncheckedAnswer: true);
        decided = false;
        return null;
    }

    /// <summary>
    /// The decision by the simplex alone: true when its answer is backed (counted as a decided program), with
    /// <paramref name="answer"/> the accepted result, or null when the optimum is certified to be at or below
    /// <paramref name="threshold"/>. False says nothing: the caller decides the question another way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryDecide<T>(LinearProgram program, double[] objective, double threshold, Func<double[], T?> accept, DecisionCounts counts, out T? answer) where T : class =>
        TryDecide(program, objective, threshold, double.PositiveInfinity, accept, counts, out answer, out _);

    /// <summary>
    /// <see cref="TryDecide{T}(LinearProgram, double[], double, Func{double[], T}, DecisionCounts, out T)"/> with the
    /// floor of <see cref="Decide{T}(LinearProgram, double[], double, double, Func{double[], T}, DecisionCounts, out bool)"/>:
    /// <paramref name="small"/> says the optimum found lies at or above it without being verified above the threshold.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryDecide<T>(LinearProgram program, double[] objective, double threshold, double floor, Func<double[], T?> accept, DecisionCounts counts, out T? answer,
        out bool small) where T : class
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(accept);
        ArgumentNullException.ThrowIfNull(counts);
        if (!Checked(program, objective, threshold, floor, accept, program.Maximize(objective), out answer, out small)) return false;
        counts.Count(fallback: false, uncheckedAnswer: false);
        return true;
    }

    /// <summary>
    /// Whether the optimum is certified to be at or below <paramref name="threshold"/> by the simplex's multipliers alone
    /// (counted as a decided program when it is). False says nothing: the caller decides the question another way.
    /// </summary>
    public static bool Refutes(LinearProgram program, double[] objective, double threshold, DecisionCounts counts) =>
        Refutes(program, objective, threshold, double.PositiveInfinity, counts);

    /// <summary><see cref="Refutes(LinearProgram, double[], double, DecisionCounts)"/>, never on an optimum found at or above <paramref name="floor"/>.</summary>
    internal static bool Refutes(LinearProgram program, double[] objective, double threshold, double floor, DecisionCounts counts) =>
        TryDecide<object>(program, objective, threshold, floor, static _ => null, counts, out _, out _);

    /// <summary>
    /// Whether <paramref name="multipliers"/> (one per row, in order), found without the simplex, certify the optimum to
    /// be at or below <paramref name="threshold"/> (counted as a decided program when they do). False says nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool RefutesWith(LinearProgram program, double[] objective, ReadOnlySpan<double> multipliers, double threshold, DecisionCounts counts)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(counts);
        if (program.UpperBound(objective, multipliers) > threshold) return false;
        counts.Count(fallback: false, uncheckedAnswer: false);
        return true;
    }

    // Whether result settles the question with a verified point or a verified bound, and whether, without either, its
    // optimum reached the floor: a positive optimum that no bound at or below the threshold turns into a no.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Checked<T>(LinearProgram program, double[] objective, double threshold, double floor, Func<double[], T?> accept, LinearProgramResult result,
        out T? answer, out bool small) where T : class
    {
        answer = null;
        small = false;
        if (result.Status != LinearProgramStatus.Optimal) return false;
        if (result.Objective > threshold)
        {
            answer = accept(result.X);
            return answer is not null;
        }
        small = result.Objective >= floor;
        return !small && program.UpperBound(objective, result.Duals) <= threshold;
    }
}
