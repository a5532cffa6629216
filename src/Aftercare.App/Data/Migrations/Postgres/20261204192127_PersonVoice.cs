using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PersonVoice : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "WhileYouWait",
                table: "SafetyPlanLinks",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ChosenByThePersonAt",
                table: "MessagePreferences",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "PersonMessages",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    PersonId = table.Column<Guid>(type: "uuid", nullable: false),
                    Author = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    Channel = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    InResponseTo = table.Column<Guid>(type: "uuid", nullable: true),
                    WrittenBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    ExternalIdHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    AnsweredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    AnsweredBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Text = table.Column<string>(type: "character varying(16200)", maxLength: 16200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PersonMessages", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PersonMessages_People_PersonId",
                        column: x => x.PersonId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "TalkRequests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    PersonId = table.Column<Guid>(type: "uuid", nullable: false),
                    How = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    When = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    AskedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DueBy = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DoneAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DoneBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Note = table.Column<string>(type: "character varying(4200)", maxLength: 4200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TalkRequests", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TalkRequests_People_PersonId",
                        column: x => x.PersonId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_PersonMessages_Author_AnsweredAt",
                table: "PersonMessages",
                columns: new[] { "Author", "AnsweredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_PersonMessages_ExternalIdHash",
                table: "PersonMessages",
                column: "ExternalIdHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PersonMessages_PersonId_At",
                table: "PersonMessages",
                columns: new[] { "PersonId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_TalkRequests_PersonId_DoneAt",
                table: "TalkRequests",
                columns: new[] { "PersonId", "DoneAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PersonMessages");

            migrationBuilder.DropTable(
                name: "TalkRequests");

            migrationBuilder.DropColumn(
                name: "WhileYouWait",
                table: "SafetyPlanLinks");

            migrationBuilder.DropColumn(
                name: "ChosenByThePersonAt",
                table: "MessagePreferences");
        }
    }
}
