using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace Aftercare.Statistics;

/// <summary>One coefficient of a count model: its estimate on the log scale, standard error, Wald z and p.</summary>
public sealed record GlmCoefficient(string Name, double Estimate, double StdErr, double Z, double P);

/// <summary>
/// A fitted Poisson or negative-binomial model with log link. Rate ratios compare months (or groups)
/// of a service; nothing here is a prediction for any one person.
/// </summary>
/// <param name="NotEstimable">Columns that repeat what earlier columns already say (R's NA), set aside; the rest are fitted without them.</param>
/// <param name="Covariance">Variance matrix of the estimated coefficients, in the order of <paramref name="Coefficients"/>.</param>
/// <param name="Iterations">IRLS iterations of the last fit (R's <c>$iter</c>).</param>
/// <param name="Theta">The negative binomial's θ (variance μ + μ²/θ); null for the Poisson.</param>
/// <param name="ThetaWarning">theta.ml's warning ("iteration limit reached", "estimate truncated at zero", "alternation limit reached") or null.</param>
public sealed record GlmFit(
    IReadOnlyList<GlmCoefficient> Coefficients,
    IReadOnlyList<NotEstimableTerm> NotEstimable,
    double[,] Covariance,
    double Deviance,
    int ResidualDegreesOfFreedom,
    double Aic,
    double TwoLogLikelihood,
    double PearsonChiSquare,
    int Iterations,
    bool Converged,
    IReadOnlyList<double> Fitted,
    double? Theta = null,
    double? ThetaStdErr = null,
    string? ThetaWarning = null)
{
    public GlmCoefficient? this[string name] => Coefficients.FirstOrDefault(c => c.Name == name);

    /// <summary>Pearson χ² over the residual degrees of freedom: about 1 when the Poisson's variance (= mean) fits.</summary>
    public double Dispersion => ResidualDegreesOfFreedom > 0 ? PearsonChiSquare / ResidualDegreesOfFreedom : double.NaN;
}

/// <summary>
/// Generalised linear models for counts with log link, fitted as R fits them, so the same data give the
/// same numbers: <see cref="Poisson"/> is <c>glm(..., family = poisson)</c> (<c>glm.fit</c>'s IRLS from
/// μ = y + 0.1, a least-squares step by Householder QR with LINPACK <c>dqrdc2</c>'s limited pivoting at
/// tolerance 1e-11, which moves a column that repeats earlier ones to the end and reports it as NA; convergence when
/// |dev − dev_old| / (|dev| + 0.1) &lt; 1e-8; at most 25 iterations); <see cref="NegativeBinomial"/> is
/// <c>MASS::glm.nb</c> (θ by <c>theta.ml</c>'s Newton steps alternating with IRLS at fixed θ, until
/// |ΔlogL|/d1 + |Δθ|/d2 ≤ 1e-8, at most 25 alternations). Standard errors come from (X′WX)⁻¹ with the last
/// iteration's working weights, as <c>summary.glm</c> takes them from the last QR; the dispersion is 1.
///
/// Hand-written, as the Cox model is, because no well-kept .NET package fits GLMs this way (IRLS with
/// R's starting values, convergence rule, aliasing and glm.nb's alternation): Math.NET offers linear
/// algebra and distributions but no GLM, and a fit that differs from R in its stopping rule or its NA
/// columns could not be checked against R to 1e-6. Math.NET supplies lgamma, digamma and the normal.
/// </summary>
public static class Glm
{
    /// <summary>R's <c>glm.control()</c>: epsilon 1e-8, maxit 25.</summary>
    public const double Epsilon = 1e-8;

    public const int MaxIterations = 25;

    /// <summary><c>glm.fit</c> passes min(1e-7, epsilon/1000) to <c>Cdqrls</c>.</summary>
    private const double QrTolerance = 1e-11;

    private const double DoubleEps = 2.220446049250313e-16;

    /// <summary>Poisson regression, log link: R's <c>glm(y ~ X + offset(offset), family = poisson)</c>.</summary>
    /// <param name="design">Row-major n×p: row i is design[i*p .. i*p+p−1]; include the intercept column yourself.</param>
    /// <param name="offset">Added to the linear predictor (log person-time or log population), or null.</param>
    public static GlmFit Poisson(ReadOnlySpan<double> y, ReadOnlySpan<double> design, IReadOnlyList<string> names, ReadOnlySpan<double> offset = default)
    {
        var problem = Problem.Create(y, design, names, offset);
        var fit = Irls(problem, double.PositiveInfinity, etaStart: null);
        return Finish(problem, fit, double.PositiveInfinity);
    }

    /// <summary>Negative-binomial regression, log link: <c>MASS::glm.nb(y ~ X + offset(offset))</c>, θ by maximum likelihood.</summary>
    public static GlmFit NegativeBinomial(ReadOnlySpan<double> y, ReadOnlySpan<double> design, IReadOnlyList<string> names, ReadOnlySpan<double> offset = default)
    {
        var problem = Problem.Create(y, design, names, offset);
        var n = problem.Y.Length;

        // The initial Poisson fit, then θ from its fitted means.
        var fit = Irls(problem, double.PositiveInfinity, etaStart: null);
        var mu = fit.Mu;
        var theta = ThetaMl(problem.Y, mu, n, MaxIterations);
        var d1 = Math.Sqrt(2.0 * Math.Max(1, n - fit.Rank));
        const double d2 = 1;
        var del = 1.0;
        var lm = LogLikelihood(problem.Y, mu, theta.Theta);
        var lm0 = lm + (2 * d1);
        var alternations = 0;
        var familyTheta = double.PositiveInfinity;
        while (++alternations <= MaxIterations && ((Math.Abs(lm0 - lm) / d1) + (Math.Abs(del) / d2)) > Epsilon)
        {
            var eta = mu.Select(m => Math.Log(m)).ToArray();
            familyTheta = theta.Theta;
            fit = Irls(problem, familyTheta, eta);
            var previous = theta.Theta;
            // As glm.nb does: θ from the means before this fit, then the means move on.
            theta = ThetaMl(problem.Y, mu, n, MaxIterations);
            mu = fit.Mu;
            del = previous - theta.Theta;
            lm0 = lm;
            lm = LogLikelihood(problem.Y, mu, theta.Theta);
        }

        var warning = alternations > MaxIterations ? "alternation limit reached" : theta.Warning;
        var result = Finish(problem, fit, familyTheta);
        return result with
        {
            Aic = (-2 * lm) + (2 * fit.Rank) + 2,
            TwoLogLikelihood = 2 * lm,
            Theta = theta.Theta,
            ThetaStdErr = theta.StdErr,
            ThetaWarning = warning,
        };
    }

    private sealed record Problem(double[] Y, double[] X, int P, string[] Names, double[] Offset)
    {
        public static Problem Create(ReadOnlySpan<double> y, ReadOnlySpan<double> design, IReadOnlyList<string> names, ReadOnlySpan<double> offset)
        {
            ArgumentNullException.ThrowIfNull(names);
            var n = y.Length;
            var p = names.Count;
            if (design.Length != n * p || (!offset.IsEmpty && offset.Length != n))
            {
                throw new ArgumentException("counts, design and offset do not describe the same rows.", nameof(design));
            }

            foreach (var v in y)
            {
                if (!(v >= 0) || !double.IsFinite(v))
                {
                    throw new ArgumentException("counts must be finite and not negative.", nameof(y));
                }
            }

            if (n == 0)
            {
                throw new ArgumentException("there are no rows to fit.", nameof(y));
            }

            return new Problem(y.ToArray(), design.ToArray(), p, [.. names], offset.IsEmpty ? new double[n] : offset.ToArray());
        }
    }

    private sealed record IrlsResult(double[] Beta, bool[] Aliased, int Rank, double[,] CovarianceEstimated, int[] Estimated, double[] Mu, double Deviance, int Iterations, bool Converged);

    private static double Variance(double mu, double theta) => double.IsPositiveInfinity(theta) ? mu : mu + (mu * mu / theta);

    private static double LinkInverse(double eta) => Math.Max(Math.Exp(eta), DoubleEps);

    /// <summary>poisson()$dev.resids and negative.binomial(θ)$dev.resids, summed.</summary>
    private static double Deviance(double[] y, double[] mu, double theta)
    {
        var sum = 0.0;
        for (var i = 0; i < y.Length; i++)
        {
            if (double.IsPositiveInfinity(theta))
            {
                sum += y[i] > 0 ? 2 * ((y[i] * Math.Log(y[i] / mu[i])) - (y[i] - mu[i])) : 2 * mu[i];
            }
            else
            {
                sum += 2 * ((y[i] * Math.Log(Math.Max(1, y[i]) / mu[i])) - ((y[i] + theta) * Math.Log((y[i] + theta) / (mu[i] + theta))));
            }
        }

        return sum;
    }

    /// <summary><c>glm.fit</c>'s iteratively reweighted least squares for a log link at a fixed family.</summary>
    private static IrlsResult Irls(Problem problem, double theta, double[]? etaStart)
    {
        var (y, x, p, offset) = (problem.Y, problem.X, problem.P, problem.Offset);
        var n = y.Length;
        // Poisson's initialize: mustart = y + 0.1; eta = log(mustart) (no offset taken off, as in glm.fit).
        var eta = etaStart ?? y.Select(v => Math.Log(v + 0.1)).ToArray();
        var mu = eta.Select(LinkInverse).ToArray();
        var devOld = Deviance(y, mu, theta);
        double[]? coefOld = null;
        var beta = new double[p];
        Qr? qr = null;
        var converged = false;
        var iterations = 0;
        var dev = devOld;
        for (var iter = 1; iter <= MaxIterations; iter++)
        {
            iterations = iter;
            var wx = new double[n * p];
            var wz = new double[n];
            for (var i = 0; i < n; i++)
            {
                var muEta = LinkInverse(eta[i]);
                var z = eta[i] - offset[i] + ((y[i] - mu[i]) / muEta);
                var w = Math.Sqrt(muEta * muEta / Variance(mu[i], theta));
                wz[i] = z * w;
                for (var j = 0; j < p; j++)
                {
                    wx[(i * p) + j] = x[(i * p) + j] * w;
                }
            }

            qr = Qr.Decompose(wx, n, p, QrTolerance);
            var start = qr.Solve(wz);
            var newEta = new double[n];
            var newMu = new double[n];
            for (var i = 0; i < n; i++)
            {
                var e = offset[i];
                for (var j = 0; j < p; j++)
                {
                    e += x[(i * p) + j] * start[j];
                }

                newEta[i] = e;
                newMu[i] = LinkInverse(e);
            }

            dev = Deviance(y, newMu, theta);
            // glm.fit halves the step back towards the last coefficients while the deviance is not finite.
            var halvings = 0;
            while (!double.IsFinite(dev) && coefOld is not null && halvings++ < MaxIterations)
            {
                for (var j = 0; j < p; j++)
                {
                    start[j] = (start[j] + coefOld[j]) / 2;
                }

                for (var i = 0; i < n; i++)
                {
                    var e = offset[i];
                    for (var j = 0; j < p; j++)
                    {
                        e += x[(i * p) + j] * start[j];
                    }

                    newEta[i] = e;
                    newMu[i] = LinkInverse(e);
                }

                dev = Deviance(y, newMu, theta);
            }

            eta = newEta;
            mu = newMu;
            beta = start;
            if (!double.IsFinite(dev))
            {
                break;
            }

            if (Math.Abs(dev - devOld) / (Math.Abs(dev) + 0.1) < Epsilon)
            {
                converged = true;
                break;
            }

            devOld = dev;
            coefOld = start;
        }

        var aliased = new bool[p];
        foreach (var j in qr!.Pivot.Skip(qr.Rank))
        {
            aliased[j] = true;
        }

        return new IrlsResult(beta, aliased, qr.Rank, qr.UnscaledCovariance(), [.. qr.Pivot.Take(qr.Rank)], mu, dev, iterations, converged);
    }

    private static GlmFit Finish(Problem problem, IrlsResult fit, double theta)
    {
        var (y, names) = (problem.Y, problem.Names);
        var n = y.Length;
        // Estimated terms in the order the caller named them; dqrdc2 keeps their relative order.
        var order = fit.Estimated.Select((column, k) => (column, k)).OrderBy(e => e.column).ToArray();
        var covariance = new double[order.Length, order.Length];
        for (var a = 0; a < order.Length; a++)
        {
            for (var b = 0; b < order.Length; b++)
            {
                covariance[a, b] = fit.CovarianceEstimated[order[a].k, order[b].k];
            }
        }

        var coefficients = order.Select((e, a) =>
        {
            var se = Math.Sqrt(covariance[a, a]);
            var z = fit.Beta[e.column] / se;
            return new GlmCoefficient(names[e.column], fit.Beta[e.column], se, z, 2 * Normal.CDF(0, 1, -Math.Abs(z)));
        }).ToArray();
        var notEstimable = Enumerable.Range(0, problem.P).Where(j => fit.Aliased[j]).Select(j => new NotEstimableTerm(names[j], NotEstimableTerm.RepeatsOthers)).ToArray();

        var pearson = 0.0;
        var logLik = 0.0;
        for (var i = 0; i < n; i++)
        {
            var r = y[i] - fit.Mu[i];
            pearson += r * r / Variance(fit.Mu[i], theta);
            logLik += (y[i] * Math.Log(fit.Mu[i])) - fit.Mu[i] - SpecialFunctions.GammaLn(y[i] + 1);
        }

        return new GlmFit(coefficients, notEstimable, covariance, fit.Deviance, n - fit.Rank,
            (-2 * logLik) + (2 * fit.Rank), 2 * logLik, pearson, fit.Iterations, fit.Converged, fit.Mu);
    }

    /// <summary>glm.nb's log likelihood at θ (weights 1).</summary>
    private static double LogLikelihood(double[] y, double[] mu, double theta)
    {
        var sum = 0.0;
        for (var i = 0; i < y.Length; i++)
        {
            sum += SpecialFunctions.GammaLn(theta + y[i]) - SpecialFunctions.GammaLn(theta) - SpecialFunctions.GammaLn(y[i] + 1)
                + (theta * Math.Log(theta)) + (y[i] * Math.Log(mu[i] + (y[i] == 0 ? 1 : 0))) - ((theta + y[i]) * Math.Log(theta + mu[i]));
        }

        return sum;
    }

    private sealed record ThetaEstimate(double Theta, double StdErr, string? Warning);

    /// <summary>
    /// MASS's <c>theta.ml</c>: Newton steps on the score for θ from the moment estimate n / Σ(y/μ − 1)²,
    /// while |step| &gt; ε^¼ and fewer than <paramref name="limit"/> iterations; SE = 1/√information.
    /// </summary>
    private static ThetaEstimate ThetaMl(double[] y, double[] mu, int n, int limit)
    {
        var eps = Math.Pow(DoubleEps, 0.25);
        var t0 = n / y.Zip(mu, (a, m) => ((a / m) - 1) * ((a / m) - 1)).Sum();
        var it = 0;
        var del = 1.0;
        var info = double.NaN;
        while (++it < limit && Math.Abs(del) > eps)
        {
            t0 = Math.Abs(t0);
            var score = 0.0;
            info = 0.0;
            for (var i = 0; i < y.Length; i++)
            {
                score += SpecialFunctions.DiGamma(t0 + y[i]) - SpecialFunctions.DiGamma(t0) + Math.Log(t0) + 1 - Math.Log(t0 + mu[i]) - ((y[i] + t0) / (mu[i] + t0));
                info += -Trigamma(t0 + y[i]) + Trigamma(t0) - (1 / t0) + (2 / (mu[i] + t0)) - ((y[i] + t0) / ((mu[i] + t0) * (mu[i] + t0)));
            }

            del = score / info;
            t0 += del;
        }

        string? warning = null;
        if (t0 < 0)
        {
            t0 = 0;
            warning = "estimate truncated at zero";
        }

        if (it == limit)
        {
            warning = "iteration limit reached";
        }

        return new ThetaEstimate(t0, Math.Sqrt(1 / info), warning);
    }

    /// <summary>ψ′(x) for x &gt; 0: the recurrence ψ′(x) = ψ′(x+1) + 1/x² up to x ≥ 20, then the asymptotic series.</summary>
    internal static double Trigamma(double x)
    {
        var sum = 0.0;
        while (x < 20)
        {
            sum += 1 / (x * x);
            x += 1;
        }

        var x2 = 1 / (x * x);
        // 1/x + 1/(2x²) + Σ B₂ₖ / x^(2k+1)
        var series = x2 * ((1.0 / 6) - (x2 * ((1.0 / 30) - (x2 * ((1.0 / 42) - (x2 * ((1.0 / 30) - (x2 * 5.0 / 66))))))));
        return sum + (1 / x) + (x2 / 2) + (series / x);
    }

    /// <summary>
    /// Householder QR with LINPACK <c>dqrdc2</c>'s limited pivoting: before column l is reduced, while its
    /// remaining norm is below tol × its original norm it is moved to the end; the columns left in front
    /// are the rank. Column-major storage.
    /// </summary>
    private sealed class Qr
    {
        private readonly double[][] columns; // reduced columns (R above the diagonal, Householder vectors below)
        private readonly double[][] vectors; // Householder vector of each reduced column, from its diagonal down
        private readonly int n;

        private Qr(double[][] columns, double[][] vectors, int[] pivot, int rank, int n)
        {
            this.columns = columns;
            this.vectors = vectors;
            Pivot = pivot;
            Rank = rank;
            this.n = n;
        }

        public int[] Pivot { get; }

        public int Rank { get; }

        public static Qr Decompose(double[] rowMajor, int n, int p, double tol)
        {
            var a = new double[p][];
            for (var j = 0; j < p; j++)
            {
                a[j] = new double[n];
                for (var i = 0; i < n; i++)
                {
                    a[j][i] = rowMajor[(i * p) + j];
                }
            }

            var pivot = Enumerable.Range(0, p).ToArray();
            var norm = a.Select(Norm).ToArray();
            var original = norm.Select(v => v == 0 ? 1 : v).ToArray();
            var vectors = new double[p][];
            var k = p;
            var last = Math.Min(n, p);
            for (var l = 0; l < last; l++)
            {
                while (l < k && norm[l] < original[l] * tol)
                {
                    Rotate(a, l);
                    Rotate(pivot, l);
                    Rotate(norm, l);
                    Rotate(original, l);
                    k--;
                }

                if (l == n - 1)
                {
                    break;
                }

                var nrm = 0.0;
                for (var i = l; i < n; i++)
                {
                    nrm += a[l][i] * a[l][i];
                }

                nrm = Math.Sqrt(nrm);
                if (nrm == 0)
                {
                    continue;
                }

                if (a[l][l] != 0)
                {
                    nrm = Math.CopySign(nrm, a[l][l]);
                }

                for (var i = l; i < n; i++)
                {
                    a[l][i] /= nrm;
                }

                a[l][l] += 1;
                for (var j = l + 1; j < p; j++)
                {
                    var t = 0.0;
                    for (var i = l; i < n; i++)
                    {
                        t -= a[l][i] * a[j][i];
                    }

                    t /= a[l][l];
                    for (var i = l; i < n; i++)
                    {
                        a[j][i] += t * a[l][i];
                    }

                    if (norm[j] != 0)
                    {
                        var tt = 1 - Math.Pow(Math.Abs(a[j][l]) / norm[j], 2);
                        tt = Math.Max(tt, 0);
                        if (Math.Abs(tt) < 1e-6)
                        {
                            var s = 0.0;
                            for (var i = l + 1; i < n; i++)
                            {
                                s += a[j][i] * a[j][i];
                            }

                            norm[j] = Math.Sqrt(s);
                        }
                        else
                        {
                            norm[j] *= Math.Sqrt(tt);
                        }
                    }
                }

                vectors[l] = a[l][l..n];
                a[l][l] = -nrm;
            }

            return new Qr(a, vectors, pivot, Math.Min(k, n), n);
        }

        /// <summary>The least-squares coefficients in the original column order; set-aside columns get 0 (R then shows NA).</summary>
        public double[] Solve(double[] rhs)
        {
            var qty = (double[])rhs.Clone();
            for (var l = 0; l < Math.Min(Rank, n - 1); l++)
            {
                var v = vectors[l];
                if (v is null)
                {
                    continue;
                }

                var t = 0.0;
                for (var i = l; i < n; i++)
                {
                    t -= v[i - l] * qty[i];
                }

                t /= v[0];
                for (var i = l; i < n; i++)
                {
                    qty[i] += t * v[i - l];
                }
            }

            var b = new double[Rank];
            for (var l = Rank - 1; l >= 0; l--)
            {
                var s = qty[l];
                for (var j = l + 1; j < Rank; j++)
                {
                    s -= columns[j][l] * b[j];
                }

                b[l] = s / columns[l][l];
            }

            var result = new double[Pivot.Length];
            for (var l = 0; l < Rank; l++)
            {
                result[Pivot[l]] = b[l];
            }

            return result;
        }

        /// <summary>(R′R)⁻¹ over the first Rank pivoted columns: R's <c>chol2inv(qr$qr[1:rank, 1:rank])</c>.</summary>
        public double[,] UnscaledCovariance()
        {
            var r = Rank;
            var inverse = new double[r, r]; // R⁻¹, upper triangular
            for (var c = 0; c < r; c++)
            {
                inverse[c, c] = 1 / columns[c][c];
                for (var row = c - 1; row >= 0; row--)
                {
                    var s = 0.0;
                    for (var m = row + 1; m <= c; m++)
                    {
                        s += columns[m][row] * inverse[m, c];
                    }

                    inverse[row, c] = -s / columns[row][row];
                }
            }

            var v = new double[r, r];
            for (var i = 0; i < r; i++)
            {
                for (var j = 0; j < r; j++)
                {
                    var s = 0.0;
                    for (var m = Math.Max(i, j); m < r; m++)
                    {
                        s += inverse[i, m] * inverse[j, m];
                    }

                    v[i, j] = s;
                }
            }

            return v;
        }

        private static double Norm(double[] v) => Math.Sqrt(v.Sum(e => e * e));

        private static void Rotate<T>(T[] values, int from)
        {
            var moved = values[from];
            Array.Copy(values, from + 1, values, from, values.Length - from - 1);
            values[^1] = moved;
        }
    }
}
