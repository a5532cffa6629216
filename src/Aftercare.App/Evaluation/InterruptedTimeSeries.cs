using System.Globalization;
using Aftercare.Statistics;

namespace Aftercare.App.Evaluation;

/// <summary>One of the monthly counts the time series is fitted to.</summary>
/// <param name="Key">The name in the series CSV and in --results (presentations, repeat_presentations, deaths_any, deaths_suicide).</param>
public sealed record SeriesOutcome(string Key, string Title, string Plural, Func<SeriesMonth, int?> Count)
{
    public static readonly SeriesOutcome Presentations = new("presentations", "Presentations", "presentations", m => m.Presentations);
    public static readonly SeriesOutcome RepeatPresentations = new("repeat_presentations", "Repeat presentations", "repeat presentations", m => m.RepeatPresentations);
    public static readonly SeriesOutcome DeathsSuicide = new("deaths_suicide", "Deaths by suicide (including undetermined intent)", "deaths by suicide", m => m.DeathsSuicide);
    public static readonly SeriesOutcome DeathsAny = new("deaths_any", "Deaths from any cause", "deaths from any cause", m => m.DeathsAny);
}

/// <summary>The segmented regression of one outcome, or why it was not fitted.</summary>
/// <param name="Counts">The monthly counts, in the series' order.</param>
public sealed record SeriesOutcomeFit(SeriesOutcome Outcome, IReadOnlyList<int> Counts, SegmentedFit? Fit, string? NotFitted);

/// <summary>
/// The interrupted time series of a service's monthly counts around the programme's start.
/// </summary>
/// <param name="ProgrammeStart">The first month of the programme (its first day); null when it is not configured.</param>
/// <param name="StartIndex">The programme's first month as an index into the series (0 is the series' first month).</param>
/// <param name="NotFitted">Why no outcome could be fitted (no start configured, too few months before or after); null when fitted.</param>
public sealed record TimeSeriesResult(ServiceSeries Series, DateOnly? ProgrammeStart, int StartIndex, int Harmonics, string? NotFitted, IReadOnlyList<SeriesOutcomeFit> Outcomes);

/// <summary>
/// Issue 15, "the question the service is really asking": did monthly presentations, repeat presentations and
/// (when mortality data are linked) deaths change when the programme started? Each count is fitted by
/// <see cref="SegmentedRegression"/> with one pair of Fourier terms for the season, a level change at the
/// programme's first month and a change of slope after it, Poisson unless the Poisson's Pearson χ²/df exceeds
/// 1.5 (then the negative binomial). There is no offset: the counts are the service's, not rates of a population.
/// </summary>
public static class InterruptedTimeSeries
{
    /// <summary>Months needed before the programme's start, and from it on, before a series is fitted.</summary>
    public const int MinimumMonthsEachSide = 6;

    /// <summary>The configuration key of the programme's first month (yyyy-MM).</summary>
    public const string ProgrammeStartSetting = "Aftercare:Evaluation:ProgrammeStart";

    /// <summary>Reads a programme start written yyyy-MM (a month, e.g. 2025-04), or says what is wrong with it.</summary>
    public static bool TryParseStart(string? text, out DateOnly start, out string error)
    {
        error = "";
        if (DateOnly.TryParseExact(text?.Trim(), "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out start))
        {
            return true;
        }

        error = $"is not a month written yyyy-MM (for example 2025-04, the programme's first month).";
        return false;
    }

    public static TimeSeriesResult Run(ServiceSeries series, DateOnly? programmeStart, int harmonics = 1)
    {
        ArgumentNullException.ThrowIfNull(series);
        var months = series.Months;
        if (programmeStart is not { } start)
        {
            return new(series, null, -1, harmonics, Invariant($"the programme's start month is not configured ({ProgrammeStartSetting}, or --programme-start yyyy-MM)."), []);
        }

        start = new DateOnly(start.Year, start.Month, 1);
        if (months.Count == 0)
        {
            return new(series, start, -1, harmonics, "there are no complete months in the record yet.", []);
        }

        var index = ((start.Year - months[0].Month.Year) * 12) + start.Month - months[0].Month.Month;
        var before = Math.Clamp(index, 0, months.Count);
        var after = months.Count - before;
        if (before < MinimumMonthsEachSide || after < MinimumMonthsEachSide)
        {
            return new(series, start, index, harmonics, Invariant(
                $"it needs at least {MinimumMonthsEachSide} complete months before the programme started and {MinimumMonthsEachSide} from its start on, to tell a change from the ups and downs of the months before; the record has {before} before and {after} from {start:MMMM yyyy} on ({months[0].Label} to {months[^1].Label})."), []);
        }

        var outcomes = new List<SeriesOutcome> { SeriesOutcome.Presentations, SeriesOutcome.RepeatPresentations };
        if (series.MortalityLinked)
        {
            outcomes.AddRange([SeriesOutcome.DeathsSuicide, SeriesOutcome.DeathsAny]);
        }

        var fits = new List<SeriesOutcomeFit>();
        foreach (var outcome in outcomes)
        {
            var counts = months.Select(m => outcome.Count(m) ?? 0).ToList();
            string? why = null;
            if (counts.Take(index).All(c => c == 0))
            {
                why = $"no {outcome.Plural} were recorded before the programme started, so there is no earlier level to compare with.";
            }
            else if (counts.Skip(index).All(c => c == 0))
            {
                why = $"no {outcome.Plural} were recorded after the programme started, so the change cannot be estimated (the model would run to zero).";
            }

            var fit = why is null
                ? SegmentedRegression.Fit([.. counts.Select(c => (double)c)], index, harmonics: harmonics, firstCalendarMonth: months[0].Month.Month)
                : null;
            if (fit is { Fit.Converged: false })
            {
                why = "the model did not converge, so its estimates are not shown.";
            }

            fits.Add(new SeriesOutcomeFit(outcome, counts, fit, why));
        }

        return new(series, start, index, harmonics, null, fits);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A clearly synthetic monthly series with a known step at the programme's start, for tests and screenshots.</summary>
public static class SyntheticSeries
{
    /// <param name="levelChange">True rate ratio of presentations at the programme's start.</param>
    /// <param name="overdispersed">Gamma-mixed (negative-binomial) counts instead of Poisson.</param>
    public static ServiceSeries Generate(DateOnly first, int months, int startIndex, int seed, double levelChange = 1.15, bool overdispersed = false, bool mortalityLinked = true)
    {
        var random = new Random(seed);
        var rows = new List<SeriesMonth>(months);
        for (var t = 0; t < months; t++)
        {
            var month = first.AddMonths(t);
            var season = 1 + (0.12 * Math.Cos(2 * Math.PI * (month.Month - 1) / 12));
            var after = t >= startIndex;
            var presentations = Draw(random, 120 * season * (1 + (0.002 * t)) * (after ? levelChange : 1), overdispersed);
            var repeatShare = after ? 0.30 : 0.24;
            var repeats = Binomial(random, presentations, repeatShare);
            int? any = null, suicide = null;
            if (mortalityLinked)
            {
                any = Draw(random, after ? 2.4 : 3.0, false);
                suicide = Binomial(random, any.Value, 0.5);
            }

            rows.Add(new SeriesMonth(month, presentations, repeats, any, suicide));
        }

        return new ServiceSeries(rows, mortalityLinked);
    }

    private static int Draw(Random random, double mean, bool overdispersed)
    {
        if (overdispersed)
        {
            // Gamma(shape 8) by the sum of exponentials: the mean varies month to month, as in a negative binomial with θ = 8.
            const int shape = 8;
            var g = 0.0;
            for (var i = 0; i < shape; i++)
            {
                g -= Math.Log(1 - random.NextDouble());
            }

            mean *= g / shape;
        }

        // Poisson by counting exponential gaps (Knuth); means here are small enough.
        var limit = Math.Exp(-mean);
        var k = 0;
        for (var p = random.NextDouble(); p > limit; p *= random.NextDouble())
        {
            k++;
        }

        return k;
    }

    private static int Binomial(Random random, int n, double p)
    {
        var k = 0;
        for (var i = 0; i < n; i++)
        {
            if (random.NextDouble() < p)
            {
                k++;
            }
        }

        return k;
    }
}
