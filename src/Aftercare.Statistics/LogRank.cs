using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace Aftercare.Statistics;

/// <summary>A test that k survival curves are the same: observed and expected events per group, chi-square, df, p.</summary>
public sealed record LogRankTest(IReadOnlyList<int> Count, IReadOnlyList<double> Observed, IReadOnlyList<double> Expected, double ChiSquare, int DegreesOfFreedom, double P);

/// <summary>
/// The log-rank (Mantel–Haenszel) test for k groups, as R's survdiff with rho = 0: hypergeometric
/// variance at each event time, chi-square on k − 1 degrees of freedom.
/// </summary>
public static class LogRank
{
    /// <param name="group">Each row's group, 0 … groups − 1.</param>
    public static LogRankTest Test(ReadOnlySpan<double> time, ReadOnlySpan<bool> happened, ReadOnlySpan<int> group, int groups)
    {
        var order = KaplanMeier.SortedOrder(time);
        var atRisk = new double[groups];
        var counts = new int[groups];
        foreach (var g in group)
        {
            atRisk[g]++;
            counts[g]++;
        }

        var observed = new double[groups];
        var expected = new double[groups];
        var variance = new double[groups, groups];
        var deaths = new double[groups];
        var leaving = new double[groups];
        double total = order.Length;
        var i = 0;
        while (i < order.Length)
        {
            var t = time[order[i]];
            Array.Clear(deaths);
            Array.Clear(leaving);
            double d = 0;
            while (i < order.Length && time[order[i]] == t)
            {
                var row = order[i];
                leaving[group[row]]++;
                if (happened[row])
                {
                    deaths[group[row]]++;
                    d++;
                }

                i++;
            }

            if (d > 0)
            {
                var spread = total > 1 ? d * (total - d) / (total - 1) : 0;
                for (var g = 0; g < groups; g++)
                {
                    observed[g] += deaths[g];
                    expected[g] += d * atRisk[g] / total;
                    for (var h = 0; h < groups; h++)
                    {
                        var share = atRisk[g] / total;
                        variance[g, h] += spread * share * ((g == h ? 1 : 0) - (atRisk[h] / total));
                    }
                }
            }

            for (var g = 0; g < groups; g++)
            {
                atRisk[g] -= leaving[g];
            }

            total -= leaving.Sum();
        }

        // As survdiff: only groups with expected events carry information (a group whose members all
        // left before the first event has none); the test uses those less one.
        var present = Enumerable.Range(0, groups).Where(g => expected[g] > 0).ToArray();
        var df = present.Length - 1;
        var chi = 0.0;
        if (df > 0)
        {
            var used = present[..^1];
            var v = Matrix<double>.Build.Dense(df, df, (r, c) => variance[used[r], used[c]]);
            var diff = Vector<double>.Build.Dense(df, r => observed[used[r]] - expected[used[r]]);
            chi = diff.DotProduct(v.PseudoInverse() * diff);
        }

        var p = df > 0 ? ChiSquared.CDF(df, chi) is var below && below < 1 ? 1 - below : 0 : double.NaN;
        return new LogRankTest(counts, observed, expected, chi, df, p);
    }
}
