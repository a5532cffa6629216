namespace Aftercare.Statistics;

/// <summary>
/// Survival times with a known truth, to check that the estimates recover it: exponential event
/// times with hazard baseline·exp(linear predictor), independent exponential censoring, and an
/// administrative end of follow-up. Times are whole days (rounded up), so ties occur as in real data.
/// </summary>
public static class SyntheticSurvival
{
    /// <summary>One person's follow-up: days observed and whether the event was seen.</summary>
    public static (double Days, bool Happened) Draw(Random random, double linearPredictor, double baselinePerDay, double censoringPerDay, int maxDays)
    {
        ArgumentNullException.ThrowIfNull(random);
        var eventAt = -Math.Log(1 - random.NextDouble()) / (baselinePerDay * Math.Exp(linearPredictor));
        var censoredAt = censoringPerDay > 0 ? -Math.Log(1 - random.NextDouble()) / censoringPerDay : double.PositiveInfinity;
        var end = Math.Min(Math.Min(censoredAt, maxDays), eventAt);
        return (Math.Max(1, Math.Ceiling(end)), eventAt <= Math.Min(censoredAt, maxDays));
    }
}
