using System.CommandLine;
using Engine.Mnist;

namespace Engine.Cli;

/// <summary><c>engine merge</c>: the outputs of a run whose parts were computed separately (a job array) or resumed.</summary>
internal static class MergeCommand
{
    public static Command Create()
    {
        var directory = new Argument<DirectoryInfo>("DIR") { Description = "The run directory the parts wrote into." };
        var csv = new Option<FileInfo?>("--csv") { Description = "Write one row per region (the run must have been started with --csv)." };
        var json = new Option<FileInfo?>("--json") { Description = "Write the run's settings and histogram as JSON." };
        var witness = new Option<FileInfo?>("--witness") { Description = "Write the realizable regions' verified networks (the run must have been started with --witness)." };
        var command = new Command("merge", "Combine the finished units of a run directory (enumerate or table1) into the outputs a single run writes; names the parts still missing.");
        command.Arguments.Add(directory);
        var figures = new Option<DirectoryInfo?>("--out") { Description = "For a sweep: write its figures into this directory." };
        foreach (Option option in new Option[] { csv, json, witness, figures }) command.Options.Add(option);
        command.SetAction((parsed, cancellation) =>
        {
            string dir = parsed.GetValue(directory)!.FullName;
            FileInfo? csvFile = parsed.GetValue(csv), jsonFile = parsed.GetValue(json), witnessFile = parsed.GetValue(witness);
            if (Table1Runner.IsTable1Run(dir))
            {
                if (csvFile is not null || witnessFile is not null) throw new EngineInputException($"{dir} is a table1 run: it writes only --json");
                Outputs.Check(Outputs.Inputs(dir), ("--json", jsonFile));
                (Table1Options options, IReadOnlyList<Table1Cell> cells) = Table1Runner.Merge(dir);
                Table1Command.Write(options, cells, jsonFile?.FullName);
                return 0;
            }
            // Merging reads the units back: the session's device is never opened.
            using EngineSession session = EngineSession.Open();
            if (EngineSession.IsSweepRun(dir))
            {
                if (witnessFile is not null) throw new EngineInputException($"{dir} is a sweep: it writes --csv, --json and --out");
                Outputs.Check(Outputs.Inputs(dir), ("--csv", csvFile), ("--json", jsonFile));
                SweepCommand.Write(session.MergeSweep(dir), csvFile, jsonFile, parsed.GetValue(figures));
                return 0;
            }
            if (EngineSession.IsGlobalRun(dir))
            {
                if (csvFile is not null) throw new EngineInputException($"{dir} is a global run: it writes --json and --witness");
                Outputs.Check(Outputs.Inputs(dir), ("--json", jsonFile), ("--witness", witnessFile));
                GlobalMinimum minimum = session.MergeGlobal(dir, Progress.Phases());
                Progress.Done();
                GlobalCommand.Write(minimum, jsonFile, witnessFile);
                return 0;
            }
            RegionRequest request = session.ReadRequest(dir);
            if (csvFile is not null && !request.KeepRegions) throw new EngineInputException($"{dir} was started without --csv: its units keep no per-region rows");
            if (witnessFile is not null && !request.Witnesses) throw new EngineInputException($"{dir} was started without --witness: its units keep no witnesses");
            Outputs.Check(Outputs.Inputs(dir), ("--csv", csvFile), ("--json", jsonFile), ("--witness", witnessFile));
            RegionRun run = session.Merge(dir, Progress.Phases());
            Progress.Done();
            EnumerateCommand.Write(run, csvFile, jsonFile, witnessFile);
            return 0;
        });
        return command;
    }
}
