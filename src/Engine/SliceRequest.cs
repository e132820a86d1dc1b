using Engine.Core.Data;
using Engine.Core.Network;

namespace Engine;

/// <summary>
/// A slice of the real loss L_f (Eq. 3) for Figure 2: two parameters on a grid, the others held at
/// <see cref="At"/> (0 unless named). Parameters are named w{j}_{k} (w{j} when n = 1), b{j}, v{j} and c.
/// </summary>
public sealed record SliceRequest
{
    /// <summary>The dataset.</summary>
    public required Dataset Data { get; init; }

    /// <summary>Hidden nodes h.</summary>
    public int Hidden { get; init; } = 1;

    /// <summary>Whether the network has biases b and c.</summary>
    public bool Bias { get; init; }

    /// <summary>The horizontal parameter; null for the first weight.</summary>
    public string? X { get; init; }

    /// <summary>The vertical parameter; null for v1, the output weight of node 1.</summary>
    public string? Y { get; init; }

    /// <summary>The horizontal axis's range.</summary>
    public (double From, double To) XRange { get; init; } = (-3, 3);

    /// <summary>The vertical axis's range.</summary>
    public (double From, double To) YRange { get; init; } = (-3, 3);

    /// <summary>Grid points per axis.</summary>
    public int Grid { get; init; } = 201;

    /// <summary>Values of the other parameters by name; those not named are 0.</summary>
    public IReadOnlyDictionary<string, double> At { get; init; } = new Dictionary<string, double>();

    /// <summary>The horizontal parameter's name, the default filled in.</summary>
    public string XName => X ?? ReluNetwork.Name(0, Data.Inputs, Hidden);

    /// <summary>The vertical parameter's name, the default filled in.</summary>
    public string YName => Y ?? ReluNetwork.Name(Hidden * Data.Inputs, Data.Inputs, Hidden);

    internal LossSlice Compute()
    {
        if (Hidden <= 0) throw new EngineInputException($"hidden nodes must be positive, got {Hidden}");
        double[] theta = new double[ReluNetwork.Parameters(Data.Inputs, Hidden, Bias)];
        foreach ((string name, double value) in At) theta[ReluNetwork.Index(name.Trim(), Data.Inputs, Hidden, Bias)] = value;
        int x = ReluNetwork.Index(XName, Data.Inputs, Hidden, Bias);
        int y = ReluNetwork.Index(YName, Data.Inputs, Hidden, Bias);
        return LossSlice.Compute(Data, Hidden, Bias, theta, x, y, XRange.From, XRange.To, YRange.From, YRange.To, Grid);
    }
}
