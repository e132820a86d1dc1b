using System.Globalization;
using Engine.Core.Data;

namespace Engine.Core.Network;

/// <summary>
/// The real network of Eq. 1, f(x) = vᵀσ(Wx + b) + c, and its loss L_f (Eq. 3, with the ½). Parameters are
/// θ = [vec(W), v, b, c] as in §2.1: W row-major (h×n), then v (h), then b (h) and c when the network has biases.
/// </summary>
public static class ReluNetwork
{
    /// <summary>Number of parameters: h·n + h, plus h + 1 with biases.</summary>
    public static int Parameters(int inputs, int hidden, bool bias) => hidden * inputs + hidden + (bias ? hidden + 1 : 0);

    /// <summary>L_f(θ) = ½Σ_i (f(x_i, θ) − y_i)².</summary>
    public static double Loss(Dataset data, int hidden, bool bias, ReadOnlySpan<double> theta)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = data.Inputs;
        double loss = 0.0;
        for (int i = 0; i < data.Count; i++)
        {
            double r = Output(data.Point(i), n, hidden, bias, theta) - data.Y[i];
            loss += r * r;
        }
        return 0.5 * loss;
    }

    /// <summary>
    /// A bound on the rounding error of <see cref="Loss"/> at θ: Σ_i 2|r_i|·γ·M_i + (γ·M_i)², with M_i = |c| + |y_i| +
    /// Σ_j |v_j|·(|b_j| + Σ_k |w_jk x_ik|) the size of the terms that f(x_i) − y_i sums and γ = (n + h + 3)·u (Higham,
    /// Thm. 3.1). Where a network's outputs cancel large terms, this exceeds any fixed fraction of the loss.
    /// </summary>
    public static double LossRounding(Dataset data, int hidden, bool bias, ReadOnlySpan<double> theta)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = data.Inputs;
        double gamma = (n + hidden + 3) * 1.1102230246251565e-16;
        double bound = 0.0;
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<double> x = data.Point(i);
            double size = Math.Abs(data.Y[i]) + (bias ? Math.Abs(theta[hidden * n + 2 * hidden]) : 0.0);
            for (int j = 0; j < hidden; j++)
            {
                double u = bias ? Math.Abs(theta[hidden * n + hidden + j]) : 0.0;
                for (int k = 0; k < n; k++) u += Math.Abs(theta[j * n + k] * x[k]);
                size += Math.Abs(theta[hidden * n + j]) * u;
            }
            double r = Math.Abs(Output(x, n, hidden, bias, theta) - data.Y[i]);
            bound += 2.0 * r * gamma * size + gamma * size * gamma * size;
        }
        return bound;
    }

    /// <summary>f(x, θ) of Eq. 1.</summary>
    public static double Output(ReadOnlySpan<double> x, int inputs, int hidden, bool bias, ReadOnlySpan<double> theta)
    {
        double f = bias ? theta[hidden * inputs + 2 * hidden] : 0.0;
        for (int j = 0; j < hidden; j++)
        {
            double u = PreActivation(x, inputs, hidden, bias, theta, j);
            if (u > 0.0) f += theta[hidden * inputs + j] * u;
        }
        return f;
    }

    /// <summary>w_jᵀx + b_j, whose sign decides a_ij (Definition 2.1).</summary>
    public static double PreActivation(ReadOnlySpan<double> x, int inputs, int hidden, bool bias, ReadOnlySpan<double> theta, int node)
    {
        double u = bias ? theta[hidden * inputs + hidden + node] : 0.0;
        for (int k = 0; k < inputs; k++) u += theta[node * inputs + k] * x[k];
        return u;
    }

    /// <summary>
    /// Name of parameter <paramref name="index"/>: w{j}_{k} for W_jk (w{j} when n = 1), v{j}, b{j}, c; 1-based.
    /// </summary>
    public static string Name(int index, int inputs, int hidden)
    {
        var inv = CultureInfo.InvariantCulture;
        if (index < hidden * inputs)
            return inputs == 1 ? string.Create(inv, $"w{index + 1}") : string.Create(inv, $"w{index / inputs + 1}_{index % inputs + 1}");
        index -= hidden * inputs;
        if (index < hidden) return string.Create(inv, $"v{index + 1}");
        index -= hidden;
        return index < hidden ? string.Create(inv, $"b{index + 1}") : "c";
    }

    /// <summary>The index of the parameter called <paramref name="name"/>, or an <see cref="EngineInputException"/>.</summary>
    public static int Index(string name, int inputs, int hidden, bool bias)
    {
        int count = Parameters(inputs, hidden, bias);
        for (int k = 0; k < count; k++)
        {
            if (string.Equals(Name(k, inputs, hidden), name, StringComparison.OrdinalIgnoreCase)) return k;
        }
        throw new EngineInputException($"unknown parameter '{name}': expected one of {string.Join(", ", Enumerable.Range(0, count).Select(k => Name(k, inputs, hidden)))}");
    }
}
