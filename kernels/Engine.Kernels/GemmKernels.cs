using ILGPU;

namespace Engine.Kernels;

/// <summary>A GEMM's shape and arena offsets for <see cref="GemmKernels.Tiled"/>; flags are ints, as kernel parameters want.</summary>
/// <param name="TransA">1 when A is stored transposed (k×m).</param>
/// <param name="TransB">1 when B is stored transposed (n×k).</param>
/// <param name="M">Rows of C.</param>
/// <param name="N">Columns of C.</param>
/// <param name="K">Inner dimension.</param>
/// <param name="A">Arena offset of A.</param>
/// <param name="Lda">Leading dimension of A.</param>
/// <param name="B">Arena offset of B.</param>
/// <param name="Ldb">Leading dimension of B.</param>
/// <param name="Beta">Factor of the old C.</param>
/// <param name="C">Arena offset of C.</param>
/// <param name="Ldc">Leading dimension of C.</param>
public readonly record struct GemmShape(int TransA, int TransB, int M, int N, int K, int A, int Lda, int B, int Ldb, float Beta, int C, int Ldc);

/// <summary>Matrix products of the forward and backward passes: row-major <c>sgemm</c>, C ← op(A) op(B) + β C.</summary>
public static class GemmKernels
{
    /// <summary>
    /// The launch of <see cref="Tiled"/> for an m×n C: the widest square group the device allows up to 16×16 (16 on
    /// GPUs, 4 on ILGPU's CPU accelerator, whose groups hold 16 threads), one group per tile, 2·T² floats of shared memory.
    /// </summary>
    public static KernelConfig Launch(int m, int n, int maxThreadsPerGroup)
    {
        int t = (int)Math.Min(16, Math.Floor(Math.Sqrt(maxThreadsPerGroup)));
        return new KernelConfig(new Index2D((n + t - 1) / t, (m + t - 1) / t), new Index2D(t, t), SharedMemoryConfig.RequestDynamic<float>(2 * t * t));
    }

    /// <summary>
    /// One thread per element of C, summing along k straight from the arena: the product for ILGPU's CPU accelerator,
    /// which emulates group barriers with thread synchronisation, so shared-memory tiling there costs more than it saves.
    /// </summary>
    public static void Direct(Index1D e, ArrayView<float> arena, GemmShape s)
    {
        if (e >= s.M * s.N) return;
        int row = e / s.N;
        int col = e - row * s.N;
        float sum = 0.0f;
        for (int p = 0; p < s.K; p++)
        {
            sum += arena[s.A + (s.TransA != 0 ? p * s.Lda + row : row * s.Lda + p)]
                * arena[s.B + (s.TransB != 0 ? col * s.Ldb + p : p * s.Ldb + col)];
        }
        int c = s.C + row * s.Ldc + col;
        arena[c] = s.Beta == 0.0f ? sum : sum + s.Beta * arena[c];
    }

    /// <summary>
    /// Shared-memory tiled GEMM. A group of T×T threads computes a T×T tile of C, staging T×T tiles of op(A) and op(B)
    /// in dynamic shared memory (2·T² floats, T = the group's width) so each arena value is read once per tile.
    /// Out-of-range threads still load zeros and reach every barrier, so the bounds check comes at the store.
    /// </summary>
    public static void Tiled(ArrayView<float> arena, GemmShape s)
    {
        int t = Group.DimX;
        int tx = Group.IdxX;
        int ty = Group.IdxY;
        int row = Grid.IdxY * t + ty;
        int col = Grid.IdxX * t + tx;
        ArrayView<float> tiles = SharedMemory.GetDynamic<float>();
        int bTile = t * t;

        float sum = 0.0f;
        for (int p0 = 0; p0 < s.K; p0 += t)
        {
            int pa = p0 + tx;
            int pb = p0 + ty;
            tiles[ty * t + tx] = row < s.M && pa < s.K
                ? arena[s.A + (s.TransA != 0 ? pa * s.Lda + row : row * s.Lda + pa)] : 0.0f;
            tiles[bTile + ty * t + tx] = pb < s.K && col < s.N
                ? arena[s.B + (s.TransB != 0 ? col * s.Ldb + pb : pb * s.Ldb + col)] : 0.0f;
            Group.Barrier();
            for (int q = 0; q < t; q++) sum += tiles[ty * t + q] * tiles[bTile + q * t + tx];
            Group.Barrier();
        }
        if (row >= s.M || col >= s.N) return;
        int c = s.C + row * s.Ldc + col;
        // β = 0 must overwrite, not scale: the old C may hold NaN from an earlier use of the arena.
        arena[c] = s.Beta == 0.0f ? sum : sum + s.Beta * arena[c];
    }
}
