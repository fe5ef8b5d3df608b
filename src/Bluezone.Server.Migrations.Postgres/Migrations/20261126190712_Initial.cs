using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Bluezone.Server.Migrations.Postgres.Migrations
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    KeyHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_keys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "community_days",
                columns: table => new
                {
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    Joins = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_community_days", x => x.Day);
                });

            migrationBuilder.CreateTable(
                name: "export_batches",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    StartTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    EndTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    KeyCount = table.Column<int>(type: "integer", nullable: false),
                    FileCount = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_export_batches", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "heard_token_sets",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    WindowStartIntervalNumber = table.Column<int>(type: "integer", nullable: false),
                    WindowEndIntervalNumber = table.Column<int>(type: "integer", nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_heard_token_sets", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "leases",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    Holder = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_leases", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "published_keys",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    KeyData = table.Column<byte[]>(type: "bytea", maxLength: 16, nullable: false),
                    RollingStartIntervalNumber = table.Column<int>(type: "integer", nullable: false),
                    RollingPeriod = table.Column<int>(type: "integer", nullable: false),
                    ReportType = table.Column<int>(type: "integer", nullable: false),
                    DaysSinceOnsetOfSymptoms = table.Column<int>(type: "integer", nullable: true),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    AvailableAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExportBatchId = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_published_keys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "spent_join_proofs",
                columns: table => new
                {
                    ProofHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_spent_join_proofs", x => x.ProofHash);
                });

            migrationBuilder.CreateTable(
                name: "upload_tokens",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TokenHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    ReportType = table.Column<int>(type: "integer", nullable: false),
                    TestDate = table.Column<DateOnly>(type: "date", nullable: false),
                    SymptomOnsetDate = table.Column<DateOnly>(type: "date", nullable: true),
                    IssuedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UsedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_upload_tokens", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "verification_codes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ShortCodeHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    LongCodeHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    CaseReferenceHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    ApiKeyId = table.Column<Guid>(type: "uuid", nullable: false),
                    TestDate = table.Column<DateOnly>(type: "date", nullable: false),
                    SymptomOnsetDate = table.Column<DateOnly>(type: "date", nullable: true),
                    ReportType = table.Column<int>(type: "integer", nullable: false),
                    IssuedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ShortExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LongExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ClaimedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    BatchId = table.Column<long>(type: "bigint", nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    BatchNumber = table.Column<int>(type: "integer", nullable: false),
                    BatchSize = table.Column<int>(type: "integer", nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: false),
                    ETag = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SetId = table.Column<long>(type: "bigint", nullable: false),
                    High = table.Column<long>(type: "bigint", nullable: false),
                    Low = table.Column<long>(type: "bigint", nullable: false)
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
                values: new object[] { "export-publisher", new DateTimeOffset(new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)), null });

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
