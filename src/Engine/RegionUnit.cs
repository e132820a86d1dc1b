using Engine.Core.Data;
using Engine.Core.Geometry;
using Engine.Core.Regions;

namespace Engine;

/// <summary>
/// One finished unit of a region run: rows [First, First + Count), their histograms and decision counts, and, when the
/// run keeps them, the rows' losses, ranks and flags and the witnesses. This is what a run directory stores per unit
/// and what merging combines, so a run split any way merges to the same outputs.
/// </summary>
internal sealed class RegionUnit
{
    // File format: "ERU1" then the fields in the order of Write. Witnesses are stored as numbers and checked again on reading.
    private const int Magic = 0x31555245;

    public required long First { get; init; }

    public required long Count { get; init; }

    public required LossSummary Summary { get; init; }

    public LossSummary? Realizable { get; init; }

    public required DecisionCounts Decisions { get; init; }

    public double[]? Losses { get; init; }

    public int[]? Ranks { get; init; }

    public bool[]? Feasible { get; init; }

    public bool[]? RealizableRows { get; init; }

    /// <summary>Kept with realizability: each row's undecided flag.</summary>
    public bool[]? UndecidedRows { get; init; }

    public long[]? Multiplicities { get; init; }

    public required IReadOnlyList<(long Row, NetworkWitness Witness)> Witnesses { get; init; }

    /// <summary>The unit without its rows, once they have been placed in the run's own arrays.</summary>
    public RegionUnit WithoutRows() => new()
    {
        First = First, Count = Count, Summary = Summary, Realizable = Realizable, Decisions = Decisions, Witnesses = Witnesses,
    };

    public void Write(BinaryWriter w)
    {
        w.Write(Magic);
        w.Write(First);
        w.Write(Count);
        WriteSummary(w, Summary);
        w.Write(Realizable is not null);
        if (Realizable is not null) WriteSummary(w, Realizable);
        w.Write(Decisions.Programs);
        w.Write(Decisions.Fallbacks);
        w.Write(Decisions.Unchecked);
        w.Write(Losses is not null);
        if (Losses is not null)
        {
            foreach (double loss in Losses) w.Write(loss);
            foreach (int rank in Ranks!) w.Write(rank);
            w.Write(Feasible is not null);
            if (Feasible is not null)
            {
                // Bit 0 nonempty, bit 1 realizable, bit 2 undecided (units written before it have it clear).
                for (int r = 0; r < Feasible.Length; r++) w.Write((byte)((Feasible[r] ? 1 : 0) | (RealizableRows![r] ? 2 : 0) | (UndecidedRows?[r] == true ? 4 : 0)));
            }
            w.Write(Multiplicities is not null);
            if (Multiplicities is not null)
            {
                foreach (long m in Multiplicities) w.Write(m);
            }
        }
        w.Write(Witnesses.Count);
        foreach ((long row, NetworkWitness witness) in Witnesses)
        {
            w.Write(row);
            w.Write(witness.V.Count);
            w.Write(witness.W[0].Length);
            foreach (double[] weights in witness.W)
            {
                foreach (double e in weights) w.Write(e);
            }
            foreach (double e in witness.B) w.Write(e);
            foreach (double e in witness.V) w.Write(e);
            w.Write(witness.C);
            w.Write(witness.Loss);
        }
        // Appended last, so that units written before it read as having none.
        w.Write(Decisions.Undecided);
        w.Write(Decisions.Exact);
    }

    /// <summary>Reads a unit of <paramref name="run"/>'s request; every witness is checked on the data again.</summary>
    public static RegionUnit Read(BinaryReader r, RegionRun run, NormalizedData normalized, string source)
    {
        if (r.ReadInt32() != Magic) throw new EngineInputException($"{source} is not a unit of this engine; delete it to recompute it");
        long first = r.ReadInt64();
        long count = r.ReadInt64();
        LossSummary summary = ReadSummary(r);
        LossSummary? realizable = r.ReadBoolean() ? ReadSummary(r) : null;
        var decisions = new DecisionCounts();
        decisions.Add(r.ReadInt64(), r.ReadInt64(), r.ReadInt64());
        double[]? losses = null;
        int[]? ranks = null;
        bool[]? feasible = null, realizableRows = null, undecidedRows = null;
        long[]? multiplicities = null;
        if (r.ReadBoolean())
        {
            losses = new double[count];
            ranks = new int[count];
            for (long k = 0; k < count; k++) losses[k] = r.ReadDouble();
            for (long k = 0; k < count; k++) ranks[k] = r.ReadInt32();
            if (r.ReadBoolean())
            {
                feasible = new bool[count];
                realizableRows = new bool[count];
                undecidedRows = new bool[count];
                for (long k = 0; k < count; k++)
                {
                    byte flags = r.ReadByte();
                    feasible[k] = (flags & 1) != 0;
                    realizableRows[k] = (flags & 2) != 0;
                    undecidedRows[k] = (flags & 4) != 0;
                }
            }
            if (r.ReadBoolean())
            {
                multiplicities = new long[count];
                for (long k = 0; k < count; k++) multiplicities[k] = r.ReadInt64();
            }
        }
        int witnessCount = r.ReadInt32();
        var witnesses = new List<(long, NetworkWitness)>(witnessCount);
        bool bias = run.Shape.Bias == 1;
        double tolerance = Realizability.WitnessTolerance(normalized, run.Shape);
        for (int k = 0; k < witnessCount; k++)
        {
            long row = r.ReadInt64();
            int hidden = r.ReadInt32(), inputs = r.ReadInt32();
            double[][] weights = new double[hidden][];
            for (int j = 0; j < hidden; j++)
            {
                weights[j] = new double[inputs];
                for (int e = 0; e < inputs; e++) weights[j][e] = r.ReadDouble();
            }
            double[] b = Doubles(r, hidden), v = Doubles(r, hidden);
            double c = r.ReadDouble(), loss = r.ReadDouble();
            NetworkWitness witness = NetworkWitness.Verify(normalized.Source, bias, run.Columns(row), weights, b, v, c, loss, tolerance)
                ?? throw new EngineInputException($"{source}: the stored witness of row {row} does not hold on this data; delete the unit to recompute it");
            witnesses.Add((row, witness));
        }
        if (r.BaseStream.Position < r.BaseStream.Length) decisions.CountUndecided(r.ReadInt64());
        if (r.BaseStream.Position < r.BaseStream.Length) decisions.CountExact(r.ReadInt64());
        return new RegionUnit
        {
            First = first, Count = count, Summary = summary, Realizable = realizable, Decisions = decisions, Losses = losses, Ranks = ranks,
            Feasible = feasible, RealizableRows = realizableRows, UndecidedRows = undecidedRows, Multiplicities = multiplicities, Witnesses = witnesses,
        };
    }

    private static double[] Doubles(BinaryReader r, int count)
    {
        double[] values = new double[count];
        for (int k = 0; k < count; k++) values[k] = r.ReadDouble();
        return values;
    }

    private static void WriteSummary(BinaryWriter w, LossSummary s)
    {
        w.Write(s.Bins.Length);
        w.Write(s.Upper);
        foreach (long bin in s.Bins) w.Write(bin);
        w.Write(s.Count);
        w.Write(s.Min);
        w.Write(s.ArgMin);
        w.Write(s.Max);
        w.Write(s.ArgMax);
        w.Write((ulong)(s.RelativeSum >> 64));
        w.Write((ulong)s.RelativeSum);
        w.Write(s.Singular);
        w.Write(s.Exact);
    }

    private static LossSummary ReadSummary(BinaryReader r)
    {
        int bins = r.ReadInt32();
        var s = new LossSummary(bins, r.ReadDouble());
        for (int b = 0; b < bins; b++) s.Bins[b] = r.ReadInt64();
        long count = r.ReadInt64();
        double min = r.ReadDouble();
        long argMin = r.ReadInt64();
        double max = r.ReadDouble();
        long argMax = r.ReadInt64();
        var sum = (Int128)new UInt128(r.ReadUInt64(), r.ReadUInt64());
        s.Accumulate(count, min, argMin, max, argMax, sum, r.ReadInt64(), r.ReadInt64());
        return s;
    }
}
