using System.CommandLine;

namespace Engine.Cli;

/// <summary><c>engine devices</c>: lists the accelerators ILGPU can see.</summary>
internal static class DevicesCommand
{
    public static Command Create()
    {
        var command = new Command("devices", "List the accelerators this machine has (CUDA, OpenCL, CPU).");
        command.SetAction((_, _) =>
        {
            foreach (string line in ComputeDevice.List()) Console.WriteLine(line);
            return 0;
        });
        return command;
    }
}
