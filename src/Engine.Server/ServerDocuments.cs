using System.Globalization;
using System.Numerics;
using System.Text.Json;
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
    /// <remarks>
    /// Rows are made only for the page: a run keeps up to 2^26 of them, and sixteen clients paging one run took the
    /// server to 2.3 GB while every request held all its rows as objects. Filtering and sorting hold 12 bytes a row.
    /// </remarks>
    public static JsonObject Rows(RegionRun run, int offset, int limit, bool realizableOnly, double from = double.NegativeInfinity,
        double to = double.PositiveInfinity, string sort = "row")
    {
        ArgumentNullException.ThrowIfNull(run);
        if (sort is not ("row" or "loss" or "rank")) throw new EngineInputException($"sort '{sort}': expected row, loss or rank");
        IReadOnlyList<RegionRow> rows = realizableOnly ? run.RealizableMinima : run.KeptRows;
        int[]? order = null;
        if (sort != "row" || from > double.NegativeInfinity || to < double.PositiveInfinity)
        {
            var chosen = new List<int>();
            var keys = new List<double>();
            for (int k = 0; k < rows.Count; k++)
            {
                RegionRow row = rows[k];
                if (row.Loss < from || row.Loss > to) continue;
                chosen.Add(k);
                keys.Add(sort == "rank" ? row.Rank : row.Loss);
            }
            order = [.. chosen];
            // A stable sort: equal keys keep row order.
            if (sort != "row") order = [.. order.Select((k, i) => (k, i)).OrderBy(p => keys[p.i]).Select(p => p.k)];
        }
        int total = order?.Length ?? rows.Count;
        var page = new JsonArray();
        for (int k = offset; k < Math.Min(total, (long)offset + limit); k++)
        {
            RegionRow row = rows[order?[k] ?? k];
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
        return new JsonObject { ["total"] = total, ["offset"] = offset, ["rows"] = page };
    }

    // The activation pattern a_ij as one column of N digits per node, node 1 first: from the nodes' cells in a nonempty
    // run (where N·h may exceed the 62 bits of an index), from the index bits in an exhaustive one.
    private static string Pattern(RegionRun run, RegionRow row)
    {
        int points = run.Shape.Points, hidden = run.Shape.Hidden;
        return string.Join(' ', Enumerable.Range(0, hidden).Select(j => string.Concat(Enumerable.Range(0, points).Select(i =>
            (run.Cells is { } cells && row.Cells.Count > 0 ? ColumnFeasibility.Active(cells.Columns[row.Cells[j]], i) : RegionPattern.Active(row.Index, hidden, i, j)) ? '1' : '0'))));
    }

    /// <summary>
    /// Every witness of a run as one JSON array, each with its row, written as it goes (a run may have millions).
    /// </summary>
    public static async Task WriteWitnesses(RegionRun run, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var json = new Utf8JsonWriter(stream);
        json.WriteStartArray();
        foreach (RegionWitness w in run.Witnesses ?? [])
        {
            RunDocuments.WriteWitness(json, run, w, row: true);
            if (json.BytesPending > 1 << 16) await json.FlushAsync().ConfigureAwait(false);
        }
        json.WriteEndArray();
        await json.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>The witness of one row as a JSON object, with its row; null when the row has none.</summary>
    public static byte[]? Witness(RegionRun run, long row)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Witnesses?.FirstOrDefault(w => w.Row == row) is not { } witness) return null;
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true })) RunDocuments.WriteWitness(json, run, witness, row: true);
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>Figure 3 of one run as the histogram of its loss levels, all beside realizable.</summary>
    public static (double[] Levels, long[] All, long[] Realizable) Levels(RegionRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        IReadOnlyList<LossLevel> levels = run.Minima.Levels;
        return ([.. levels.Select(l => l.Loss)], [.. levels.Select(l => l.Regions)], [.. levels.Select(l => l.Realizable)]);
    }
}
