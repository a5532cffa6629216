using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SecretsAtRest : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OutboxMessages_OptOutToken",
                table: "OutboxMessages");

            migrationBuilder.AddColumn<string>(
                name: "OptOutTokenHash",
                table: "OutboxMessages",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Mac",
                table: "AuditEvents",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_OptOutTokenHash",
                table: "OutboxMessages",
                column: "OptOutTokenHash",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OutboxMessages_OptOutTokenHash",
                table: "OutboxMessages");

            migrationBuilder.DropColumn(
                name: "OptOutTokenHash",
                table: "OutboxMessages");

            migrationBuilder.DropColumn(
                name: "Mac",
                table: "AuditEvents");

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_OptOutToken",
                table: "OutboxMessages",
                column: "OptOutToken",
                unique: true);
        }
    }
}
