using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Mortality;
using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Mortality;

/// <summary>
/// Mortality linkage (issue #7): deaths from a CSV file, matched to people by MRN or NHS number.
/// A dry run reports what an import would do and writes nothing; a real import is all-or-nothing,
/// in one transaction: any conflicting row and nothing is written. The report names lines and
/// problems, never an identifier, a name or a date: it may be printed or kept.
/// </summary>
public static class ImportDeaths
{
    public enum Outcome
    {
        /// <summary>A person found, with no death recorded yet: the import records it.</summary>
        Matched,

        /// <summary>The same death (date and cause) is already recorded: nothing to do.</summary>
        AlreadyPresent,

        /// <summary>No one here has the identifier: skipped, reported.</summary>
        Unmatched,

        /// <summary>A row that is wrong or disagrees with the record: the import stops.</summary>
        Conflict,
    }

    public sealed record Line(int Number, Outcome Outcome, string Note);

    public sealed record Report(string SourceFile, string SourceHash, IReadOnlyList<Line> Lines, bool DryRun, int Written)
    {
        public int Count(Outcome outcome) => Lines.Count(l => l.Outcome == outcome);

        public bool HasConflicts => Lines.Any(l => l.Outcome == Outcome.Conflict);
    }

    /// <summary>The columns, as the file's first line names them (any order, any case).</summary>
    public const string Columns = "identifier,system,date_of_death,cause";

    public static async Task<Result<Report>> Handle(
        AftercareDbContext db, TimeProvider clock, LocalTime time, Actor actor, string sourceFile, byte[] content, bool dryRun, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(content);
        var rows = Parse(content);
        if (!rows.IsSuccess)
        {
            return Result<Report>.Failure(rows.Errors);
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        var name = Path.GetFileName(sourceFile);
        var now = clock.GetUtcNow();
        if (dryRun)
        {
            var checkedOnly = await Check(db, time, rows.Value, now, ct);
            return new Report(name, hash, [.. checkedOnly.Select(c => c.Line)], DryRun: true, Written: 0);
        }

        // Checked again inside the transaction that writes, so what is written is what was checked.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var checkedRows = await Check(db, time, rows.Value, now, ct);
        var lines = checkedRows.Select(c => c.Line).ToList();
        var toWrite = checkedRows.Where(c => c.Line.Outcome == Outcome.Matched).ToList();
        if (lines.Any(l => l.Outcome == Outcome.Conflict) || toWrite.Count == 0)
        {
            return new Report(name, hash, lines, DryRun: false, Written: 0);
        }

        foreach (var row in toWrite)
        {
            var death = Death.Record(row.PersonId!.Value, row.Date!.Value, row.Cause!.Value, name, hash, now);
            db.Deaths.Add(death);
            db.Audit(clock, actor, AuditAction.DeathRecorded, AuditPurpose.Administration, death.PersonId, death.Id.ToString());
        }

        db.Audit(clock, actor, AuditAction.DeathsImported, AuditPurpose.Administration, entityId: hash);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new Report(name, hash, lines, DryRun: false, Written: toWrite.Count);
    }

    private sealed record Row(int Number, string Identifier, string System, string Date, string Cause);

    private sealed record Checked(Line Line, Guid? PersonId = null, DateOnly? Date = null, DeathCause? Cause = null);

    private static async Task<List<Checked>> Check(AftercareDbContext db, LocalTime time, IReadOnlyList<Row> rows, DateTimeOffset now, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.ToLocal(now));
        var parsed = rows.Select(r => (Row: r, Id: Identifier(r), Date: ParseDate(r.Date), Cause: ParseCause(r.Cause))).ToList();

        var wanted = parsed.Where(p => p.Id.IsSuccess).Select(p => p.Id.Value.Value).Distinct().ToList();
        var owners = new Dictionary<(IdentifierKind, string), Guid>();
        foreach (var chunk in wanted.Chunk(500))
        {
            var found = await db.People.AsNoTracking().SelectMany(p => p.Identifiers).Where(i => chunk.Contains(i.Value))
                .Select(i => new { i.Kind, i.Value, i.PersonId }).ToListAsync(ct);
            foreach (var f in found)
            {
                owners[(f.Kind, f.Value)] = f.PersonId;
            }
        }

        var personIds = owners.Values.Distinct().ToList();
        var recorded = new Dictionary<Guid, (DateOnly Date, DeathCause Cause)>();
        var people = new Dictionary<Guid, (DateOnly Born, DateTimeOffset? FirstPresentation)>();
        foreach (var chunk in personIds.Chunk(500))
        {
            foreach (var d in await db.Deaths.AsNoTracking().Where(d => chunk.Contains(d.PersonId)).Select(d => new { d.PersonId, d.DateOfDeath, d.Cause }).ToListAsync(ct))
            {
                recorded[d.PersonId] = (d.DateOfDeath, d.Cause);
            }

            var born = await db.People.AsNoTracking().Where(p => chunk.Contains(p.Id)).Select(p => new { p.Id, p.DateOfBirth }).ToListAsync(ct);
            var arrived = await db.Presentations.AsNoTracking().Where(p => p.EnteredInErrorAt == null && chunk.Contains(p.PersonId)).Select(p => new { p.PersonId, p.ArrivedAt }).ToListAsync(ct);
            foreach (var p in born)
            {
                people[p.Id] = (p.DateOfBirth, arrived.Where(a => a.PersonId == p.Id).Select(a => (DateTimeOffset?)a.ArrivedAt).Min());
            }
        }

        var seen = new Dictionary<Guid, int>();
        var result = new List<Checked>();
        foreach (var (row, id, date, cause) in parsed)
        {
            Checked Conflict(string note) => new(new Line(row.Number, Outcome.Conflict, note));
            if (!id.IsSuccess)
            {
                result.Add(Conflict(id.Errors[0].Message));
                continue;
            }

            if (date is not { } day)
            {
                result.Add(Conflict("the date of death is not a date; write it as YYYY-MM-DD."));
                continue;
            }

            if (cause is not { } why)
            {
                result.Add(Conflict("the cause is not one of suicide, undetermined or other."));
                continue;
            }

            if (day > today)
            {
                result.Add(Conflict("the date of death is in the future."));
                continue;
            }

            if (!owners.TryGetValue(id.Value, out var personId))
            {
                result.Add(new Checked(new Line(row.Number, Outcome.Unmatched, "identifier not found.")));
                continue;
            }

            if (seen.TryGetValue(personId, out var earlier))
            {
                result.Add(Conflict($"the same person as line {earlier}: a person has one row."));
                continue;
            }

            seen[personId] = row.Number;
            var person = people[personId];
            if (day < person.Born)
            {
                result.Add(Conflict("the date of death is before the person's date of birth."));
            }
            else if (person.FirstPresentation is { } first && day < DateOnly.FromDateTime(time.ToLocal(first)))
            {
                result.Add(Conflict("the date of death is before the person's first recorded presentation."));
            }
            else if (recorded.TryGetValue(personId, out var already))
            {
                result.Add(already == (day, why)
                    ? new Checked(new Line(row.Number, Outcome.AlreadyPresent, "already recorded."))
                    : Conflict("differs from the death already recorded for this person (date or cause)."));
            }
            else
            {
                result.Add(new Checked(new Line(row.Number, Outcome.Matched, "matched."), personId, day, why));
            }
        }

        return result;
    }

    /// <summary>MRN or NHS number: from the system column (mrn, nhs), or a prefix (mrn:, nhs:).</summary>
    private static Result<(IdentifierKind Kind, string Value)> Identifier(Row row)
    {
        var raw = row.Identifier.Trim();
        var system = row.System.Trim().ToLowerInvariant();
        var colon = raw.IndexOf(':', StringComparison.Ordinal);
        if (system.Length == 0 && colon > 0)
        {
            system = raw[..colon].Trim().ToLowerInvariant();
            raw = raw[(colon + 1)..];
        }

        IdentifierKind? kind = system switch
        {
            "mrn" => IdentifierKind.Mrn,
            "nhs" or "nhs_number" or "nhsnumber" => IdentifierKind.NhsNumber,
            _ => null,
        };
        if (kind is not { } k)
        {
            return Result<(IdentifierKind, string)>.Failure("identifier", "say which identifier it is: a system of mrn or nhs, or a prefix mrn: or nhs:.");
        }

        var identifier = PersonIdentifier.Create(k, raw);
        return identifier.IsSuccess
            ? (k, identifier.Value.Value)
            : Result<(IdentifierKind, string)>.Failure("identifier", k == IdentifierKind.NhsNumber
                ? "the identifier is not a valid NHS number (10 digits with a check digit)."
                : "the identifier is not a valid MRN (up to 20 letters, digits and hyphens).");
    }

    private static DateOnly? ParseDate(string text) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;

    private static DeathCause? ParseCause(string text) => text.Trim().ToLowerInvariant() switch
    {
        "suicide" => DeathCause.Suicide,
        "undetermined" => DeathCause.Undetermined,
        "other" => DeathCause.Other,
        _ => null,
    };

    private static Result<IReadOnlyList<Row>> Parse(byte[] content)
    {
        var text = new UTF8Encoding(false, false).GetString(content).TrimStart('\uFEFF');
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var header = lines.Count == 0 ? [] : Csv.Cells(lines[0]).Select(h => h.Trim().ToLowerInvariant()).ToList();
        int Column(params string[] names) => header.FindIndex(names.Contains);
        var (identifier, system, date, cause) = (Column("identifier"), Column("system"), Column("date_of_death", "date"), Column("cause"));
        if (identifier < 0 || date < 0 || cause < 0)
        {
            return Result<IReadOnlyList<Row>>.Failure("file",
                $"line 1 must name the columns: {Columns} (system is optional when each identifier has a prefix, mrn: or nhs:).");
        }

        var rows = new List<Row>();
        for (var i = 1; i < lines.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            var fields = Csv.Cells(lines[i]);
            string At(int column) => column >= 0 && column < fields.Count ? fields[column] : "";
            rows.Add(new Row(i + 1, At(identifier), At(system), At(date), At(cause)));
        }

        return rows;
    }
}
