using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuditChain : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Hash",
                table: "AuditEvents",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "PreviousHash",
                table: "AuditEvents",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "Sequence",
                table: "AuditEvents",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Events from before the chain: a distinct position below 1 each, so the unique index
            // holds; Aftercare seals them into the chain in Id order at its next start (ADR 0008).
            migrationBuilder.Sql("UPDATE \"AuditEvents\" SET \"Sequence\" = -\"Id\";");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_Sequence",
                table: "AuditEvents",
                column: "Sequence",
                unique: true);

            // Append-only for every connection through SQLite: a sealed audit event cannot be
            // changed or removed. Sealing an event from before the chain (Hash still empty) is the
            // one update. Whoever holds the file can drop these; `aftercare audit verify` is the
            // backstop (docs/security.md).
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEvents_no_update" BEFORE UPDATE ON "AuditEvents" WHEN OLD."Hash" <> ''
                BEGIN SELECT RAISE(ABORT, 'Audit events cannot be changed or removed (UPDATE)'); END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEvents_no_delete" BEFORE DELETE ON "AuditEvents"
                BEGIN SELECT RAISE(ABORT, 'Audit events cannot be changed or removed (DELETE)'); END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER \"AuditEvents_no_delete\";");
            migrationBuilder.Sql("DROP TRIGGER \"AuditEvents_no_update\";");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_Sequence",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "Hash",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "PreviousHash",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "Sequence",
                table: "AuditEvents");
        }
    }
}
