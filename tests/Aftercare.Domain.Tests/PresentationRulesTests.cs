using Aftercare.Domain.Presentations;

namespace Aftercare.Domain.Tests;

public sealed class PresentationRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly Guid Site = Guid.NewGuid();
    private static readonly DateOnly Born = new(1994, 3, 27);

    private static PresentationDetails Details(DateTimeOffset? arrived = null, DateTimeOffset? assessed = null, Disposition disposition = Disposition.Discharged, IReadOnlyList<SelfHarmMethod>? methods = null) =>
        new(arrived ?? Now.AddHours(-5), Site, methods ?? [SelfHarmMethod.MedicationOrDrugs], YesNoUnknown.No, YesNoUnknown.Yes, null, disposition, assessed);

    private static Result<Presentation> Register(PresentationDetails details) =>
        Presentation.Register(Guid.NewGuid(), Born, details, [Site], "user-1", Now);

    [Fact]
    public void A_presentation_records_the_time_to_psychosocial_assessment()
    {
        var presentation = Register(Details(assessed: Now.AddHours(-2)));
        Assert.Equal(TimeSpan.FromHours(3), presentation.Value.TimeToAssessment);
    }

    [Fact]
    public void An_arrival_in_the_future_is_refused()
    {
        Assert.Contains(Register(Details(arrived: Now.AddMinutes(1))).Errors, e => e.Field == "arrivedAt" && e.Message.Contains("future", StringComparison.Ordinal));
    }

    [Fact]
    public void An_assessment_before_arrival_or_after_leaving_before_assessment_is_refused()
    {
        Assert.Contains(Register(Details(assessed: Now.AddHours(-6))).Errors, e => e.Field == "psychosocialAssessmentAt");
        Assert.Contains(Register(Details(assessed: Now.AddHours(-1), disposition: Disposition.LeftBeforeAssessment)).Errors, e => e.Field == "psychosocialAssessmentAt");
    }

    [Fact]
    public void At_least_one_method_is_needed()
    {
        Assert.Contains(Register(Details(methods: [])).Errors, e => e.Field == "methods");
    }

    [Fact]
    public void Means_not_known_counts_as_a_method()
    {
        Assert.True(Register(Details(methods: [SelfHarmMethod.Unspecified])).IsSuccess);
    }

    [Fact]
    public void Every_method_group_has_a_plain_label()
    {
        Assert.All(SelfHarmMethods.All, method => Assert.False(string.IsNullOrWhiteSpace(method.Label()), $"{method} has no label"));
    }

    [Fact]
    public void Every_method_group_has_an_ICD10_range_in_X60_to_X84()
    {
        Assert.All(SelfHarmMethods.All, method => Assert.Matches("^X[678][0-9](–X[678][0-9])?$", method.Icd10()));
    }

    [Fact]
    public void Times_are_kept_in_UTC_whatever_offset_they_were_entered_with()
    {
        var local = new DateTimeOffset(2026, 7, 1, 9, 0, 0, TimeSpan.FromHours(1));
        var presentation = Presentation.Register(Guid.NewGuid(), Born, Details(arrived: local), [Site], "user-1", Now);
        Assert.Equal(TimeSpan.Zero, presentation.Value.ArrivedAt.Offset);
        Assert.Equal(local, presentation.Value.ArrivedAt);
    }
}
