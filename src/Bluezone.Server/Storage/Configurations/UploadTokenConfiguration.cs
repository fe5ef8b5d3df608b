using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bluezone.Server.Storage.Configurations;

internal sealed class UploadTokenConfiguration : IEntityTypeConfiguration<UploadToken>
{
    public void Configure(EntityTypeBuilder<UploadToken> builder)
    {
        builder.ToTable("upload_tokens");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.TokenHash).HasMaxLength(32);
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.HasIndex(t => t.IssuedAt);
    }
}
