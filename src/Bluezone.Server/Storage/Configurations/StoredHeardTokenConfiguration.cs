using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bluezone.Server.Storage.Configurations;

internal sealed class StoredHeardTokenConfiguration : IEntityTypeConfiguration<StoredHeardToken>
{
    public void Configure(EntityTypeBuilder<StoredHeardToken> builder)
    {
        builder.ToTable("heard_tokens");
        builder.HasKey(t => t.Id);

        // The contact proof looks tokens up by their first half; the second half is checked on the few hits.
        builder.HasIndex(t => t.High);
        builder.HasIndex(t => t.SetId);
    }
}
