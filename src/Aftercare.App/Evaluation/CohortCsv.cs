using System.Globalization;
using System.Text;
using Aftercare.Domain;

namespace Aftercare.App.Evaluation;

/// <summary>
/// The analysis cohort as CSV (columns in docs/evaluation.md), so the same analysis can be rerun
/// here with `aftercare evaluate --cohort` or checked in R or Stata. Plain RFC 4180 with a header (App/Csv.cs: text guarded against spreadsheet formulas, numbers plain);
/// death columns are empty (NA in R) when mortality data are not linked.
/// </summary>
public static class CohortCsv
{
    public static readonly string[] Columns =
        ["pid", "age_band", "sex", "prior_psych_history", "engaged", "pathway", "days_to_repeat", "repeated", "days_to_death", "death_suicide", "death_any"];

    public static async Task WriteAsync(TextWriter writer, IEnumerable<CohortRow> rows, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(rows);
        await writer.WriteLineAsync(string.Join(',', Columns));
        var line = new StringBuilder(128);
        foreach (var r in rows)
        {
            ct.ThrowIfCancellationRequested();
            line.Clear()
                .Append(Csv.Text(r.Pid)).Append(',').Append(Csv.Text(r.AgeBand)).Append(',').Append(Csv.Text(r.Sex)).Append(',').Append(Csv.Text(r.PriorPsychHistory)).Append(',')
                .Append(r.Engaged ? '1' : '0').Append(',').Append(Csv.Text(r.Pathway)).Append(',')
                .Append(r.DaysToRepeat.ToString(CultureInfo.InvariantCulture)).Append(',').Append(r.Repeat ? '1' : '0').Append(',')
                .Append(r.DaysToDeath?.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Flag(r.DeathSuicide)).Append(',').Append(Flag(r.DeathAny));
            await writer.WriteLineAsync(line, ct);
        }
    }

    /// <summary>Reads and checks every row; all problems come back at once, each with its line number.</summary>
    public static async Task<Result<IReadOnlyList<CohortRow>>> ReadAsync(TextReader reader, int maxErrors = 50, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var errors = new Errors();
        var header = await reader.ReadLineAsync(ct);
        if (header is null)
        {
            return Result<IReadOnlyList<CohortRow>>.Failure("cohort", "The file is empty: expected a header line with the columns " + string.Join(",", Columns) + ".");
        }

        var names = Csv.Cells(header.TrimStart('\uFEFF'));
        var index = Columns.ToDictionary(c => c, c => names.FindIndex(n => string.Equals(n.Trim(), c, StringComparison.OrdinalIgnoreCase)));
        var missing = index.Where(kv => kv.Value < 0).Select(kv => kv.Key).ToList();
        if (missing.Count > 0)
        {
            return Result<IReadOnlyList<CohortRow>>.Failure("cohort", $"Line 1: the header lacks the column(s) {string.Join(", ", missing)}. Expected: {string.Join(",", Columns)}.");
        }

        var rows = new List<CohortRow>();
        // Each person is one row: a second row would count their follow-up twice.
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        var number = 1;
        bool? linked = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            var cells = Csv.Cells(line);
            string Cell(string column) => index[column] < cells.Count ? cells[index[column]].Trim() : "";
            void Problem(string message)
            {
                if (errors.List.Count < maxErrors)
                {
                    errors.Add("cohort", $"Line {number}: {message}");
                }
            }

            var pid = Cell("pid");
            if (pid.Length == 0)
            {
                Problem("pid is empty.");
            }
            else if (!firstLine.TryAdd(pid, number))
            {
                // The pid is not echoed: a message can travel further than the file.
                Problem($"this pid is already on line {firstLine[pid]}: each person is one row.");
            }

            var ageBand = OneOf(Cell("age_band"), CohortCategories.AgeBands, "age_band", Problem);
            var sex = OneOf(Cell("sex").ToLowerInvariant(), CohortCategories.Sexes, "sex", Problem);
            var psych = OneOf(Cell("prior_psych_history").ToLowerInvariant(), CohortCategories.PsychHistory, "prior_psych_history", Problem);
            var engaged = Binary(Cell("engaged"), "engaged", Problem);
            var pathway = string.Intern(Cell("pathway"));
            if (pathway.Length == 0)
            {
                Problem("pathway is empty (write \"none\" for people not enrolled on a pathway).");
            }

            var daysToRepeat = Days(Cell("days_to_repeat"), "days_to_repeat", Problem);
            var repeat = Binary(Cell("repeated"), "repeated", Problem);
            int? daysToDeath = null;
            bool? suicide = null, any = null;
            var deathCells = new[] { Cell("days_to_death"), Cell("death_suicide"), Cell("death_any") };
            if (deathCells.All(c => c.Length == 0 || c == "NA"))
            {
                if (linked == true)
                {
                    Problem("days_to_death, death_suicide and death_any are empty, but earlier rows have them: mortality is linked for everyone or no one.");
                }

                linked ??= false;
            }
            else
            {
                if (linked == false)
                {
                    Problem("this row has death columns, but earlier rows leave them empty: mortality is linked for everyone or no one.");
                }

                linked ??= true;
                daysToDeath = Days(deathCells[0], "days_to_death", Problem);
                suicide = Binary(deathCells[1], "death_suicide", Problem);
                any = Binary(deathCells[2], "death_any", Problem);
                if (suicide == true && any == false)
                {
                    Problem("death_suicide is 1 but death_any is 0: a death by suicide is a death.");
                }

                if (daysToDeath < daysToRepeat)
                {
                    Problem($"days_to_repeat ({daysToRepeat}) is after days_to_death ({daysToDeath}): follow-up for repetition ends at death.");
                }
            }

            if (!errors.Any)
            {
                rows.Add(new CohortRow(pid, ageBand!, sex!, psych!, engaged!.Value, pathway, daysToRepeat!.Value, repeat!.Value, daysToDeath, suicide, any));
            }
        }

        if (!errors.Any && rows.Count == 0)
        {
            errors.Add("cohort", "The file has a header but no rows.");
        }

        return errors.Any ? Result<IReadOnlyList<CohortRow>>.Failure(errors.List) : rows;
    }

    private static string? OneOf(string value, IReadOnlyList<string> allowed, string column, Action<string> problem)
    {
        for (var i = 0; i < allowed.Count; i++)
        {
            if (allowed[i] == value)
            {
                return allowed[i]; // the shared instance: a million rows share a handful of strings
            }
        }

        problem($"{column} is \"{value}\"; expected one of {string.Join(", ", allowed.Order(StringComparer.Ordinal))}.");
        return null;
    }

    private static bool? Binary(string value, string column, Action<string> problem)
    {
        switch (value)
        {
            case "1":
                return true;
            case "0":
                return false;
            default:
                problem($"{column} is \"{value}\"; expected 0 or 1.");
                return null;
        }
    }

    private static int? Days(string value, string column, Action<string> problem)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var days))
        {
            return days;
        }

        problem($"{column} is \"{value}\"; expected a whole number of days, 0 or more.");
        return null;
    }

    private static string Flag(bool? value) => value switch { true => "1", false => "0", null => "" };
}
