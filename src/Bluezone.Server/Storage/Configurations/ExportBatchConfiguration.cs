using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bluezone.Server.Storage.Configurations;

internal sealed class ExportBatchConfiguration : IEntityTypeConfiguration<ExportBatch>
{
    public void Configure(EntityTypeBuilder<ExportBatch> builder)
    {
        builder.ToTable("export_batches");
        builder.HasKey(b => b.Id);

        // Two publishers that both believed they held the lease cannot both publish the same period.
        builder.HasIndex(b => b.EndTime).IsUnique();
        builder.HasMany(b => b.Files).WithOne().HasForeignKey(f => f.BatchId).OnDelete(DeleteBehavior.Cascade);
    }
}
