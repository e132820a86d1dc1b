using System.Numerics;

namespace Engine.Core.Exact;

/// <summary>
/// An exact fraction of big integers in lowest terms with a positive denominator: the arithmetic of the exact
/// fallbacks. Every double is a dyadic rational, so the data as given converts without loss (<see cref="From"/>).
/// </summary>
internal readonly struct Rational : IComparable<Rational>, IEquatable<Rational>
{
    private readonly BigInteger _numerator;
    private readonly BigInteger _denominator;

    public Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero) throw new DivideByZeroException();
        if (denominator.Sign < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }
        BigInteger g = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (g.IsZero || g.IsOne)
        {
            _numerator = numerator;
            _denominator = numerator.IsZero ? BigInteger.One : denominator;
            return;
        }
        _numerator = numerator / g;
        _denominator = denominator / g;
    }

    public static Rational Zero => default;

    public static Rational One => new(BigInteger.One, BigInteger.One);

    public BigInteger Numerator => _numerator;

    // default(Rational) is zero: its denominator field is 0 and reads as 1.
    public BigInteger Denominator => _denominator.IsZero ? BigInteger.One : _denominator;

    public int Sign => _numerator.Sign;

    public bool IsZero => _numerator.IsZero;

    /// <summary>Bits of the larger of numerator and denominator: the size budgets of the exact paths count these.</summary>
    public long Bits => Math.Max(_numerator.GetBitLength(), Denominator.GetBitLength());

    /// <summary>The exact value of a finite double.</summary>
    public static Rational From(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "only finite doubles have a rational value");
        if (value == 0.0) return Zero;
        (long mantissa, int exponent) = Split(value);
        return exponent >= 0 ? new Rational(new BigInteger(mantissa) << exponent, BigInteger.One) : new Rational(mantissa, BigInteger.One << -exponent);
    }

    /// <summary>A finite nonzero double as mantissa·2^exponent with an odd mantissa: its exact binary value.</summary>
    public static (long Mantissa, int Exponent) Split(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1;
        else mantissa |= 1L << 52;
        exponent -= 1075;
        int zeros = System.Numerics.BitOperations.TrailingZeroCount(mantissa);
        return (bits < 0 ? -(mantissa >> zeros) : mantissa >> zeros, exponent + zeros);
    }

    /// <summary>The double nearest the value, to within one unit in the last place.</summary>
    public double ToDouble()
    {
        if (IsZero) return 0.0;
        BigInteger n = BigInteger.Abs(_numerator);
        BigInteger d = Denominator;
        // A quotient of 64 or 65 bits, scaled back: neither part alone needs to fit a double.
        int shift = (int)(64 - (n.GetBitLength() - d.GetBitLength()));
        BigInteger q = shift >= 0 ? (n << shift) / d : n / (d << -shift);
        return _numerator.Sign * Math.ScaleB((double)q, -shift);
    }

    public static Rational operator +(Rational a, Rational b) => a._denominator == b._denominator && !a._denominator.IsZero
        ? new Rational(a._numerator + b._numerator, a._denominator)
        : new Rational(a._numerator * b.Denominator + b._numerator * a.Denominator, a.Denominator * b.Denominator);

    public static Rational operator -(Rational a, Rational b) => a + -b;

    public static Rational operator -(Rational a) => a.IsZero ? a : new Rational(-a._numerator, a.Denominator);

    public static Rational operator *(Rational a, Rational b) =>
        a.IsZero || b.IsZero ? Zero : new Rational(a._numerator * b._numerator, a.Denominator * b.Denominator);

    public static Rational operator /(Rational a, Rational b) => new(a._numerator * b.Denominator, a.Denominator * b._numerator);

    public int CompareTo(Rational other) => (_numerator * other.Denominator).CompareTo(other._numerator * Denominator);

    public bool Equals(Rational other) => _numerator == other._numerator && Denominator == other.Denominator;

    public override bool Equals(object? obj) => obj is Rational other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_numerator, Denominator);

    public static bool operator ==(Rational a, Rational b) => a.Equals(b);

    public static bool operator !=(Rational a, Rational b) => !a.Equals(b);

    public static bool operator <(Rational a, Rational b) => a.CompareTo(b) < 0;

    public static bool operator >(Rational a, Rational b) => a.CompareTo(b) > 0;

    public static bool operator <=(Rational a, Rational b) => a.CompareTo(b) <= 0;

    public static bool operator >=(Rational a, Rational b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{_numerator}/{Denominator}";
}
