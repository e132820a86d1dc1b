using System.Diagnostics;

namespace Engine.Tests;

/// <summary>The repository the tests were built from, and child processes run in it.</summary>
internal static class Repository
{
    /// <summary>The folder holding Engine.sln.</summary>
    public static string Root()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Engine.sln"))) return d.FullName;
        }
        throw new InvalidOperationException("the tests run outside the repository");
    }

    /// <summary>Runs <paramref name="program"/> in <paramref name="directory"/> and returns its exit code and its stdout followed by its stderr.</summary>
    public static (int Code, string Output) Run(string program, string directory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        using Process process = Process.Start(info)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    /// <summary>The dotnet host running the tests (the SDK's, under <c>dotnet test</c>).</summary>
    public static string Dotnet() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
}
