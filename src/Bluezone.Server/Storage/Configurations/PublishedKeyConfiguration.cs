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

        // A key is published once: a second upload of the same key bytes is refused as a whole.
        builder.HasIndex(k => k.KeyData).IsUnique();

        // The publisher's query: unexported keys that are available by a batch's end.
        builder.HasIndex(k => new { k.ExportBatchId, k.AvailableAt });
        builder.HasIndex(k => k.ReceivedAt);
    }
}
