namespace Engine;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls <paramref name="report"/> on the reporting thread, in order, before the
/// work goes on (<see cref="Progress{T}"/> posts to a synchronization context or the thread pool instead, so its
/// reports can arrive late and out of order).
/// </summary>
/// <param name="report">Called with every report; it should return quickly.</param>
public sealed class ProgressCallback<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc/>
    public void Report(T value) => report(value);
}
