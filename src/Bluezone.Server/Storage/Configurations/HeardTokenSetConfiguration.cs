using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bluezone.Server.Storage.Configurations;

internal sealed class HeardTokenSetConfiguration : IEntityTypeConfiguration<HeardTokenSet>
{
    public void Configure(EntityTypeBuilder<HeardTokenSet> builder)
    {
        builder.ToTable("heard_token_sets");
        builder.HasKey(s => s.Id);
        builder.HasIndex(s => s.ReceivedAt);

        // Deleting a set (retention) deletes its tokens in the database, without loading them.
        builder.HasMany(s => s.Tokens).WithOne().HasForeignKey(t => t.SetId).OnDelete(DeleteBehavior.Cascade);
    }
}
