namespace Ser.Training.CrossValidation;

/// <summary>A figure over folds: mean, sample standard deviation (0 for one fold) and how many folds it covers.</summary>
public sealed record MeanSd(double Mean, double Sd, int Folds)
{
    public static MeanSd Of(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) return new MeanSd(0, 0, 0);
        var mean = values.Average();
        var sd = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new MeanSd(Math.Round(mean, 6), Math.Round(sd, 6), values.Count);
    }
}
