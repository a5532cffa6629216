using System.Text;

namespace Aftercare.App;

/// <summary>
/// The one CSV dialect Aftercare writes and reads: RFC 4180 (comma, a quote doubled inside quotes,
/// one record per line). A text cell a spreadsheet would run as a formula (it starts with =, +, -,
/// @, tab or carriage return) is written with a leading apostrophe, so it is shown, not run; a cell
/// that starts with an apostrophe gets one more, so the reader gives back exactly what was written.
/// Numbers are not text: write them as they are (a negative number is not a formula; R reads it).
/// </summary>
public static class Csv
{
    private const string FormulaStarts = "=+-@\t\r";

    /// <summary>A text cell: guarded, and quoted when it holds a comma, quote or line break (or always, if asked).</summary>
    public static string Text(string? value, bool quote = false)
    {
        var text = value ?? "";
        if (text.Length > 0 && (FormulaStarts.Contains(text[0], StringComparison.Ordinal) || text[0] == '\''))
        {
            text = "'" + text;
        }

        return quote || text.AsSpan().IndexOfAny(",\"\r\n") >= 0
            ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : text;
    }

    /// <summary>A line of text cells, each through <see cref="Text"/>.</summary>
    public static string Line(IEnumerable<string?> cells) => string.Join(',', cells.Select(c => Text(c)));

    /// <summary>
    /// The cells of one line (a cell does not span lines), with the guard that <see cref="Text"/>
    /// added taken off again.
    /// </summary>
    public static List<string> Cells(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(Unguard(cell));
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(Unguard(cell));
        return cells;
    }

    private static string Unguard(StringBuilder cell) =>
        cell.Length > 1 && cell[0] == '\'' && (FormulaStarts.Contains(cell[1], StringComparison.Ordinal) || cell[1] == '\'')
            ? cell.ToString(1, cell.Length - 1)
            : cell.ToString();
}
