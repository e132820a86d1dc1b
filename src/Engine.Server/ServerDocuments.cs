using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Engine.Core.Geometry;
using Engine.Core.Network;
using Engine.Core.Regions;

namespace Engine.Server;

/// <summary>The JSON documents of the API beyond the façade's <see cref="RunDocuments"/>: cells, slices, pages of rows, witnesses.</summary>
public static class ServerDocuments
{
    /// <summary>Figure 1: each node's cells with their columns and interior points, and the nonempty regions they make.</summary>
    public static JsonObject Cells(ServerRequest request, ArrangementCells cells)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(cells);
        int points = request.Data.Count;
        var list = new JsonArray();
        for (int c = 0; c < cells.Count; c++)
        {
            string column = string.Concat(Enumerable.Range(0, points).Select(i => ColumnFeasibility.Active(cells.Columns[c], i) ? '1' : '0'));
            list.Add(new JsonObject { ["column"] = column, ["interior"] = new JsonArray([.. cells.Witnesses[c].Select(v => (JsonNode)v)]) });
        }
        int bits = points * request.Hidden;
        return new JsonObject
        {
            ["dataset"] = request.Data.Name,
            ["points"] = points,
            ["inputs"] = request.Data.Inputs,
            ["hidden"] = request.Hidden,
            ["bias"] = request.Bias,
            ["cells_per_node"] = cells.Count,
            // Strings: both numbers can pass 2^53, where JSON readers lose digits.
            ["nonempty_regions"] = BigInteger.Pow(cells.Count, request.Hidden).ToString(CultureInfo.InvariantCulture),
            ["patterns"] = BigInteger.Pow(2, bits).ToString(CultureInfo.InvariantCulture),
            ["cells"] = list,
        };
    }

    /// <summary>Figure 2: the loss grid and the activation boundaries.</summary>
    public static JsonObject Slice(LossSlice slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        var rows = new JsonArray();
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int r = 0; r < slice.Ys.Length; r++)
        {
            var row = new JsonArray();
            for (int c = 0; c < slice.Xs.Length; c++)
            {
                double loss = slice.Loss[r, c];
                min = Math.Min(min, loss);
                max = Math.Max(max, loss);
                row.Add(loss);
            }
            rows.Add(row);
        }
        return new JsonObject
        {
            ["x"] = slice.XName,
            ["y"] = slice.YName,
            ["xs"] = new JsonArray([.. slice.Xs.Select(v => (JsonNode)v)]),
            ["ys"] = new JsonArray([.. slice.Ys.Select(v => (JsonNode)v)]),
            ["loss"] = rows,
            ["boundaries"] = new JsonArray([.. slice.Boundaries.Select(b => (JsonNode)new JsonObject { ["a"] = b.A, ["b"] = b.B, ["c"] = b.C })]),
            ["min"] = min,
            ["max"] = max,
        };
    }

    /// <summary>
    /// A page of kept rows, optionally only the realizable ones, only those with loss in [<paramref name="from"/>,
    /// <paramref name="to"/>], and ordered by <paramref name="sort"/> (row, loss or rank; ties keep row order).
    /// </summary>
    public static JsonObject Rows(RegionRun run, int offset, int limit, bool realizableOnly, double from = double.NegativeInfinity,
        double to = double.PositiveInfinity, string sort = "row")
    {
        ArgumentNullException.ThrowIfNull(run);
        IEnumerable<RegionRow> rows = (realizableOnly ? run.RealizableMinima : run.KeptRows).Where(r => r.Loss >= from && r.Loss <= to);
        rows = sort switch
        {
            "row" => rows,
            "loss" => rows.OrderBy(r => r.Loss),
            "rank" => rows.OrderBy(r => r.Rank),
            _ => throw new EngineInputException($"sort '{sort}': expected row, loss or rank"),
        };
        RegionRow[] all = [.. rows];
        var page = new JsonArray();
        foreach (RegionRow row in all.Skip(offset).Take(limit))
        {
            page.Add(new JsonObject
            {
                ["row"] = row.Row,
                ["index"] = row.Index,
                ["pattern"] = Pattern(run, row),
                ["cells"] = new JsonArray([.. row.Cells.Select(c => (JsonNode)c)]),
                ["multiplicity"] = row.Multiplicity,
                ["loss"] = row.Loss,
                ["rank"] = row.Rank,
                ["nonempty"] = row.Nonempty,
                ["realizable"] = row.Realizable,
                ["undecided"] = row.Undecided,
            });
        }
        return new JsonObject { ["total"] = all.Length, ["offset"] = offset, ["rows"] = page };
    }

    // The activation pattern a_ij as one column of N digits per node, node 1 first: from the nodes' cells in a nonempty
    // run (where N·h may exceed the 62 bits of an index), from the index bits in an exhaustive one.
    private static string Pattern(RegionRun run, RegionRow row)
    {
        int points = run.Shape.Points, hidden = run.Shape.Hidden;
        return string.Join(' ', Enumerable.Range(0, hidden).Select(j => string.Concat(Enumerable.Range(0, points).Select(i =>
            (run.Cells is { } cells && row.Cells.Count > 0 ? ColumnFeasibility.Active(cells.Columns[row.Cells[j]], i) : RegionPattern.Active(row.Index, hidden, i, j)) ? '1' : '0'))));
    }

    /// <summary>Every witness of a run as one JSON array (the witness lines of <c>engine enumerate --witness</c>).</summary>
    public static JsonArray Witnesses(RegionRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        using var stream = new MemoryStream();
        RunDocuments.WriteWitnesses(run, stream);
        string[] lines = System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        JsonArray all = [];
        foreach (string line in lines)
        {
            JsonObject witness = JsonNode.Parse(line)!.AsObject();
            if (!witness.ContainsKey("row")) witness["row"] = witness["index"]?.DeepClone();
            all.Add(witness);
        }
        return all;
    }

    /// <summary>Figure 3 of one run as the histogram of its loss levels, all beside realizable.</summary>
    public static (double[] Levels, long[] All, long[] Realizable) Levels(RegionRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        IReadOnlyList<LossLevel> levels = run.Minima.Levels;
        return ([.. levels.Select(l => l.Loss)], [.. levels.Select(l => l.Regions)], [.. levels.Select(l => l.Realizable)]);
    }
}
