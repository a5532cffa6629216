using Aftercare.Domain.Assessments;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Presentations;

namespace Aftercare.App.Documents;

/// <summary>A heading and its text, as a document reads on screen, on paper and side by side.</summary>
public sealed record DocumentPart(string Heading, string Text);

/// <summary>Each clinical document as a list of parts: one reading for the print view, the PDF, the letter and the comparison of versions.</summary>
public static class DocumentText
{
    public static IReadOnlyList<DocumentPart> Parts(AssessmentContent content, Func<DateTimeOffset, string> time)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(time);
        var parts = new List<DocumentPart>
        {
            new("Assessed at", content.AssessedAt is { } at ? time(at) : "Not recorded"),
        };
        parts.AddRange(AssessmentSections.All.Select(s => new DocumentPart(s.Title, content.Text(s.Section))));
        parts.Add(new("Dependent children", content.HasDependentChildren.Describe()));
        parts.Add(new("Risks agreed with the person", string.Join("\n", content.AgreedRisks.Select(r => "• " + r.Description))));
        var c = content.Consent;
        parts.Add(new("Limits of confidentiality explained",
            c.LimitsExplainedAt is { } when ? $"{time(when)} by {c.LimitsExplainedBy}" : "Not yet recorded"));
        parts.Add(new("Involve family, carers or others", c.InvolveFamilyOrCarers.Describe() + (string.IsNullOrWhiteSpace(c.WhomToInvolve) ? "" : $": {c.WhomToInvolve}")));
        parts.Add(new("Plan may be shared with the GP", c.ShareWithGp.Describe()));
        return parts;
    }

    public static IReadOnlyList<DocumentPart> Parts(CarePlanContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return
        [
            new("Aims", string.Join("\n", content.Aims.Select(a => "• " + a.Describe()))),
            new("Long-term goals (education, employment, occupation)", content.LongTermGoals),
            new("Short-term goals and steps", string.Join("\n", content.ShortTermGoals.Select(g => $"• {g.Goal}: {g.Steps}"))),
            new("Who does what", string.Join("\n", content.Responsibilities.Select(r => $"• {r.Who}: {r.What}"))),
            new("Made with", content.MadeWith),
            new("Risk-management plan", string.Join("\n", content.RiskManagement.Select(r => $"• {r.Risk}. Linked factors: {r.Factors}. Agreed actions: {r.Actions}"))),
            new("Crisis plan", content.CrisisPlan),
            new("Agreed on", content.AgreedOn?.ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture) ?? "Not yet agreed"),
            new("Review by", content.ReviewBy?.ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture) ?? "Not set"),
        ];
    }

    public static IReadOnlyList<DocumentPart> Parts(SafetyPlanContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return [.. SafetyPlanSections.All.Select(s => new DocumentPart(s.Title(), content.Text(s)))];
    }
}
