using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bluezone.Server.Storage.Configurations;

internal sealed class VerificationCodeConfiguration : IEntityTypeConfiguration<VerificationCode>
{
    public void Configure(EntityTypeBuilder<VerificationCode> builder)
    {
        builder.ToTable("verification_codes");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.ShortCodeHash).HasMaxLength(32);
        builder.Property(c => c.LongCodeHash).HasMaxLength(32);
        builder.Property(c => c.CaseReferenceHash).HasMaxLength(32);

        // Unique: a fresh code that collides with a stored one fails the insert and is drawn again.
        builder.HasIndex(c => c.ShortCodeHash).IsUnique();
        builder.HasIndex(c => c.LongCodeHash).IsUnique();
        builder.HasIndex(c => c.IssuedAt);
        builder.HasOne<ApiKey>().WithMany().HasForeignKey(c => c.ApiKeyId).OnDelete(DeleteBehavior.Restrict);
    }
}
