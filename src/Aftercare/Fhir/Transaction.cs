using Aftercare.App.Data;
using Aftercare.App.Presentations;
using Aftercare.Domain.Audit;
using Aftercare.Hosting;
using Hl7.Fhir.Model;

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
            Documentation = "Intake: a Bundle with a Patient (ifNoneExist=identifier=system|value links to an existing person) or a reference to one, one Encounter and a Condition; all or nothing.",
        });
    }

    /// <summary>POST /fhir/{type}: not supported on its own; a RiskAssessment (or any tiered label of a person, see RiskRule) is refused, and the refusal audited.</summary>
    public static async Task<IResult> Create(string type, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var parsed = FhirJson.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync(ct));
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
        var parsed = FhirJson.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync(ct));
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

        var intake = await Intake.Read(bundle, db, ct);
        if (!intake.IsSuccess)
        {
            return Outcomes.From(intake.Errors);
        }

        var outcome = await RegisterPresentation.Handle(db, clock, context.User.ToActor(), intake.Value, ct);
        return outcome switch
        {
            RegisterPresentation.Registered r => FhirJson.Ok(Intake.Response(bundle, r, intake.Value.ExistingPersonId is not null), StatusCodes.Status200OK),
            RegisterPresentation.IdentifierBelongsToSomeone held => Outcomes.Conflict(
                $"{held.Message} Send the Patient with ifNoneExist=identifier=system|value, or reference Patient/{held.PersonId}."),
            RegisterPresentation.Invalid invalid => Outcomes.From(invalid.Errors),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }
}
