using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ConsentAndSafeguarding : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ConsentDecisions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    PersonId = table.Column<Guid>(type: "uuid", nullable: false),
                    Topic = table.Column<int>(type: "integer", nullable: false),
                    Agreed = table.Column<bool>(type: "boolean", nullable: false),
                    Whom = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    WhatTheyMayKnow = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    RecordedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RecordedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    WithdrawnAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    WithdrawnBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    WithdrawnNote = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConsentDecisions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ConsentDecisions_People_PersonId",
                        column: x => x.PersonId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "SafeguardingConcerns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    PersonId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    Concern = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    RaisedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RaisedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ReportMandatory = table.Column<bool>(type: "boolean", nullable: false),
                    ReportedTo = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ReportReference = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    NoReportReason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SafeguardingConcerns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SafeguardingConcerns_People_PersonId",
                        column: x => x.PersonId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ConsentDecisions_PersonId_Topic_RecordedAt",
                table: "ConsentDecisions",
                columns: new[] { "PersonId", "Topic", "RecordedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_SafeguardingConcerns_PersonId_RaisedAt",
                table: "SafeguardingConcerns",
                columns: new[] { "PersonId", "RaisedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ConsentDecisions");

            migrationBuilder.DropTable(
                name: "SafeguardingConcerns");
        }
    }
}
