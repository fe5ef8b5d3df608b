using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bluezone.Server.Storage.Configurations;

internal sealed class LeaseConfiguration : IEntityTypeConfiguration<Lease>
{
    public void Configure(EntityTypeBuilder<Lease> builder)
    {
        builder.ToTable("leases");
        builder.HasKey(l => l.Name);
        builder.Property(l => l.Name).HasMaxLength(50);
        builder.Property(l => l.Holder).HasMaxLength(100);

        // The row exists from the first migration on, so taking the lease is always one conditional UPDATE.
        builder.HasData(new Lease { Name = Exports.ExportLease.Name, Holder = null, ExpiresAt = DateTimeOffset.UnixEpoch });
    }
}
