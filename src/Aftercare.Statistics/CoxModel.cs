using MathNet.Numerics.Distributions;

namespace Aftercare.Statistics;

/// <summary>One covariate's estimate: log hazard ratio, its standard error, the hazard ratio and its 95% interval.</summary>
/// <param name="MayBeInfinite">
/// The likelihood converged while this estimate was still running off towards zero or infinity (R's
/// "Loglik converged before variable …; coefficient may be infinite"): in one of the groups it compares,
/// nobody, or everybody, had the event. The numbers are where the iterations stopped, not an estimate.
/// </param>
/// <param name="NaiveStdErr">
/// For a model with robust variance (<see cref="CoxModel.FitCountingProcess"/>), the model-based standard error
/// (R's <c>se(coef)</c>); <see cref="StdErr"/>, the interval, z and p are then the robust ones (R's <c>robust se</c>).
/// Null when the variance is the model-based one.
/// </param>
public sealed record CoxCoefficient(string Name, double Beta, double StdErr, double HazardRatio, double Lower, double Upper, double Z, double P, bool MayBeInfinite = false, double? NaiveStdErr = null);

/// <summary>Why a term has no estimate, in words a reader of the report understands.</summary>
public sealed record NotEstimableTerm(string Name, string Reason)
{
    public const string DoesNotVary = "everyone in these rows has the same value";
    public const string NoInformation = "nobody with this value was still in follow-up when an event happened";
    public const string RepeatsOthers = "it repeats what other terms already say";
    public const string NoEvents = "there were no events in these rows";
    public const string DidNotConverge = "the model did not converge";
    public const string Infinite = "the estimate runs towards zero or infinity: in one of the groups compared, nobody or everybody had the event";
    public const string Unbounded = "its 95% interval has no bound (it reaches zero or infinity): too few people or events in one of the groups compared";
    public const string NotInModel = "the term is not in this model";
}

/// <summary>
/// A fitted Cox model. Hazard ratios compare groups of people; nothing here is a prediction for
/// any one person (docs/domain.md rule 1).
/// </summary>
/// <param name="NotEstimable">Terms with no estimate (R prints NA for them), each with the reason; the rest are fitted without them.</param>
/// <param name="Clusters">For a model with robust variance, the number of clusters (people); null otherwise. <see cref="Count"/> is then the number of rows (intervals).</param>
public sealed record CoxFit(
    int Count,
    int Events,
    IReadOnlyList<CoxCoefficient> Coefficients,
    IReadOnlyList<NotEstimableTerm> NotEstimable,
    double LogLikelihoodNull,
    double LogLikelihood,
    double LikelihoodRatio,
    double WaldChiSquare,
    double ScoreChiSquare,
    int DegreesOfFreedom,
    int Iterations,
    bool Converged,
    int? Clusters = null)
{
    /// <summary>Whether the standard errors are robust (sandwich) ones, clustered by <see cref="Clusters"/> people.</summary>
    public bool Robust => Clusters is not null;

    public double LikelihoodRatioP => ChiSquarePValue(LikelihoodRatio, DegreesOfFreedom);

    public double WaldP => ChiSquarePValue(WaldChiSquare, DegreesOfFreedom);

    public double ScoreP => ChiSquarePValue(ScoreChiSquare, DegreesOfFreedom);

    public CoxCoefficient? this[string name] => Coefficients.FirstOrDefault(c => c.Name == name);

    /// <summary>
    /// Why a term's estimate must not be read as one, or null when it can: the one rule every table
    /// uses. A term set aside gives its reason; otherwise a model that did not converge, or an
    /// estimate that runs towards zero or infinity, is not estimable.
    /// </summary>
    public string? WhyNotEstimable(string name) =>
        NotEstimable.FirstOrDefault(t => t.Name == name)?.Reason
        ?? (this[name] is not { } c ? NotEstimableTerm.NotInModel
            : !Converged ? NotEstimableTerm.DidNotConverge
            : c.MayBeInfinite || !double.IsFinite(c.StdErr) ? NotEstimableTerm.Infinite
            : !double.IsFinite(c.Upper) || c.Lower == 0 ? NotEstimableTerm.Unbounded
            : null);

    internal static double ChiSquarePValue(double chi, int df) => df <= 0 ? double.NaN : Math.Max(0, 1 - ChiSquared.CDF(df, Math.Max(0, chi)));
}

/// <summary>
/// Cox proportional hazards by Newton–Raphson on the partial likelihood with Efron's handling of
/// tied event times, following R survival's <c>coxfit6.c</c> step for step (so the same data give
/// the same estimates, the same iteration count and the same NA terms): covariates centred and
/// scaled, a Cholesky factorisation that sets aside singular pivots of the information matrix
/// (<c>cholesky2</c>, tolerance ε^¾), R's step halving, convergence on the relative change of the
/// log partial likelihood (1e-9), at most 20 iterations. Written here because no package served to
/// this project fits Cox models; Math.NET supplies the distributions.
///
/// Rows are sorted by time once; each iteration walks them from the longest time to the shortest,
/// adding each row to the running risk-set sums, so one iteration costs O(n·p²).
/// </summary>
public static class CoxModel
{
    /// <summary>R's <c>coxph.control()</c>: iter.max 20.</summary>
    public const int MaxIterations = 20;

    /// <summary>R's <c>coxph.control()</c>: eps 1e-9, toler.chol ε^0.75, toler.inf √eps.</summary>
    private const double Eps = 1e-9;
    private static readonly double TolerChol = Math.Pow(2.220446049250313e-16, 0.75);
    private static readonly double TolerInf = Math.Sqrt(Eps);

    /// <summary>
    /// The rows by time, then event, entry and covariates, then position only for rows alike in all of
    /// these (whose order changes no sum): ascending, so that the fit reads it from the end for descending time.
    /// </summary>
    private static int[] CanonicalOrder(ReadOnlySpan<double> entry, ReadOnlySpan<double> time, ReadOnlySpan<bool> happened, ReadOnlySpan<double> covariates, int p)
    {
        var t = time.ToArray();
        var d = happened.ToArray();
        var e = entry.ToArray();
        var x = covariates.ToArray();
        var order = Enumerable.Range(0, t.Length).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var c = t[a].CompareTo(t[b]);
            if (c == 0) { c = d[a].CompareTo(d[b]); }
            if (c == 0 && e.Length > 0) { c = e[a].CompareTo(e[b]); }
            for (var j = 0; c == 0 && j < p; j++) { c = x[(a * p) + j].CompareTo(x[(b * p) + j]); }
            return c != 0 ? c : a.CompareTo(b);
        });
        return order;
    }

    /// <param name="covariates">Row-major: row i's covariates are covariates[i*p .. i*p+p−1].</param>
    public static CoxFit Fit(ReadOnlySpan<double> time, ReadOnlySpan<bool> happened, ReadOnlySpan<double> covariates, IReadOnlyList<string> names, double level = 0.95) =>
        Fit([], time, happened, covariates, names, [], level);

    /// <summary>
    /// The Andersen–Gill model for recurrent events: counting-process rows (start, stop], a row at risk at
    /// times t with start &lt; t ≤ stop, as R's <c>coxph(Surv(start, stop, event) ~ x + cluster(id))</c> fits it
    /// (<c>agfit4.c</c>: the same Newton–Raphson, Efron ties, the same NA terms; its rule for an estimate that
    /// may be infinite, u·V &gt; √eps·(1 + |β|)), with the robust (sandwich) variance clustered by
    /// <paramref name="cluster"/>: V·(Σ_c U_c U_c′)·V, U_c the sum of a cluster's score residuals (<c>agscore3.c</c>,
    /// Efron), as <c>residuals(fit, "dfbeta", collapse = id)</c> gives it. Standard errors, intervals, z, p and the
    /// Wald test are the robust ones; the model-based SE is kept beside each (<see cref="CoxCoefficient.NaiveStdErr"/>).
    /// </summary>
    /// <param name="cluster">Each row's cluster (person), any integers.</param>
    public static CoxFit FitCountingProcess(ReadOnlySpan<double> start, ReadOnlySpan<double> stop, ReadOnlySpan<bool> happened, ReadOnlySpan<double> covariates, IReadOnlyList<string> names, ReadOnlySpan<int> cluster, double level = 0.95)
    {
        if (start.Length != stop.Length || cluster.Length != stop.Length)
        {
            throw new ArgumentException("start, stop and cluster arrays do not describe the same rows.", nameof(start));
        }

        for (var i = 0; i < start.Length; i++)
        {
            if (!(start[i] < stop[i]))
            {
                throw new ArgumentException($"row {i}: an interval's start must be before its stop.", nameof(start));
            }
        }

        return Fit(start, stop, happened, covariates, names, cluster, level);
    }

    private static CoxFit Fit(ReadOnlySpan<double> entry, ReadOnlySpan<double> time, ReadOnlySpan<bool> happened, ReadOnlySpan<double> covariates, IReadOnlyList<string> names, ReadOnlySpan<int> cluster, double level)
    {
        ArgumentNullException.ThrowIfNull(names);
        var n = time.Length;
        var p = names.Count;
        if (covariates.Length != n * p || happened.Length != n)
        {
            throw new ArgumentException("time, event and covariate arrays do not describe the same rows.", nameof(covariates));
        }

        var counting = !entry.IsEmpty;

        // One order for every sum, fixed by the rows' values alone, not by the order they came in: the
        // evaluation's cohort is ordered by pseudonyms drawn afresh for each view, and with the sums taken
        // in that order a borderline fit (6 people, 1 event) was "not estimable" in one view and not in the
        // next. Same rows, same bits.
        var order = CanonicalOrder(entry, time, happened, covariates, p);

        // Centre each column, then scale it by n / Σ|x − mean| (coxfit6's doscale).
        var means = new double[p];
        var min = Enumerable.Repeat(double.PositiveInfinity, p).ToArray();
        var max = Enumerable.Repeat(double.NegativeInfinity, p).ToArray();
        foreach (var i in order)
        {
            for (var j = 0; j < p; j++)
            {
                var v = covariates[(i * p) + j];
                means[j] += v;
                min[j] = Math.Min(min[j], v);
                max[j] = Math.Max(max[j], v);
            }
        }

        for (var j = 0; j < p; j++)
        {
            means[j] /= Math.Max(1, n);
        }

        var absolute = new double[p];
        foreach (var i in order)
        {
            for (var j = 0; j < p; j++)
            {
                absolute[j] += Math.Abs(covariates[(i * p) + j] - means[j]);
            }
        }

        var scale = absolute.Select(a => a > 0 ? n / a : 1.0).ToArray();
        // Descending time, laid out contiguously so the hot loop reads memory in order.
        var x = new double[n * p];
        var t = new double[n];
        var d = new bool[n];
        var s = counting ? new double[n] : null;
        var c = counting ? new int[n] : null;
        for (var k = 0; k < n; k++)
        {
            var row = order[n - 1 - k];
            t[k] = time[row];
            d[k] = happened[row];
            if (counting)
            {
                s![k] = entry[row];
                c![k] = cluster[row];
            }

            for (var j = 0; j < p; j++)
            {
                x[(k * p) + j] = (covariates[(row * p) + j] - means[j]) * scale[j];
            }
        }

        // Counting process: the rows by start time, latest first, so each leaves the risk set as the walk passes its start.
        var risk = new RiskSet(t, d, x, p, s, s is null ? null : [.. Enumerable.Range(0, n).OrderByDescending(k => s[k])]);

        var events = d.Count(e => e);
        if (p == 0 || events == 0)
        {
            var nullOnly = events > 0 ? Evaluate(risk with { P = 0 }, []).LogLikelihood : 0;
            var reason = events == 0 ? NotEstimableTerm.NoEvents : NotEstimableTerm.DoesNotVary;
            // Nothing to iterate, so nothing failed to converge: every term says why it has no estimate (R: NA, iter 0).
            return new CoxFit(n, events, [], [.. names.Select(name => new NotEstimableTerm(name, reason))], nullOnly, nullOnly, 0, 0, 0, 0, 0, Converged: true, c is null ? null : c.Distinct().Count());
        }

        // The initial step, at β = 0: the null log likelihood and the score test.
        var beta = new double[p];
        var current = Evaluate(risk, beta);
        var logLikNull = current.LogLikelihood;
        var initialInformation = (double[,])current.Information.Clone();
        var factor = (double[,])current.Information.Clone();
        var rank = Cholesky2(factor, p, TolerChol);
        var step = (double[])current.Gradient.Clone();
        CholeskySolve2(factor, p, step);
        var score = current.Gradient.Zip(step, (u, a) => u * a).Sum();

        var best = logLikNull;
        var newBeta = beta.Zip(step, (b, s) => b + s).ToArray();
        var halving = 0;
        var converged = false;
        var iterations = 1;
        for (; iterations <= MaxIterations; iterations++)
        {
            current = Evaluate(risk, newBeta);
            factor = (double[,])current.Information.Clone();
            rank = Cholesky2(factor, p, TolerChol);
            var finite = double.IsFinite(current.LogLikelihood) && current.Gradient.All(double.IsFinite) && current.Information.Cast<double>().All(double.IsFinite);
            if (finite && Math.Abs(1 - (best / current.LogLikelihood)) <= Eps)
            {
                best = current.LogLikelihood;
                beta = newBeta;
                converged = true;
                break;
            }

            if (!finite || current.LogLikelihood < best)
            {
                // Not converging: step back towards the last good β, harder each time.
                halving++;
                for (var j = 0; j < p; j++)
                {
                    newBeta[j] = (newBeta[j] + (halving * beta[j])) / (halving + 1.0);
                }
            }
            else
            {
                halving = 0;
                best = current.LogLikelihood;
                var u = (double[])current.Gradient.Clone();
                CholeskySolve2(factor, p, u);
                beta = (double[])newBeta.Clone();
                for (var j = 0; j < p; j++)
                {
                    newBeta[j] += u[j];
                }
            }
        }

        if (!converged)
        {
            // Out of iterations: the last good β, with its own information matrix (coxfit6 inverts that
            // matrix without factoring it again; we factor it, so the variance is a variance).
            iterations = MaxIterations;
            current = Evaluate(risk, beta);
            best = current.LogLikelihood;
            factor = (double[,])current.Information.Clone();
            rank = Cholesky2(factor, p, TolerChol);
        }

        CholeskyInverse2(factor, p);
        var variance = new double[p, p];
        var naive = new double[p, p];
        for (var i = 0; i < p; i++)
        {
            for (var j = i; j < p; j++)
            {
                naive[i, j] = naive[j, i] = factor[i, j] * scale[i] * scale[j];
            }
        }

        if (c is null)
        {
            variance = naive;
        }
        else
        {
            // The sandwich in the scaled coordinates, then back: V·B·V with B the cross-product of the clusters' score residuals.
            var full = new double[p, p];
            for (var i = 0; i < p; i++)
            {
                for (var j = 0; j < p; j++)
                {
                    full[i, j] = i <= j ? factor[i, j] : factor[j, i];
                }
            }

            var b = ClusterScoreCrossProduct(risk, beta, c);
            var vb = new double[p, p];
            for (var i = 0; i < p; i++)
            {
                for (var j = 0; j < p; j++)
                {
                    var sum = 0.0;
                    for (var k = 0; k < p; k++)
                    {
                        sum += full[i, k] * b[k, j];
                    }

                    vb[i, j] = sum;
                }
            }

            for (var i = 0; i < p; i++)
            {
                for (var j = 0; j < p; j++)
                {
                    var sum = 0.0;
                    for (var k = 0; k < p; k++)
                    {
                        sum += vb[i, k] * full[k, j];
                    }

                    variance[i, j] = sum * scale[i] * scale[j];
                }
            }
        }

        var coefficientsAll = beta.Select((b, j) => b * scale[j]).ToArray();
        var gradient = current.Gradient.Select((u, j) => u / scale[j]).ToArray();
        var singular = Enumerable.Range(0, p).Select(j => rank < p && naive[j, j] == 0).ToArray();
        var maxDiagonal = Enumerable.Range(0, p).Max(j => initialInformation[j, j]);
        var notEstimable = new List<NotEstimableTerm>();
        for (var j = 0; j < p; j++)
        {
            if (singular[j])
            {
                notEstimable.Add(new NotEstimableTerm(names[j],
                    max[j] == min[j] ? NotEstimableTerm.DoesNotVary
                    : initialInformation[j, j] < TolerChol * maxDiagonal ? NotEstimableTerm.NoInformation
                    : NotEstimableTerm.RepeatsOthers));
            }
        }

        var z = Normal.InvCDF(0, 1, 1 - ((1 - level) / 2));
        var estimated = Enumerable.Range(0, p).Where(j => !singular[j]).ToArray();
        var coefficients = new List<CoxCoefficient>(estimated.Length);
        foreach (var j in estimated)
        {
            var b = coefficientsAll[j];
            var se = Math.Sqrt(variance[j, j]);
            var zj = b / se;
            // coxph.fit: u·V, large beside the coefficient, means the likelihood is flat where β still runs
            // (agreg.fit, for counting-process rows, compares it with √eps·(1 + |β|) alone).
            var drift = Math.Abs(Enumerable.Range(0, p).Sum(k => gradient[k] * naive[k, j]));
            var infinite = converged && (!double.IsFinite(gradient[j])
                || (counting ? drift > TolerInf * (1 + Math.Abs(b)) : drift > Eps && drift > TolerInf * Math.Abs(b)));
            coefficients.Add(new CoxCoefficient(names[j], b, se, Math.Exp(b), Math.Exp(b - (z * se)), Math.Exp(b + (z * se)),
                zj, 2 * (1 - Normal.CDF(0, 1, Math.Abs(zj))), infinite, c is null ? null : Math.Sqrt(naive[j, j])));
        }

        return new CoxFit(n, events, coefficients, notEstimable, logLikNull, best,
            2 * (best - logLikNull), Wald(variance, coefficientsAll, estimated), score, estimated.Length, iterations, converged, c?.Distinct().Count());
    }

    /// <summary>β′V⁻¹β over the estimated terms, as coxph.wtest computes it (Cholesky of V with the same tolerance).</summary>
    private static double Wald(double[,] variance, double[] beta, int[] estimated)
    {
        var q = estimated.Length;
        var v = new double[q, q];
        for (var a = 0; a < q; a++)
        {
            for (var b = 0; b < q; b++)
            {
                v[a, b] = variance[estimated[a], estimated[b]];
            }
        }

        var b0 = estimated.Select(j => beta[j]).ToArray();
        var solved = (double[])b0.Clone();
        Cholesky2(v, q, TolerChol);
        CholeskySolve2(v, q, solved);
        return b0.Zip(solved, (x, y) => x * y).Sum();
    }

    /// <summary>
    /// R survival's <c>cholesky2</c>: A = FDF′ in the lower triangle, with a pivot below
    /// <paramref name="toler"/> × the largest diagonal set to zero (that column is redundant).
    /// Returns the rank. Ported because Math.NET's Cholesky throws on a singular matrix rather than
    /// setting the column aside, and R's NA terms come from exactly this rule.
    /// </summary>
    private static int Cholesky2(double[,] matrix, int n, double toler)
    {
        var eps = 0.0;
        for (var i = 0; i < n; i++)
        {
            eps = Math.Max(eps, matrix[i, i]);
            for (var j = i + 1; j < n; j++)
            {
                matrix[j, i] = matrix[i, j];
            }
        }

        eps = eps == 0 ? toler : eps * toler;
        var rank = 0;
        for (var i = 0; i < n; i++)
        {
            var pivot = matrix[i, i];
            if (!double.IsFinite(pivot) || pivot < eps)
            {
                matrix[i, i] = 0;
                continue;
            }

            rank++;
            for (var j = i + 1; j < n; j++)
            {
                var temp = matrix[j, i] / pivot;
                matrix[j, i] = temp;
                matrix[j, j] -= temp * temp * pivot;
                for (var k = j + 1; k < n; k++)
                {
                    matrix[k, j] -= temp * matrix[k, i];
                }
            }
        }

        return rank;
    }

    /// <summary>R's <c>chsolve2</c>: solves A b = y from <see cref="Cholesky2"/>'s factor; a set-aside column gets 0.</summary>
    private static void CholeskySolve2(double[,] matrix, int n, double[] y)
    {
        for (var i = 0; i < n; i++)
        {
            var temp = y[i];
            for (var j = 0; j < i; j++)
            {
                temp -= y[j] * matrix[i, j];
            }

            y[i] = temp;
        }

        for (var i = n - 1; i >= 0; i--)
        {
            if (matrix[i, i] == 0)
            {
                y[i] = 0;
                continue;
            }

            var temp = y[i] / matrix[i, i];
            for (var j = i + 1; j < n; j++)
            {
                temp -= y[j] * matrix[j, i];
            }

            y[i] = temp;
        }
    }

    /// <summary>R's <c>chinv2</c>: the inverse from the factor in the upper triangle and diagonal; a set-aside row and column are 0.</summary>
    private static void CholeskyInverse2(double[,] matrix, int n)
    {
        for (var i = 0; i < n; i++)
        {
            if (matrix[i, i] > 0)
            {
                matrix[i, i] = 1 / matrix[i, i];
                for (var j = i + 1; j < n; j++)
                {
                    matrix[j, i] = -matrix[j, i];
                    for (var k = 0; k < i; k++)
                    {
                        matrix[j, k] += matrix[j, i] * matrix[i, k];
                    }
                }
            }
        }

        for (var i = 0; i < n; i++)
        {
            if (matrix[i, i] == 0)
            {
                for (var j = 0; j < i; j++)
                {
                    matrix[j, i] = 0;
                }

                for (var j = i; j < n; j++)
                {
                    matrix[i, j] = 0;
                }

                continue;
            }

            for (var j = i + 1; j < n; j++)
            {
                var temp = matrix[j, i] * matrix[j, j];
                matrix[i, j] = temp;
                for (var k = i; k < j; k++)
                {
                    matrix[i, k] += temp * matrix[j, k];
                }
            }
        }
    }

    private sealed record Evaluation(double LogLikelihood, double[] Gradient, double[,] Information);

    /// <summary>
    /// Σ over clusters of U_c U_c′, U_c the sum of the cluster's score residuals at β (scaled coordinates),
    /// each row's residual ∫ (x − x̄(t)) dM(t) with Efron's tied events, as R survival's <c>agscore3.c</c>
    /// computes it: a row's residual is touched when the walk (longest time first) reaches its stop and when
    /// it passes its start, from running sums of the hazard and of x̄ times the hazard.
    /// </summary>
    private static double[,] ClusterScoreCrossProduct(RiskSet risk, double[] beta, int[] cluster)
    {
        var (t, d, x, p, entry, byStart) = (risk.T, risk.D, risk.X, risk.P, risk.S!, risk.ByStart!);
        var n = t.Length;
        var score = new double[n];
        for (var k = 0; k < n; k++)
        {
            var eta = 0.0;
            for (var j = 0; j < p; j++)
            {
                eta += beta[j] * x[(k * p) + j];
            }

            score[k] = Math.Exp(eta);
        }

        var resid = new double[n * p];
        var a = new double[p];
        var a2 = new double[p];
        var mean = new double[p];
        var xhaz = new double[p];
        var mh1 = new double[p];
        var mh2 = new double[p];
        var mh3 = new double[p];
        double cumhaz = 0, denom = 0;
        var leaving = 0;
        var i = 0;
        void Leave(int k)
        {
            for (var j = 0; j < p; j++)
            {
                resid[(k * p) + j] -= score[k] * ((cumhaz * x[(k * p) + j]) - xhaz[j]);
            }
        }

        while (i < n)
        {
            var time = t[i];
            for (; leaving < n && entry[byStart[leaving]] >= time; leaving++)
            {
                var k = byStart[leaving];
                denom -= score[k];
                Leave(k);
                for (var j = 0; j < p; j++)
                {
                    a[j] -= score[k] * x[(k * p) + j];
                }
            }

            double eDenom = 0;
            var deaths = 0;
            Array.Clear(a2);
            var first = i;
            for (; i < n && t[i] == time; i++)
            {
                for (var j = 0; j < p; j++)
                {
                    resid[(i * p) + j] = ((x[(i * p) + j] * cumhaz) - xhaz[j]) * score[i];
                    a[j] += score[i] * x[(i * p) + j];
                }

                denom += score[i];
                if (d[i])
                {
                    deaths++;
                    eDenom += score[i];
                    for (var j = 0; j < p; j++)
                    {
                        a2[j] += score[i] * x[(i * p) + j];
                    }
                }
            }

            if (deaths == 0)
            {
                continue;
            }

            if (deaths == 1)
            {
                var hazard = 1 / denom;
                cumhaz += hazard;
                for (var j = 0; j < p; j++)
                {
                    mean[j] = a[j] / denom;
                    xhaz[j] += mean[j] * hazard;
                }

                for (var k = first; k < i; k++)
                {
                    if (d[k])
                    {
                        for (var j = 0; j < p; j++)
                        {
                            resid[(k * p) + j] += x[(k * p) + j] - mean[j];
                        }
                    }
                }

                continue;
            }

            // Efron: k tied events are k additions to the hazard; each event is present in the m-th with weight 1 − m/k.
            Array.Clear(mh1);
            Array.Clear(mh2);
            Array.Clear(mh3);
            for (var m = 0; m < deaths; m++)
            {
                var downwt = (double)m / deaths;
                var d2 = denom - (downwt * eDenom);
                var hazard = 1 / d2;
                cumhaz += hazard;
                for (var j = 0; j < p; j++)
                {
                    mean[j] = (a[j] - (downwt * a2[j])) / d2;
                    xhaz[j] += mean[j] * hazard;
                    mh1[j] += hazard * downwt;
                    mh2[j] += mean[j] * hazard * downwt;
                    mh3[j] += mean[j] / deaths;
                }
            }

            for (var k = first; k < i; k++)
            {
                if (d[k])
                {
                    for (var j = 0; j < p; j++)
                    {
                        resid[(k * p) + j] += x[(k * p) + j] - mh3[j] + (score[k] * ((x[(k * p) + j] * mh1[j]) - mh2[j]));
                    }
                }
            }
        }

        for (; leaving < n; leaving++)
        {
            Leave(byStart[leaving]);
        }

        var sums = new Dictionary<int, double[]>();
        for (var k = 0; k < n; k++)
        {
            if (!sums.TryGetValue(cluster[k], out var u))
            {
                sums[cluster[k]] = u = new double[p];
            }

            for (var j = 0; j < p; j++)
            {
                u[j] += resid[(k * p) + j];
            }
        }

        var product = new double[p, p];
        foreach (var u in sums.Values)
        {
            for (var j = 0; j < p; j++)
            {
                for (var k = 0; k < p; k++)
                {
                    product[j, k] += u[j] * u[k];
                }
            }
        }

        return product;
    }

    /// <summary>
    /// The rows sorted by time, longest first (<see cref="T"/>, <see cref="D"/>, scaled <see cref="X"/> with
    /// <see cref="P"/> columns) and, for counting-process rows, their start times <see cref="S"/> and the rows
    /// ordered by start, latest first (<see cref="ByStart"/>).
    /// </summary>
    private sealed record RiskSet(double[] T, bool[] D, double[] X, int P, double[]? S, int[]? ByStart);

    /// <summary>Log partial likelihood, its gradient and the information matrix at beta (Efron ties).</summary>
    private static Evaluation Evaluate(RiskSet risk, double[] beta)
    {
        var (t, d, x, p, entry, byStart) = (risk.T, risk.D, risk.X, risk.P, risk.S, risk.ByStart);
        var n = t.Length;
        var leaving = 0;
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
            if (entry is not null)
            {
                // agfit4: rows whose interval starts at or after this time are no longer at risk.
                for (; leaving < n && entry[byStart![leaving]] >= time; leaving++)
                {
                    var row = x.AsSpan(byStart[leaving] * p, p);
                    var eta = 0.0;
                    for (var j = 0; j < p; j++)
                    {
                        eta += beta[j] * row[j];
                    }

                    var r = Math.Exp(eta);
                    s0 -= r;
                    for (var j = 0; j < p; j++)
                    {
                        var rx = r * row[j];
                        s1[j] -= rx;
                        for (var k = j; k < p; k++)
                        {
                            s2[(j * p) + k] -= rx * row[k];
                        }
                    }
                }
            }

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
