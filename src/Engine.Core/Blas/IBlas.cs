namespace Engine.Core.Blas;

/// <summary>
/// A level-3 BLAS provider for the host training path, in the style of Math.NET's providers: row-major
/// single-precision GEMM, C ← op(A) · op(B) + β C, the routine BLAS calls <c>sgemm</c> (α is always 1 here).
/// </summary>
public interface IBlas
{
    /// <summary>The provider's name for reports, e.g. "openblas".</summary>
    string Name { get; }

    /// <summary>
    /// C (m×n, leading dimension ldc) ← op(A) (m×k) · op(B) (k×n) + β C, all row-major; op transposes when asked, so A is
    /// stored k×m when <paramref name="transA"/> is set and B is stored n×k when <paramref name="transB"/> is set.
    /// </summary>
    void Sgemm(bool transA, bool transB, int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc);
}
