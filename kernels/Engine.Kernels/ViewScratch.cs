using Engine.Core.Regions;
using ILGPU;

namespace Engine.Kernels;

/// <summary>A whole view as region-math storage (the read-only chunk tables).</summary>
public readonly struct ViewScratch : IScratch
{
    private readonly ArrayView<double> _view;

    /// <summary>Wraps <paramref name="view"/>.</summary>
    public ViewScratch(ArrayView<double> view) => _view = view;

    /// <inheritdoc />
    public double this[int index]
    {
        get => _view[index];
        set => _view[index] = value;
    }
}

/// <summary>
/// One thread's scratch inside a shared view, interleaved: element e of thread t sits at e·threads + t, so
/// neighbouring GPU threads touch neighbouring addresses and their loads coalesce.
/// </summary>
public readonly struct ThreadScratch : IScratch
{
    private readonly ArrayView<double> _view;
    private readonly long _thread;
    private readonly long _threads;

    /// <summary>Thread <paramref name="thread"/> of <paramref name="threads"/> in <paramref name="view"/>.</summary>
    public ThreadScratch(ArrayView<double> view, long thread, long threads)
    {
        _view = view;
        _thread = thread;
        _threads = threads;
    }

    /// <inheritdoc />
    public double this[int index]
    {
        get => _view[index * _threads + _thread];
        set => _view[index * _threads + _thread] = value;
    }
}
