using System.CommandLine;
using Engine.Core.Data;

namespace Engine.Cli;

/// <summary>The options every region command shares: dataset, network and device.</summary>
internal sealed class RegionOptions
{
    public Option<string> Dataset { get; } = new("--dataset", "-d")
    {
        Description = $"Dataset: {DatasetCatalog.Names}.",
        Required = true,
    };

    public Option<int> Hidden { get; } = new("--hidden", "-H")
    {
        Description = "Hidden nodes h.",
        Required = true,
    };

    public Option<bool> Bias { get; } = new("--bias")
    {
        Description = "Give the network biases b and c (off by default, as in the paper's Figure 3).",
    };

    public Option<string> Device { get; } = DeviceOption();

    /// <summary>The --device option, also used by commands without a dataset.</summary>
    public static Option<string> DeviceOption() => new("--device")
    {
        Description = $"Accelerator: {BackendNames.Names}. auto picks CUDA, then OpenCL, then the CPU.",
        DefaultValueFactory = _ => "auto",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Dataset);
        command.Options.Add(Hidden);
        command.Options.Add(Bias);
        command.Options.Add(Device);
    }
}
