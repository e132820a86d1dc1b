using Engine.Core.Mnist;

namespace Engine.Core.Mlp;

/// <summary>Loss sum and correct count of each repeat over the samples seen since the last reset.</summary>
/// <param name="Samples">Samples counted.</param>
/// <param name="LossSums">Σ cross-entropy of each repeat.</param>
/// <param name="Correct">Correct predictions of each repeat.</param>
public sealed record RepeatStats(int Samples, double[] LossSums, double[] Correct)
{
    /// <summary>Accuracy of repeat <paramref name="r"/> in [0, 1].</summary>
    public double Accuracy(int r) => Samples == 0 ? 0.0 : Correct[r] / Samples;

    /// <summary>Mean loss of repeat <paramref name="r"/>.</summary>
    public double MeanLoss(int r) => Samples == 0 ? 0.0 : LossSums[r] / Samples;
}

/// <summary>
/// Trains R networks of §4.2 side by side: two hidden layers, softmax output, cross-entropy, Adam. The step sequence
/// is written once here against <see cref="IMlpOps"/>, so the host path and the kernels run exactly the same steps.
/// </summary>
public sealed class MlpTrainer
{
    private readonly IMlpOps _ops;
    private readonly NetworkMode _mode;
    private readonly ulong _seed;
    private int _step;
    private int _counted;

    /// <summary>Trains the networks of <paramref name="layout"/> on <paramref name="ops"/>'s arena.</summary>
    public MlpTrainer(IMlpOps ops, MlpLayout layout, NetworkMode mode, ulong seed)
    {
        _ops = ops;
        Layout = layout;
        _mode = mode;
        _seed = seed;
    }

    /// <summary>The arena layout.</summary>
    public MlpLayout Layout { get; }

    /// <summary>The layout of R networks 784 → 2k → k → 10 in mini-batches of <paramref name="batch"/>.</summary>
    public static MlpLayout MnistLayout(int k, int repeats, int batch) =>
        new(MnistIdx.Pixels, 2 * k, k, MnistIdx.Classes, repeats, batch);

    /// <summary>
    /// PyTorch's default <c>nn.Linear</c> initialisation, U(−1/√fan_in, 1/√fan_in) for weights and biases, seeded per
    /// repeat; Adam's moments start at zero.
    /// </summary>
    public void Initialise()
    {
        MlpLayout l = Layout;
        float[] p = new float[l.Parameters];
        for (int r = 0; r < l.Repeats; r++)
        {
            var random = new Random((int)(ActivationMask.Mix(_seed ^ ActivationMask.Mix((ulong)r)) & int.MaxValue));
            FillUniform(random, p, l.Inputs, l.W1, l.Hidden1 * l.Repeats, r * l.Hidden1, l.Hidden1, l.Inputs);
            FillUniform(random, p, 1, l.B1, 0, r * l.Hidden1, l.Hidden1, l.Inputs);
            FillUniform(random, p, l.Hidden1, l.W2 + r * l.Hidden1 * l.Hidden2, l.Hidden2, 0, l.Hidden2, l.Hidden1);
            FillUniform(random, p, 1, l.B2, 0, r * l.Hidden2, l.Hidden2, l.Hidden1);
            FillUniform(random, p, l.Hidden2, l.W3 + r * l.Hidden2 * l.Classes, l.Classes, 0, l.Classes, l.Hidden2);
            FillUniform(random, p, 1, l.B3, 0, r * l.Classes, l.Classes, l.Hidden2);
        }
        SetParameters(p);
    }

    /// <summary>Replaces all parameters (layout order), zeroes Adam's state and restarts its step count.</summary>
    public void SetParameters(ReadOnlySpan<float> parameters)
    {
        _ops.Upload(Layout.W1, parameters);
        _ops.Fill(Layout.Parameters, 3 * Layout.Parameters, 0.0f);
        _ops.Fill(Layout.Ones, Layout.Batch, 1.0f);
        _step = 0;
    }

    /// <summary>All parameters in layout order.</summary>
    public float[] GetParameters()
    {
        float[] p = new float[Layout.Parameters];
        _ops.Download(Layout.W1, p);
        return p;
    }

    /// <summary>All gradients of the last <see cref="Backward"/>, in layout order.</summary>
    public float[] GetGradients()
    {
        float[] g = new float[Layout.Parameters];
        _ops.Download(Layout.Parameters, g);
        return g;
    }

    /// <summary>Zeroes the loss and accuracy counters.</summary>
    public void ResetStats()
    {
        _ops.Fill(Layout.Stats, 2 * Layout.Repeats, 0.0f);
        _counted = 0;
    }

    /// <summary>Loss and accuracy of each repeat since <see cref="ResetStats"/>.</summary>
    public RepeatStats ReadStats()
    {
        int r = Layout.Repeats;
        float[] s = new float[2 * r];
        _ops.Download(Layout.Stats, s);
        return new RepeatStats(_counted, [.. s[..r].Select(v => (double)v)], [.. s[r..].Select(v => (double)v)]);
    }

    /// <summary>One Adam step on the mini-batch <paramref name="batch"/> (pool indices).</summary>
    public void Step(ReadOnlySpan<int> batch)
    {
        Forward(batch);
        Backward(batch.Length);
        _step++;
        _ops.Adam(AdamStep.At(_step), Layout.W1, Layout.Parameters);
    }

    /// <summary>
    /// Runs every mini-batch of <paramref name="order"/> through <see cref="Step"/>; cancellation is checked before each
    /// mini-batch, so a stop costs at most one step.
    /// </summary>
    public void TrainEpoch(ReadOnlySpan<int> order, CancellationToken cancellation = default)
    {
        for (int start = 0; start < order.Length; start += Layout.Batch)
        {
            if (cancellation.IsCancellationRequested)
            {
                _ops.Synchronize();
                cancellation.ThrowIfCancellationRequested();
            }
            Step(order.Slice(start, Math.Min(Layout.Batch, order.Length - start)));
        }
        _ops.Synchronize();
    }

    /// <summary>Loss and accuracy of each repeat over pool samples [start, start + count), without training.</summary>
    public RepeatStats Evaluate(int start, int count)
    {
        ResetStats();
        int[] batch = new int[Layout.Batch];
        for (int at = 0; at < count; at += Layout.Batch)
        {
            int rows = Math.Min(Layout.Batch, count - at);
            for (int i = 0; i < rows; i++) batch[i] = start + at + i;
            Forward(batch.AsSpan(0, rows));
        }
        RepeatStats stats = ReadStats();
        ResetStats();
        return stats;
    }

    /// <summary>
    /// Forward pass of all repeats on <paramref name="batch"/>; leaves ∂L/∂logits (mean loss over the batch) in the arena
    /// and adds the batch's losses and correct counts to the statistics.
    /// </summary>
    public void Forward(ReadOnlySpan<int> batch)
    {
        MlpLayout l = Layout;
        int rows = batch.Length;
        int n1 = l.Hidden1 * l.Repeats, n2 = l.Hidden2 * l.Repeats, n3 = l.Classes * l.Repeats;
        _ops.Gather(batch, l.X);
        _ops.Gemm(new GemmCall(false, false, rows, n1, l.Inputs, l.X, l.Inputs, l.W1, n1, 0.0f, l.H1, n1));
        Hidden(new HiddenLayer(rows, l.Hidden1, l.Repeats, 0, _seed), l.H1, l.B1, l.G1);
        for (int r = 0; r < l.Repeats; r++)
        {
            _ops.Gemm(new GemmCall(false, false, rows, l.Hidden2, l.Hidden1,
                l.H1 + r * l.Hidden1, n1, l.W2 + r * l.Hidden1 * l.Hidden2, l.Hidden2, 0.0f, l.H2 + r * l.Hidden2, n2));
        }
        Hidden(new HiddenLayer(rows, l.Hidden2, l.Repeats, 1, _seed), l.H2, l.B2, l.G2);
        for (int r = 0; r < l.Repeats; r++)
        {
            _ops.Gemm(new GemmCall(false, false, rows, l.Classes, l.Hidden2,
                l.H2 + r * l.Hidden2, n2, l.W3 + r * l.Hidden2 * l.Classes, l.Classes, 0.0f, l.Logits + r * l.Classes, n3));
        }
        _ops.SoftmaxCrossEntropy(rows, l.Classes, l.Repeats, l.Logits, l.B3, 1.0f / rows, l.RowStats);
        _ops.Gemm(new GemmCall(false, false, 1, 2 * l.Repeats, rows, l.Ones, rows, l.RowStats, 2 * l.Repeats, 1.0f, l.Stats, 2 * l.Repeats));
        _counted += rows;
    }

    /// <summary>Backward pass after <see cref="Forward"/> on <paramref name="rows"/> samples: writes every gradient.</summary>
    public void Backward(int rows)
    {
        MlpLayout l = Layout;
        int n1 = l.Hidden1 * l.Repeats, n2 = l.Hidden2 * l.Repeats, n3 = l.Classes * l.Repeats;
        LayerBackward(rows, l.W3, l.Hidden2, l.Classes, l.H2, n2, l.Logits, n3, l.D2);
        BiasGradient(rows, l.Logits, n3, l.B3);
        _ops.MaskedBackward(rows * n2, l.D2, l.G2);
        LayerBackward(rows, l.W2, l.Hidden1, l.Hidden2, l.H1, n1, l.D2, n2, l.D1);
        BiasGradient(rows, l.D2, n2, l.B2);
        _ops.MaskedBackward(rows * n1, l.D1, l.G1);
        // The shared input makes ∂W1 of all repeats one GEMM, Xᵀ ∂z₁.
        _ops.Gemm(new GemmCall(true, false, l.Inputs, n1, rows, l.X, l.Inputs, l.D1, n1, 0.0f, l.Gradient(l.W1), n1));
        BiasGradient(rows, l.D1, n1, l.B1);
    }

    // One dense layer of fanIn → fanOut units, per repeat: ∂W = hᵀ ∂out and ∂h = ∂out Wᵀ. Activations h (width fanIn
    // per repeat, row stride inStride) and the output gradient (fanOut per repeat, row stride outStride) are arena offsets.
    private void LayerBackward(int rows, int weights, int fanIn, int fanOut, int input, int inStride, int outGradient, int outStride, int inGradient)
    {
        MlpLayout l = Layout;
        for (int r = 0; r < l.Repeats; r++)
        {
            int w = weights + r * fanIn * fanOut;
            _ops.Gemm(new GemmCall(true, false, fanIn, fanOut, rows,
                input + r * fanIn, inStride, outGradient + r * fanOut, outStride, 0.0f, l.Gradient(w), fanOut));
            _ops.Gemm(new GemmCall(false, true, rows, fanIn, fanOut,
                outGradient + r * fanOut, outStride, w, fanOut, 0.0f, inGradient + r * fanIn, inStride));
        }
    }

    // ∂b = 1ᵀ ∂z: the column sums, as a GEMM with the ones column.
    private void BiasGradient(int rows, int delta, int columns, int bias) =>
        _ops.Gemm(new GemmCall(false, false, 1, columns, rows, Layout.Ones, rows, delta, columns, 0.0f, Layout.Gradient(bias), columns));

    private void Hidden(in HiddenLayer layer, int z, int bias, int gate)
    {
        if (_mode == NetworkMode.Rich) _ops.MaskedForward<ReluGate>(layer, z, bias, gate);
        else _ops.MaskedForward<FixedMaskGate>(layer, z, bias, gate);
    }

    // Fills a rows × columns block (leading dimension ld, starting at column col0) with U(−1/√fanIn, 1/√fanIn).
    private static void FillUniform(Random random, float[] p, int rows, int offset, int ld, int col0, int columns, int fanIn)
    {
        double bound = 1.0 / Math.Sqrt(fanIn);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                p[offset + i * ld + col0 + j] = (float)((2.0 * random.NextDouble() - 1.0) * bound);
    }
}
