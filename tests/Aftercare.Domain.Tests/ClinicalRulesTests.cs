using System.Reflection;
using System.Text.RegularExpressions;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;

namespace Aftercare.Domain.Tests;

/// <summary>docs/domain.md rules 1 and 2, as the domain model holds them.</summary>
public sealed partial class ClinicalRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly Guid Site = Guid.NewGuid();

    [Fact]
    public void Rule1_No_risk_score_or_tier_exists_in_the_domain_model()
    {
        var domain = typeof(Person).Assembly;
        var names = domain.GetTypes()
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Select(m => $"{t.Name}.{m.Name}"))
            .Concat(domain.GetTypes().Where(t => t.IsEnum).SelectMany(t => Enum.GetNames(t).Select(n => $"{t.Name}.{n}")))
            .ToList();
        Assert.NotEmpty(names);
        Assert.DoesNotContain(names, n => RiskPrediction().IsMatch(n));
    }

    [GeneratedRegex("risk.?(score|level|tier|rating|band|category)|(high|medium|moderate|low).?risk|predict", RegexOptions.IgnoreCase)]
    private static partial Regex RiskPrediction();

    [Fact]
    public void Rule2_A_repeat_presentation_reads_as_coming_back_for_help()
    {
        var timeline = Timeline.Of([At(-300), At(-90), At(-2)], Now);
        Assert.Equal(
            ["Came back for help (3rd presentation)", "Came back for help (2nd presentation)", "First presentation recorded here"],
            timeline.Presentations.Select(p => p.Heading).ToArray());
    }

    [Fact]
    public void Rule2_Counts_are_plain_facts()
    {
        Assert.Equal("1 presentation in the last 12 months", Timeline.Of([At(-10)], Now).Summary);
        Assert.Equal("3 presentations in the last 12 months", Timeline.Of([At(-10), At(-100), At(-200)], Now).Summary);
        Assert.Equal("1 presentation in the last 12 months, 2 in all", Timeline.Of([At(-10), At(-500)], Now).Summary);
        Assert.Equal("0 presentations in the last 12 months", Timeline.Of([], Now).Summary);
    }

    private static Presentation At(int days) =>
        Presentation.Register(Guid.NewGuid(), new DateOnly(1990, 1, 1),
            new PresentationDetails(Now.AddDays(days), Site, [SelfHarmMethod.SharpObject], YesNoUnknown.No, YesNoUnknown.No, null, Disposition.Discharged, null),
            [Site], "user-1", Now).Value;
}
