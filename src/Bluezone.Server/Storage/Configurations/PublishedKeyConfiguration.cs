using Bluezone.Server.Verification;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bluezone.Server.Storage.Configurations;

internal sealed class PublishedKeyConfiguration : IEntityTypeConfiguration<PublishedKey>
{
    public void Configure(EntityTypeBuilder<PublishedKey> builder)
    {
        builder.ToTable("published_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.KeyData).HasMaxLength(16);

        // A key is published at most once as confirmed and at most once as RECURSIVE; a second upload of the same key
        // bytes in the same role is refused as a whole. Both roles may hold it because an F1 who later tests positive
        // publishes again, as confirmed, the keys it uploaded as RECURSIVE (ConfirmedUploads), and the confirmed copy
        // must reach the phones that already processed the recursive one.
        builder.HasIndex(k => k.KeyData, "IX_published_keys_KeyData_Confirmed").IsUnique()
            .HasFilter($"\"ReportType\" <> {ReportTypes.Recursive}");
        builder.HasIndex(k => k.KeyData, "IX_published_keys_KeyData_Recursive").IsUnique()
            .HasFilter($"\"ReportType\" = {ReportTypes.Recursive}");

        // The publisher's query: unexported keys that are available by a batch's end.
        builder.HasIndex(k => new { k.ExportBatchId, k.AvailableAt });
        builder.HasIndex(k => k.ReceivedAt);
    }
}
