using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class BulkExport : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BulkExports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Level = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    GroupId = table.Column<Guid>(type: "uuid", nullable: true),
                    Types = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Request = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    RequestedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    TransactionTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    PeopleDone = table.Column<int>(type: "integer", nullable: false),
                    PeopleTotal = table.Column<int>(type: "integer", nullable: false),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    ClaimedBy = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    ClaimedUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BulkExports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "BulkExportFiles",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ExportId = table.Column<Guid>(type: "uuid", nullable: false),
                    Type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    Count = table.Column<int>(type: "integer", nullable: false),
                    Content = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BulkExportFiles", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BulkExportFiles_BulkExports_ExportId",
                        column: x => x.ExportId,
                        principalTable: "BulkExports",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BulkExportFiles_ExportId_Number",
                table: "BulkExportFiles",
                columns: new[] { "ExportId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_BulkExports_ExpiresAt",
                table: "BulkExports",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_BulkExports_Status_RequestedAt",
                table: "BulkExports",
                columns: new[] { "Status", "RequestedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BulkExportFiles");

            migrationBuilder.DropTable(
                name: "BulkExports");
        }
    }
}
