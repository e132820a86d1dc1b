namespace Engine.Core.Regions;

/// <summary>
/// Indexed double storage the region math runs on. The host passes a pointer-backed struct, the kernels a
/// struct over a thread's slice of an ILGPU view, so one generic method serves both without virtual calls.
/// </summary>
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
