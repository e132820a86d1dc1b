using System.Diagnostics;
using Engine.Core.Mlp;
using Engine.Core.Mnist;

namespace Engine.Mnist;

/// <summary>What to run for Table 1.</summary>
/// <param name="Widths">Widths k (second hidden layer; the first has 2k units).</param>
/// <param name="Modes">Rows of the table.</param>
/// <param name="Repeats">Trainings per cell.</param>
/// <param name="Epochs">Epochs per training.</param>
/// <param name="Seed">Seed of initialisations, masks and shuffles.</param>
public sealed record Table1Options(IReadOnlyList<int> Widths, IReadOnlyList<NetworkMode> Modes, int Repeats, int Epochs, ulong Seed);

/// <summary>One finished cell: the accuracies of every repeat.</summary>
/// <param name="Mode">Row.</param>
/// <param name="K">Column.</param>
/// <param name="Epochs">Epochs actually trained (fewer than asked when interrupted).</param>
/// <param name="TrainAccuracy">Training accuracy of each repeat, in [0, 1].</param>
/// <param name="TestAccuracy">Test accuracy of each repeat, in [0, 1].</param>
/// <param name="SecondsPerEpoch">Wall time per epoch of the cell's trainings together.</param>
public sealed record Table1Cell(NetworkMode Mode, int K, int Epochs, double[] TrainAccuracy, double[] TestAccuracy, double SecondsPerEpoch)
{
    /// <summary>Training accuracy over the repeats, mean ± std: Table 1's entry.</summary>
    public Spread Train => Spread.Of(TrainAccuracy);

    /// <summary>Test accuracy over the repeats, mean ± std.</summary>
    public Spread Test => Spread.Of(TestAccuracy);
}

/// <summary>A progress report after one epoch of one group of repeats.</summary>
/// <param name="Mode">Row.</param>
/// <param name="K">Column.</param>
/// <param name="Epoch">Epochs finished (1-based).</param>
/// <param name="Epochs">Epochs asked.</param>
/// <param name="FirstRepeat">First repeat of the group (0-based).</param>
/// <param name="GroupSize">Repeats training together.</param>
/// <param name="Repeats">Repeats of the cell.</param>
/// <param name="RunningAccuracy">Mean over the group of the accuracy on this epoch's mini-batches.</param>
/// <param name="Elapsed">Time since the experiment started.</param>
public sealed record Table1Progress(NetworkMode Mode, int K, int Epoch, int Epochs, int FirstRepeat, int GroupSize, int Repeats,
    double RunningAccuracy, TimeSpan Elapsed);

/// <summary>
/// Repeats of one cell that train side by side: the unit of work of a Table 1 run. Each group draws its seeds from
/// (seed, k, first repeat, mode), so a group's result does not depend on which other groups ran, or where.
/// </summary>
/// <param name="Mode">Row.</param>
/// <param name="K">Column.</param>
/// <param name="FirstRepeat">First repeat of the group (0-based).</param>
/// <param name="Size">Repeats in the group.</param>
public sealed record Table1Group(NetworkMode Mode, int K, int FirstRepeat, int Size);

/// <summary>A trained group.</summary>
/// <param name="Group">Which repeats.</param>
/// <param name="Epochs">Epochs trained (fewer than asked when a run without a run directory was interrupted).</param>
/// <param name="TrainAccuracy">Training accuracy of each repeat of the group, in [0, 1].</param>
/// <param name="TestAccuracy">Test accuracy of each repeat of the group, in [0, 1].</param>
/// <param name="SecondsPerEpoch">Wall time per epoch of the group's trainings together.</param>
public sealed record Table1GroupResult(Table1Group Group, int Epochs, double[] TrainAccuracy, double[] TestAccuracy, double SecondsPerEpoch);

/// <summary>What <see cref="Table1Experiment.Estimate"/> found.</summary>
/// <param name="Time">Expected wall time of the whole run.</param>
/// <param name="PathName">The compute path the trainings run on, e.g. "host (openblas)".</param>
public sealed record Table1Estimate(TimeSpan Time, string PathName);

/// <summary>
/// Section 4.2's experiment: for every mode and width, train the repeats (as many side by side as memory allows)
/// and record training and test accuracy.
/// </summary>
public static class Table1Experiment
{
    // Arena floats per group: 256 MiB keeps every group comfortable on a GPU and in host memory.
    private const long ArenaBudget = 64L << 20;

    /// <summary>Checks <paramref name="options"/>, throwing <see cref="EngineInputException"/> for values a user must fix.</summary>
    public static void Validate(Table1Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Widths.Count == 0) throw new EngineInputException("no widths k given");
        if (options.Modes.Count == 0) throw new EngineInputException("no modes given");
        foreach (int k in options.Widths) ValidateWidth(k);
        if (options.Repeats <= 0) throw new EngineInputException($"repeats must be positive, got {options.Repeats}");
        if (options.Epochs <= 0) throw new EngineInputException($"epochs must be positive, got {options.Epochs}");
    }

    /// <summary>Widest k trained: its 2k×k layer (8·10⁸ weights) and their Adam state fit one 32-bit-indexed arena.</summary>
    public const int MaxWidth = 20_000;

    /// <summary>
    /// Throws <see cref="EngineInputException"/> unless 1 ≤ <paramref name="k"/> ≤ <see cref="MaxWidth"/> and one network of
    /// that width with its gradients and Adam moments (four floats per weight) fits the memory this process may use.
    /// </summary>
    public static void ValidateWidth(int k)
    {
        if (k <= 0) throw new EngineInputException($"width k must be positive, got {k}");
        if (k > MaxWidth) throw new EngineInputException($"width k = {k:N0} exceeds {MaxWidth:N0}: the 2k×k layer alone would hold {2.0 * k * k:G3} weights");
        long weights = 784L * 2 * k + 2L * k * k + 10L * k + 3L * k + 10;
        long bytes = 4 * sizeof(float) * weights;
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > available)
            throw new EngineInputException($"width k = {k:N0} needs {bytes / (1 << 30):N1} GiB for one network's weights, gradients and Adam moments; this process may use {available / (1 << 30):N1} GiB");
    }

    /// <summary>How many repeats of width <paramref name="k"/> train together.</summary>
    public static int GroupSize(int k, int repeats, int features)
    {
        long one = new MlpLayout(features, 2 * k, k, MnistIdx.Classes, 1, MnistTraining.BatchSize).Length;
        return (int)Math.Clamp(ArenaBudget / one, 1, repeats);
    }

    /// <summary>
    /// Estimates the run's wall time by timing a few mini-batch steps of every cell's first group and scaling them to
    /// the epochs, the repeats and the final evaluation.
    /// </summary>
    public static Table1Estimate Estimate(ComputeDevice device, MnistData data, Table1Options options)
    {
        ArgumentNullException.ThrowIfNull(data);
        Validate(options);
        const int Steps = 4;
        double seconds = 0.0;
        string pathName = "";
        int[] batch = [.. Enumerable.Range(0, Math.Min(MnistTraining.BatchSize, data.TrainCount))];
        foreach (NetworkMode mode in options.Modes)
        {
            foreach (int k in options.Widths)
            {
                int group = GroupSize(k, options.Repeats, data.Features);
                using MnistTraining training = MnistTraining.Create(device, data, k, mode, group, options.Seed);
                pathName = training.PathName;
                training.Trainer.Step(batch);
                var clock = Stopwatch.StartNew();
                for (int s = 0; s < Steps; s++) training.Trainer.Step(batch);
                training.Trainer.GetParameters();
                double perStep = clock.Elapsed.TotalSeconds / Steps;
                double stepsPerEpoch = Math.Ceiling(data.TrainCount / (double)batch.Length);
                // Evaluation is a forward pass, about a third of a training step, over training and test images.
                double evalSteps = (data.TrainCount + data.TestCount) / (double)batch.Length / 3.0;
                int groups = (options.Repeats + group - 1) / group;
                seconds += groups * perStep * (stepsPerEpoch * options.Epochs + evalSteps);
            }
        }
        return new Table1Estimate(TimeSpan.FromSeconds(seconds), pathName);
    }

    /// <summary>Every group of the run, in order: modes, then widths, then repeats.</summary>
    public static IReadOnlyList<Table1Group> Groups(Table1Options options, int features)
    {
        Validate(options);
        var groups = new List<Table1Group>();
        foreach (NetworkMode mode in options.Modes)
        {
            foreach (int k in options.Widths)
            {
                int group = GroupSize(k, options.Repeats, features);
                for (int first = 0; first < options.Repeats; first += group) groups.Add(new Table1Group(mode, k, first, Math.Min(group, options.Repeats - first)));
            }
        }
        return groups;
    }

    /// <summary>
    /// Trains one group, reporting each finished epoch. Cancellation is honoured at epoch boundaries: with
    /// <paramref name="whole"/> the group is abandoned (<see cref="OperationCanceledException"/>), otherwise it is
    /// evaluated as it stands and returned with the epochs it finished.
    /// </summary>
    public static Table1GroupResult TrainGroup(ComputeDevice device, MnistData data, Table1Options options, Table1Group group, bool whole,
        IProgress<Table1Progress>? progress, TimeSpan started, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(group);
        // Each group gets its own seed, so repeats differ whichever group they fall in.
        ulong seed = ActivationMask.Mix(options.Seed ^ ActivationMask.Mix(((ulong)(uint)group.K << 32) | (uint)group.FirstRepeat)) ^ (ulong)group.Mode;
        using MnistTraining training = MnistTraining.Create(device, data, group.K, group.Mode, group.Size, seed);
        var clock = Stopwatch.StartNew();
        int epoch = 0;
        while (epoch < options.Epochs && !(epoch > 0 && cancellation.IsCancellationRequested))
        {
            RepeatStats running;
            try
            {
                running = training.TrainEpoch(epoch, cancellation);
            }
            catch (OperationCanceledException) when (!whole && epoch > 0)
            {
                // Stopped within a mini-batch of the request: the group is evaluated with its finished epochs (the
                // weights carry the part of the next one it trained), and reports those epochs as what it trained.
                break;
            }
            epoch++;
            double mean = Enumerable.Range(0, group.Size).Average(running.Accuracy);
            progress?.Report(new Table1Progress(group.Mode, group.K, epoch, options.Epochs, group.FirstRepeat, group.Size, options.Repeats, mean, started + clock.Elapsed));
        }
        if (whole && epoch < options.Epochs) throw new OperationCanceledException(cancellation);
        double secondsPerEpoch = clock.Elapsed.TotalSeconds / epoch;
        RepeatStats trainStats = training.EvaluateTrain();
        RepeatStats testStats = training.EvaluateTest();
        return new Table1GroupResult(group, epoch,
            [.. Enumerable.Range(0, group.Size).Select(trainStats.Accuracy)], [.. Enumerable.Range(0, group.Size).Select(testStats.Accuracy)], secondsPerEpoch);
    }

    /// <summary>
    /// The cells of trained groups, in the order of the options (cells with no group yet are left out); a cell's
    /// epochs are its least-trained group's, and its time per epoch is the sum of its groups'.
    /// </summary>
    public static IReadOnlyList<Table1Cell> Cells(Table1Options options, IEnumerable<Table1GroupResult> groups)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(groups);
        Table1GroupResult[] all = [.. groups];
        var cells = new List<Table1Cell>();
        foreach (NetworkMode mode in options.Modes)
        {
            foreach (int k in options.Widths)
            {
                Table1GroupResult[] mine = [.. all.Where(g => g.Group.Mode == mode && g.Group.K == k).OrderBy(g => g.Group.FirstRepeat)];
                if (mine.Length == 0) continue;
                cells.Add(new Table1Cell(mode, k, mine.Min(g => g.Epochs), [.. mine.SelectMany(g => g.TrainAccuracy)], [.. mine.SelectMany(g => g.TestAccuracy)],
                    mine.Sum(g => g.SecondsPerEpoch)));
            }
        }
        return cells;
    }

    /// <summary>
    /// Runs every group in order, reporting each finished epoch. Cancellation is honoured at epoch boundaries: the group
    /// in training is evaluated as it stands, its cell is returned with the epochs it finished, and later groups are
    /// skipped.
    /// </summary>
    public static IReadOnlyList<Table1Cell> Run(ComputeDevice device, MnistData data, Table1Options options,
        IProgress<Table1Progress>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(data);
        var results = new List<Table1GroupResult>();
        var clock = Stopwatch.StartNew();
        foreach (Table1Group group in Groups(options, data.Features))
        {
            if (cancellation.IsCancellationRequested) break;
            results.Add(TrainGroup(device, data, options, group, whole: false, progress, clock.Elapsed, cancellation));
        }
        return Cells(options, results);
    }
}
