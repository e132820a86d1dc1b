namespace Engine.Core.Mlp;

/// <summary>
/// One row-major GEMM on the arena, C ← op(A) · op(B) + β C, with every matrix given by its arena offset and
/// leading dimension (the <c>sgemm</c> argument list).
/// </summary>
public readonly record struct GemmCall(bool TransA, bool TransB, int M, int N, int K, int A, int Lda, int B, int Ldb, float Beta, int C, int Ldc);

/// <summary>
/// The primitive steps of a training step, over one float arena that holds every parameter, moment and activation
/// (offsets come from <see cref="MlpLayout"/>). The host path and the accelerator path implement it; the step
/// sequence itself lives once in <see cref="MlpTrainer"/>.
/// </summary>
public interface IMlpOps : IDisposable
{
    /// <summary>Copies <paramref name="values"/> into the arena at <paramref name="offset"/>.</summary>
    void Upload(int offset, ReadOnlySpan<float> values);

    /// <summary>Copies arena values at <paramref name="offset"/> into <paramref name="values"/>.</summary>
    void Download(int offset, Span<float> values);

    /// <summary>Sets <paramref name="count"/> arena values at <paramref name="offset"/> to <paramref name="value"/>.</summary>
    void Fill(int offset, int count, float value);

    /// <summary>
    /// Makes the pool samples <paramref name="indices"/> the current mini-batch: their pixels, scaled to [0,1], go
    /// row by row to <paramref name="xOffset"/>; their labels and pool indices are kept for the later steps.
    /// </summary>
    void Gather(ReadOnlySpan<int> indices, int xOffset);

    /// <summary>Runs one GEMM.</summary>
    void Gemm(in GemmCall call);

    /// <summary>Eq. 2/8 forward: z ← a ⊙ (z + b) in place at <paramref name="z"/>, writing a at <paramref name="gate"/>.</summary>
    void MaskedForward<TGate>(in HiddenLayer layer, int z, int bias, int gate) where TGate : struct, IGate;

    /// <summary>Backward through Eq. 2/8: ∂L/∂z = a ⊙ ∂L/∂h, in place at <paramref name="grad"/>.</summary>
    void MaskedBackward(int count, int grad, int gate);

    /// <summary>
    /// Softmax + cross-entropy for every (sample, network) row of the <paramref name="rows"/> × (classes·repeats)
    /// logits: replaces them by ∂L/∂z scaled by <paramref name="scale"/>, and writes each row's loss and correctness into
    /// the rows × (2·repeats) matrix at <paramref name="rowStats"/> (losses of each repeat, then correctness of each).
    /// </summary>
    void SoftmaxCrossEntropy(int rows, int classes, int repeats, int logits, int bias, float scale, int rowStats);

    /// <summary>Adam on <paramref name="count"/> parameters at <paramref name="weights"/>; the gradients, first and second moments follow at strides of <paramref name="count"/>.</summary>
    void Adam(in AdamStep step, int weights, int count);

    /// <summary>Waits until queued work has finished.</summary>
    void Synchronize();
}
