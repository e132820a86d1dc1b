using Engine.Core.Blas;
using Engine.Core.Mnist;

namespace Engine.Core.Mlp;

/// <summary>
/// The host training path: GEMMs through an <see cref="IBlas"/> provider, the elementwise steps as parallel loops
/// over the same per-element functions the kernels call. It is both the fast CPU path and the kernels' twin.
/// </summary>
public sealed class HostMlpOps : IMlpOps
{
    // Elementwise loops split into chunks this large: big enough to amortise Parallel.For, small enough to balance.
    private const int Chunk = 16384;

    private readonly float[] _arena;
    private readonly MnistData _data;
    private readonly IBlas _blas;
    private int[] _samples = [];

    /// <summary>Creates an arena of <paramref name="arenaLength"/> floats over the images of <paramref name="data"/>.</summary>
    public HostMlpOps(int arenaLength, MnistData data, IBlas blas)
    {
        _arena = new float[arenaLength];
        _data = data;
        _blas = blas;
    }

    /// <inheritdoc/>
    public void Upload(int offset, ReadOnlySpan<float> values) => values.CopyTo(_arena.AsSpan(offset));

    /// <inheritdoc/>
    public void Download(int offset, Span<float> values) => _arena.AsSpan(offset, values.Length).CopyTo(values);

    /// <inheritdoc/>
    public void Fill(int offset, int count, float value) => _arena.AsSpan(offset, count).Fill(value);

    /// <inheritdoc/>
    public void Gather(ReadOnlySpan<int> indices, int xOffset)
    {
        _samples = indices.ToArray();
        for (int r = 0; r < _samples.Length; r++)
        {
            int features = _data.Features;
            ReadOnlySpan<byte> pixels = _data.Pixels.AsSpan(_samples[r] * features, features);
            Span<float> row = _arena.AsSpan(xOffset + r * features, features);
            for (int p = 0; p < pixels.Length; p++) row[p] = MnistIdx.Scale(pixels[p]);
        }
    }

    /// <inheritdoc/>
    public void Gemm(in GemmCall call)
    {
        int aRows = call.TransA ? call.K : call.M;
        int bRows = call.TransB ? call.N : call.K;
        _blas.Sgemm(call.TransA, call.TransB, call.M, call.N, call.K,
            _arena.AsSpan(call.A, (aRows - 1) * call.Lda + (call.TransA ? call.M : call.K)), call.Lda,
            _arena.AsSpan(call.B, (bRows - 1) * call.Ldb + (call.TransB ? call.K : call.N)), call.Ldb,
            call.Beta, _arena.AsSpan(call.C, (call.M - 1) * call.Ldc + call.N), call.Ldc);
    }

    /// <inheritdoc/>
    public void MaskedForward<TGate>(in HiddenLayer layer, int z, int bias, int gate) where TGate : struct, IGate
    {
        HiddenLayer l = layer;
        int columns = l.Units * l.Repeats;
        float[] arena = _arena;
        int[] samples = _samples;
        // Rows, then repeats, then units: the repeat's mask seed is computed once per row and no index is divided.
        Parallel.For(0, l.Rows, row =>
        {
            for (int r = 0; r < l.Repeats; r++)
            {
                ulong seed = ActivationMask.RepeatSeed(l.Seed, r);
                int at = row * columns + r * l.Units;
                for (int u = 0; u < l.Units; u++)
                {
                    arena[z + at + u] = Mlp.MaskedForward.Element<TGate>(l.Layer, seed, u, samples[row], arena[z + at + u], arena[bias + r * l.Units + u], out float a);
                    arena[gate + at + u] = a;
                }
            }
        });
    }

    /// <inheritdoc/>
    public void MaskedBackward(int count, int grad, int gate)
    {
        float[] arena = _arena;
        For(count, (from, to) =>
        {
            for (int e = from; e < to; e++) arena[grad + e] *= arena[gate + e];
        });
    }

    /// <inheritdoc/>
    public void SoftmaxCrossEntropy(int rows, int classes, int repeats, int logits, int bias, float scale, int rowStats)
    {
        for (int i = 0; i < rows; i++)
        {
            for (int r = 0; r < repeats; r++)
            {
                int row = i * classes * repeats + r * classes;
                float loss = Mlp.SoftmaxCrossEntropy.Row(new ArrayRow(_arena, logits + row), new ArrayRow(_arena, bias + r * classes),
                    classes, _data.Labels[_samples[i]], scale, out float correct);
                _arena[rowStats + i * 2 * repeats + r] = loss;
                _arena[rowStats + i * 2 * repeats + repeats + r] = correct;
            }
        }
    }

    /// <inheritdoc/>
    public void Adam(in AdamStep step, int weights, int count)
    {
        AdamStep s = step;
        float[] arena = _arena;
        For(count, (from, to) =>
        {
            for (int e = from; e < to; e++)
                Mlp.Adam.Update(s, ref arena[weights + e], ref arena[weights + 2 * count + e], ref arena[weights + 3 * count + e], arena[weights + count + e]);
        });
    }

    /// <inheritdoc/>
    public void Synchronize()
    {
    }

    /// <summary>Nothing to release: the arena is managed memory.</summary>
    public void Dispose()
    {
    }

    // Runs body over [0, count) in chunks, in parallel when there is more than one chunk.
    private static void For(int count, Action<int, int> body)
    {
        if (count <= Chunk)
        {
            body(0, count);
            return;
        }
        Parallel.For(0, (count + Chunk - 1) / Chunk, c => body(c * Chunk, Math.Min(count, (c + 1) * Chunk)));
    }
}
