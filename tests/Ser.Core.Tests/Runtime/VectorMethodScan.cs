using System.Reflection;
using System.Reflection.Emit;

namespace Ser.Core.Tests.Runtime;

/// <summary>Reads a method's IL for the members it references: finds the methods that compute on hardware vectors
/// (<c>System.Runtime.Intrinsics</c>, <c>System.Numerics.Vector</c>), which are Ser's kernels and their helpers.</summary>
internal static class VectorMethodScan
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private const BindingFlags All =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    // Asking whether a CPU has an instruction set, or a vector's width, is not computing on vectors.
    private static readonly HashSet<string> Queries = ["get_IsSupported", "get_IsHardwareAccelerated", "get_Count"];

    /// <summary>Every method and constructor declared in <paramref name="assembly"/> that computes on hardware vectors.</summary>
    public static IEnumerable<MethodBase> ComputingOnVectors(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(t => t.GetMethods(All).Cast<MethodBase>().Concat(t.GetConstructors(All)))
            .Where(m => References(m).Any(IsVectorMember));

    /// <summary>The members whose tokens <paramref name="method"/>'s IL carries (calls, fields, types).</summary>
    private static IEnumerable<MemberInfo> References(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArguments = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            var value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var code = OpCodesByValue[value];
            if (code.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                var member = method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                if (member is not null) yield return member;
            }
            at += OperandSize(code.OperandType, il, at);
        }
    }

    private static int OperandSize(OperandType type, byte[] il, int at) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };

    private static bool IsVectorMember(MemberInfo member)
    {
        if (Queries.Contains(member.Name)) return false;
        var type = member as Type ?? member.DeclaringType;
        return type is not null && IsVectorType(type);
    }

    private static bool IsVectorType(Type type) =>
        type.Namespace is { } space && (space.StartsWith("System.Runtime.Intrinsics", StringComparison.Ordinal)
            || (space == "System.Numerics" && type.Name.StartsWith("Vector", StringComparison.Ordinal)));
}
