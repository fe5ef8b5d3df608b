using Bluezone.Server.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Bluezone.Server.Migrations.Sqlite;

/// <summary>
/// Lets dotnet-ef build the model for this provider when generating migrations (it never connects); at run time
/// the server configures the context itself and only loads the migrations from this assembly.
/// </summary>
internal sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<BluezoneDbContext>
{
    public BluezoneDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<BluezoneDbContext>();
        options.UseSqlite("Data Source=design-time.db", o => o.MigrationsAssembly(DatabaseLocation.SqliteMigrationsAssembly));
        return new BluezoneDbContext(options.Options);
    }
}
