namespace Engine.Core.Regions;

/// <summary>Reading activation patterns A = (a_ij) out of region indices (bit i·h + j is a_ij).</summary>
public static class RegionPattern
{
    /// <summary>a_ij of region <paramref name="index"/>.</summary>
    public static bool Active(long index, int hidden, int point, int node) => ((index >> (point * hidden + node)) & 1) != 0;

    /// <summary>The pattern as one group of h bits per data point, nodes in order: "10 01 11" for N = 3, h = 2.</summary>
    public static string Format(long index, int points, int hidden)
    {
        var text = new System.Text.StringBuilder(points * (hidden + 1));
        for (int i = 0; i < points; i++)
        {
            if (i > 0) text.Append(' ');
            for (int j = 0; j < hidden; j++) text.Append(Active(index, hidden, i, j) ? '1' : '0');
        }
        return text.ToString();
    }
}
