using System.Numerics;
using System.Runtime.InteropServices;

namespace Engine.Core.Blas;

/// <summary>
/// A managed <c>sgemm</c> for machines without OpenBLAS: chunks of rows of C in parallel, each row built as
/// Σ_p A(i,p) · B(p,:) with <see cref="Vector{T}"/> axpys, k-block by k-block so that a block of B stays in cache. Transposed B is packed once into row-major k×n form,
/// so the inner loop always streams contiguous memory.
/// </summary>
public sealed class ManagedBlas : IBlas
{
    // 256 rows of B at up to 512 floats stay in a 512 KiB L2 while every row of C passes over them.
    private const int KBlock = 256;

    /// <inheritdoc/>
    public string Name => "managed";

    /// <inheritdoc/>
    public unsafe void Sgemm(bool transA, bool transB, int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        float[]? packed = null;
        if (transB)
        {
            packed = GC.AllocateUninitializedArray<float>(k * n, pinned: true);
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++) packed[p * n + j] = b[j * ldb + p];
        }
        fixed (float* pa = a)
        fixed (float* pb = packed ?? b)
        fixed (float* pc = c)
        {
            // Spans cannot enter the parallel lambda; the pinned addresses can.
            nint aAt = (nint)pa, bAt = (nint)pb, cAt = (nint)pc;
            int ldr = transB ? n : ldb;
            int rowsPerChunk = Math.Max(1, m / (4 * Environment.ProcessorCount));
            Parallel.For(0, (m + rowsPerChunk - 1) / rowsPerChunk, chunk =>
            {
                float* aRows = (float*)aAt, bRows = (float*)bAt;
                int begin = chunk * rowsPerChunk, end = Math.Min(m, begin + rowsPerChunk);
                for (int i = begin; i < end; i++)
                {
                    var row = new Span<float>((float*)cAt + (long)i * ldc, n);
                    if (beta == 0.0f) row.Clear();
                    else if (beta != 1.0f) Scale(row, beta);
                }
                // k-blocks outside the rows: one block of B serves every row of the chunk while it is in cache.
                for (int p0 = 0; p0 < k; p0 += KBlock)
                {
                    int p1 = Math.Min(k, p0 + KBlock);
                    for (int i = begin; i < end; i++)
                    {
                        var row = new Span<float>((float*)cAt + (long)i * ldc, n);
                        for (int p = p0; p < p1; p++)
                        {
                            float s = transA ? aRows[(long)p * lda + i] : aRows[(long)i * lda + p];
                            // Zeros are common (masked or rectified units) and their axpy would change nothing.
                            if (s != 0.0f) Axpy(s, new ReadOnlySpan<float>(bRows + (long)p * ldr, n), row);
                        }
                    }
                }
            });
        }
    }

    private static void Scale(Span<float> x, float s)
    {
        for (int j = 0; j < x.Length; j++) x[j] *= s;
    }

    // y ← y + s·x, vectorised; the tail runs scalar.
    private static void Axpy(float s, ReadOnlySpan<float> x, Span<float> y)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var vs = new Vector<float>(s);
            ReadOnlySpan<Vector<float>> vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            Span<Vector<float>> vy = MemoryMarshal.Cast<float, Vector<float>>(y);
            for (int v = 0; v < vx.Length; v++) vy[v] += vs * vx[v];
            j = vx.Length * Vector<float>.Count;
        }
        for (; j < x.Length; j++) y[j] += s * x[j];
    }
}
