namespace Aftercare.Domain.Consent;

/// <summary>What the person is asked to agree to (docs/domain.md rule 8). Stored by name.</summary>
public enum ConsentTopic
{
    ShareWithGp,
    InvolveFamilyOrCarers,
    ReceiveMessages,
}

/// <summary>The kinds of safeguarding duty (docs/domain.md rule 8). Stored by name.</summary>
public enum SafeguardingKind
{
    ChildProtection,
    AdultSupportAndProtection,
}

public static class ConsentLabels
{
    public static string Describe(this ConsentTopic topic) => topic switch
    {
        ConsentTopic.ShareWithGp => "Share their plans with their GP",
        ConsentTopic.InvolveFamilyOrCarers => "Involve family, carers or someone close",
        ConsentTopic.ReceiveMessages => "Receive caring messages (texts, emails)",
        _ => topic.ToString(),
    };

    public static string Describe(this SafeguardingKind kind) => kind switch
    {
        SafeguardingKind.ChildProtection => "Child protection",
        SafeguardingKind.AdultSupportAndProtection => "Adult support and protection",
        _ => kind.ToString(),
    };
}

/// <summary>
/// The person's decision on one topic, in their words where it matters: whom to involve and what
/// they may know. A decision stands until it is withdrawn, and a withdrawal takes effect at once.
/// </summary>
public sealed class ConsentDecision
{
    public const int MaxText = 1000;

    private ConsentDecision()
    {
        RecordedBy = "";
    }

    public Guid Id { get; private set; }

    public Guid PersonId { get; private set; }

    public ConsentTopic Topic { get; private set; }

    public bool Agreed { get; private set; }

    /// <summary>For family or carers: who, by name and relationship.</summary>
    public string? Whom { get; private set; }

    /// <summary>For family or carers: what they may be told, in the person's terms.</summary>
    public string? WhatTheyMayKnow { get; private set; }

    public DateTimeOffset RecordedAt { get; private set; }

    public string RecordedBy { get; private set; }

    public DateTimeOffset? WithdrawnAt { get; private set; }

    public string? WithdrawnBy { get; private set; }

    public string? WithdrawnNote { get; private set; }

    public bool InForce => Agreed && WithdrawnAt is null;

    public static Result<ConsentDecision> Record(
        Guid personId, ConsentTopic? topic, bool? agreed, string? whom, string? whatTheyMayKnow, string by, DateTimeOffset now)
    {
        var errors = new Errors();
        errors.AddIf(topic is null || !Enum.IsDefined(topic.Value), "topic", "Choose what the person was asked.");
        errors.AddIf(agreed is null, "agreed", "Record whether the person agreed.");
        var who = Clean(whom);
        var what = Clean(whatTheyMayKnow);
        var family = topic == ConsentTopic.InvolveFamilyOrCarers && agreed == true;
        errors.AddIf(family && who is null, "whom", "Name whom the person agreed to involve, and how they are related.");
        errors.AddIf(family && what is null, "whatTheyMayKnow", "Write what they may be told, in the person's terms.");
        errors.AddIf(who?.Length > 200, "whom", "Keep this to 200 characters.");
        errors.AddIf(what?.Length > MaxText, "whatTheyMayKnow", $"Keep this to {MaxText} characters.");
        if (errors.Any)
        {
            return Result<ConsentDecision>.Failure(errors.List);
        }

        return new ConsentDecision
        {
            Id = Guid.CreateVersion7(now),
            PersonId = personId,
            Topic = topic!.Value,
            Agreed = agreed!.Value,
            Whom = topic == ConsentTopic.InvolveFamilyOrCarers ? who : null,
            WhatTheyMayKnow = topic == ConsentTopic.InvolveFamilyOrCarers ? what : null,
            RecordedAt = now,
            RecordedBy = by,
        };
    }

    /// <summary>The person takes their agreement back: from now on nothing is shared on it.</summary>
    public IReadOnlyList<Error> Withdraw(string by, string? note, DateTimeOffset now)
    {
        var errors = new Errors();
        errors.RefuseIf(!Agreed, "decision", "There is no agreement to withdraw: the person did not agree.");
        errors.RefuseIf(WithdrawnAt is not null, "decision", "This was withdrawn already.");
        var text = Clean(note);
        errors.AddIf(text?.Length > MaxText, "note", $"Keep the note to {MaxText} characters.");
        if (!errors.Any)
        {
            WithdrawnAt = now;
            WithdrawnBy = by;
            WithdrawnNote = text;
        }

        return errors.List;
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

/// <summary>
/// A safeguarding concern (child protection, adult support and protection), with what the
/// organisation's policy required at the time and the report made. A report shares information
/// without consent; it is logged as a share on that basis.
/// </summary>
public sealed class SafeguardingConcern
{
    public const int MaxText = 2000;

    private SafeguardingConcern()
    {
        Concern = "";
        RaisedBy = "";
    }

    public Guid Id { get; private set; }

    public Guid PersonId { get; private set; }

    public SafeguardingKind Kind { get; private set; }

    public string Concern { get; private set; }

    public DateTimeOffset RaisedAt { get; private set; }

    public string RaisedBy { get; private set; }

    /// <summary>Whether the organisation's policy made a report mandatory when this was raised.</summary>
    public bool ReportMandatory { get; private set; }

    public string? ReportedTo { get; private set; }

    public string? ReportReference { get; private set; }

    /// <summary>When no report was made (allowed only where the policy does not require one): why.</summary>
    public string? NoReportReason { get; private set; }

    public bool Reported => ReportedTo is not null;

    public static Result<SafeguardingConcern> Raise(
        Guid personId, SafeguardingKind? kind, string? concern, bool reportMandatory, string? reportedTo, string? reference, string? noReportReason,
        string by, DateTimeOffset now)
    {
        var errors = new Errors();
        errors.AddIf(kind is null || !Enum.IsDefined(kind.Value), "kind", "Choose the kind of safeguarding concern.");
        var text = (concern ?? "").Trim();
        errors.AddIf(text.Length == 0, "concern", "Describe the concern: what was seen or said, and who is at risk.");
        errors.AddIf(text.Length > MaxText, "concern", $"Keep the description to {MaxText} characters.");
        var to = string.IsNullOrWhiteSpace(reportedTo) ? null : reportedTo.Trim();
        var why = string.IsNullOrWhiteSpace(noReportReason) ? null : noReportReason.Trim();
        errors.AddIf(reportMandatory && to is null, "reportedTo",
            "Your organisation's policy requires a report for this kind of concern: say to whom it was made (for example the local authority's safeguarding team).");
        errors.AddIf(!reportMandatory && to is null && why is null, "noReportReason", "Say to whom it was reported, or why no report was made.");
        errors.AddIf(to?.Length > 200 || reference?.Trim().Length > 100, "reportedTo", "Keep the recipient to 200 characters and the reference to 100.");
        errors.AddIf(why?.Length > MaxText, "noReportReason", $"Keep this to {MaxText} characters.");
        if (errors.Any)
        {
            return Result<SafeguardingConcern>.Failure(errors.List);
        }

        return new SafeguardingConcern
        {
            Id = Guid.CreateVersion7(now),
            PersonId = personId,
            Kind = kind!.Value,
            Concern = text,
            RaisedAt = now,
            RaisedBy = by,
            ReportMandatory = reportMandatory,
            ReportedTo = to,
            ReportReference = string.IsNullOrWhiteSpace(reference) ? null : reference.Trim(),
            NoReportReason = to is null ? why : null,
        };
    }
}
