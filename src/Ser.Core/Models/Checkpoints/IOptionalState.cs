namespace Ser.Core.Models.Checkpoints;

/// <summary>A module whose state dict holds entries a checkpoint may lack: state kept for other tools (say, Hugging
/// Face's) that this module never computes with. <see cref="StateDictLoader"/> leaves a missing one at its init.</summary>
internal interface IOptionalState
{
    /// <summary>The module's own names of those entries (without its parents' prefixes).</summary>
    IEnumerable<string> OptionalStateKeys { get; }
}
