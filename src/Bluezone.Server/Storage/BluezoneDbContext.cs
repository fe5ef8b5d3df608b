using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Bluezone.Server.Storage;

/// <summary>The server's one database: SQLite by default, PostgreSQL in production.</summary>
public sealed class BluezoneDbContext(DbContextOptions<BluezoneDbContext> options) : DbContext(options)
{
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<VerificationCode> VerificationCodes => Set<VerificationCode>();

    public DbSet<UploadToken> UploadTokens => Set<UploadToken>();

    public DbSet<PublishedKey> PublishedKeys => Set<PublishedKey>();

    public DbSet<HeardTokenSet> HeardTokenSets => Set<HeardTokenSet>();

    public DbSet<StoredHeardToken> HeardTokens => Set<StoredHeardToken>();

    public DbSet<ExportBatch> ExportBatches => Set<ExportBatch>();

    public DbSet<ExportFile> ExportFiles => Set<ExportFile>();

    public DbSet<Lease> Leases => Set<Lease>();

    public DbSet<CommunityDay> CommunityDays => Set<CommunityDay>();

    public DbSet<SpentJoinProof> SpentJoinProofs => Set<SpentJoinProof>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(BluezoneDbContext).Assembly);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no date-time type and EF cannot compare DateTimeOffset text in SQL; as 64-bit integers
        // (all values are UTC) the retention, expiry and lease conditions run in the database on both providers.
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        }
    }
}
