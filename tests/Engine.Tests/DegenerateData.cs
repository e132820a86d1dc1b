using Engine.Core.Data;

namespace Engine.Tests;

/// <summary>Small datasets that break general position, shared by the geometry and realizability tests.</summary>
public static class DegenerateData
{
    /// <summary>x3 repeats x1 with another target.</summary>
    public static Dataset Duplicate { get; } = new("duplicate", 2, [1, 0, 0, 1, 1, 0], [1, 2, 3]);

    /// <summary>x1 at the origin (never active without bias).</summary>
    public static Dataset Origin { get; } = new("origin", 2, [0, 0, 1, 0, 0, 1], [1, 2, 3]);

    /// <summary>Four points on the line through the origin along (1, 2), on both sides of it.</summary>
    public static Dataset Collinear { get; } = new("collinear", 2, [1, 2, 2, 4, -1, -2, 3, 6], [1, 0, 2, -1]);

    /// <summary>By name, for test cases.</summary>
    public static Dataset Load(string name) => name switch
    {
        "duplicate" => Duplicate,
        "origin" => Origin,
        "collinear" => Collinear,
        _ => DatasetCatalog.Load(name),
    };
}
