using System.Numerics;
using System.Runtime.InteropServices;

namespace Engine.Core.Blas;

/// <summary>
/// A managed <c>sgemm</c> for machines without OpenBLAS: rows of C in parallel, each built as Σ_p A(i,p) · B(p,:) with
/// <see cref="Vector{T}"/> axpys over k-blocks that stay in cache. Transposed B is copied once into row-major k×n form,
/// so the inner loop always streams contiguous memory.
/// </summary>
public sealed class ManagedBlas : IBlas
{
    // 256 rows of B at up to 512 floats stay in a 512 KiB L2 while every row of C passes over them.
    private const int KBlock = 256;

    /// <inheritdoc/>
    public string Name => "managed";

    /// <inheritdoc/>
    public void Sgemm(bool transA, bool transB, int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        float[] bRows;
        int ldr;
        if (transB)
        {
            bRows = new float[k * n];
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++) bRows[p * n + j] = b[j * ldb + p];
            ldr = n;
        }
        else
        {
            bRows = b.ToArray();
            ldr = ldb;
        }
        float[] aData = a.ToArray();
        float[] cData = c.ToArray();
        int rowsPerChunk = Math.Max(1, m / (4 * Environment.ProcessorCount));
        Parallel.For(0, (m + rowsPerChunk - 1) / rowsPerChunk, chunk =>
        {
            int end = Math.Min(m, (chunk + 1) * rowsPerChunk);
            for (int i = chunk * rowsPerChunk; i < end; i++)
            {
                Span<float> row = cData.AsSpan(i * ldc, n);
                if (beta == 0.0f) row.Clear();
                else if (beta != 1.0f) Scale(row, beta);
                for (int p0 = 0; p0 < k; p0 += KBlock)
                {
                    int p1 = Math.Min(k, p0 + KBlock);
                    for (int p = p0; p < p1; p++)
                    {
                        float s = transA ? aData[p * lda + i] : aData[i * lda + p];
                        if (s != 0.0f) Axpy(s, bRows.AsSpan(p * ldr, n), row);
                    }
                }
            }
        });
        cData.AsSpan(0, c.Length).CopyTo(c);
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
