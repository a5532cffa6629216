using Aftercare.Domain.Consent;

namespace Aftercare.App.Consent;

/// <summary>The organisation's safeguarding policy (configuration): whether a report is mandatory for each kind of concern.</summary>
public sealed record SafeguardingPolicy(bool ChildProtectionReportMandatory = true, bool AdultReportMandatory = false)
{
    public bool ReportMandatory(SafeguardingKind kind) =>
        kind == SafeguardingKind.ChildProtection ? ChildProtectionReportMandatory : AdultReportMandatory;
}
