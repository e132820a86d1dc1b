namespace Engine.Core.Mlp;

/// <summary>
/// Where everything of R stacked networks Inputs → Hidden1 → Hidden2 → Classes lives in the one float arena.
/// Parameters come first as [W1 | b1 | W2 | b2 | W3 | b3], then their gradients, Adam's m and v in the same layout,
/// then the mini-batch activations.
/// </summary>
/// <remarks>
/// All R networks see the same mini-batch, so W1 of every repeat sits side by side in one Inputs × (Hidden1·R)
/// matrix and the first layer, the largest, is a single GEMM for all repeats, forward and backward. Layers 2 and 3 are
/// block-diagonal across repeats and stored as R separate blocks; activations are Batch × (units·R), repeat r in
/// columns [r·units, (r+1)·units).
/// </remarks>
public sealed class MlpLayout
{
    /// <summary>Lays out R networks of the given sizes for mini-batches of up to <paramref name="batch"/> samples.</summary>
    public MlpLayout(int inputs, int hidden1, int hidden2, int classes, int repeats, int batch)
    {
        Inputs = inputs;
        Hidden1 = hidden1;
        Hidden2 = hidden2;
        Classes = classes;
        Repeats = repeats;
        Batch = batch;

        W1 = 0;
        B1 = W1 + inputs * hidden1 * repeats;
        W2 = B1 + hidden1 * repeats;
        B2 = W2 + hidden1 * hidden2 * repeats;
        W3 = B2 + hidden2 * repeats;
        B3 = W3 + hidden2 * classes * repeats;
        Parameters = B3 + classes * repeats;

        int at = 4 * Parameters;
        X = Take(ref at, batch * inputs);
        H1 = Take(ref at, batch * hidden1 * repeats);
        G1 = Take(ref at, batch * hidden1 * repeats);
        D1 = Take(ref at, batch * hidden1 * repeats);
        H2 = Take(ref at, batch * hidden2 * repeats);
        G2 = Take(ref at, batch * hidden2 * repeats);
        D2 = Take(ref at, batch * hidden2 * repeats);
        Logits = Take(ref at, batch * classes * repeats);
        Ones = Take(ref at, batch);
        RowStats = Take(ref at, batch * 2 * repeats);
        Stats = Take(ref at, 2 * repeats);
        Length = at;
    }

    /// <summary>Input dimension (784 for MNIST).</summary>
    public int Inputs { get; }

    /// <summary>First hidden layer width, 2k.</summary>
    public int Hidden1 { get; }

    /// <summary>Second hidden layer width, k.</summary>
    public int Hidden2 { get; }

    /// <summary>Output classes.</summary>
    public int Classes { get; }

    /// <summary>Networks trained side by side.</summary>
    public int Repeats { get; }

    /// <summary>Largest mini-batch.</summary>
    public int Batch { get; }

    /// <summary>Number of parameters of all repeats together.</summary>
    public int Parameters { get; }

    /// <summary>W1, Inputs × (Hidden1·R).</summary>
    public int W1 { get; }

    /// <summary>b1, Hidden1·R.</summary>
    public int B1 { get; }

    /// <summary>W2, R blocks of Hidden1 × Hidden2.</summary>
    public int W2 { get; }

    /// <summary>b2, Hidden2·R.</summary>
    public int B2 { get; }

    /// <summary>W3, R blocks of Hidden2 × Classes.</summary>
    public int W3 { get; }

    /// <summary>b3, Classes·R.</summary>
    public int B3 { get; }

    /// <summary>Mini-batch inputs, Batch × Inputs.</summary>
    public int X { get; }

    /// <summary>First hidden layer's products, then its outputs h₁.</summary>
    public int H1 { get; }

    /// <summary>First hidden layer's activation values a₁.</summary>
    public int G1 { get; }

    /// <summary>∂L/∂h₁, then ∂L/∂z₁.</summary>
    public int D1 { get; }

    /// <summary>Second hidden layer's products, then its outputs h₂.</summary>
    public int H2 { get; }

    /// <summary>Second hidden layer's activation values a₂.</summary>
    public int G2 { get; }

    /// <summary>∂L/∂h₂, then ∂L/∂z₂.</summary>
    public int D2 { get; }

    /// <summary>Logits, then ∂L/∂logits.</summary>
    public int Logits { get; }

    /// <summary>A column of ones: column sums (bias gradients, statistics) are GEMMs with it.</summary>
    public int Ones { get; }

    /// <summary>Per-row loss and correctness, Batch × 2R.</summary>
    public int RowStats { get; }

    /// <summary>Accumulated loss sums of each repeat, then correct counts of each repeat.</summary>
    public int Stats { get; }

    /// <summary>Arena length in floats.</summary>
    public int Length { get; }

    /// <summary>Offset of the gradient of the parameter at <paramref name="parameter"/>.</summary>
    public int Gradient(int parameter) => Parameters + parameter;

    private static int Take(ref int at, int count)
    {
        int start = at;
        at += count;
        return start;
    }
}
