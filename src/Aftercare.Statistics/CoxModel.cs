using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace Aftercare.Statistics;

/// <summary>One covariate's estimate: log hazard ratio, its standard error, the hazard ratio and its 95% interval.</summary>
public sealed record CoxCoefficient(string Name, double Beta, double StdErr, double HazardRatio, double Lower, double Upper, double Z, double P);

/// <summary>
/// A fitted Cox model. Hazard ratios compare groups of people; nothing here is a prediction for
/// any one person (docs/domain.md rule 1).
/// </summary>
/// <param name="NotEstimable">Covariates left out because they do not vary in these rows (e.g. a category nobody is in) or repeat what other covariates say.</param>
public sealed record CoxFit(
    int Count,
    int Events,
    IReadOnlyList<CoxCoefficient> Coefficients,
    IReadOnlyList<string> NotEstimable,
    double LogLikelihoodNull,
    double LogLikelihood,
    double LikelihoodRatio,
    double WaldChiSquare,
    double ScoreChiSquare,
    int DegreesOfFreedom,
    int Iterations,
    bool Converged)
{
    public double LikelihoodRatioP => ChiSquarePValue(LikelihoodRatio, DegreesOfFreedom);

    public double WaldP => ChiSquarePValue(WaldChiSquare, DegreesOfFreedom);

    public CoxCoefficient? this[string name] => Coefficients.FirstOrDefault(c => c.Name == name);

    internal static double ChiSquarePValue(double chi, int df) => df <= 0 ? double.NaN : Math.Max(0, 1 - ChiSquared.CDF(df, Math.Max(0, chi)));
}

/// <summary>
/// Cox proportional hazards by Newton–Raphson on the partial likelihood with Efron's handling of
/// tied event times (R's coxph default). Written here because no package served to this project
/// fits Cox models; Math.NET supplies the distributions and the p × p algebra.
///
/// Rows are sorted by time once; each iteration walks them from the longest time to the shortest,
/// adding each row to the running risk-set sums, so one iteration costs O(n·p²).
/// </summary>
public static class CoxModel
{
    public const int MaxIterations = 30;

    /// <param name="covariates">Row-major: row i's covariates are covariates[i*p .. i*p+p−1].</param>
    public static CoxFit Fit(ReadOnlySpan<double> time, ReadOnlySpan<bool> happened, ReadOnlySpan<double> covariates, IReadOnlyList<string> names, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(names);
        var n = time.Length;
        var allP = names.Count;
        if (covariates.Length != n * allP || happened.Length != n)
        {
            throw new ArgumentException("time, event and covariate arrays do not describe the same rows.", nameof(covariates));
        }

        // Centre each column (as coxph does) and keep only columns that vary.
        var means = new double[allP];
        var min = Enumerable.Repeat(double.PositiveInfinity, allP).ToArray();
        var max = Enumerable.Repeat(double.NegativeInfinity, allP).ToArray();
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < allP; j++)
            {
                var v = covariates[(i * allP) + j];
                means[j] += v;
                min[j] = Math.Min(min[j], v);
                max[j] = Math.Max(max[j], v);
            }
        }

        var varying = Enumerable.Range(0, allP).Where(j => max[j] > min[j]).ToArray();
        var kept = Independent(covariates, n, allP, varying, means);
        var notEstimable = Enumerable.Range(0, allP).Where(j => !kept.Contains(j)).Select(j => names[j]).ToList();
        var p = kept.Length;
        var order = KaplanMeier.SortedOrder(time);
        // Descending time, laid out contiguously so the hot loop reads memory in order.
        var x = new double[n * p];
        var t = new double[n];
        var d = new bool[n];
        for (var k = 0; k < n; k++)
        {
            var row = order[n - 1 - k];
            t[k] = time[row];
            d[k] = happened[row];
            for (var j = 0; j < p; j++)
            {
                x[(k * p) + j] = covariates[(row * allP) + kept[j]] - (means[kept[j]] / n);
            }
        }

        var events = d.Count(e => e);
        if (p == 0 || events == 0)
        {
            var nullOnly = p == 0 && events > 0 ? Evaluate(t, d, x, 0, []).LogLikelihood : 0;
            return new CoxFit(n, events, [], [.. names], nullOnly, nullOnly, 0, 0, 0, 0, 0, events > 0);
        }

        var beta = new double[p];
        var current = Evaluate(t, d, x, p, beta);
        var logLikNull = current.LogLikelihood;
        var score = Solve(current.Information, current.Gradient) is { } s0 ? Vector<double>.Build.Dense(current.Gradient).DotProduct(Vector<double>.Build.Dense(s0)) : double.NaN;
        var iterations = 0;
        var converged = false;
        while (iterations < MaxIterations)
        {
            iterations++;
            var step = Solve(current.Information, current.Gradient);
            if (step is null)
            {
                break;
            }

            var candidate = beta.Zip(step, (b, s) => b + s).ToArray();
            var next = Evaluate(t, d, x, p, candidate);
            // Step halving: Newton–Raphson may overshoot; the partial likelihood must not fall.
            for (var halving = 0; halving < 20 && !(next.LogLikelihood >= current.LogLikelihood - 1e-12); halving++)
            {
                candidate = beta.Zip(candidate, (b, c) => (b + c) / 2).ToArray();
                next = Evaluate(t, d, x, p, candidate);
            }

            var change = Math.Abs(next.LogLikelihood - current.LogLikelihood);
            beta = candidate;
            current = next;
            if (change <= 1e-9 * Math.Abs(current.LogLikelihood))
            {
                converged = true;
                break;
            }
        }

        var info = Matrix<double>.Build.DenseOfArray(current.Information);
        Matrix<double> covariance;
        try
        {
            covariance = info.Cholesky().Solve(Matrix<double>.Build.DenseIdentity(p));
        }
        catch (ArgumentException)
        {
            covariance = info.PseudoInverse();
        }

        var z = Normal.InvCDF(0, 1, 1 - ((1 - level) / 2));
        var coefficients = new List<CoxCoefficient>(p);
        for (var j = 0; j < p; j++)
        {
            var se = Math.Sqrt(covariance[j, j]);
            var zj = beta[j] / se;
            coefficients.Add(new CoxCoefficient(names[kept[j]], beta[j], se, Math.Exp(beta[j]), Math.Exp(beta[j] - (z * se)), Math.Exp(beta[j] + (z * se)),
                zj, 2 * (1 - Normal.CDF(0, 1, Math.Abs(zj)))));
        }

        var b = Vector<double>.Build.Dense(beta);
        var wald = b.DotProduct(info * b);
        return new CoxFit(n, events, coefficients, notEstimable, logLikNull, current.LogLikelihood,
            2 * (current.LogLikelihood - logLikNull), wald, score, p, iterations, converged);
    }

    /// <summary>
    /// The columns, in order, that are not linear combinations of earlier ones (as coxph gives NA
    /// for aliased terms): each column's residual sum of squares after the kept ones, from X'X.
    /// </summary>
    private static int[] Independent(ReadOnlySpan<double> covariates, int n, int allP, int[] varying, double[] sums)
    {
        var q = varying.Length;
        var cross = new double[q, q];
        for (var i = 0; i < n; i++)
        {
            for (var a = 0; a < q; a++)
            {
                var xa = covariates[(i * allP) + varying[a]] - (sums[varying[a]] / n);
                for (var b = a; b < q; b++)
                {
                    cross[a, b] += xa * (covariates[(i * allP) + varying[b]] - (sums[varying[b]] / n));
                }
            }
        }

        var kept = new List<int>();
        for (var a = 0; a < q; a++)
        {
            var residual = cross[a, a];
            if (kept.Count > 0)
            {
                var k = Matrix<double>.Build.Dense(kept.Count, kept.Count, (r, c) => cross[Math.Min(kept[r], kept[c]), Math.Max(kept[r], kept[c])]);
                var v = Vector<double>.Build.Dense(kept.Count, r => cross[kept[r], a]);
                residual -= v.DotProduct(k.Cholesky().Solve(v));
            }

            if (residual > 1e-8 * cross[a, a])
            {
                kept.Add(a);
            }
        }

        return [.. kept.Select(a => varying[a])];
    }

    private static double[]? Solve(double[,] information, double[] gradient)
    {
        var p = gradient.Length;
        var info = Matrix<double>.Build.DenseOfArray(information);
        try
        {
            return info.Cholesky().Solve(Vector<double>.Build.Dense(gradient)).ToArray();
        }
        catch (ArgumentException)
        {
            return p == 0 ? [] : null;
        }
    }

    private sealed record Evaluation(double LogLikelihood, double[] Gradient, double[,] Information);

    /// <summary>Log partial likelihood, its gradient and the information matrix at beta (Efron ties).</summary>
    private static Evaluation Evaluate(double[] t, bool[] d, double[] x, int p, double[] beta)
    {
        var n = t.Length;
        var gradient = new double[p];
        var information = new double[p, p];
        double logLik = 0, s0 = 0, d0 = 0;
        var s1 = new double[p];
        var d1 = new double[p];
        var s2 = new double[p * p];
        var d2 = new double[p * p];
        var a1 = new double[p];
        var i = 0;
        while (i < n)
        {
            var time = t[i];
            d0 = 0;
            Array.Clear(d1);
            Array.Clear(d2);
            var deaths = 0;
            for (; i < n && t[i] == time; i++)
            {
                var row = x.AsSpan(i * p, p);
                var eta = 0.0;
                for (var j = 0; j < p; j++)
                {
                    eta += beta[j] * row[j];
                }

                var r = Math.Exp(eta);
                s0 += r;
                for (var j = 0; j < p; j++)
                {
                    var rx = r * row[j];
                    s1[j] += rx;
                    for (var k = j; k < p; k++)
                    {
                        s2[(j * p) + k] += rx * row[k];
                    }
                }

                if (d[i])
                {
                    deaths++;
                    logLik += eta;
                    d0 += r;
                    for (var j = 0; j < p; j++)
                    {
                        gradient[j] += row[j];
                        var rx = r * row[j];
                        d1[j] += rx;
                        for (var k = j; k < p; k++)
                        {
                            d2[(j * p) + k] += rx * row[k];
                        }
                    }
                }
            }

            // Efron: the k-th of the tied events sees the risk set less k/deaths of those who had them.
            for (var m = 0; m < deaths; m++)
            {
                var f = (double)m / deaths;
                var denominator = s0 - (f * d0);
                logLik -= Math.Log(denominator);
                for (var j = 0; j < p; j++)
                {
                    a1[j] = (s1[j] - (f * d1[j])) / denominator;
                    gradient[j] -= a1[j];
                }

                for (var j = 0; j < p; j++)
                {
                    for (var k = j; k < p; k++)
                    {
                        var a2 = (s2[(j * p) + k] - (f * d2[(j * p) + k])) / denominator;
                        information[j, k] += a2 - (a1[j] * a1[k]);
                    }
                }
            }
        }

        for (var j = 0; j < p; j++)
        {
            for (var k = 0; k < j; k++)
            {
                information[j, k] = information[k, j];
            }
        }

        return new Evaluation(logLik, gradient, information);
    }
}
