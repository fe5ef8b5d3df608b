using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bluezone.Server.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    KeyHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_keys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "community_days",
                columns: table => new
                {
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Joins = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_community_days", x => x.Day);
                });

            migrationBuilder.CreateTable(
                name: "export_batches",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StartTime = table.Column<long>(type: "INTEGER", nullable: false),
                    EndTime = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    KeyCount = table.Column<int>(type: "INTEGER", nullable: false),
                    FileCount = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_export_batches", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "heard_token_sets",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    WindowStartIntervalNumber = table.Column<int>(type: "INTEGER", nullable: false),
                    WindowEndIntervalNumber = table.Column<int>(type: "INTEGER", nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_heard_token_sets", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "leases",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    Holder = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_leases", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "published_keys",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    KeyData = table.Column<byte[]>(type: "BLOB", maxLength: 16, nullable: false),
                    RollingStartIntervalNumber = table.Column<int>(type: "INTEGER", nullable: false),
                    RollingPeriod = table.Column<int>(type: "INTEGER", nullable: false),
                    ReportType = table.Column<int>(type: "INTEGER", nullable: false),
                    DaysSinceOnsetOfSymptoms = table.Column<int>(type: "INTEGER", nullable: true),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AvailableAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExportBatchId = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_published_keys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "spent_join_proofs",
                columns: table => new
                {
                    ProofHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_spent_join_proofs", x => x.ProofHash);
                });

            migrationBuilder.CreateTable(
                name: "upload_tokens",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TokenHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    ReportType = table.Column<int>(type: "INTEGER", nullable: false),
                    TestDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    SymptomOnsetDate = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    IssuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UsedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_upload_tokens", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "verification_codes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ShortCodeHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    LongCodeHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    CaseReferenceHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    ApiKeyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TestDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    SymptomOnsetDate = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    ReportType = table.Column<int>(type: "INTEGER", nullable: false),
                    IssuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ShortExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LongExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ClaimedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_verification_codes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_verification_codes_api_keys_ApiKeyId",
                        column: x => x.ApiKeyId,
                        principalTable: "api_keys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "export_files",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BatchId = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    BatchNumber = table.Column<int>(type: "INTEGER", nullable: false),
                    BatchSize = table.Column<int>(type: "INTEGER", nullable: false),
                    Content = table.Column<byte[]>(type: "BLOB", nullable: false),
                    ETag = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_export_files", x => x.Id);
                    table.ForeignKey(
                        name: "FK_export_files_export_batches_BatchId",
                        column: x => x.BatchId,
                        principalTable: "export_batches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "heard_tokens",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SetId = table.Column<long>(type: "INTEGER", nullable: false),
                    High = table.Column<long>(type: "INTEGER", nullable: false),
                    Low = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_heard_tokens", x => x.Id);
                    table.ForeignKey(
                        name: "FK_heard_tokens_heard_token_sets_SetId",
                        column: x => x.SetId,
                        principalTable: "heard_token_sets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "leases",
                columns: new[] { "Name", "ExpiresAt", "Holder" },
                values: new object[] { "export-publisher", 1272537022464000000L, null });

            migrationBuilder.CreateIndex(
                name: "IX_api_keys_KeyHash",
                table: "api_keys",
                column: "KeyHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_export_batches_EndTime",
                table: "export_batches",
                column: "EndTime",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_export_files_BatchId",
                table: "export_files",
                column: "BatchId");

            migrationBuilder.CreateIndex(
                name: "IX_export_files_Name",
                table: "export_files",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_heard_token_sets_ReceivedAt",
                table: "heard_token_sets",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_heard_tokens_High",
                table: "heard_tokens",
                column: "High");

            migrationBuilder.CreateIndex(
                name: "IX_heard_tokens_SetId",
                table: "heard_tokens",
                column: "SetId");

            migrationBuilder.CreateIndex(
                name: "IX_published_keys_ExportBatchId_AvailableAt",
                table: "published_keys",
                columns: new[] { "ExportBatchId", "AvailableAt" });

            migrationBuilder.CreateIndex(
                name: "IX_published_keys_KeyData",
                table: "published_keys",
                column: "KeyData",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_published_keys_ReceivedAt",
                table: "published_keys",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_spent_join_proofs_ExpiresAt",
                table: "spent_join_proofs",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_upload_tokens_IssuedAt",
                table: "upload_tokens",
                column: "IssuedAt");

            migrationBuilder.CreateIndex(
                name: "IX_upload_tokens_TokenHash",
                table: "upload_tokens",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_verification_codes_ApiKeyId",
                table: "verification_codes",
                column: "ApiKeyId");

            migrationBuilder.CreateIndex(
                name: "IX_verification_codes_IssuedAt",
                table: "verification_codes",
                column: "IssuedAt");

            migrationBuilder.CreateIndex(
                name: "IX_verification_codes_LongCodeHash",
                table: "verification_codes",
                column: "LongCodeHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_verification_codes_ShortCodeHash",
                table: "verification_codes",
                column: "ShortCodeHash",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "community_days");

            migrationBuilder.DropTable(
                name: "export_files");

            migrationBuilder.DropTable(
                name: "heard_tokens");

            migrationBuilder.DropTable(
                name: "leases");

            migrationBuilder.DropTable(
                name: "published_keys");

            migrationBuilder.DropTable(
                name: "spent_join_proofs");

            migrationBuilder.DropTable(
                name: "upload_tokens");

            migrationBuilder.DropTable(
                name: "verification_codes");

            migrationBuilder.DropTable(
                name: "export_batches");

            migrationBuilder.DropTable(
                name: "heard_token_sets");

            migrationBuilder.DropTable(
                name: "api_keys");
        }
    }
}
