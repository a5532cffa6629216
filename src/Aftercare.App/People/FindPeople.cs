using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.People;

/// <summary>Find a person by identifier, or by name (and date of birth).</summary>
public static class FindPeople
{
    public const int MaxResults = 50;

    /// <summary>What was typed; <paramref name="CareTeamOnly"/> finds only people in the searcher's own care team (an app's patient picker), not even that a record exists elsewhere.</summary>
    public sealed record Query(IdentifierKind IdentifierKind, string? Identifier, string? Name, DateOnly? DateOfBirth, bool CareTeamOnly = false);

    /// <summary>
    /// One person found. Outside the searcher's care team (<see cref="Restricted"/>), only that a
    /// record exists: no name, date of birth, identifiers or count (need-to-know); the id only, for
    /// the two things that can follow (registering a presentation with a reason, breaking the glass).
    /// </summary>
    public sealed record Match(Guid Id, string DisplayName, DateOnly? DateOfBirth, IReadOnlyList<string> Identifiers, int? Presentations, bool Restricted = false);

    public const string RestrictedLabel = "A record held by another care team";

    public static async Task<Result<IReadOnlyList<Match>>> Handle(
        AftercareDbContext db, TimeProvider clock, Actor actor, Query query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(query);
        var people = db.People.AsNoTracking().AsQueryable();
        if (!string.IsNullOrWhiteSpace(query.Identifier))
        {
            var value = PersonIdentifier.Normalise(query.IdentifierKind, query.Identifier);
            var kind = query.IdentifierKind;
            people = people.Where(p => p.Identifiers.Any(i => i.Kind == kind && i.Value == value));
        }
        else if (!string.IsNullOrWhiteSpace(query.Name) || query.DateOfBirth is not null)
        {
            if (!string.IsNullOrWhiteSpace(query.Name))
            {
                foreach (var term in query.Name.Trim().ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    people = people.Where(p => p.GivenName.ToLower().Contains(term) || p.FamilyName.ToLower().Contains(term));
                }
            }

            if (query.DateOfBirth is { } dob)
            {
                people = people.Where(p => p.DateOfBirth == dob);
            }
        }
        else
        {
            return Result<IReadOnlyList<Match>>.Failure("identifier", "Enter an identifier, or a name, or a date of birth to search.");
        }

        // Each person found is asked how this user stands to their record, by index (issue 16).
        var standing = Access.RecordAccess.WithStanding(db, actor.UserId, clock.GetUtcNow(), people);
        if (query.CareTeamOnly)
        {
            standing = standing.Where(s => s.CareTeam);
        }

        var found = await standing
            .OrderBy(s => s.Person.FamilyName).ThenBy(s => s.Person.GivenName).ThenBy(s => s.Person.DateOfBirth)
            .Take(MaxResults)
            .Select(s => new
            {
                s.Person.Id,
                s.Person.GivenName,
                s.Person.FamilyName,
                s.Person.DateOfBirth,
                Identifiers = s.Person.Identifiers.Select(i => new { i.Kind, i.Value }).ToList(),
                Presentations = db.Presentations.Count(x => x.PersonId == s.Person.Id && x.EnteredInErrorAt == null),
                Open = s.CareTeam || s.BreakGlass,
            })
            .ToListAsync(ct);

        // The search terms are patient data: the audit records that a search happened, not what was typed.
        db.Audit(clock, actor, AuditAction.PeopleSearched, AuditPurpose.DirectCare);
        await db.SaveChangesAsync(ct);
        IReadOnlyList<Match> matches = found
            .Select(p => p.Open
                ? new Match(p.Id, $"{p.GivenName} {p.FamilyName}", p.DateOfBirth,
                    p.Identifiers.OrderBy(i => i.Kind).Select(i => $"{i.Kind.Describe()} {i.Value}").ToList(), p.Presentations)
                : new Match(p.Id, RestrictedLabel, null, [], null, Restricted: true))
            .OrderBy(m => m.Restricted)
            .ToList();
        return Result<IReadOnlyList<Match>>.Success(matches);
    }
}
