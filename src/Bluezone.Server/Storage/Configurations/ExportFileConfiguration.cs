using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bluezone.Server.Storage.Configurations;

internal sealed class ExportFileConfiguration : IEntityTypeConfiguration<ExportFile>
{
    public void Configure(EntityTypeBuilder<ExportFile> builder)
    {
        builder.ToTable("export_files");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Name).HasMaxLength(100);
        builder.Property(f => f.ETag).HasMaxLength(80);
        builder.HasIndex(f => f.Name).IsUnique();
    }
}
