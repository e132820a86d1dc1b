using System.Numerics;
using Engine.Core.Data;

namespace Engine.Tests;

/// <summary>
/// Least squares in exact rational arithmetic, for data given by integers (the paper's datasets): Gram–Schmidt on the
/// columns of the design with no rounding at all, so a loss level such as 0.5 is exactly 1/2 and its histogram bin is
/// decided without any tolerance. Brute force on tiny data; shares nothing with the engine.
/// </summary>
public static class ExactLeastSquares
{
    /// <summary>½‖y − P_Z y‖² and the rank of Z for region <paramref name="index"/>.</summary>
    public static (Rational Loss, int Rank) Solve(Dataset data, int hidden, bool bias, long index)
    {
        double[,] z = ReferenceLeastSquares.Design(data, hidden, bias, index);
        int rows = z.GetLength(0), cols = z.GetLength(1);
        Rational[] y = data.Y.ToArray().Select(Rational.From).ToArray();
        var basis = new List<Rational[]>();
        for (int k = 0; k < cols; k++)
        {
            Rational[] q = Enumerable.Range(0, rows).Select(i => Rational.From(z[i, k])).ToArray();
            foreach (Rational[] e in basis)
            {
                Rational f = Dot(e, q) / Dot(e, e);
                for (int i = 0; i < rows; i++) q[i] -= f * e[i];
            }
            if (q.Any(v => !v.IsZero)) basis.Add(q);
        }
        Rational explained = Rational.Zero;
        foreach (Rational[] e in basis)
        {
            Rational c = Dot(e, y);
            explained += c * c / Dot(e, e);
        }
        return ((Dot(y, y) - explained) * new Rational(1, 2), basis.Count);
    }

    private static Rational Dot(Rational[] a, Rational[] b)
    {
        Rational sum = Rational.Zero;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}

/// <summary>An exact fraction of big integers, always in lowest terms with a positive denominator.</summary>
public readonly record struct Rational
{
    public Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero) throw new DivideByZeroException();
        BigInteger g = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (denominator.Sign < 0) g = -g;
        Numerator = g.IsZero ? 0 : numerator / g;
        Denominator = g.IsZero ? 1 : denominator / g;
    }

    public BigInteger Numerator { get; }

    public BigInteger Denominator { get; }

    public static Rational Zero => new(0, 1);

    public bool IsZero => Numerator.IsZero;

    /// <summary>The exact value of a double (a dyadic rational).</summary>
    public static Rational From(double value)
    {
        if (value == 0) return Zero;
        long bits = BitConverter.DoubleToInt64Bits(value);
        bool negative = bits < 0;
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent++; else mantissa |= 1L << 52;
        exponent -= 1075;
        BigInteger n = negative ? -mantissa : mantissa;
        return exponent >= 0 ? new Rational(n * BigInteger.Pow(2, exponent), 1) : new Rational(n, BigInteger.Pow(2, -exponent));
    }

    /// <summary>⌊this⌋.</summary>
    public BigInteger Floor() => BigInteger.Divide(Numerator - (Numerator.Sign < 0 ? Denominator - 1 : 0), Denominator);

    // Numerator and denominator may each exceed the double range where the data span many decades: the quotient is
    // taken to 64 bits first.
    public double ToDouble()
    {
        if (Numerator.IsZero) return 0.0;
        BigInteger n = BigInteger.Abs(Numerator);
        int shift = (int)(64 - (n.GetBitLength() - Denominator.GetBitLength()));
        BigInteger q = shift >= 0 ? (n << shift) / Denominator : n / (Denominator << -shift);
        return Numerator.Sign * Math.ScaleB((double)q, -shift);
    }

    public static Rational operator +(Rational a, Rational b) => new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    public static Rational operator -(Rational a, Rational b) => new(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    public static Rational operator *(Rational a, Rational b) => new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    public static Rational operator /(Rational a, Rational b) => new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);
}
