namespace Aftercare.Statistics;

/// <summary>The chi-square distribution's upper tail, for tests built from fitted models (a likelihood-ratio test of two Cox models).</summary>
public static class ChiSquare
{
    /// <summary>P(χ²_df ≥ chi); NaN when df ≤ 0 (there is nothing to test).</summary>
    public static double UpperTail(double chi, int df) => CoxFit.ChiSquarePValue(chi, df);
}
