namespace Engine;

/// <summary>
/// Bad input from a user: a malformed file, a non-finite value, an impossible size or an unknown name.
/// Front ends print <see cref="Exception.Message"/> as one line and exit non-zero.
/// </summary>
public sealed class EngineInputException : Exception
{
    /// <summary>Creates the exception with a message a user can act on.</summary>
    public EngineInputException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public EngineInputException(string message, Exception inner) : base(message, inner) { }
}
