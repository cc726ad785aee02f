using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Ser.Api.Hosting.Health;
using Ser.Api.Models;
using Ser.Training.Runs;
using Ser.Training.Storage;

namespace Ser.Api.Tests.Models;

/// <summary>The served models' change token: what is derived from the served set (the loops that may help each other)
/// is read again once a model is installed.</summary>
public sealed class ModelHostTests
{
    [Fact]
    public void Installing_a_model_fires_the_token_taken_before_it()
    {
        var folder = Directory.CreateTempSubdirectory("ser-host-").FullName;
        try
        {
            var serving = new ServingOptions { DataPath = folder };
            serving.Models["wav2vec2"] = new ModelSourceOptions { Path = "scripted" };
            using var host = new ModelHost(Options.Create(serving), new ScriptedLoader(a => new ScriptedClassifier(a)),
                new RunRegistry(SqlDatabase.Sqlite(Path.Combine(folder, "registry.db"))), new ServiceReadiness(), NullLogger<ModelHost>.Instance);
            var before = host.GetChangeToken();
            Assert.False(before.HasChanged);

            host.LoadAtStartup();

            Assert.True(before.HasChanged);
            Assert.Single(host.Active);
            Assert.False(host.GetChangeToken().HasChanged); // a new token for the next change
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
