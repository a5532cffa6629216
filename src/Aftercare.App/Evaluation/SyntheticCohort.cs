using System.Globalization;
using Aftercare.Statistics;

namespace Aftercare.App.Evaluation;

/// <summary>
/// A clearly synthetic evaluation cohort with known true hazard ratios, for benchmarks and tests:
/// engagement depends on age band (as it does in real programmes, so crude and adjusted results
/// differ); repetition and death follow exponential times on whole days. Repeat presentations after the
/// first continue at the same rate (a Poisson process), so the rate ratio of all repeats for the engaged is
/// the same <see cref="EngagedRepeat"/>. The first reached contact is within the landmark for the engaged and
/// later, or never, for the others.
/// </summary>
public static class SyntheticCohort
{
    /// <summary>True log hazard ratio of repetition for the engaged, adjusted (HR ≈ 0.80).</summary>
    public const double EngagedRepeat = -0.22;

    /// <summary>True log hazard ratio of death from any cause for the engaged, adjusted (HR ≈ 0.74).</summary>
    public const double EngagedDeath = -0.3;

    /// <summary>The landmark of the synthetic cohort, days after the index presentation (the default engagement window).</summary>
    public const int LandmarkDays = 7;

    public static List<CohortRow> Generate(int count, int seed, bool mortalityLinked = true)
    {
        var random = new Random(seed);
        // Later repeats and contact days come from a stream of their own, so the first-event columns are what they always were for a seed.
        var more = new Random(unchecked((seed * 7919) + 1));
        string[] bands = ["0-17", "18-24", "25-44", "45-64", "65+"];
        double[] bandWeights = [0.12, 0.22, 0.36, 0.22, 0.08];
        double[] bandRepeat = [0.2, 0.1, 0, -0.1, -0.3];
        string[] pathways = ["adult", "young-people", "older-adult", "first-contact", "none"];
        var rows = new List<CohortRow>(count);
        for (var i = 0; i < count; i++)
        {
            var band = Pick(random, bandWeights);
            var sex = random.NextDouble() < 0.58 ? "female" : random.NextDouble() < 0.97 ? "male" : "unknown";
            var psych = random.NextDouble() switch { < 0.5 => "yes", < 0.85 => "no", _ => "unknown" };
            var engaged = random.NextDouble() < 0.45 + (0.06 * band);
            var pathway = !engaged && random.NextDouble() < 0.5 ? "none"
                : band == 0 ? "young-people" : band == 4 ? "older-adult" : psych == "no" ? "first-contact" : pathways[0];
            var eta = (engaged ? EngagedRepeat : 0) + bandRepeat[band] + (psych == "yes" ? 0.3 : 0) + (sex == "male" ? -0.1 : 0);
            const double baseline = 0.16 / 365, censoring = 0.05 / 365;
            var (repeatDays, repeated) = SyntheticSurvival.Draw(random, eta, baseline, censoring, 365);
            var (deathDays, died) = SyntheticSurvival.Draw(random, (engaged ? EngagedDeath : 0) + (band == 4 ? 1.2 : 0), 0.006 / 365, 0.05 / 365, 365);
            var suicide = died && random.NextDouble() < (engaged ? 0.4 : 0.6);
            if (died && deathDays < repeatDays)
            {
                (repeatDays, repeated) = (deathDays, false);
            }

            int? daysToDeath = mortalityLinked ? (int)Math.Max(deathDays, repeatDays) : null;
            var followed = (int)repeatDays;
            var all = FollowUpDetail.NoRepeats;
            if (repeated)
            {
                // Follow-up goes on after the first repeat (censoring is memoryless) to the end, death, or the death columns' end.
                var end = Math.Min(365, repeatDays + (-Math.Log(1 - more.NextDouble()) / censoring));
                end = Math.Min(end, died ? deathDays : double.PositiveInfinity);
                followed = (int)Math.Min(Math.Ceiling(end), daysToDeath ?? int.MaxValue);
                var days = new List<int> { (int)repeatDays };
                for (var at = repeatDays + (-Math.Log(1 - more.NextDouble()) / (baseline * Math.Exp(eta))); at <= followed; at += -Math.Log(1 - more.NextDouble()) / (baseline * Math.Exp(eta)))
                {
                    if ((int)Math.Ceiling(at) is var day && day > days[^1] && day <= followed)
                    {
                        days.Add(day);
                    }
                }

                all = days;
            }

            int? contact = engaged ? more.Next(0, LandmarkDays + 1) : more.NextDouble() < 0.5 ? LandmarkDays + 1 + more.Next(0, 60) : null;
            rows.Add(new CohortRow(
                "synthetic-" + i.ToString("x8", CultureInfo.InvariantCulture), bands[band], sex, psych, engaged, pathway,
                (int)repeatDays, repeated,
                daysToDeath, mortalityLinked ? suicide : null, mortalityLinked ? died : null,
                new FollowUpDetail(followed, all, LandmarkDays, contact)));
        }

        return rows;
    }

    private static int Pick(Random random, double[] weights)
    {
        var u = random.NextDouble();
        for (var i = 0; i < weights.Length; i++)
        {
            u -= weights[i];
            if (u < 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }
}
