namespace Engine.Core.Mlp;

/// <summary>The two rows of Table 1.</summary>
public enum NetworkMode
{
    /// <summary>ReLUs removed, fixed random activation masks multiplied in (Eq. 8): "random subglobal minima".</summary>
    Random,
    /// <summary>The real ReLU network: "rich subglobal minima".</summary>
    Rich,
}

/// <summary>Parsing and naming of <see cref="NetworkMode"/> values as users type them.</summary>
public static class NetworkModes
{
    /// <summary>The accepted names, for help texts.</summary>
    public const string Names = "random, rich";

    /// <summary>Parses a mode name, throwing <see cref="EngineInputException"/> when it is unknown.</summary>
    public static NetworkMode Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "random" => NetworkMode.Random,
        "rich" => NetworkMode.Rich,
        _ => throw new EngineInputException($"unknown mode '{name}': expected one of {Names}"),
    };

    /// <summary>The lower-case name of a mode.</summary>
    public static string Name(this NetworkMode mode) => mode == NetworkMode.Rich ? "rich" : "random";
}
