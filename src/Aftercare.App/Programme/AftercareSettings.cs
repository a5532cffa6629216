using Aftercare.Domain.Programme;

namespace Aftercare.App.Programme;

/// <summary>The aftercare programme as this service configured it: pathways, contact time, retry rules.</summary>
public sealed record AftercareSettings(PathwaySet Pathways, TimeOnly ContactTimeOfDay, RetryRules Retry);
