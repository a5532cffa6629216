using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Sqlite
{
    /// <summary>
    /// Nothing on SQLite (ADR 0016): a single team's audit stays one table. The migration exists so
    /// that both providers apply the same migrations by name and in order (ADR 0013).
    /// </summary>
    public partial class AuditPartitions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
