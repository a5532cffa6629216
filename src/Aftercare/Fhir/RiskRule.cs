using Hl7.Fhir.Model;

namespace Aftercare.Fhir;

/// <summary>
/// docs/domain.md rule 1 at the FHIR door: no RiskAssessment, and nothing that carries a risk tier,
/// comes in. Guidance (NICE NG225 1.5.1; NHS England 2025): do not use risk tools or scales to
/// predict suicide or repetition, or to decide who gets care.
/// </summary>
public static class RiskRule
{
    public const string Reason =
        "Aftercare does not store risk scores, predictions or low/medium/high ratings (NICE NG225 1.5.1; NHS England 2025): they do not predict who will die by suicide or self-harm again, "
        + "and must not decide who gets care. Record risk as narrative in the psychosocial assessment: the specific risks agreed with the person, what precedes self-harm, protective factors and a formulation.";

    private static readonly string[] Tiers = ["low risk", "medium risk", "moderate risk", "high risk"];

    public static IResult? Refusal(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var refused = resource switch
        {
            RiskAssessment => true,
            _ => CarriesTier(resource),
        };
        return refused ? Outcomes.Refused(Reason) : null;
    }

    private static bool CarriesTier(Resource resource)
    {
        var json = FhirJson.Serialize(resource);
        return Tiers.Any(t => json.Contains(t, StringComparison.OrdinalIgnoreCase));
    }
}
