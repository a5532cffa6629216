using Aftercare.App.Data;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Account;

/// <summary>Staff who sign in as FHIR Practitioner (id, identifier and name only): not patient data, so read and searched without a patient and not audited.</summary>
public static class PractitionerFhir
{
    public const string Type = "Practitioner";

    /// <summary>No <c>_lastUpdated</c>: a sign-in account keeps no time it was created or changed.</summary>
    public static readonly SearchDeclaration Searched = new(Type, new FhirParameter("name", SearchParamType.String)) { LastUpdated = false };

    public static CapabilityStatement.ResourceComponent Capability() =>
        Fhir.Capability.Resource(Searched, $"Staff who sign in: id, name and an identifier ({FhirSystems.UserSystem}, the account's stable id). No professional registration: the account does not hold one.");

    public static async Task<IResult> Read(string id, AftercareDbContext db, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        return user is null ? Outcomes.NotFound(Type, id) : FhirJson.Ok(ToPractitioner(user));
    }

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, CancellationToken ct) =>
        RecordAnswers.ListAsync(context, Searched, search =>
        {
            var users = db.Users.AsNoTracking();
            if (search.Value("name") is { Length: > 0 } name)
            {
                var lower = name.Trim().ToLowerInvariant();
#pragma warning disable CA1862 // ToLower().Contains translates to SQL on SQLite and PostgreSQL; the StringComparison overload does not.
                users = users.Where(u => u.DisplayName.ToLower().Contains(lower));
#pragma warning restore CA1862
            }

            return users.OrderBy(u => u.DisplayName).ThenBy(u => u.Id);
        }, ToPractitioner, ct);

    /// <summary>
    /// A member of staff who signs in (never a patient): id, name, and the account's stable id as an
    /// identifier (<see cref="FhirSystems.UserSystem"/>), so that another system can keep it; no
    /// email, no password, no roles. The account holds no professional registration (GMC, NMC,
    /// HCPC) to give.
    /// </summary>
    public static Practitioner ToPractitioner(AftercareUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var practitioner = new Practitioner { Id = user.Id, Meta = new Meta { VersionId = "1" } };
        practitioner.Identifier.Add(new Identifier(FhirSystems.UserSystem, user.Id) { Use = Identifier.IdentifierUse.Official });
        practitioner.Name.Add(new HumanName { Text = user.DisplayName });
        return practitioner;
    }
}
