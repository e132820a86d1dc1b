using System.Text.Json.Nodes;

namespace Engine;

/// <summary>
/// A global minimum as a document for programs, the same from every front end. Names are camelCase, as the analyses
/// that read them expect; point and node indices are 0-based.
/// </summary>
public static class GlobalDocuments
{
    /// <summary>
    /// The request, the value and its proof (globalMinimum, lowerBound, tolerance, status), the witness {W, b, v, c, loss},
    /// attainedAtBoundary with the boundary pairs, lowestSubglobal and lowestRealizable, the regions, the counts and, unless
    /// <paramref name="timed"/> is false (inside a run's document, whose own seconds count it), seconds.
    /// </summary>
    public static JsonObject Json(GlobalMinimum minimum, bool timed = true)
    {
        ArgumentNullException.ThrowIfNull(minimum);
        GlobalRequest request = minimum.Request;
        GlobalCounts counts = minimum.Counts;
        var json = new JsonObject
        {
            ["dataset"] = request.Data.Name,
            ["points"] = request.Data.Count,
            ["inputs"] = request.Data.Inputs,
            ["hidden"] = request.Hidden,
            ["bias"] = request.Bias,
            ["globalMinimum"] = minimum.Value,
            ["lowerBound"] = minimum.LowerBound,
            ["tolerance"] = minimum.Tolerance,
            ["status"] = minimum.Status == ProofStatus.Proven ? "proven" : "undecided",
            ["reason"] = minimum.Reason,
            ["proof"] = Name(minimum.Proof),
            ["witness"] = Network(minimum.Witness, request.Bias),
            ["attainedAtBoundary"] = minimum.AttainedAtBoundary,
            ["boundaryPairs"] = new JsonArray([.. minimum.Boundary.Select(p => (JsonNode)new JsonObject { ["point"] = p.Point, ["node"] = p.Node })]),
            ["region"] = Region(minimum.Region),
            ["lowestSubglobal"] = minimum.LowestSubglobal,
            ["lowestRealizable"] = minimum.LowestRealizable,
            ["realizableRegion"] = minimum.RealizableRegion is { } r ? Region(r) : null,
            ["realizableWitness"] = minimum.RealizableWitness is { } w ? Network(w, request.Bias) : null,
            ["counts"] = new JsonObject
            {
                ["regionsBounded"] = counts.RegionsBounded,
                ["orderedRegions"] = counts.OrderedRegions,
                ["regionsSolved"] = counts.RegionsSolved,
                ["regionsPruned"] = counts.RegionsBounded - counts.RegionsSolved,
                ["prunedShare"] = counts.PrunedShare,
                ["programs"] = counts.Programs,
                ["doubleProofs"] = counts.DoubleProofs,
                ["exactProofs"] = counts.ExactProofs,
                ["undecided"] = counts.Undecided,
                ["exactCells"] = counts.ExactCells,
                ["realizabilityDecisions"] = counts.RealizabilityDecisions,
                ["uncheckedDecisions"] = minimum.UncheckedDecisions,
            },
        };
        if (timed) json["seconds"] = minimum.Seconds;
        return json;
    }

    /// <summary>The witness as one JSON line: {W, b, v, c} (b and c only with biases), its loss and the boundary pairs.</summary>
    public static JsonObject WitnessLine(GlobalMinimum minimum)
    {
        ArgumentNullException.ThrowIfNull(minimum);
        JsonObject line = Network(minimum.Witness, minimum.Request.Bias);
        line["boundaryPairs"] = new JsonArray([.. minimum.Boundary.Select(p => (JsonNode)new JsonObject { ["point"] = p.Point, ["node"] = p.Node })]);
        return line;
    }

    /// <summary>The name a proof path is written as.</summary>
    public static string Name(ProofPath path) => path switch
    {
        ProofPath.Double => "double",
        ProofPath.Exact => "exact",
        _ => "undecided",
    };

    private static JsonObject Network(NetworkPoint point, bool bias)
    {
        var json = new JsonObject { ["W"] = new JsonArray([.. point.W.Select(row => (JsonNode)Numbers(row))]) };
        if (bias) json["b"] = Numbers(point.B);
        json["v"] = Numbers(point.V);
        if (bias) json["c"] = point.C;
        json["loss"] = point.Loss;
        return json;
    }

    private static JsonObject Region(MinimumRegion region) => new()
    {
        ["row"] = region.Row,
        ["cells"] = new JsonArray([.. region.Cells.Select(c => (JsonNode)c)]),
        ["columns"] = new JsonArray([.. region.Columns.Select(c => (JsonNode)c)]),
        ["signs"] = new JsonArray([.. region.Signs.Select(s => (JsonNode)s)]),
        ["index"] = region.Index,
    };

    private static JsonArray Numbers(IReadOnlyList<double> values) => new([.. values.Select(v => (JsonNode)v)]);
}
