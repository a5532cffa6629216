using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "ChosenByThePersonAt",
                table: "MessagePreferences",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "PersonMessages",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    PersonId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Author = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    InResponseTo = table.Column<Guid>(type: "TEXT", nullable: true),
                    WrittenBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    ExternalIdHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    AnsweredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AnsweredBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Text = table.Column<string>(type: "TEXT", maxLength: 16200, nullable: false)
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
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    PersonId = table.Column<Guid>(type: "TEXT", nullable: false),
                    How = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    When = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    AskedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DueBy = table.Column<long>(type: "INTEGER", nullable: false),
                    DoneAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DoneBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Note = table.Column<string>(type: "TEXT", maxLength: 4200, nullable: true)
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
