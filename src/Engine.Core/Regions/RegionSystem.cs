namespace Engine.Core.Regions;

/// <summary>
/// Builds the block system of Eq. 7, [Φ_j Λ_jk; …] p = [Y_j], for an activation pattern. With features
/// z_i = [a_i1 x̃_i, …, a_ih x̃_i, 1] (x̃_i = [x_i; 1] and the trailing 1 only with bias), the matrix is
/// Σ_i z_i z_iᵀ, whose blocks are Φ_j = Σ_i a_ij x̃_i x̃_iᵀ and Λ_jk = Σ_i a_ij a_ik x̃_i x̃_iᵀ, and the
/// right-hand side is Σ_i y_i z_i. Sums over disjoint sets of points add, so each chunk of points has a
/// table of its partial systems for every activation pattern of its bits, and a region's system is the
/// sum of one entry per chunk. Called by the kernels and the host twin alike.
/// </summary>
public static class RegionSystem
{
    /// <summary>
    /// Loads the packed entry at <paramref name="offset"/> of <paramref name="tables"/> into the lower triangle of
    /// the matrix and the right-hand side held in <paramref name="system"/>, adding to what is there when
    /// <paramref name="accumulate"/> is set. The first entry of a region assigns, so the scratch needs no clearing:
    /// the solve never reads the upper triangle.
    /// </summary>
    public static void LoadEntry<TT, TS>(TT tables, int offset, TS system, int parameters, bool accumulate)
        where TT : struct, IScratch
        where TS : struct, IScratch
    {
        int m = parameters;
        int packed = offset;
        // Packed entry (i, j ≥ i) lands in the lower triangle at (j, i).
        for (int i = 0; i < m; i++)
        {
            for (int j = i; j < m; j++) system[j * m + i] = (accumulate ? system[j * m + i] : 0.0) + tables[packed++];
        }
        int rhs = m * m;
        for (int i = 0; i < m; i++) system[rhs + i] = (accumulate ? system[rhs + i] : 0.0) + tables[packed++];
    }

    /// <summary>
    /// Loads the sum of two packed entries, at <paramref name="first"/> of <paramref name="a"/> and <paramref name="second"/>
    /// of <paramref name="b"/>, in one pass: what <see cref="LoadEntry"/> twice would do, for a region whose higher
    /// chunks were summed once.
    /// </summary>
    public static void LoadSum<TA, TB, TS>(TA a, int first, TB b, int second, TS system, int parameters)
        where TA : struct, IScratch
        where TB : struct, IScratch
        where TS : struct, IScratch
    {
        int m = parameters;
        int packed = 0;
        for (int i = 0; i < m; i++)
        {
            for (int j = i; j < m; j++)
            {
                system[j * m + i] = a[first + packed] + b[second + packed];
                packed++;
            }
        }
        int rhs = m * m;
        for (int i = 0; i < m; i++)
        {
            system[rhs + i] = a[first + packed] + b[second + packed];
            packed++;
        }
    }

    /// <summary>Builds the Eq. 7 system of region <paramref name="index"/> from the chunk tables.</summary>
    public static void Build<TT, TS>(TT tables, in RegionShape shape, long index, TS system)
        where TT : struct, IScratch
        where TS : struct, IScratch
    {
        long mask = (1L << shape.ChunkBits) - 1;
        for (int k = 0; k < shape.Chunks; k++)
        {
            long pattern = (index >> (k * shape.ChunkBits)) & mask;
            LoadEntry(tables, (int)(k * shape.TableStride + pattern * shape.EntrySize), system, shape.Parameters, accumulate: k > 0);
        }
    }
}
