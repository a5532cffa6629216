using Aftercare.App.Data;
using Aftercare.Domain.Assessments;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Presentations;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Sharing;

/// <summary>
/// Consent as FHIR: to share with the GP and to involve family or carers (from each completed
/// assessment; the latest one's are active), and to receive caring messages. Read and searched by patient.
/// </summary>
public static class ConsentFhir
{
    public const string Type = "Consent";

    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Patient) { ByPatient = true };

    public const string ConsentScopeSystem = "http://terminology.hl7.org/CodeSystem/consentscope";
    public const string ActCodeSystem = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

    public static CapabilityStatement.ResourceComponent Capability() =>
        Fhir.Capability.Resource(Searched, "Consent to share with the GP and to involve family or carers (from the assessment), and to receive caring messages.");

    public static async Task<IResult> Read(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        Guid? person = null;
        if (id.Length > 36 && Guid.TryParse(id[..36], out var g))
        {
            person = id.EndsWith("-messages", StringComparison.Ordinal)
                ? await db.MessagePreferences.AsNoTracking().Where(p => p.PersonId == g).Select(p => (Guid?)p.PersonId).FirstOrDefaultAsync(ct)
                : await db.Assessments.AsNoTracking().Where(a => a.Id == g).Select(a => (Guid?)a.PersonId).FirstOrDefaultAsync(ct);
        }

        var consent = person is { } p ? (await Consents(db, p, ct)).FirstOrDefault(c => c.Id == id) : null;
        return await RecordAnswers.ReadAsync(context, db, clock, Type, id, consent, person, ct);
    }

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        RecordAnswers.SearchAsync(context, db, clock, Searched, (_, person, token) => Record(db, "", person, token), ct);

    /// <summary>This type's resources in one person's record, as its search finds them before filtering and paging (and <c>$export</c> writes them).</summary>
    internal static Task<List<Resource>> Record(AftercareDbContext db, string appBase, Guid personId, CancellationToken token) => Consents(db, personId, token);

    /// <summary>The choices in each completed assessment (the latest one's are active) and the person's message choices.</summary>
    private static async Task<List<Resource>> Consents(AftercareDbContext db, Guid personId, CancellationToken ct)
    {
        var assessments = await db.Assessments.AsNoTracking().Where(a => a.PersonId == personId && a.Status == DocumentStatus.Completed).OrderByDescending(a => a.UpdatedAt).ToListAsync(ct);
        var consents = assessments.SelectMany((a, i) => ToConsents(a, current: i == 0)).Cast<Resource>().ToList();
        if (await db.MessagePreferences.AsNoTracking().FirstOrDefaultAsync(p => p.PersonId == personId, ct) is { } preferences)
        {
            consents.Add(ToMessageConsent(preferences));
        }

        return consents;
    }

    /// <summary>
    /// The choices recorded in a completed assessment's confidentiality section (docs/domain.md rule 8):
    /// to share the plan with the GP (<c>{assessment}-gp</c>) and to involve family or carers
    /// (<c>{assessment}-family</c>). Both are opt-in (nothing is shared without a yes), so the
    /// policy rule is OPTIN and the provision permits or denies. The latest completed assessment's
    /// choices are <c>active</c>; earlier ones <c>inactive</c>. A question not yet asked gives no
    /// Consent. The source is the assessment (QuestionnaireResponse) that recorded it.
    /// </summary>
    public static IReadOnlyList<Consent> ToConsents(PsychosocialAssessment assessment, bool current)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        var choices = assessment.Content.Consent;
        var consents = new List<Consent>();
        foreach (var (suffix, answer, what, recipient) in new[]
        {
            ("gp", choices.ShareWithGp, "Share the care plan and safety plan with the GP", "The person's GP"),
            ("family", choices.InvolveFamilyOrCarers, "Involve family or carers", string.IsNullOrWhiteSpace(choices.WhomToInvolve) ? "Family or carers" : choices.WhomToInvolve),
        })
        {
            if (answer == YesNoUnknown.Unknown)
            {
                continue;
            }

            var provision = new Consent.provisionComponent { Type = answer == YesNoUnknown.Yes ? Consent.ConsentProvisionType.Permit : Consent.ConsentProvisionType.Deny };
            provision.Actor.Add(new Consent.provisionActorComponent
            {
                Role = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", "information recipient"),
                Reference = new ResourceReference { Display = recipient },
            });
            consents.Add(NewConsent(
                $"{assessment.Id}-{suffix}", assessment.PersonId, current, assessment.UpdatedAt, "OPTIN", provision, what,
                new ResourceReference($"QuestionnaireResponse/{assessment.Id}")));
        }

        return consents;
    }
    /// <summary>
    /// Whether the person receives caring messages (<c>{person}-messages</c>): messages go unless the
    /// person opts out (policy rule OPTOUT), so the provision denies from the moment they opted out
    /// and permits otherwise. Only people with recorded message choices have one.
    /// </summary>
    public static Consent ToMessageConsent(MessagePreferences preferences)
    {
        ArgumentNullException.ThrowIfNull(preferences);
        var provision = new Consent.provisionComponent
        {
            Type = preferences.OptedOut ? Consent.ConsentProvisionType.Deny : Consent.ConsentProvisionType.Permit,
            Period = preferences.OptedOutAt is { } from ? new Period { StartElement = new FhirDateTime(from) } : null,
        };
        return NewConsent($"{preferences.PersonId}-messages", preferences.PersonId, true, preferences.OptedOutAt, "OPTOUT", provision, "Receive caring messages", null);
    }
    private static Consent NewConsent(
        string id, Guid personId, bool current, DateTimeOffset? recordedAt, string policy, Consent.provisionComponent provision, string what, ResourceReference? source)
    {
        var consent = new Consent
        {
            Id = id,
            Meta = new Meta { VersionId = "1", LastUpdated = recordedAt },
            Status = current ? Consent.ConsentState.Active : Consent.ConsentState.Inactive,
            Scope = new CodeableConcept(ConsentScopeSystem, "patient-privacy", "Privacy Consent"),
            Patient = new ResourceReference($"Patient/{personId}"),
            DateTimeElement = recordedAt is { } at ? new FhirDateTime(at) : null,
            PolicyRule = new CodeableConcept(ActCodeSystem, policy),
            Source = source,
            Provision = provision,
        };
        consent.Category.Add(new CodeableConcept(FhirSystems.LoincSystem, "59284-0", "Patient Consent", what));
        consent.Performer.Add(new ResourceReference($"Patient/{personId}"));
        return consent;
    }
}
