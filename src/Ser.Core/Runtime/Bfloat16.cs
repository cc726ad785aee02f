namespace Ser.Core.Runtime;

/// <summary>float32 to bfloat16 (float32's upper half) as libtorch rounds it.</summary>
internal static class Bfloat16
{
    /// <summary>Rounded to nearest, ties to even (x86's default NaN stays a NaN).</summary>
    public static ushort FromFloat(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1)) >> 16);
    }
}
