using System.Globalization;

namespace Engine.Core.Data;

/// <summary>
/// Reads a dataset from CSV: a header naming the columns x1..xn,y, then one row per data point.
/// </summary>
public static class CsvDataset
{
    /// <summary>Reads <paramref name="path"/>, throwing <see cref="EngineInputException"/> on any malformed line.</summary>
    public static Dataset Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (IOException e)
        {
            throw new EngineInputException($"{path}: cannot read ({e.Message})", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new EngineInputException($"{path}: cannot read ({e.Message})", e);
        }
        if (lines.Length == 0 || string.IsNullOrWhiteSpace(lines[0]))
            throw new EngineInputException($"{path}: empty file; expected a header x1,...,xn,y");

        string[] header = lines[0].Split(',');
        int inputs = header.Length - 1;
        if (inputs < 1)
            throw new EngineInputException($"{path}:1: header needs at least one input column and y, e.g. x1,x2,y");
        for (int k = 0; k < inputs; k++)
        {
            if (header[k].Trim() != $"x{k + 1}")
                throw new EngineInputException($"{path}:1: column {k + 1} is '{Shown(header[k])}', expected 'x{k + 1}'");
        }
        if (header[inputs].Trim() != "y")
            throw new EngineInputException($"{path}:1: last column is '{Shown(header[inputs])}', expected 'y'");

        var x = new List<double>();
        var y = new List<double>();
        for (int line = 1; line < lines.Length; line++)
        {
            if (string.IsNullOrWhiteSpace(lines[line])) continue;
            string[] cells = lines[line].Split(',');
            if (cells.Length != inputs + 1)
                throw new EngineInputException($"{path}:{line + 1}: {cells.Length} columns, expected {inputs + 1}");
            for (int k = 0; k <= inputs; k++)
            {
                if (!double.TryParse(cells[k], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                    throw new EngineInputException($"{path}:{line + 1}: '{Shown(cells[k])}' is not a number");
                if (!double.IsFinite(v))
                    throw new EngineInputException($"{path}:{line + 1}: {Shown(cells[k])} is not finite");
                if (k < inputs) x.Add(v); else y.Add(v);
            }
        }
        if (y.Count == 0)
            throw new EngineInputException($"{path}: no data rows after the header");
        return new Dataset(Path.GetFileName(path), inputs, [.. x], [.. y]);
    }

    // A cell as an error shows it: trimmed, control and non-ASCII bytes as '?', at most 40 characters, so that a binary
    // file gives one readable line.
    private static string Shown(string cell)
    {
        string trimmed = cell.Trim();
        string clean = string.Concat(trimmed.Take(40).Select(c => c is >= ' ' and <= '~' ? c : '?'));
        return trimmed.Length > 40 ? clean + "…" : clean;
    }
}
