namespace Engine.Core.Regions;

/// <summary>
/// Indexed double storage the region math runs on. The host passes a pointer-backed struct, the kernels a
/// struct over a thread's slice of an ILGPU view, so one generic method serves both without virtual calls.
/// </summary>
/// <remarks>
/// Code over an <see cref="IScratch"/> writes s[i] = s[i] − x rather than s[i] −= x: a compound assignment to a
/// generic struct's indexer takes the struct's address, and the JIT then reloads its pointer from the stack at every
/// access instead of keeping it in a register (about a third of the exact path's time).
/// </remarks>
public interface IScratch
{
    /// <summary>Element <paramref name="index"/>.</summary>
    double this[int index] { get; set; }
}

/// <summary>Host storage: a raw pointer into pinned or native memory.</summary>
public readonly unsafe struct PointerScratch : IScratch
{
    private readonly double* _base;

    /// <summary>Wraps <paramref name="pointer"/>; the caller keeps the memory alive and pinned.</summary>
    public PointerScratch(double* pointer) => _base = pointer;

    /// <inheritdoc />
    public double this[int index]
    {
        get => _base[index];
        set => _base[index] = value;
    }
}
