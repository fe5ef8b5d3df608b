using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bluezone.Server.Storage.Configurations;

internal sealed class SpentJoinProofConfiguration : IEntityTypeConfiguration<SpentJoinProof>
{
    public void Configure(EntityTypeBuilder<SpentJoinProof> builder)
    {
        builder.ToTable("spent_join_proofs");
        builder.HasKey(p => p.ProofHash);
        builder.Property(p => p.ProofHash).HasMaxLength(32);
        builder.HasIndex(p => p.ExpiresAt);
    }
}
