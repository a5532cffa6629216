using Aftercare.Domain.Audit;

namespace Aftercare.App.Audit;

/// <summary>
/// The audit in words a privacy lead or administrator reads: actions as labels, not code names
/// ("BreakGlassReviewed"), and the chain's verdict as a sentence ("intact:542" was on screen).
/// </summary>
public static class AuditWords
{
    /// <summary>An action as a label: the ones that need saying plainly, the rest from their code name.</summary>
    public static string Label(AuditAction action) => action switch
    {
        AuditAction.SignInFailed => "Sign-in failed",
        AuditAction.PersonViewed => "Record opened",
        AuditAction.PeopleSearched => "Searched for a person",
        AuditAction.AuditSearched => "Searched the audit",
        AuditAction.SharedWithGp => "Shared with the GP",
        AuditAction.ShareRefused => "Share refused (no consent)",
        AuditAction.AftercareReEngaged => "Aftercare restarted",
        AuditAction.FhirRefused => "FHIR request refused",
        AuditAction.AppAuthorised => "App authorised (SMART on FHIR)",
        AuditAction.RecordRefused => "Record refused (outside the care team)",
        AuditAction.BreakGlassOpened => "Emergency access opened (broke the glass)",
        AuditAction.BreakGlassAccess => "Page opened under emergency access",
        AuditAction.BreakGlassReviewed => "Emergency access reviewed",
        AuditAction.CareTeamChanged => "Care team changed",
        AuditAction.SafeguardingConcernRaised => "Safeguarding concern raised",
        AuditAction.MeasuresViewed => "Service measures viewed",
        AuditAction.MeasuresExported => "Service measures exported",
        AuditAction.AuthenticatorReset => "Authenticator app reset",
        AuditAction.FeedbackGivenAnonymously => "Feedback given anonymously",
        _ => Words.FromCodeName(action.ToString()),
    };

    /// <summary>What a break in the chain is, in words.</summary>
    public static string Describe(VerifyAudit.BreakKind kind) => kind switch
    {
        VerifyAudit.BreakKind.Modified => "an event was changed or replaced",
        VerifyAudit.BreakKind.Deleted => "an event was deleted",
        VerifyAudit.BreakKind.Inserted => "an event was added from outside Aftercare",
        VerifyAudit.BreakKind.Reordered => "events were put in a different order",
        VerifyAudit.BreakKind.NoCheckpoint => "there is no checkpoint of the chain's head to check against",
        _ => Words.FromCodeName(kind.ToString()).ToLowerInvariant(),
    };

    /// <summary>
    /// The verdict, as one sentence: "The audit trail is intact: 542 events checked." or "The audit
    /// trail is broken at position 12: an event was changed or replaced." (the explanation follows).
    /// </summary>
    public static string Verdict(VerifyAudit.Report report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Broken is not { } broken)
        {
            return $"The audit trail is intact: {Words.Count((int)Math.Min(report.Checked, int.MaxValue), "event")} checked.";
        }

        var where = broken.Position is { } position ? $" at position {position}" : "";
        return $"The audit trail is broken{where}: {Describe(broken.Kind)}.";
    }
}
