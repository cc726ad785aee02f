namespace Ser.Api.Models;

/// <summary>Builds a servable model from a run or a model folder (a service of its own, so a host can wrap or replace it).</summary>
public interface IModelLoader
{
    ServedModel LoadRun(string runId);

    ServedModel LoadFolder(string architecture, string path);
}
