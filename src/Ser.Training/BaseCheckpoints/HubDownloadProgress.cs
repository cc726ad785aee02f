namespace Ser.Training.BaseCheckpoints;

/// <summary>Bytes of <paramref name="File"/> on disk so far, of <paramref name="TotalBytes"/> (null when the hub did not say).</summary>
public sealed record HubDownloadProgress(string File, long Bytes, long? TotalBytes)
{
    public double? Fraction => TotalBytes is > 0 and var total ? Math.Clamp((double)Bytes / total, 0, 1) : null;
}
