using Aftercare.Domain.Interventions;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;

namespace Aftercare.App.Programme;

/// <summary>The aftercare programme as this service configured it: pathways, contact time, retry rules.</summary>
public sealed record AftercareSettings(PathwaySet Pathways, TimeOnly ContactTimeOfDay, RetryRules Retry, HandoffDeadlines Handoffs, SessionRange Sessions);
