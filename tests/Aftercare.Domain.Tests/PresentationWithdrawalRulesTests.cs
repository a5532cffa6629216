using Aftercare.Domain.Presentations;

namespace Aftercare.Domain.Tests;

/// <summary>An ED's identifiers kept with a presentation, and withdrawing one entered in error (issue 13).</summary>
public sealed class PresentationWithdrawalRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly Guid Site = Guid.NewGuid();

    private static Presentation New(DateTimeOffset? arrived = null) => Presentation.Register(Guid.NewGuid(), new DateOnly(1990, 1, 1),
        new PresentationDetails(arrived ?? Now.AddHours(-5), Site, [SelfHarmMethod.MedicationOrDrugs], YesNoUnknown.No, YesNoUnknown.No, null, Disposition.Discharged, null),
        [Site], "user-1", Now).Value;

    [Fact]
    public void A_withdrawal_needs_a_reason_and_keeps_who_when_and_why()
    {
        var presentation = New();
        Assert.Contains(presentation.WithdrawAsEnteredInError("user-2", "  ", Now).Errors, e => e.Field == "reason");
        Assert.Contains(presentation.WithdrawAsEnteredInError("user-2", new string('a', Presentation.MaxEnteredInErrorReason + 1), Now).Errors, e => e.Field == "reason");
        Assert.False(presentation.IsEnteredInError);

        Assert.True(presentation.WithdrawAsEnteredInError("user-2", " Recorded for the wrong person. ", Now).IsSuccess);
        Assert.True(presentation.IsEnteredInError);
        Assert.Equal(("user-2", "Recorded for the wrong person.", Now), (presentation.EnteredInErrorBy, presentation.EnteredInErrorReason, presentation.EnteredInErrorAt!.Value));
    }

    [Fact]
    public void A_presentation_is_withdrawn_once_and_the_first_reason_stands()
    {
        var presentation = New();
        presentation.WithdrawAsEnteredInError("user-2", "Duplicate.", Now);
        var again = presentation.WithdrawAsEnteredInError("user-3", "Another reason.", Now.AddHours(1));
        Assert.Equal(ErrorKind.Refused, Assert.Single(again.Errors).Kind);
        Assert.Equal(("user-2", "Duplicate."), (presentation.EnteredInErrorBy, presentation.EnteredInErrorReason));
    }

    [Fact]
    public void A_sent_identifier_needs_an_absolute_system_and_a_value()
    {
        var presentation = New();
        Assert.Contains(presentation.IdentifyAsSent(new SentIdentifier("not a uri", "E1"), null).Errors, e => e.Field == "Encounter.identifier");
        Assert.Contains(presentation.IdentifyAsSent(null, new SentIdentifier("https://ed.example.org/id", " ")).Errors, e => e.Field == "Condition.identifier");
        Assert.Contains(presentation.IdentifyAsSent(new SentIdentifier("https://ed.example.org/id", new string('1', Presentation.MaxIdentifierValue + 1)), null).Errors, e => e.Field == "Encounter.identifier");
        Assert.Null(presentation.EncounterIdentifierSystem);

        Assert.True(presentation.IdentifyAsSent(new SentIdentifier(" https://ed.example.org/id ", " E1 "), null).IsSuccess);
        Assert.Equal(("https://ed.example.org/id", "E1"), (presentation.EncounterIdentifierSystem, presentation.EncounterIdentifierValue));
        Assert.Null(presentation.ConditionIdentifierValue);
    }

    [Fact]
    public void A_withdrawn_presentation_stays_on_the_timeline_unnumbered_and_uncounted()
    {
        var first = New(Now.AddDays(-30));
        var second = New(Now.AddDays(-3));
        var third = New(Now.AddHours(-2));
        second.WithdrawAsEnteredInError("user-2", "Never happened.", Now);

        var timeline = Timeline.Of([first, second, third], Now);
        Assert.Equal(3, timeline.Presentations.Count);
        Assert.Equal(2, timeline.TotalPresentations);
        Assert.Equal("2 presentations in the last 12 months", timeline.Summary);
        Assert.Equal(third, timeline.Latest);
        Assert.Equal("Came back for help (2nd presentation)", timeline.Presentations[0].Heading);
        Assert.StartsWith("Entered in error", timeline.Presentations[1].Heading, StringComparison.Ordinal);

        third.WithdrawAsEnteredInError("user-2", "Duplicate.", Now);
        Assert.Equal(first, Timeline.Of([first, second, third], Now).Latest);
    }
}
