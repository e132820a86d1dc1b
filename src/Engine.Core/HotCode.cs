using System.Reflection;
using System.Runtime.CompilerServices;

namespace Engine.Core;

/// <summary>
/// Compiles the engine's per-region and per-program code ahead of its first call. That code is AggressiveOptimization
/// (compiled once, fully optimised, at first call), so a run's first rows otherwise wait on the JIT one method after
/// another: about 55 ms of a quarter-second nonempty run with realizability. Started while the run computes its
/// arrangement cells, which leave a core partly idle, it takes most of that wait off the run's path.
/// </summary>
public static class HotCode
{
    private static readonly Lazy<Task> Compiled = new(() => Task.Run(Compile));

    /// <summary>Starts compiling on a pool thread, once per process; returns at once.</summary>
    public static void StartCompiling() => _ = Compiled.Value;

    // Every AggressiveOptimization method of this assembly that compiles once: generic ones compile per instantiation,
    // at first call, like the generic types' methods.
    private static void Compile()
    {
        const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (Type type in typeof(HotCode).Assembly.GetTypes())
        {
            if (type.ContainsGenericParameters) continue;
            foreach (MethodInfo method in type.GetMethods(Declared))
            {
                if (method.IsAbstract || method.IsGenericMethodDefinition) continue;
                if ((method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0) RuntimeHelpers.PrepareMethod(method.MethodHandle);
            }
        }
    }
}
