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

    /// <summary>
    /// Every repeat presentation and the first contact's day (<see cref="FollowUpDetail"/>): written since the analysis of all
    /// repeats and the varied landmark (issue 15). A file without all four is still read, and those two analyses say why they are missing.
    /// </summary>
    public static readonly string[] FollowUpColumns = ["days_followed", "repeat_days", "landmark_days", "days_to_contact"];

    /// <summary>The separator between the days of <c>repeat_days</c> (a comma would need quoting).</summary>
    public const char DaySeparator = ';';

    public static async Task WriteAsync(TextWriter writer, IEnumerable<CohortRow> rows, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(rows);
        var line = new StringBuilder(128);
        bool? detail = null;
        foreach (var r in rows)
        {
            ct.ThrowIfCancellationRequested();
            if (detail is null)
            {
                detail = r.FollowUp is not null;
                await writer.WriteLineAsync(string.Join(',', detail.Value ? [.. Columns, .. FollowUpColumns] : Columns));
            }
            else if (detail.Value != r.FollowUp is not null)
            {
                throw new ArgumentException("every row has the follow-up detail (all repeats, the first contact), or none does.", nameof(rows));
            }

            line.Clear()
                .Append(Csv.Text(r.Pid)).Append(',').Append(Csv.Text(r.AgeBand)).Append(',').Append(Csv.Text(r.Sex)).Append(',').Append(Csv.Text(r.PriorPsychHistory)).Append(',')
                .Append(r.Engaged ? '1' : '0').Append(',').Append(Csv.Text(r.Pathway)).Append(',')
                .Append(r.DaysToRepeat.ToString(CultureInfo.InvariantCulture)).Append(',').Append(r.Repeat ? '1' : '0').Append(',')
                .Append(r.DaysToDeath?.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Flag(r.DeathSuicide)).Append(',').Append(Flag(r.DeathAny));
            if (r.FollowUp is { } f)
            {
                line.Append(',').Append(f.DaysFollowed.ToString(CultureInfo.InvariantCulture)).Append(',');
                for (var i = 0; i < f.RepeatDays.Count; i++)
                {
                    if (i > 0)
                    {
                        line.Append(DaySeparator);
                    }

                    line.Append(f.RepeatDays[i].ToString(CultureInfo.InvariantCulture));
                }

                line.Append(',').Append(f.LandmarkDays.ToString(CultureInfo.InvariantCulture)).Append(',').Append(f.DaysToContact?.ToString(CultureInfo.InvariantCulture));
            }

            await writer.WriteLineAsync(line, ct);
        }

        if (detail is null)
        {
            await writer.WriteLineAsync(string.Join(',', Columns));
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

        var detailIndex = FollowUpColumns.ToDictionary(c => c, c => names.FindIndex(n => string.Equals(n.Trim(), c, StringComparison.OrdinalIgnoreCase)));
        var detailMissing = detailIndex.Where(kv => kv.Value < 0).Select(kv => kv.Key).ToList();
        if (detailMissing.Count is > 0 and < 4)
        {
            return Result<IReadOnlyList<CohortRow>>.Failure("cohort", $"Line 1: the header has some of the columns {string.Join(", ", FollowUpColumns)} but lacks {string.Join(", ", detailMissing)}: give all four (every repeat presentation and the first contact), or none (a file written before they were exported; all repeats and the varied landmark are then not analysed).");
        }

        var hasDetail = detailMissing.Count == 0;
        int? landmarkOfFile = null;
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

            FollowUpDetail? detail = null;
            if (hasDetail)
            {
                string DetailCell(string column) => detailIndex[column] < cells.Count ? cells[detailIndex[column]].Trim() : "";
                var followed = Days(DetailCell("days_followed"), "days_followed", Problem);
                var landmark = Days(DetailCell("landmark_days"), "landmark_days", Problem);
                var contactCell = DetailCell("days_to_contact");
                var contact = contactCell.Length == 0 || contactCell == "NA" ? null : Days(contactCell, "days_to_contact", Problem);
                var repeats = RepeatDays(DetailCell("repeat_days"), Problem);
                if (landmark is { } l)
                {
                    if (l < 1)
                    {
                        Problem("landmark_days is 0; the landmark is at least 1 day after the index presentation.");
                    }

                    landmarkOfFile ??= l;
                    if (l != landmarkOfFile)
                    {
                        Problem($"landmark_days is {l}, but earlier rows have {landmarkOfFile}: one cohort has one landmark.");
                    }

                    if (engaged is { } e && e != contact <= l)
                    {
                        Problem(e ? $"engaged is 1, but days_to_contact ({(contact is null ? "empty" : contact)}) is not within landmark_days ({l})." : $"engaged is 0, but days_to_contact ({contact}) is within landmark_days ({l}).");
                    }
                }

                if (followed is { } f && daysToRepeat is { } r && repeat is { } happened && repeats is not null)
                {
                    if (!happened && f != r)
                    {
                        Problem($"repeated is 0, so days_followed ({f}) is days_to_repeat ({r}): both are the end of follow-up.");
                    }

                    if (f < r)
                    {
                        Problem($"days_followed ({f}) is before days_to_repeat ({r}).");
                    }

                    if (happened != repeats.Count > 0 || (happened && repeats[0] != r))
                    {
                        Problem(happened ? $"repeated is 1, so repeat_days starts with days_to_repeat ({r})." : "repeated is 0, so repeat_days is empty.");
                    }

                    if (repeats.Count > 0 && repeats[^1] > f)
                    {
                        Problem($"repeat_days has a day after days_followed ({f}).");
                    }

                    if (daysToDeath is { } death && f > death)
                    {
                        Problem($"days_followed ({f}) is after days_to_death ({death}): follow-up for repetition ends at death.");
                    }
                }

                if (followed is not null && landmark is not null && repeats is not null)
                {
                    detail = new FollowUpDetail(followed.Value, repeats, landmark.Value, contact);
                }
            }

            if (!errors.Any)
            {
                rows.Add(new CohortRow(pid, ageBand!, sex!, psych!, engaged!.Value, pathway, daysToRepeat!.Value, repeat!.Value, daysToDeath, suicide, any, detail));
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

    /// <summary>"3;40;200": whole days, in increasing order, at most one a day, each 1 or more; empty for none.</summary>
    private static IReadOnlyList<int>? RepeatDays(string value, Action<string> problem)
    {
        if (value.Length == 0 || value == "NA")
        {
            return FollowUpDetail.NoRepeats;
        }

        var days = new List<int>();
        foreach (var part in value.Split(DaySeparator))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var day) || day < 1)
            {
                problem($"repeat_days is \"{value}\"; expected whole days of 1 or more separated by \"{DaySeparator}\" (or empty for none).");
                return null;
            }

            if (days.Count > 0 && day <= days[^1])
            {
                problem($"repeat_days is \"{value}\"; the days must increase (one repeat presentation a day at most).");
                return null;
            }

            days.Add(day);
        }

        return days;
    }

    private static string Flag(bool? value) => value switch { true => "1", false => "0", null => "" };
}
