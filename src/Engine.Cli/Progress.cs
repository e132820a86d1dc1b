using System.Diagnostics;

namespace Engine.Cli;

/// <summary>A one-line progress display on stderr, redrawn at most a few times a second.</summary>
internal static class Progress
{
    private static readonly Stopwatch Clock = new();
    private static long _lastDraw = -1000;
    private static bool _drawn;

    /// <summary>A callback printing "done/total unit, rate, time left".</summary>
    public static Action<long, long> Reporter(string unit)
    {
        Clock.Restart();
        _lastDraw = -1000;
        return (done, total) =>
        {
            long now = Clock.ElapsedMilliseconds;
            if (now - _lastDraw < 250 && done < total) return;
            _lastDraw = now;
            double seconds = Math.Max(Clock.Elapsed.TotalSeconds, 1e-9);
            double rate = done / seconds;
            double left = rate > 0 ? (total - done) / rate : 0;
            Console.Error.Write($"\r  {done:N0}/{total:N0} {unit} ({100.0 * done / total:0.0}%), {rate:0.00e0}/s, {RegionReport.Duration(left)} left   ");
            _drawn = true;
        };
    }

    /// <summary>Ends the progress line.</summary>
    public static void Done()
    {
        if (_drawn) Console.Error.WriteLine();
        _drawn = false;
    }
}
