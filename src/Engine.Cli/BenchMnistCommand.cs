using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Engine.Core.Mlp;
using Engine.Core.Mnist;
using Engine.Mnist;

namespace Engine.Cli;

/// <summary><c>engine bench mnist</c>: seconds per training epoch of one width and mode, as one JSON line.</summary>
internal static class BenchMnistCommand
{
    public static Command Create()
    {
        var k = new Option<int>("--k") { Description = "Width k (hidden layers 2k and k).", Required = true };
        var mode = new Option<string>("--mode") { Description = $"Network mode: {NetworkModes.Names}.", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Epochs to time.", DefaultValueFactory = _ => 1 };
        var repeats = new Option<int>("--repeats") { Description = "Networks trained side by side.", DefaultValueFactory = _ => 1 };
        var path = new Option<string>("--path") { Description = "Compute path: auto, host or kernels.", DefaultValueFactory = _ => "auto" };
        var mnist = MnistCommand.DirectoryOption();
        var device = new Option<string>("--device") { Description = $"Accelerator: {BackendNames.Names}.", DefaultValueFactory = _ => "auto" };

        var command = new Command("mnist", "Time training epochs of the §4.2 network on MNIST; prints one JSON line.");
        foreach (Option option in new Option[] { k, mode, epochs, repeats, path, mnist, device }) command.Options.Add(option);
        command.SetAction((parsed, cancellation) =>
        {
            int width = parsed.GetValue(k);
            int epochCount = parsed.GetValue(epochs);
            Table1Experiment.ValidateWidth(width);
            if (epochCount <= 0) throw new EngineInputException($"--epochs must be positive, got {epochCount}");
            NetworkMode networkMode = NetworkModes.Parse(parsed.Value(mode));
            TrainingPath trainingPath = parsed.Value(path).ToLowerInvariant() switch
            {
                "auto" => TrainingPath.Auto,
                "host" => TrainingPath.Host,
                "kernels" => TrainingPath.Kernels,
                string other => throw new EngineInputException($"--path '{other}': expected auto, host or kernels"),
            };
            MnistData data = MnistCommand.Load(parsed.Value(mnist), testLimit: 0);
            using ComputeDevice compute = ComputeDevice.Open(BackendNames.Parse(parsed.Value(device)));
            using MnistTraining training = MnistTraining.Create(compute, data, width, networkMode, parsed.GetValue(repeats), 1UL, trainingPath);

            // Warm-up steps so JIT and kernel compilation stay out of the timing.
            int[] warm = [.. Enumerable.Range(0, MnistTraining.BatchSize)];
            for (int s = 0; s < 3; s++) training.Trainer.Step(warm);
            training.Trainer.GetParameters();

            var clock = Stopwatch.StartNew();
            double accuracy = 0.0;
            for (int e = 0; e < epochCount; e++)
            {
                cancellation.ThrowIfCancellationRequested();
                accuracy = training.TrainEpoch(e).Accuracy(0);
            }
            double perEpoch = clock.Elapsed.TotalSeconds / epochCount;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"k\":{width},\"mode\":\"{networkMode.Name()}\",\"repeats\":{parsed.GetValue(repeats)},\"epochs\":{epochCount},\"path\":\"{training.PathName}\"," +
                $"\"secondsPerEpoch\":{perEpoch:F3},\"samplesPerSecond\":{data.TrainCount * parsed.GetValue(repeats) / perEpoch:F0},\"runningTrainAccuracy\":{accuracy:F4}}}"));
            return 0;
        });
        return command;
    }
}
