using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace Aftercare.Statistics;

/// <summary>
/// The cumulative incidence of one kind of event when another kind (a competing event) can happen
/// first and prevents it: the Aalen–Johansen estimate, as <c>cmprsk::cuminc</c> gives it.
/// </summary>
/// <param name="Times">The distinct times at which the event of interest happened, ascending.</param>
/// <param name="Estimate">The cumulative incidence just after each of <paramref name="Times"/>.</param>
/// <param name="Variance">Its variance there (Gray's, as <c>cuminc</c>'s Fortran <c>cinc</c> computes it).</param>
/// <param name="LastTime">The longest follow-up: the estimate is not given beyond it (as <c>timepoints</c> gives NA).</param>
public sealed record CumulativeIncidence(int Count, int Events, int CompetingEvents, double LastTime, double[] Times, double[] Estimate, double[] Variance)
{
    /// <summary>
    /// The estimate at <paramref name="time"/> with its variance and a 95% interval on the
    /// log(−log) scale; null beyond the longest follow-up.
    /// </summary>
    public IncidenceAt? At(double time, double level = 0.95)
    {
        if (time > LastTime)
        {
            return null;
        }

        var k = Array.BinarySearch(Times, time);
        k = k >= 0 ? k : ~k - 1;
        var (f, v) = k < 0 ? (0.0, 0.0) : (Estimate[k], Variance[k]);
        var z = Normal.InvCDF(0, 1, 1 - ((1 - level) / 2));
        if (f <= 0 || f >= 1 || v <= 0)
        {
            return new IncidenceAt(f, v, f, f);
        }

        // g = log(−log F) has variance v / (F log F)²; F falls as g rises.
        var g = Math.Log(-Math.Log(f));
        var se = Math.Sqrt(v) / Math.Abs(f * Math.Log(f));
        return new IncidenceAt(f, v, Math.Exp(-Math.Exp(g + (z * se))), Math.Exp(-Math.Exp(g - (z * se))));
    }
}

public sealed record IncidenceAt(double Estimate, double Variance, double Lower, double Upper);

/// <summary>
/// A Fine–Gray model: hazard ratios of the subdistribution of one kind of event (people who had a
/// competing event stay in its risk set, weighted by the chance of still being uncensored). They
/// compare cumulative incidence between groups; they are not ratios of the rate at which the event
/// happens among those still at risk of it (that is the cause-specific Cox model).
/// </summary>
/// <param name="Coefficients">Subdistribution log hazard ratios (<see cref="CoxCoefficient.HazardRatio"/> is the subdistribution HR) with the sandwich SE <c>crr</c> reports.</param>
public sealed record FineGrayFit(
    int Count,
    int Events,
    int CompetingEvents,
    IReadOnlyList<CoxCoefficient> Coefficients,
    IReadOnlyList<NotEstimableTerm> NotEstimable,
    double LogLikelihoodNull,
    double LogLikelihood,
    int Iterations,
    bool Converged)
{
    public CoxCoefficient? this[string name] => Coefficients.FirstOrDefault(c => c.Name == name);

    /// <summary>The same rule as <see cref="CoxFit.WhyNotEstimable"/>: a reason, or null when the estimate can be read.</summary>
    public string? WhyNotEstimable(string name) =>
        NotEstimable.FirstOrDefault(t => t.Name == name)?.Reason
        ?? (this[name] is not { } c ? NotEstimableTerm.NotInModel
            : c.MayBeInfinite ? NotEstimableTerm.Infinite
            : !Converged ? NotEstimableTerm.DidNotConverge
            : !double.IsFinite(c.StdErr) || !double.IsFinite(c.Beta) ? NotEstimableTerm.Infinite
            : !double.IsFinite(c.Upper) || c.Lower == 0 ? NotEstimableTerm.Unbounded
            : null);
}

/// <summary>
/// Competing risks: Aalen–Johansen cumulative incidence (matching <c>cmprsk::cuminc</c>, estimate and
/// variance, including its tie correction) and Fine–Gray subdistribution hazard regression (matching
/// <c>cmprsk::crr</c>: Newton–Raphson on the pseudo log likelihood with the censoring Kaplan–Meier
/// weights G(t−), R's backtracking line search and convergence rule, gtol 1e-6, at most 10 iterations,
/// and the sandwich variance its Fortran <c>crrvv</c> computes). Written here because no .NET package
/// served to this project estimates competing risks; it is our own code, following Gray's published
/// algorithm (cmprsk 2.2, GPL, read for the method) and checked against it in
/// <c>CompetingRisksAgainstRTests</c> and the evaluation's R check.
///
/// <c>crr</c>'s Fortran sums over every risk set for every event time (O(n²) and, for the variance,
/// more); here the same sums are running sums over the rows sorted by time (O(n·p²) per iteration),
/// so the numbers agree with R's to rounding while a million rows take seconds.
///
/// Status codes throughout: 0 censored, 1 the event of interest, 2 a competing event.
/// </summary>
public static class CompetingRisks
{
    /// <summary><c>crr</c>'s defaults: maxiter 10, gtol 1e-6; at most 20 halvings of a step.</summary>
    public const int MaxIterations = 10;
    private const double GradientTolerance = 1e-6;

    /// <summary>The cumulative incidence of status 1 in these rows (cmprsk's <c>cinc</c>, step for step).</summary>
    public static CumulativeIncidence CumulativeIncidence(ReadOnlySpan<double> time, ReadOnlySpan<int> status)
    {
        var n = time.Length;
        CheckStatus(status, n);
        var order = KaplanMeier.SortedOrder(time);
        var times = new List<double>();
        var estimates = new List<double>();
        var variances = new List<double>();
        double fk = 1, f = 0, v1 = 0, v2 = 0, v3 = 0;
        var events = 0;
        var competing = 0;
        var l = 0;
        while (l < n)
        {
            var ty = time[order[l]];
            int nd1 = 0, nd2 = 0, first = l;
            for (; l < n && time[order[l]] == ty; l++)
            {
                nd1 += status[order[l]] == 1 ? 1 : 0;
                nd2 += status[order[l]] == 2 ? 1 : 0;
            }

            double rs = n - first;
            var nd = nd1 + nd2;
            events += nd1;
            competing += nd2;
            if (nd == 0)
            {
                continue;
            }

            var fkn = fk * (rs - nd) / rs;
            if (nd1 > 0)
            {
                f += fk * nd1 / rs;
            }

            if (nd2 > 0 && fkn > 0)
            {
                var t5 = nd2 > 1 ? 1 - ((nd2 - 1.0) / (rs - 1.0)) : 1;
                var t6 = fk * fk * t5 * nd2 / (rs * rs);
                var t3 = 1 / fkn;
                var t4 = f / fkn;
                v1 += t4 * t4 * t6;
                v2 += t3 * t4 * t6;
                v3 += t3 * t3 * t6;
            }

            if (nd1 > 0)
            {
                var t5 = nd1 > 1 ? 1 - ((nd1 - 1.0) / (rs - 1.0)) : 1;
                var t6 = fk * fk * t5 * nd1 / (rs * rs);
                var t3 = fkn > 0 ? 1 / fkn : 0;
                var t4 = 1 + (t3 * f);
                v1 += t4 * t4 * t6;
                v2 += t3 * t4 * t6;
                v3 += t3 * t3 * t6;
                // The variance is recorded at times of the event of interest only, as cinc does.
                times.Add(ty);
                estimates.Add(f);
                variances.Add(v1 + (f * f * v3) - (2 * f * v2));
            }

            fk = fkn;
        }

        return new CumulativeIncidence(n, events, competing, n == 0 ? double.NegativeInfinity : time[order[n - 1]], [.. times], [.. estimates], [.. variances]);
    }

    /// <summary>
    /// Fits the Fine–Gray model for status 1. Terms that do not vary are set aside
    /// (<see cref="NotEstimableTerm.DoesNotVary"/>); a caller that knows more (the cause-specific Cox
    /// model's singular terms) removes those before calling. A term whose estimate runs to zero or infinity
    /// (the next Newton–Raphson step would still move it by more than <see cref="InfiniteStep"/>) is set aside
    /// as <see cref="NotEstimableTerm.Infinite"/> and the others refitted without it.
    /// </summary>
    /// <param name="covariates">Row-major, as <see cref="CoxModel.Fit"/> takes them.</param>
    public static FineGrayFit FineGray(ReadOnlySpan<double> time, ReadOnlySpan<int> status, ReadOnlySpan<double> covariates, IReadOnlyList<string> names, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(names);
        var n = time.Length;
        CheckStatus(status, n);
        if (covariates.Length != n * names.Count)
        {
            throw new ArgumentException("time, status and covariate arrays do not describe the same rows.", nameof(covariates));
        }

        var events = 0;
        var competing = 0;
        foreach (var s in status)
        {
            events += s == 1 ? 1 : 0;
            competing += s == 2 ? 1 : 0;
        }

        // Set aside terms that do not vary (crr would fail on a singular information matrix).
        var keep = new List<int>();
        var notEstimable = new List<NotEstimableTerm>();
        for (var j = 0; j < names.Count; j++)
        {
            var varies = false;
            for (var i = 1; i < n && !varies; i++)
            {
                varies = covariates[(i * names.Count) + j] != covariates[j];
            }

            if (events == 0)
            {
                notEstimable.Add(new NotEstimableTerm(names[j], NotEstimableTerm.NoEvents));
            }
            else if (!varies)
            {
                notEstimable.Add(new NotEstimableTerm(names[j], NotEstimableTerm.DoesNotVary));
            }
            else
            {
                keep.Add(j);
            }
        }

        // A term whose estimate runs to zero or infinity (a group with none, or all, of the events) is set aside and the
        // rest refitted without it: crr has no such rule (it stops after 10 iterations, converged FALSE, with every term at
        // where it stopped), so the R check applies the same one.
        while (true)
        {
            var fit = FineGrayOnce(time, status, covariates, names, keep, notEstimable, events, competing, level);
            var infinite = fit.Coefficients.Where(c => c.MayBeInfinite).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            if (infinite.Count == 0 || infinite.Count == fit.Coefficients.Count)
            {
                return fit;
            }

            notEstimable.AddRange(infinite.Select(name => new NotEstimableTerm(name, NotEstimableTerm.Infinite)));
            keep.RemoveAll(j => infinite.Contains(names[j]));
        }
    }

    /// <summary>The next Newton–Raphson step would move an estimate by more than this (on the log scale): it is still running off.</summary>
    public const double InfiniteStep = 0.1;

    private static FineGrayFit FineGrayOnce(ReadOnlySpan<double> time, ReadOnlySpan<int> status, ReadOnlySpan<double> covariates, IReadOnlyList<string> names, List<int> keep,
        List<NotEstimableTerm> notEstimable, int events, int competing, double level)
    {
        var n = time.Length;
        var p = keep.Count;
        if (events == 0 || p == 0)
        {
            return new FineGrayFit(n, events, competing, [], [.. notEstimable], 0, 0, 0, Converged: true);
        }

        var data = new Rows(time, status, covariates, names.Count, keep);
        var beta = new double[p];
        var nullValue = data.Evaluate(beta, derivatives: false).MinusLogLik;
        var converged = false;
        var iterations = 0;
        var current = data.Evaluate(beta, derivatives: true);
        for (var ll = 0; ; ll++)
        {
            // crr: converged when max |score|·max(|b|, 1) < max(|−loglik|, 1)·gtol.
            var gradient = 0.0;
            for (var j = 0; j < p; j++)
            {
                gradient = Math.Max(gradient, Math.Abs(current.Score[j]) * Math.Max(Math.Abs(beta[j]), 1));
            }

            if (gradient < Math.Max(Math.Abs(current.MinusLogLik), 1) * GradientTolerance)
            {
                converged = true;
                break;
            }

            if (ll == MaxIterations || !double.IsFinite(gradient))
            {
                break;
            }

            double[] step;
            try
            {
                step = Matrix<double>.Build.DenseOfArray(current.Hessian).Solve(Vector<double>.Build.DenseOfArray(current.Score)).Negate().ToArray();
            }
            catch (ArgumentException)
            {
                break;
            }

            if (!step.All(double.IsFinite))
            {
                break;
            }

            // Backtracking, as crr: halve the step until the objective falls enough, at most 20 times.
            var slope = 0.0;
            for (var j = 0; j < p; j++)
            {
                slope += step[j] * current.Score[j];
            }

            var next = beta.Zip(step, (b, s) => b + s).ToArray();
            var value = data.Evaluate(next, derivatives: false).MinusLogLik;
            var halvings = 0;
            while (double.IsNaN(value) || value > current.MinusLogLik + (1e-4 * slope))
            {
                halvings++;
                for (var j = 0; j < p; j++)
                {
                    step[j] *= 0.5;
                    next[j] = beta[j] + step[j];
                }

                slope *= 0.5;
                value = data.Evaluate(next, derivatives: false).MinusLogLik;
                if (halvings > 20)
                {
                    break;
                }
            }

            if (halvings > 20)
            {
                break;
            }

            beta = next;
            iterations++;
            current = data.Evaluate(beta, derivatives: true);
        }

        // The sandwich: H⁻¹ (Σ ηψ ηψ′) H⁻¹ with H the information at β (crrvv).
        var variance = new double[p, p];
        // |H⁻¹u|: how far the next Newton–Raphson step would move each estimate (R: abs(solve(f$inf, f$score))).
        var drift = new double[p];
        try
        {
            var h = Matrix<double>.Build.DenseOfArray(current.Hessian).Inverse();
            var v = h * Matrix<double>.Build.DenseOfArray(data.ScoreResidualCrossProduct(beta, current)) * h.Transpose();
            variance = v.ToArray();
            drift = [.. (h * Vector<double>.Build.DenseOfArray(current.Score)).Select(Math.Abs)];
        }
        catch (ArgumentException)
        {
            for (var j = 0; j < p; j++)
            {
                variance[j, j] = double.NaN;
                drift[j] = double.NaN;
            }
        }

        var z = Normal.InvCDF(0, 1, 1 - ((1 - level) / 2));
        var coefficients = new List<CoxCoefficient>();
        for (var k = 0; k < p; k++)
        {
            var b = beta[k];
            var se = Math.Sqrt(variance[k, k]);
            var zk = b / se;
            coefficients.Add(new CoxCoefficient(names[keep[k]], b, se, Math.Exp(b), Math.Exp(b - (z * se)), Math.Exp(b + (z * se)), zk, 2 * (1 - Normal.CDF(0, 1, Math.Abs(zk))),
                MayBeInfinite: drift[k] > InfiniteStep));
        }

        return new FineGrayFit(n, events, competing, coefficients, [.. notEstimable], -nullValue, -current.MinusLogLik, iterations, converged);
    }

    private static void CheckStatus(ReadOnlySpan<int> status, int n)
    {
        if (status.Length != n)
        {
            throw new ArgumentException("time and status arrays do not describe the same rows.", nameof(status));
        }

        foreach (var s in status)
        {
            if (s is < 0 or > 2)
            {
                throw new ArgumentException("status is 0 (censored), 1 (the event) or 2 (a competing event).", nameof(status));
            }
        }
    }

    private sealed record Evaluation(double MinusLogLik, double[] Score, double[,] Hessian, double[] S0, double[][] S1);

    /// <summary>The rows sorted by time with their censoring weights and the distinct event times: what every iteration sums over.</summary>
    private sealed class Rows
    {
        private readonly int n;
        private readonly int p;
        private readonly double[] t;
        private readonly int[] status;
        private readonly double[] x;
        private readonly double[] weight; // G(t−), the censoring KM just before the row's time (crr's uuu)
        private readonly int[] eventStart; // per distinct event time: the first row at or after it
        private readonly int[] eventEnd; // one past the last row at it
        private readonly int[] eventCount; // events of interest at it
        private readonly int[] atRisk; // per row: rows with time ≥ this row's

        public Rows(ReadOnlySpan<double> time, ReadOnlySpan<int> codes, ReadOnlySpan<double> covariates, int width, List<int> keep)
        {
            n = time.Length;
            p = keep.Count;
            var order = KaplanMeier.SortedOrder(time);
            t = new double[n];
            status = new int[n];
            x = new double[n * p];
            for (var k = 0; k < n; k++)
            {
                var row = order[k];
                t[k] = time[row];
                status[k] = codes[row];
                for (var j = 0; j < p; j++)
                {
                    x[(k * p) + j] = covariates[(row * width) + keep[j]];
                }
            }

            // Censoring Kaplan–Meier (censored rows are its "events"), at t− for each row; at time 0, G(0)
            // itself (crr reads the curve at t·(1 − 100ε), which is 0 for t = 0).
            weight = new double[n];
            atRisk = new int[n];
            var starts = new List<int>();
            var ends = new List<int>();
            var counts = new List<int>();
            var g = 1.0;
            for (var i = 0; i < n;)
            {
                var end = i;
                var censored = 0;
                var ev = 0;
                while (end < n && t[end] == t[i])
                {
                    censored += status[end] == 0 ? 1 : 0;
                    ev += status[end] == 1 ? 1 : 0;
                    end++;
                }

                var after = g * (1 - ((double)censored / (n - i)));
                for (var k = i; k < end; k++)
                {
                    weight[k] = t[i] > 0 ? g : after;
                    atRisk[k] = n - i;
                }

                if (ev > 0)
                {
                    starts.Add(i);
                    ends.Add(end);
                    counts.Add(ev);
                }

                g = after;
                i = end;
            }

            eventStart = [.. starts];
            eventEnd = [.. ends];
            eventCount = [.. counts];
        }

        private double Eta(double[] beta, int row)
        {
            var eta = 0.0;
            for (var j = 0; j < p; j++)
            {
                eta += x[(row * p) + j] * beta[j];
            }

            return eta;
        }

        /// <summary>
        /// −log pseudo-likelihood, its gradient and Hessian (crrfsv's lik, s, v). The risk set at an event
        /// time u: everyone with time ≥ u, weight e^η; and everyone who had a competing event before u,
        /// weight e^η·G(u−)/G(t−).
        /// </summary>
        public Evaluation Evaluate(double[] beta, bool derivatives)
        {
            var m = eventStart.Length;
            var s0 = new double[m];
            var s1 = new double[m][];
            var s2 = new double[m][];
            var w = derivatives ? p : 0;
            var sum0 = 0.0;
            var sum1 = new double[w];
            var sum2 = new double[w * w];
            // Those still at risk: a sum from the last row down.
            var row = n - 1;
            for (var k = m - 1; k >= 0; k--)
            {
                for (; row >= eventStart[k]; row--)
                {
                    Add(row, Math.Exp(Eta(beta, row)), ref sum0, sum1, sum2, w);
                }

                s0[k] = sum0;
                s1[k] = (double[])sum1.Clone();
                s2[k] = (double[])sum2.Clone();
            }

            // Those who had a competing event before: a sum from the first row up, scaled by G(u−).
            var c0 = 0.0;
            var c1 = new double[w];
            var c2 = new double[w * w];
            row = 0;
            for (var k = 0; k < m; k++)
            {
                for (; row < eventStart[k]; row++)
                {
                    if (status[row] == 2)
                    {
                        Add(row, Math.Exp(Eta(beta, row)) / weight[row], ref c0, c1, c2, w);
                    }
                }

                var gk = weight[eventStart[k]];
                s0[k] += gk * c0;
                for (var j = 0; j < w; j++)
                {
                    s1[k][j] += gk * c1[j];
                }

                for (var j = 0; j < w * w; j++)
                {
                    s2[k][j] += gk * c2[j];
                }
            }

            var lik = 0.0;
            var score = new double[p];
            var hessian = new double[p, p];
            for (var k = 0; k < m; k++)
            {
                double d = eventCount[k];
                lik += d * Math.Log(s0[k]);
                for (var i = eventStart[k]; i < eventEnd[k]; i++)
                {
                    if (status[i] == 1)
                    {
                        lik -= Eta(beta, i);
                        for (var j = 0; j < w; j++)
                        {
                            score[j] -= x[(i * p) + j];
                        }
                    }
                }

                for (var a = 0; a < w; a++)
                {
                    score[a] += d * s1[k][a] / s0[k];
                    for (var b = 0; b < w; b++)
                    {
                        hessian[a, b] += d * ((s2[k][(a * w) + b] / s0[k]) - (s1[k][a] * s1[k][b] / (s0[k] * s0[k])));
                    }
                }
            }

            return new Evaluation(lik, score, hessian, s0, s1);
        }

        private void Add(int row, double weightOfRow, ref double sum0, double[] sum1, double[] sum2, int w)
        {
            sum0 += weightOfRow;
            for (var a = 0; a < w; a++)
            {
                var xa = weightOfRow * x[(row * p) + a];
                sum1[a] += xa;
                for (var b = 0; b < w; b++)
                {
                    sum2[(a * w) + b] += xa * x[(row * p) + b];
                }
            }
        }

        /// <summary>
        /// Σᵢ (ηᵢ + ψᵢ)(ηᵢ + ψᵢ)′: ηᵢ the row's score residual, ψᵢ the part from estimating the censoring
        /// distribution (crrvv's v2), by running sums over the event times instead of crrvv's nested loops.
        /// </summary>
        public double[,] ScoreResidualCrossProduct(double[] beta, Evaluation at)
        {
            var m = eventStart.Length;
            // Per event time k: a = d/S0, b = a·x̄ (x̄ = S1/S0), and G(u−)·a, G(u−)·b.
            var a = new double[m];
            var b = new double[m][];
            for (var k = 0; k < m; k++)
            {
                a[k] = eventCount[k] / at.S0[k];
                b[k] = new double[p];
                for (var j = 0; j < p; j++)
                {
                    b[k][j] = a[k] * at.S1[k][j] / at.S0[k];
                }
            }

            // Suffix sums of G·a and G·b over event times ≥ k (index m: none).
            var ga = new double[m + 1];
            var gb = new double[m + 1][];
            gb[m] = new double[p];
            for (var k = m - 1; k >= 0; k--)
            {
                var gk = weight[eventStart[k]];
                ga[k] = ga[k + 1] + (gk * a[k]);
                gb[k] = new double[p];
                for (var j = 0; j < p; j++)
                {
                    gb[k][j] = gb[k + 1][j] + (gk * b[k][j]);
                }
            }

            var v2 = new double[p, p];
            var c0 = 0.0; // Σ a over event times ≤ the row's time
            var c1 = new double[p];
            var e0 = 0.0; // Σ e^η/G(t−) over competing events before the row's time
            var e1 = new double[p];
            var ss2 = new double[p]; // the accumulated censoring-martingale part of ψ
            var qu = new double[p];
            var residual = new double[p];
            var next = 0; // the first event time after the rows seen so far
            for (var i = 0; i < n;)
            {
                var end = i;
                var censored = 0;
                while (end < n && t[end] == t[i])
                {
                    censored += status[end] == 0 ? 1 : 0;
                    end++;
                }

                // Event times ≤ t: include this one if it is an event time.
                var here = next < m && eventStart[next] == i ? next : -1;
                if (here >= 0)
                {
                    c0 += a[here];
                    for (var j = 0; j < p; j++)
                    {
                        c1[j] += b[here][j];
                    }
                }

                // The first event time at or after t (for q(t)), and strictly after it (for ηᵢ).
                var atOrAfter = next;
                var after = here >= 0 ? next + 1 : next;
                if (censored > 0)
                {
                    // q(t) = E1·Σ_{u ≥ t} G a − E0·Σ_{u ≥ t} G b; ψ's running part falls by m·q/Y².
                    double y = atRisk[i];
                    for (var j = 0; j < p; j++)
                    {
                        qu[j] = (e1[j] * ga[atOrAfter]) - (e0 * gb[atOrAfter][j]);
                        ss2[j] -= censored * qu[j] / (y * y);
                    }
                }

                for (var r = i; r < end; r++)
                {
                    var eta = Math.Exp(Eta(beta, r));
                    for (var j = 0; j < p; j++)
                    {
                        var xr = x[(r * p) + j];
                        var value = -eta * ((xr * c0) - c1[j]);
                        if (status[r] == 1)
                        {
                            value += xr - (at.S1[here][j] / at.S0[here]);
                        }
                        else if (status[r] == 2)
                        {
                            value -= eta / weight[r] * ((xr * ga[after]) - gb[after][j]);
                        }

                        value += ss2[j];
                        if (status[r] == 0)
                        {
                            value += qu[j] / atRisk[r];
                        }

                        residual[j] = value;
                    }

                    for (var j = 0; j < p; j++)
                    {
                        for (var k = 0; k < p; k++)
                        {
                            v2[j, k] += residual[j] * residual[k];
                        }
                    }
                }

                // Competing events at this time count for later times only.
                for (var r = i; r < end; r++)
                {
                    if (status[r] == 2)
                    {
                        var ew = Math.Exp(Eta(beta, r)) / weight[r];
                        e0 += ew;
                        for (var j = 0; j < p; j++)
                        {
                            e1[j] += ew * x[(r * p) + j];
                        }
                    }
                }

                if (here >= 0)
                {
                    next++;
                }

                i = end;
            }

            return v2;
        }
    }
}
