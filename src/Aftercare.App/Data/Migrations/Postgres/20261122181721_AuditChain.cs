using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Postgres
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
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "PreviousHash",
                table: "AuditEvents",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "Sequence",
                table: "AuditEvents",
                type: "bigint",
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

            // Append-only: no connection can change or remove a sealed audit event, whatever its
            // grants. Sealing an event from before the chain (Hash still empty) is the one update.
            // The table's owner can still disable these triggers; `aftercare audit verify` is the
            // backstop (docs/security.md).
            migrationBuilder.Sql("""
                CREATE FUNCTION aftercare_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' THEN
                        IF OLD."Hash" = '' THEN
                            RETURN NEW;
                        END IF;
                    END IF;
                    RAISE EXCEPTION 'Audit events cannot be changed or removed (%)', TG_OP
                        USING ERRCODE = 'insufficient_privilege';
                END
                $$;
                CREATE TRIGGER "AuditEvents_append_only" BEFORE UPDATE OR DELETE ON "AuditEvents"
                    FOR EACH ROW EXECUTE FUNCTION aftercare_audit_append_only();
                CREATE TRIGGER "AuditEvents_no_truncate" BEFORE TRUNCATE ON "AuditEvents"
                    FOR EACH STATEMENT EXECUTE FUNCTION aftercare_audit_append_only();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "AuditEvents_no_truncate" ON "AuditEvents";
                DROP TRIGGER "AuditEvents_append_only" ON "AuditEvents";
                DROP FUNCTION aftercare_audit_append_only();
                """);

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
