using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bluezone.Server.Storage.Configurations;

internal sealed class CommunityDayConfiguration : IEntityTypeConfiguration<CommunityDay>
{
    public void Configure(EntityTypeBuilder<CommunityDay> builder)
    {
        builder.ToTable("community_days");
        builder.HasKey(d => d.Day);
    }
}
