using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Postgres
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

            migrationBuilder.AlterColumn<string>(
                name: "TherapistTraining",
                table: "TherapyCourses",
                type: "character varying(4200)",
                maxLength: 4200,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(1000)",
                oldMaxLength: 1000);

            migrationBuilder.AlterColumn<string>(
                name: "Therapist",
                table: "TherapyCourses",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(200)",
                oldMaxLength: 200);

            migrationBuilder.AlterColumn<string>(
                name: "Supervision",
                table: "TherapyCourses",
                type: "character varying(4200)",
                maxLength: 4200,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(1000)",
                oldMaxLength: 1000);

            migrationBuilder.AlterColumn<string>(
                name: "OptOutToken",
                table: "OutboxMessages",
                type: "character varying(456)",
                maxLength: 456,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64);

            migrationBuilder.AddColumn<string>(
                name: "OptOutTokenHash",
                table: "OutboxMessages",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "Language",
                table: "MessagePreferences",
                type: "character varying(280)",
                maxLength: 280,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(20)",
                oldMaxLength: 20);

            migrationBuilder.AddColumn<string>(
                name: "Mac",
                table: "AuditEvents",
                type: "character varying(64)",
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

            migrationBuilder.AlterColumn<string>(
                name: "TherapistTraining",
                table: "TherapyCourses",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(4200)",
                oldMaxLength: 4200);

            migrationBuilder.AlterColumn<string>(
                name: "Therapist",
                table: "TherapyCourses",
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(1000)",
                oldMaxLength: 1000);

            migrationBuilder.AlterColumn<string>(
                name: "Supervision",
                table: "TherapyCourses",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(4200)",
                oldMaxLength: 4200);

            migrationBuilder.AlterColumn<string>(
                name: "OptOutToken",
                table: "OutboxMessages",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(456)",
                oldMaxLength: 456);

            migrationBuilder.AlterColumn<string>(
                name: "Language",
                table: "MessagePreferences",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(280)",
                oldMaxLength: 280);

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_OptOutToken",
                table: "OutboxMessages",
                column: "OptOutToken",
                unique: true);
        }
    }
}
