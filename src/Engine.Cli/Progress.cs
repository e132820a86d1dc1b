namespace Engine.Cli;

/// <summary>A one-line progress display on stderr, redrawn at most a few times a second.</summary>
internal static class Progress
{
    private static long _lastDraw = -1000;
    private static bool _drawn;

    private static string? _phase;

    /// <summary>
    /// A callback for a run's phases: one progress line per phase ("cells", "regions", "merge") that lasts more than
    /// half a second, each with its rate and time left, a new line when the phase changes.
    /// </summary>
    public static IProgress<RunProgress> Phases()
    {
        _phase = null;
        return new ProgressCallback<RunProgress>(p =>
        {
            if (p.Phase != _phase)
            {
                Done();
                _phase = p.Phase;
                _lastDraw = -1000;
            }
            long now = (long)p.Elapsed.TotalMilliseconds;
            // Phases shorter than half a second are not drawn at all, so quick runs and one-line errors stay clean.
            if (now < 500 || (now - _lastDraw < 250 && p.Done < p.Total)) return;
            _lastDraw = now;
            double seconds = Math.Max(p.Elapsed.TotalSeconds, 1e-9);
            double rate = p.Done / seconds;
            string left = p.Done == 0 ? "" : $", {RegionReport.Duration(rate > 0 ? (p.Total - p.Done) / rate : 0)} left";
            string share = p.Total > 0 ? $" ({100.0 * p.Done / p.Total:0.0}%)" : "";
            Console.Error.Write($"\r  {p.Phase}: {p.Done:N0}/{p.Total:N0}{share}, {rate:0.00e0}/s{left}   ");
            _drawn = true;
        });
    }

    /// <summary>Ends the progress line.</summary>
    public static void Done()
    {
        if (_drawn) Console.Error.WriteLine();
        _drawn = false;
    }
}
