using Microsoft.Extensions.Options;
using Ser.Api.Jobs;
using Ser.Api.Models;
using Ser.Training.Runs;
using Ser.Training.Storage;

namespace Ser.Api.Hosting.Storage;

/// <summary>Where the service keeps what it knows: run folders on disk (<c>Ser:DataPath</c>), and the run registry and
/// job records in one database, SQLite under the data folder or PostgreSQL when <c>ConnectionStrings:Postgres</c> is set.</summary>
public static class StorageExtensions
{
    public const string PostgresKey = "Postgres";

    public static WebApplicationBuilder AddSerStorage(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ServingOptions>().Bind(builder.Configuration.GetSection(ServingOptions.Section)).ValidateOnStart();
        var postgres = builder.Configuration.GetConnectionString(PostgresKey);
        services.AddSingleton(sp => string.IsNullOrWhiteSpace(postgres)
            ? SqlDatabase.Sqlite(sp.GetRequiredService<IOptions<ServingOptions>>().Value.RegistryPath)
            : SqlDatabase.Postgres(postgres));
        services.AddSingleton(sp => new RunStore(sp.GetRequiredService<IOptions<ServingOptions>>().Value.RunsPath));
        services.AddSingleton(sp => new RunRegistry(sp.GetRequiredService<SqlDatabase>()));
        services.AddSingleton<JobStore>();
        return builder;
    }
}
