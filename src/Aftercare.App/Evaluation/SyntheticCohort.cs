using System.Globalization;
using Aftercare.Statistics;

namespace Aftercare.App.Evaluation;

/// <summary>
/// A clearly synthetic evaluation cohort with known true hazard ratios, for benchmarks and tests:
/// engagement depends on age band (as it does in real programmes, so crude and adjusted results
/// differ); repetition and death follow exponential times on whole days.
/// </summary>
public static class SyntheticCohort
{
    /// <summary>True log hazard ratio of repetition for the engaged, adjusted (HR ≈ 0.80).</summary>
    public const double EngagedRepeat = -0.22;

    /// <summary>True log hazard ratio of death from any cause for the engaged, adjusted (HR ≈ 0.74).</summary>
    public const double EngagedDeath = -0.3;

    public static List<CohortRow> Generate(int count, int seed, bool mortalityLinked = true)
    {
        var random = new Random(seed);
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
            var (repeatDays, repeated) = SyntheticSurvival.Draw(random, eta, 0.16 / 365, 0.05 / 365, 365);
            var (deathDays, died) = SyntheticSurvival.Draw(random, (engaged ? EngagedDeath : 0) + (band == 4 ? 1.2 : 0), 0.006 / 365, 0.05 / 365, 365);
            var suicide = died && random.NextDouble() < (engaged ? 0.4 : 0.6);
            if (died && deathDays < repeatDays)
            {
                (repeatDays, repeated) = (deathDays, false);
            }

            rows.Add(new CohortRow(
                "synthetic-" + i.ToString("x8", CultureInfo.InvariantCulture), bands[band], sex, psych, engaged, pathway,
                (int)repeatDays, repeated,
                mortalityLinked ? (int)Math.Max(deathDays, repeatDays) : null, mortalityLinked ? suicide : null, mortalityLinked ? died : null));
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
