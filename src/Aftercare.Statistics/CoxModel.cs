using MathNet.Numerics.Distributions;

namespace Aftercare.Statistics;

/// <summary>One covariate's estimate: log hazard ratio, its standard error, the hazard ratio and its 95% interval.</summary>
/// <param name="MayBeInfinite">
/// The likelihood converged while this estimate was still running off towards zero or infinity (R's
/// "Loglik converged before variable …; coefficient may be infinite"): in one of the groups it compares,
/// nobody, or everybody, had the event. The numbers are where the iterations stopped, not an estimate.
/// </param>
public sealed record CoxCoefficient(string Name, double Beta, double StdErr, double HazardRatio, double Lower, double Upper, double Z, double P, bool MayBeInfinite = false);

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
    bool Converged)
{
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

    /// <param name="covariates">Row-major: row i's covariates are covariates[i*p .. i*p+p−1].</param>
    public static CoxFit Fit(ReadOnlySpan<double> time, ReadOnlySpan<bool> happened, ReadOnlySpan<double> covariates, IReadOnlyList<string> names, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(names);
        var n = time.Length;
        var p = names.Count;
        if (covariates.Length != n * p || happened.Length != n)
        {
            throw new ArgumentException("time, event and covariate arrays do not describe the same rows.", nameof(covariates));
        }

        // Centre each column, then scale it by n / Σ|x − mean| (coxfit6's doscale).
        var means = new double[p];
        var min = Enumerable.Repeat(double.PositiveInfinity, p).ToArray();
        var max = Enumerable.Repeat(double.NegativeInfinity, p).ToArray();
        for (var i = 0; i < n; i++)
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
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < p; j++)
            {
                absolute[j] += Math.Abs(covariates[(i * p) + j] - means[j]);
            }
        }

        var scale = absolute.Select(a => a > 0 ? n / a : 1.0).ToArray();
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
                x[(k * p) + j] = (covariates[(row * p) + j] - means[j]) * scale[j];
            }
        }

        var events = d.Count(e => e);
        if (p == 0 || events == 0)
        {
            var nullOnly = events > 0 ? Evaluate(t, d, x, 0, []).LogLikelihood : 0;
            var reason = events == 0 ? NotEstimableTerm.NoEvents : NotEstimableTerm.DoesNotVary;
            // Nothing to iterate, so nothing failed to converge: every term says why it has no estimate (R: NA, iter 0).
            return new CoxFit(n, events, [], [.. names.Select(name => new NotEstimableTerm(name, reason))], nullOnly, nullOnly, 0, 0, 0, 0, 0, Converged: true);
        }

        // The initial step, at β = 0: the null log likelihood and the score test.
        var beta = new double[p];
        var current = Evaluate(t, d, x, p, beta);
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
            current = Evaluate(t, d, x, p, newBeta);
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
            current = Evaluate(t, d, x, p, beta);
            best = current.LogLikelihood;
            factor = (double[,])current.Information.Clone();
            rank = Cholesky2(factor, p, TolerChol);
        }

        CholeskyInverse2(factor, p);
        var variance = new double[p, p];
        for (var i = 0; i < p; i++)
        {
            for (var j = i; j < p; j++)
            {
                variance[i, j] = variance[j, i] = factor[i, j] * scale[i] * scale[j];
            }
        }

        var coefficientsAll = beta.Select((b, j) => b * scale[j]).ToArray();
        var gradient = current.Gradient.Select((u, j) => u / scale[j]).ToArray();
        var singular = Enumerable.Range(0, p).Select(j => rank < p && variance[j, j] == 0).ToArray();
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
            // coxph.fit: u·V, large beside the coefficient, means the likelihood is flat where β still runs.
            var drift = Math.Abs(Enumerable.Range(0, p).Sum(k => gradient[k] * variance[k, j]));
            var infinite = converged && (!double.IsFinite(gradient[j]) || (drift > Eps && drift > TolerInf * Math.Abs(b)));
            coefficients.Add(new CoxCoefficient(names[j], b, se, Math.Exp(b), Math.Exp(b - (z * se)), Math.Exp(b + (z * se)),
                zj, 2 * (1 - Normal.CDF(0, 1, Math.Abs(zj))), infinite));
        }

        return new CoxFit(n, events, coefficients, notEstimable, logLikNull, best,
            2 * (best - logLikNull), Wald(variance, coefficientsAll, estimated), score, estimated.Length, iterations, converged);
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
