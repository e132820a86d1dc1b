using System.Runtime.InteropServices;

namespace Engine.Core.Blas;

/// <summary>
/// <c>cblas_sgemm</c> of the system's OpenBLAS (<c>libopenblas.so.0</c>, Debian package <c>libopenblas0-pthread</c>),
/// through P/Invoke. OpenBLAS runs its own thread pool over all cores.
/// </summary>
public sealed partial class OpenBlas : IBlas
{
    private const string Library = "libopenblas.so.0";
    private const int RowMajor = 101;
    private const int NoTrans = 111;
    private const int Trans = 112;

    private OpenBlas()
    {
    }

    /// <inheritdoc/>
    public string Name => "openblas";

    /// <summary>The provider when the library loads on this machine, else null.</summary>
    public static OpenBlas? TryCreate()
    {
        if (!NativeLibrary.TryLoad(Library, typeof(OpenBlas).Assembly, null, out IntPtr handle)) return null;
        bool complete = NativeLibrary.TryGetExport(handle, "cblas_sgemm", out _);
        return complete ? new OpenBlas() : null;
    }

    /// <inheritdoc/>
    public unsafe void Sgemm(bool transA, bool transB, int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            CblasSgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, 1.0f, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    [LibraryImport(Library, EntryPoint = "cblas_sgemm")]
    private static unsafe partial void CblasSgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);
}
