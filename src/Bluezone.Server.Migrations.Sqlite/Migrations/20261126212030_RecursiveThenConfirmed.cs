using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bluezone.Server.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class RecursiveThenConfirmed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_published_keys_KeyData",
                table: "published_keys");

            migrationBuilder.CreateIndex(
                name: "IX_published_keys_KeyData_Confirmed",
                table: "published_keys",
                column: "KeyData",
                unique: true,
                filter: "\"ReportType\" <> 4");

            migrationBuilder.CreateIndex(
                name: "IX_published_keys_KeyData_Recursive",
                table: "published_keys",
                column: "KeyData",
                unique: true,
                filter: "\"ReportType\" = 4");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_published_keys_KeyData_Confirmed",
                table: "published_keys");

            migrationBuilder.DropIndex(
                name: "IX_published_keys_KeyData_Recursive",
                table: "published_keys");

            migrationBuilder.CreateIndex(
                name: "IX_published_keys_KeyData",
                table: "published_keys",
                column: "KeyData",
                unique: true);
        }
    }
}
