using static TorchSharp.torch;

namespace Ser.Core.Models.Checkpoints;

/// <summary>Copies a (renamed) state dict into a module, refusing with one error that lists every missing
/// and unexpected key and every shape mismatch. Values are converted to the module's dtype (F16/BF16 → F32). Values a
/// module computed once from its weights (<see cref="IDerivedFromWeights"/>) are computed again.</summary>
public static class StateDictLoader
{
    /// <param name="module">Target module; its own state-dict names are the expected keys.</param>
    /// <param name="source">Checkpoint tensors, already renamed to the module's keys.</param>
    /// <param name="mayBeMissing">Keys allowed to be absent (e.g. a fresh classification head); they keep their init, as
    /// do the entries modules declare optional (<see cref="IOptionalState"/>).</param>
    /// <param name="origin">Named in the error message.</param>
    /// <returns>The keys that were left at their initial values.</returns>
    public static IReadOnlyList<string> Load(nn.Module module, IReadOnlyDictionary<string, Tensor> source,
        Func<string, bool> mayBeMissing, string origin)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(mayBeMissing);
        var target = module.state_dict();
        var missing = target.Keys.Where(k => !source.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var unexpected = source.Keys.Where(k => !target.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var shapes = source.Where(p => target.TryGetValue(p.Key, out var t) && !t.shape.SequenceEqual(p.Value.shape))
            .Select(p => $"{p.Key}: checkpoint [{string.Join(", ", p.Value.shape)}], model [{string.Join(", ", target[p.Key].shape)}]")
            .ToList();
        var optional = module.named_modules().Prepend(("", module))
            .SelectMany(m => m.Item2 is IOptionalState o ? o.OptionalStateKeys.Select(k => m.Item1.Length == 0 ? k : $"{m.Item1}.{k}") : [])
            .ToHashSet(StringComparer.Ordinal);
        var fatalMissing = missing.Where(k => !mayBeMissing(k) && !optional.Contains(k)).ToList();
        if (fatalMissing.Count > 0 || unexpected.Count > 0 || shapes.Count > 0)
        {
            var parts = new List<string>();
            if (fatalMissing.Count > 0) parts.Add($"missing keys ({fatalMissing.Count}): {Summarise(fatalMissing)}");
            if (unexpected.Count > 0) parts.Add($"unexpected keys ({unexpected.Count}): {Summarise(unexpected)}");
            if (shapes.Count > 0) parts.Add($"shape mismatches ({shapes.Count}): {Summarise(shapes)}");
            throw new CheckpointException($"Checkpoint {origin} does not fit the model: {string.Join("; ", parts)}.");
        }
        using (no_grad())
        {
            foreach (var (key, value) in source)
            {
                var t = target[key];
                using var converted = value.to(t.dtype, t.device);
                t.copy_(converted);
            }
        }
        foreach (var derived in module.modules().Prepend(module).OfType<IDerivedFromWeights>()) derived.WeightsLoaded();
        return missing;
    }

    private static string Summarise(IReadOnlyList<string> items) =>
        string.Join(", ", items.Take(20)) + (items.Count > 20 ? $", … {items.Count - 20} more" : "");
}
