using System.Text.RegularExpressions;
using Hl7.Fhir.Model;

namespace Aftercare.Fhir;

/// <summary>
/// docs/domain.md rule 1 at the FHIR door: no RiskAssessment, and nothing that labels a person with a risk tier,
/// comes in. Guidance (NICE NG225 1.5.1; NHS England 2025): do not use risk tools or scales to predict suicide or
/// repetition, or to decide who gets care. The rule refuses tiers as labels (a code, a coding's display, or a
/// value that is nothing but a tier), not the person's own words: a safety plan that says "when I feel at high
/// risk I ring my sister" is what the person wrote, and comes in.
/// </summary>
public static partial class RiskRule
{
    public const string Reason =
        "Aftercare does not store risk scores, predictions or low/medium/high ratings (NICE NG225 1.5.1; NHS England 2025): they do not predict who will die by suicide or self-harm again, "
        + "and must not decide who gets care. Record risk as narrative in the psychosocial assessment: the specific risks agreed with the person, what precedes self-harm, protective factors and a formulation.";

    // A tier written any way a system might: "High risk", "high-risk", "HIGH_RISK", "risk: high".
    [GeneratedRegex(@"\b(low|medium|moderate|high)[\s_-]*risk\b|\brisk[\s_:-]+(low|medium|moderate|high)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Tier();

    // What is left of a label once the tier is taken out: punctuation, spaces, "level", "tier", "rating".
    [GeneratedRegex(@"^[\s\p{P}]*((level|tier|rating|category)[\s\p{P}]*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex NothingElse();

    public static IResult? Refusal(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource is RiskAssessment || Labels(resource).Any(IsTier) ? Outcomes.Refused(Reason) : null;
    }

    /// <summary>A value that is a tier: coded values always count; free text only when the tier is all it says.</summary>
    private static bool IsTier((string Value, bool Coded) label) =>
        Tier().IsMatch(label.Value) && (label.Coded || NothingElse().IsMatch(Tier().Replace(label.Value, "")));

    /// <summary>Every text value in the resource, contained resources and extensions too, and whether it is coded.</summary>
    private static IEnumerable<(string Value, bool Coded)> Labels(Base node)
    {
        switch (node)
        {
            case Coding coding:
                if (coding.Code is { } code)
                {
                    yield return (code, true);
                }

                if (coding.Display is { } display)
                {
                    yield return (display, true);
                }

                yield break;
            case PrimitiveType primitive when primitive.JsonValue is string text:
                yield return (text, primitive is Code or Id or Canonical);
                yield break;
        }

        foreach (var (_, value) in node.EnumerateElements())
        {
            var children = value switch
            {
                Base one => [one],
                IEnumerable<Base> many => many,
                _ => [],
            };
            foreach (var label in children.SelectMany(Labels))
            {
                yield return label;
            }
        }
    }
}
