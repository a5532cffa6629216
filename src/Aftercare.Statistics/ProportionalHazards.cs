using MathNet.Numerics.LinearAlgebra;

namespace Aftercare.Statistics;

/// <summary>One test of proportional hazards: a term (all of a factor's columns together) or the global test.</summary>
public sealed record ProportionalHazardsTerm(string Name, double ChiSquare, int DegreesOfFreedom, double P);

/// <summary>
/// The test that a Cox model's hazard ratios stay the same over follow-up, as R's
/// <c>survival::cox.zph(fit)</c> (survival 3.5, transform "km"): per term and global.
/// </summary>
/// <param name="Variables">The model's estimated columns, in order (the columns of <see cref="Scaled"/>).</param>
/// <param name="EventTimes">Each event's time, ascending.</param>
/// <param name="TransformedTimes">Each event's time on the "km" scale, 1 − S(t−) of the whole cohort's Kaplan–Meier curve.</param>
/// <param name="Scaled">
/// Scaled Schoenfeld residuals, one row per event: d·r·I⁻¹ + β, per column, as <c>cox.zph(fit, terms = FALSE)$y</c>.
/// Their trend over time is the change of the log hazard ratio over follow-up.
/// </param>
public sealed record ProportionalHazardsTest(
    IReadOnlyList<ProportionalHazardsTerm> Terms,
    ProportionalHazardsTerm Global,
    IReadOnlyList<string> Variables,
    double[] EventTimes,
    double[] TransformedTimes,
    double[,] Scaled)
{
    public ProportionalHazardsTerm? this[string term] => Terms.FirstOrDefault(t => t.Name == term);

    /// <summary>One column's scaled residuals, in the order of <see cref="EventTimes"/>; empty when the column is not estimated.</summary>
    public double[] Residuals(string variable)
    {
        var j = Variables.ToList().IndexOf(variable);
        return j < 0 ? [] : [.. Enumerable.Range(0, EventTimes.Length).Select(i => Scaled[i, j])];
    }

    /// <summary>
    /// A running mean of the residuals of one column against transformed time: at each event, the mean
    /// of the <paramref name="window"/> events nearest it in time order (fewer at the ends). The report's
    /// smooth line; R's plot draws a spline instead, so only the tests are compared with R.
    /// </summary>
    public double[] RunningMean(string variable, int window)
    {
        var r = Residuals(variable);
        var sums = new double[r.Length + 1];
        for (var i = 0; i < r.Length; i++)
        {
            sums[i + 1] = sums[i] + r[i];
        }

        var half = Math.Max(1, window) / 2;
        return [.. Enumerable.Range(0, r.Length).Select(i =>
        {
            var from = Math.Max(0, i - half);
            var to = Math.Min(r.Length, i + half + 1);
            return (sums[to] - sums[from]) / (to - from);
        })];
    }
}

/// <summary>
/// Scaled Schoenfeld residual tests of proportional hazards, ported from R survival 3.5's
/// <c>cox.zph</c> (R/cox.zph.R) and the C routine it calls (<c>zph1.c</c>): the score test, at the
/// fitted β, of adding g(t)·x for every column x, where g is the "km" transform of time centred on
/// its mean over the events. Efron ties, no strata, unit weights, as the evaluation's models are.
/// </summary>
public static class ProportionalHazards
{
    /// <param name="covariates">Row-major, as given to <see cref="CoxModel.Fit"/>, with all the model's columns.</param>
    /// <param name="names">The columns' names, as given to <see cref="CoxModel.Fit"/>.</param>
    /// <param name="fit">The fitted model; its not-estimable columns are left out, as cox.zph drops NA coefficients.</param>
    /// <param name="termOf">The term a column belongs to (a factor's dummy columns are one term).</param>
    public static ProportionalHazardsTest Test(ReadOnlySpan<double> time, ReadOnlySpan<bool> happened, ReadOnlySpan<double> covariates, IReadOnlyList<string> names, CoxFit fit, Func<string, string> termOf)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(termOf);
        var n = time.Length;
        var all = names.Count;
        var columns = Enumerable.Range(0, all).Where(j => fit[names[j]] is not null).ToArray();
        var p = columns.Length;
        var variables = columns.Select(j => names[j]).ToArray();
        var beta = variables.Select(v => fit[v]!.Beta).ToArray();
        var events = 0;
        for (var i = 0; i < n; i++)
        {
            events += happened[i] ? 1 : 0;
        }

        // Centred covariates of the estimated columns.
        var x = new double[n * p];
        for (var j = 0; j < p; j++)
        {
            var mean = 0.0;
            for (var i = 0; i < n; i++)
            {
                mean += covariates[(i * all) + columns[j]];
            }

            mean /= Math.Max(1, n);
            for (var i = 0; i < n; i++)
            {
                x[(i * p) + j] = covariates[(i * all) + columns[j]] - mean;
            }
        }

        // The "km" transform: 1 − S(t−) from the whole cohort's curve, centred on its mean over the events.
        var order = KaplanMeier.SortedOrder(time);
        var curve = KaplanMeier.FromSorted(time, happened, order);
        var transformed = new double[n];
        var step = 0;
        var survivalBefore = 1.0;
        foreach (var i in order)
        {
            // Rows ascend in time: move past every step strictly before this row's time.
            while (step < curve.Steps.Count && curve.Steps[step].Time < time[i])
            {
                survivalBefore = curve.Steps[step].Survival;
                step++;
            }

            transformed[i] = 1 - survivalBefore;
        }

        var eventMean = 0.0;
        for (var i = 0; i < n; i++)
        {
            eventMean += happened[i] ? transformed[i] : 0;
        }

        eventMean /= Math.Max(1, events);

        // zph1.c: backwards in time, the score u (2p) and information (2p × 2p) of the augmented model.
        var u = new double[2 * p];
        var imat = new double[2 * p, 2 * p];
        var schoen = new double[events, p];
        var a = new double[p];
        var a2 = new double[p];
        var cmat = new double[p, p];
        var cmat2 = new double[p, p];
        double denom = 0;
        var remaining = events;
        var ip = n - 1;
        while (ip >= 0)
        {
            var first = order[ip];
            var dtime = time[first];
            var timewt = transformed[first] - eventMean;
            var ndead = 0;
            double denom2 = 0;
            for (; ip >= 0; ip--)
            {
                var person = order[ip];
                if (time[person] != dtime)
                {
                    break;
                }

                var row = x.AsSpan(person * p, p);
                var eta = 0.0;
                for (var j = 0; j < p; j++)
                {
                    eta += beta[j] * row[j];
                }

                var risk = Math.Exp(eta);
                if (!happened[person])
                {
                    denom += risk;
                    for (var i = 0; i < p; i++)
                    {
                        a[i] += risk * row[i];
                        for (var j = 0; j <= i; j++)
                        {
                            cmat[i, j] += risk * row[i] * row[j];
                        }
                    }
                }
                else
                {
                    ndead++;
                    denom2 += risk;
                    remaining--;
                    for (var i = 0; i < p; i++)
                    {
                        schoen[remaining, i] = row[i];
                        u[i] += row[i];
                        u[i + p] += timewt * row[i];
                        a2[i] += risk * row[i];
                        for (var j = 0; j <= i; j++)
                        {
                            cmat2[i, j] += risk * row[i] * row[j];
                        }
                    }
                }
            }

            if (ndead == 0)
            {
                continue;
            }

            // Efron: the mean of the means for the Schoenfeld residuals, then U and the information.
            for (var i = 0; i < p; i++)
            {
                var tmean = 0.0;
                for (var k = 0; k < ndead; k++)
                {
                    var f = (k + 1.0) / ndead;
                    tmean += (a[i] + (a2[i] * f)) / (denom + (denom2 * f));
                }

                for (var k = 0; k < ndead; k++)
                {
                    schoen[remaining + k, i] -= tmean / ndead;
                }
            }

            for (var k = 0; k < ndead; k++)
            {
                denom += denom2 / ndead;
                for (var i = 0; i < p; i++)
                {
                    a[i] += a2[i] / ndead;
                    var mean = a[i] / denom;
                    u[i] -= mean;
                    u[i + p] -= timewt * mean;
                    for (var j = 0; j <= i; j++)
                    {
                        cmat[i, j] += cmat2[i, j] / ndead;
                        var temp = (cmat[i, j] - (mean * a[j])) / denom;
                        imat[j, i] += temp;
                        imat[j, i + p] += timewt * temp;
                        imat[j + p, i + p] += timewt * timewt * temp;
                    }
                }
            }

            Array.Clear(a2);
            Array.Clear(cmat2);
        }

        for (var i = 0; i < p; i++)
        {
            for (var j = 0; j < i; j++)
            {
                imat[i, j] = imat[j, i];
                imat[i, j + p] = imat[j, i + p];
                imat[i + p, j + p] = imat[j + p, i + p];
            }
        }

        for (var i = 0; i < p; i++)
        {
            for (var j = 0; j < p; j++)
            {
                imat[i + p, j] = imat[j, i + p];
            }
        }

        // cox.zph: per term, the score test on the p β columns and that term's time columns; the
        // first p scores are set to 0 (the fit's own score, zero at the maximum).
        var termNames = variables.Select(termOf).Distinct().ToList();
        var tests = new List<ProportionalHazardsTerm>();
        foreach (var term in termNames)
        {
            var jj = Enumerable.Range(0, p).Where(j => termOf(variables[j]) == term).ToArray();
            tests.Add(Score(term, imat, u, p, [.. Enumerable.Range(0, p), .. jj.Select(j => j + p)], jj.Length));
        }

        var global = Score("GLOBAL", imat, u, p, [.. Enumerable.Range(0, 2 * p)], p);

        // Scaled residuals (terms = FALSE): each event's residual row times (I/d)⁻¹, plus β.
        var scaled = new double[events, p];
        var eventTimes = new double[events];
        var eventTransformed = new double[events];
        var e = 0;
        foreach (var row in order)
        {
            if (happened[row])
            {
                eventTimes[e] = time[row];
                eventTransformed[e] = transformed[row];
                e++;
            }
        }

        if (p > 0 && events > 0)
        {
            var info = Matrix<double>.Build.Dense(p, p, (i, j) => imat[i, j] / events);
            var inverse = info.Inverse();
            for (var r = 0; r < events; r++)
            {
                for (var j = 0; j < p; j++)
                {
                    var v = 0.0;
                    for (var k = 0; k < p; k++)
                    {
                        v += schoen[r, k] * inverse[k, j];
                    }

                    scaled[r, j] = v + beta[j];
                }
            }
        }

        return new ProportionalHazardsTest(tests, global, variables, eventTimes, eventTransformed, scaled);
    }

    private static ProportionalHazardsTerm Score(string name, double[,] imat, double[] u, int p, int[] kk, int df)
    {
        var m = Matrix<double>.Build.Dense(kk.Length, kk.Length, (i, j) => imat[kk[i], kk[j]]);
        var v = Vector<double>.Build.Dense(kk.Length, i => kk[i] < p ? 0 : u[kk[i]]);
        var chi = m.Solve(v).DotProduct(v);
        return new ProportionalHazardsTerm(name, chi, df, CoxFit.ChiSquarePValue(chi, df));
    }
}
