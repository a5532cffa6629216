using Aftercare.App.Data;
using Aftercare.App.Presentations;
using Aftercare.Domain.Presentations;
using Aftercare.Presentations;
using Aftercare.Domain.Audit;
using Aftercare.Hosting;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Fhir;

/// <summary>
/// What is written through the base: intake as a transaction Bundle (POST /fhir), and the answer to
/// creating any other type on its own (POST /fhir/{type}): only RiskAssessment gets a specific answer,
/// and it is no (docs/domain.md rule 1).
/// </summary>
public static class Transaction
{
    public const int MaxBundleEntries = 50;

    public static void Describe(CapabilityStatement.RestComponent rest)
    {
        ArgumentNullException.ThrowIfNull(rest);
        rest.Interaction.Add(new CapabilityStatement.SystemInteractionComponent
        {
            Code = CapabilityStatement.SystemRestfulInteraction.Transaction,
            Documentation = "Intake: a Bundle with a Patient (ifNoneExist=identifier=system|value links to an existing person) or a reference to one, one Encounter and a Condition; all or nothing. "
                + "The Encounter's and Condition's identifiers are kept; ifNoneExist=identifier=system|value on the Encounter answers the presentation already received (200 entries, nothing created). "
                + "The site is serviceProvider by its ODS code (" + FhirSystems.OdsOrganizationSystem + ") or its Aftercare code (" + FhirSystems.SiteSystem + ").",
        });
    }

    /// <summary>POST /fhir/{type}: not supported on its own; a RiskAssessment (or any tiered label of a person, see RiskRule) is refused, and the refusal audited.</summary>
    public static async Task<IResult> Create(string type, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var parsed = FhirJson.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync(ct), context);
        if (!parsed.IsSuccess)
        {
            return Outcomes.Unreadable(parsed.Errors);
        }

        if (parsed.Value.TypeName != type)
        {
            return Outcomes.BadRequest($"The body is a {parsed.Value.TypeName}, not a {type}.");
        }

        if (RiskRule.Refusal(parsed.Value) is { } refusal)
        {
            return await FhirAccess.AnswerAsync(context, db, clock, AuditAction.FhirRefused, [], "RiskAssessment refused", () => refusal, ct);
        }

        if (!Capability.Types.Contains(type))
        {
            return Outcomes.UnknownType(type);
        }

        return Outcomes.NotAllowed($"Creating a {type} on its own is not supported; send presentations as a transaction Bundle (Patient, Encounter, Condition). See /fhir/metadata.");
    }

    /// <summary>
    /// Intake: a transaction Bundle with a Patient (or a reference to one), an Encounter and a
    /// Condition becomes one registered presentation, all or nothing. A Patient with
    /// ifNoneExist=identifier links to the person who holds that identifier.
    /// </summary>
    public static async Task<IResult> Post(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var parsed = FhirJson.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync(ct), context);
        if (!parsed.IsSuccess)
        {
            return Outcomes.Unreadable(parsed.Errors);
        }

        if (parsed.Value is not Bundle { Type: Bundle.BundleType.Transaction } bundle)
        {
            return Outcomes.BadRequest("POST /fhir takes a Bundle of type transaction.");
        }

        if (bundle.Entry.Count > MaxBundleEntries)
        {
            return Outcomes.TooLarge($"A transaction may hold at most {MaxBundleEntries} entries.");
        }

        foreach (var entry in bundle.Entry)
        {
            if (entry.Resource is not null && RiskRule.Refusal(entry.Resource) is { } refusal)
            {
                return await FhirAccess.AnswerAsync(context, db, clock, AuditAction.FhirRefused, [], "RiskAssessment refused", () => refusal, ct);
            }
        }

        // ifNoneExist=identifier=system|value on the Encounter: the presentation already received is the answer, nothing is created.
        if (bundle.Entry.FirstOrDefault(e => e.Resource is Encounter)?.Request?.IfNoneExist is { Length: > 0 } criteria)
        {
            var matched = await EncounterFhir.Matching(db, criteria, condition: false, ct);
            if (!matched.IsSuccess)
            {
                return Outcomes.From(matched.Errors);
            }

            if (matched.Value.Count > 1)
            {
                return Outcomes.PreconditionFailed($"The Encounter's ifNoneExist matches {matched.Value.Count} presentations; it must name one (identifier=system|value).");
            }

            if (matched.Value is [var existing])
            {
                return await FhirAccess.AnswerAsync(context, db, clock, AuditAction.PersonViewed, [existing.PersonId], "fhir transaction (matched)",
                    () => FhirJson.Ok(Intake.Response(bundle, new RegisterPresentation.Registered(existing.PersonId, existing.Id), existingPatient: true, matched: true)), ct);
            }
        }

        return await Register(context, db, clock, bundle, saved => System.Threading.Tasks.Task.FromResult(FhirJson.Ok(Intake.Response(bundle, saved.Registered, saved.ExistingPatient), StatusCodes.Status200OK)), ct);
    }

    /// <summary>
    /// A presentation just registered, for the answer. The intake's answer is made from the Bundle
    /// and the new ids alone; an answer that shows the stored record reads it (issue 16: the intake
    /// read the presentation and its site back on every request, for an answer that used neither).
    /// </summary>
    public sealed record Saved(RegisterPresentation.Registered Registered, bool ExistingPatient);

    /// <summary>
    /// Registers the presentation an intake Bundle (or an Encounter sent on its own, wrapped in one)
    /// describes, through the same use case as the page; <paramref name="answer"/> says it was done.
    /// An identifier already held (the person's, or the sender's for the Encounter or Condition) is a 409 that says whose.
    /// </summary>
    public static async Task<IResult> Register(HttpContext context, AftercareDbContext db, TimeProvider clock, Bundle bundle, Func<Saved, Task<IResult>> answer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(answer);
        var intake = await Intake.Read(bundle, db, context.RequestServices.GetRequiredService<Aftercare.App.Sites.SiteTeams>(), ct);
        if (!intake.IsSuccess)
        {
            return Outcomes.From(intake.Errors);
        }

        var outcome = await RegisterPresentation.Handle(db, clock, context.User.ToActor(), intake.Value, ct);
        switch (outcome)
        {
            case RegisterPresentation.Registered r:
                return await answer(new Saved(r, ExistingPatient: !r.NewPerson));
            case RegisterPresentation.IdentifierBelongsToSomeone held:
                return Outcomes.Conflict($"{held.Message} Send the Patient with ifNoneExist=identifier=system|value, or reference Patient/{held.PersonId}.");
            case RegisterPresentation.AlreadyReceived received:
                return Outcomes.Conflict(received.Message);
            case RegisterPresentation.Invalid invalid:
                return Outcomes.From(invalid.Errors);
            default:
                throw new InvalidOperationException("Unknown outcome.");
        }
    }
}
