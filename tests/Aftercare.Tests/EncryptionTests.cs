using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Users;
using Aftercare.Hosting;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Aftercare.Tests;

/// <summary>
/// Issue #6 point 4: clinical free text is encrypted at rest, bound to its row and column; old
/// keys keep old data readable; an altered or moved value fails closed with a clear error.
/// </summary>
public sealed class EncryptionTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Canaries_written_to_every_encrypted_field_never_appear_in_a_raw_database_dump()
    {
        // Every string column in the model is encrypted or on the allow-list: a new free-text column cannot slip by.
        var columns = await app.Read(db => Task.FromResult(StringColumns(db)));
        var encrypted = await app.Read(db => Task.FromResult(EncryptedColumns(db)));
        var unclassified = columns.Except(encrypted).Except(NotFreeText.Keys).Order().ToList();
        Assert.True(unclassified.Count == 0, "Neither encrypted (EncryptedFields) nor on the allow-list of columns that are not free text: " + string.Join(", ", unclassified));
        var stale = NotFreeText.Keys.Where(c => !columns.Contains(c) || encrypted.Contains(c)).ToList();
        Assert.True(stale.Count == 0, "On the allow-list but no longer a clear string column: " + string.Join(", ", stale));

        // Through the app's API and pages: a presentation's treatment notes.
        var notesMarker = Marker("Presentations.MedicalTreatmentNotes.api");
        var (personId, _) = await RegisterPresentationAsync(notesMarker);
        var clinician = await app.ClientFor(Roles.Clinician);
        Assert.Contains(notesMarker, await clinician.GetStringAsync($"people/{personId}", Ct), StringComparison.Ordinal);

        // Clinical documents, their revisions and a therapy course, through the app's own forms.
        string[] formMarkers = [Marker("assessment"), Marker("assessment-amended"), Marker("safety-plan"), Marker("safety-plan-amended")];
        var (_, presentationId) = await RegisterPresentationAsync(Marker("documents"));
        var assessment = $"presentations/{presentationId}/assessment";
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post(assessment, "assessment", PlansTests.Assessment(0, "complete", account: formMarkers[0]))).StatusCode);
        var amend = PlansTests.Assessment(1, "complete", account: formMarkers[1]);
        amend["amendmentReason"] = "The person added to their account the next day";
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post(assessment, "assessment", amend)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post($"people/{personId}", "therapy", new Dictionary<string, string>
        {
            ["type"] = "ProblemSolving", ["plannedSessions"] = "20", ["startsOn"] = "2026-12-01", ["therapist"] = "Therapist Example",
            ["therapistTraining"] = "Problem-solving therapy course", ["supervision"] = "Fortnightly", ["reasonOutsideRange"] = "Agreed with the person",
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post($"people/{personId}/safety-plan", "safety-plan", PlansTests.SafetyPlan(0, formMarkers[2]))).StatusCode);
        var amendPlan = PlansTests.SafetyPlan(1, formMarkers[3]);
        amendPlan["amendmentReason"] = "Reviewed with the person";
        await clinician.Post($"people/{personId}/safety-plan", "safety-plan", amendPlan);

        // Consent, safeguarding (a report is also a share), emergency access and a medication, so each has a row.
        var pageMarkers = new List<string>();
        string Page(string what)
        {
            var marker = Marker(what);
            pageMarkers.Add(marker);
            return marker;
        }

        var consent = $"people/{personId}/consent";
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post(consent, "consent", new Dictionary<string, string>
        {
            ["Decision.Topic"] = "InvolveFamilyOrCarers", ["Decision.Agreed"] = "yes", ["Decision.Whom"] = Page("whom"), ["Decision.WhatTheyMayKnow"] = Page("may-know"),
        })).StatusCode);
        var decision = await app.Read(db => db.ConsentDecisions.Where(d => d.PersonId == personId).Select(d => d.Id).SingleAsync(Ct));
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post(consent, $"withdraw-{decision}", new Dictionary<string, string>
        {
            ["Withdrawal.DecisionId"] = decision.ToString(), ["Withdrawal.Note"] = Page("withdrawn"),
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post(consent, "safeguarding", new Dictionary<string, string>
        {
            ["Concern.Kind"] = "ChildProtection", ["Concern.Text"] = Page("concern"), ["Concern.ReportedTo"] = Page("reported-to"), ["Concern.Reference"] = "REF-1",
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post(consent, "safeguarding", new Dictionary<string, string>
        {
            ["Concern.Kind"] = "AdultSupportAndProtection", ["Concern.Text"] = Page("concern-2"), ["Concern.NoReportReason"] = Page("no-report"),
        })).StatusCode);
        var other = await app.ClientFor(app.OtherTeamClinician);
        Assert.Equal(HttpStatusCode.Redirect, (await other.Post($"people/{personId}/restricted", "break-glass", new Dictionary<string, string>
        {
            ["Form.Reason"] = "EmergencyCare", ["Form.Justification"] = Page("justification"), ["Form.Password"] = app.OtherTeamClinician.Password,
        })).StatusCode);
        // The person's feedback on the assessment, through the private link's form.
        var feedbackPage = await (await clinician.Post(assessment, "feedback-link", [new("how", "Show")])).Content.ReadAsStringAsync(Ct);
        var feedbackLink = System.Text.RegularExpressions.Regex.Match(feedbackPage, "/feedback/[A-Za-z0-9_-]{40,}").Value.TrimStart('/');
        Assert.Equal(HttpStatusCode.OK, (await app.AnonymousClient().Post(feedbackLink, "feedback", new Dictionary<string, string>
        {
            ["listenedTo"] = "Agree", ["comments"] = Page("feedback-comments"), ["anonymous"] = "true",
        })).StatusCode);
        await app.Read(async db =>
        {
            db.Medications.Add(NewMedication(personId, "Sertraline", "Low mood (fictional)"));
            // A passkey the person set up on their phone, with the name they gave it (issue 14.1).
            db.PersonPasskeys.Add(Domain.People.PersonPasskey.Create(personId, Guid.NewGuid().ToByteArray(), [1, 2, 3], 0, "Jo's old phone", app.Clock.GetUtcNow()));
            // What the person wrote to their team, and asked to talk about (issue 14.5, 14.6).
            db.PersonMessages.Add(Domain.Messaging.PersonMessage.FromThePerson(personId, Domain.Messaging.ThreadChannel.MySpace, "A message of mine", null, null, app.Clock.GetUtcNow()).Value);
            db.TalkRequests.Add(Domain.Programme.TalkRequest.Ask(personId, Domain.Programme.TalkHow.PhoneCall, Domain.Programme.TalkWhen.AnyTime, "A note of mine", app.Clock.GetUtcNow().AddHours(4), app.Clock.GetUtcNow()).Value);
            if (!await db.MessagePreferences.AnyAsync(p => p.PersonId == personId, Ct))
            {
                var preferences = new Domain.Messaging.MessagePreferences(personId);
                preferences.SetQuietHours(null, null, "cy");
                db.MessagePreferences.Add(preferences);
            }

            return await db.SaveChangesAsync(Ct);
        });

        // Then every encrypted field, one row each, through the app's own persistence.
        var written = new List<(EncryptedField Field, object Key, string Marker)>();
        var missing = new List<string>();
        foreach (var field in EncryptedFields.All.Where(f => !NotPopulatedHere.Contains(f.EntityType)))
        {
            var marker = Marker($"{field.EntityType.Name}.{field.Property.Name}");
            var key = await app.Read(db => WriteCanaryAsync(db, field, marker));
            if (key is null)
            {
                missing.Add($"{field.EntityType.Name}.{field.Property.Name}");
                continue;
            }

            written.Add((field, key, marker));
        }

        Assert.True(missing.Count == 0, "No row to write a canary into: " + string.Join(", ", missing));

        foreach (var (field, key, marker) in written)
        {
            var plaintext = await app.Read(db => ReadBackAsync(db, field, key));
            Assert.Contains(marker, plaintext ?? "", StringComparison.Ordinal);
        }

        var safetyPlan = written.Single(w => w.Field.EntityType == typeof(Domain.Plans.SafetyPlan));
        var planPerson = await app.Read(db => db.SafetyPlans.Where(p => p.Id == (Guid)safetyPlan.Key).Select(p => p.PersonId).SingleAsync(Ct));
        Assert.Contains(safetyPlan.Marker, WebUtility.HtmlDecode(await clinician.GetStringAsync($"people/{planPerson}/safety-plan", Ct)), StringComparison.Ordinal);
        var referral = written.Single(w => w.Field.EntityType == typeof(Domain.Referrals.Referral) && w.Field.Property.Name == "Reason");
        Assert.Contains(referral.Marker, WebUtility.HtmlDecode(await clinician.GetStringAsync($"referrals/{referral.Key}", Ct)), StringComparison.Ordinal);

        var dump = await RawDumpAsync();
        // The dump is real: a name, kept in clear for search, is in it.
        Assert.Contains("Fictional", dump, StringComparison.Ordinal);
        Assert.DoesNotContain(notesMarker, dump, StringComparison.Ordinal);
        foreach (var marker in formMarkers.Concat(pageMarkers))
        {
            Assert.DoesNotContain(marker, dump, StringComparison.Ordinal);
        }

        var compare = WebUtility.HtmlDecode(await clinician.GetStringAsync($"{assessment}/compare?left=1&right=2", Ct));
        Assert.Contains(formMarkers[0], compare, StringComparison.Ordinal);
        Assert.Contains(formMarkers[1], compare, StringComparison.Ordinal);
        foreach (var (field, _, marker) in written)
        {
            Assert.False(dump.Contains(marker, StringComparison.Ordinal), $"{field.EntityType.Name}.{field.Property.Name} is in the raw database in clear.");
        }

        // A private link's token (PrivateLinkToken) is kept only as its hash: the link the person was given is not in the database.
        var feedbackToken = feedbackLink["feedback/".Length..];
        Assert.NotEmpty(feedbackToken);
        Assert.DoesNotContain(feedbackToken, dump, StringComparison.Ordinal);
        Assert.Contains(PrivateLinkToken.HashOf(feedbackToken), dump, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_altered_value_fails_closed_with_a_clear_error_and_shows_nothing_of_the_record()
    {
        var marker = Marker("altered");
        var (personId, presentationId) = await RegisterPresentationAsync(marker);
        var stored = await StoredAsync("Presentations", "MedicalTreatmentNotes", presentationId);
        var middle = stored.Length / 2;
        var altered = stored[..middle] + (stored[middle] == 'A' ? 'B' : 'A') + stored[(middle + 1)..];
        await SetStoredAsync("Presentations", "MedicalTreatmentNotes", presentationId, altered);
        await using var restore = new Restore(() => SetStoredAsync("Presentations", "MedicalTreatmentNotes", presentationId, stored));

        await Assert.ThrowsAsync<RecordUnreadableException>(() => app.Read(db => db.Presentations.SingleAsync(p => p.Id == presentationId, Ct)));
        var response = await (await app.ClientFor(Roles.Clinician)).GetAsync($"people/{personId}", Ct);
        var page = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("This record could not be decrypted", page, StringComparison.Ordinal);
        Assert.Contains("it may have been altered", page, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ciphertext_moved_to_another_row_fails_closed_and_never_shows_the_other_text()
    {
        var first = Marker("first");
        var (_, firstPresentation) = await RegisterPresentationAsync(first);
        var (secondPerson, secondPresentation) = await RegisterPresentationAsync(Marker("second"));
        var second = await StoredAsync("Presentations", "MedicalTreatmentNotes", secondPresentation);
        await SetStoredAsync("Presentations", "MedicalTreatmentNotes", secondPresentation, await StoredAsync("Presentations", "MedicalTreatmentNotes", firstPresentation));
        await using var restoreSecond = new Restore(() => SetStoredAsync("Presentations", "MedicalTreatmentNotes", secondPresentation, second));

        await Assert.ThrowsAsync<RecordUnreadableException>(() => app.Read(db => db.Presentations.AsNoTracking().SingleAsync(p => p.Id == secondPresentation, Ct)));
        var response = await (await app.ClientFor(Roles.Clinician)).GetAsync($"people/{secondPerson}", Ct);
        var page = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("This record could not be decrypted", page, StringComparison.Ordinal);
        Assert.DoesNotContain(first, page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ciphertext_moved_to_another_column_of_its_row_fails_closed_and_names_where_without_the_text()
    {
        // A medication's name moved into its condition.
        var (secondPerson, _) = await RegisterPresentationAsync(Marker("column"));
        var medication = await app.Read(async db =>
        {
            var m = NewMedication(secondPerson, "Sertraline", "Low mood (fictional)");
            db.Medications.Add(m);
            await db.SaveChangesAsync(Ct);
            return m.Id;
        });
        var condition = await StoredAsync("Medications", "Condition", medication);
        await SetStoredAsync("Medications", "Condition", medication, await StoredAsync("Medications", "Name", medication));
        await using var restoreCondition = new Restore(() => SetStoredAsync("Medications", "Condition", medication, condition));
        var error = await Assert.ThrowsAsync<RecordUnreadableException>(() => app.Read(db => db.Medications.SingleAsync(m => m.Id == medication, Ct)));
        Assert.Equal("Medications", error.Table);
        Assert.Equal("Condition", error.Column);
        Assert.DoesNotContain("Sertraline", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_key_rotation_and_a_restart_old_and_new_data_both_read_back()
    {
        await using var copy = await AuditCopy.CreateAsync();
        var keys = Path.Combine(Path.GetTempPath(), "aftercare-tests", Guid.NewGuid().ToString("N"), "keys");
        try
        {
            var person = Guid.Empty;
            var old = await WithHostAsync(copy.Database, keys, async services =>
            {
                person = await AddPersonAsync(services);
                return await AddMedicationAsync(services, person, "Written under the first key");
            });
            var rotated = await WithHostAsync(copy.Database, keys, services => Task.FromResult(KeyRing.Rotate(services.GetRequiredService<IKeyManager>(), TimeProvider.System)));
            var current = await WithHostAsync(copy.Database, keys, services => AddMedicationAsync(services, person, "Written under the rotated key"));

            var read = await WithHostAsync(copy.Database, keys, async services =>
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
                return await db.Medications.AsNoTracking().Where(m => m.Id == old || m.Id == current).ToDictionaryAsync(m => m.Id, m => m.Condition, Ct);
            });

            Assert.Equal("Written under the first key", read[old]);
            Assert.Equal("Written under the rotated key", read[current]);
            Assert.Equal(2, Directory.GetFiles(keys, "key-*.xml").Length);
            Assert.NotEqual(KeyIdOf(await WithStoredAsync(copy, "Medications", "Condition", old)), KeyIdOf(await WithStoredAsync(copy, "Medications", "Condition", current)));
            Assert.Equal(rotated.KeyId, KeyIdOf(await WithStoredAsync(copy, "Medications", "Condition", current)));
        }
        finally
        {
            if (Directory.Exists(keys))
            {
                Directory.Delete(Path.GetDirectoryName(keys)!, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Every_role_signs_in_with_codes_from_its_encrypted_authenticator_key()
    {
        // A session for each role: codes made from the keys as the app reads them back.
        foreach (var user in app.Users)
        {
            await app.ClientFor(user);
            Assert.Equal(HttpStatusCode.NoContent, (await app.SignInAsync(app.AnonymousClient(), user.Email, user.Password)).StatusCode);
        }
    }

    [Fact]
    public async Task Authenticator_keys_are_encrypted_at_rest()
    {
        var stored = await app.Read(db => db.UserTokens.Where(t => t.Name == "AuthenticatorKey").Select(t => t.Value!).ToListAsync(Ct));
        Assert.NotEmpty(stored);
        Assert.All(stored, value => Assert.StartsWith(FieldEncryption.Prefix, value, StringComparison.Ordinal));
        var dump = await RawDumpAsync();
        foreach (var user in app.Users)
        {
            Assert.False(dump.Contains(user.AuthenticatorKey, StringComparison.Ordinal), $"The authenticator key of {user.Role} is in the raw database in clear.");
        }
    }

    [Fact]
    public async Task One_accounts_authenticator_key_copied_onto_another_account_does_not_decrypt()
    {
        var (first, second) = (app.Users[0], app.Users[1]);
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AftercareUser>>();
        var a = (await users.FindByEmailAsync(first.Email))!;
        var b = (await users.FindByEmailAsync(second.Email))!;
        Assert.Equal(first.AuthenticatorKey, await users.GetAuthenticatorKeyAsync(a));
        var keyOfA = await app.Read(db => db.UserTokens.Where(t => t.UserId == a.Id && t.Name == "AuthenticatorKey").Select(t => t.Value!).SingleAsync(Ct));
        var encryption = app.Services.GetRequiredService<FieldEncryption>();
        Assert.Equal(first.AuthenticatorKey, encryption.Unprotect("AspNetUserTokens", "Value", a.Id, keyOfA));
        Assert.Throws<RecordUnreadableException>(() => encryption.Unprotect("AspNetUserTokens", "Value", b.Id, keyOfA));
    }

    [Fact]
    public async Task With_a_certificate_configured_the_key_files_hold_no_master_key_in_clear()
    {
        await using var copy = await AuditCopy.CreateAsync();
        var folder = Path.Combine(Path.GetTempPath(), "aftercare-tests", Guid.NewGuid().ToString("N"));
        var keys = Path.Combine(folder, "keys");
        try
        {
            Directory.CreateDirectory(folder);
            var pfx = Path.Combine(folder, "keys.pfx");
            using (var rsa = System.Security.Cryptography.RSA.Create(2048))
            {
                var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
                    "CN=Aftercare key protection (test)", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
                using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
                await File.WriteAllBytesAsync(pfx, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "test-password"), Ct);
            }

            var withCertificate = new Dictionary<string, string?>
            {
                ["Aftercare:DataProtection:CertificatePath"] = pfx, ["Aftercare:DataProtection:CertificatePassword"] = "test-password",
            };
            var medication = await WithHostAsync(copy.Database, keys, async services => await AddMedicationAsync(services, await AddPersonAsync(services), "Written under a protected key"), withCertificate);

            var files = Directory.GetFiles(keys, "key-*.xml");
            Assert.NotEmpty(files);
            foreach (var file in files)
            {
                var xml = await File.ReadAllTextAsync(file, Ct);
                Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
                Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
            }

            // After a restart, the key is decrypted with the certificate and the data read back.
            var read = await WithHostAsync(copy.Database, keys, async services =>
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
                return await db.Medications.AsNoTracking().Where(m => m.Id == medication).Select(m => m.Condition).SingleAsync(Ct);
            }, withCertificate);
            Assert.Equal("Written under a protected key", read);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>
    /// Every string column in the database that is not encrypted, with why it need not be: none is
    /// free text written by clinicians or the person. Enum names (codes) are recognised by type.
    /// </summary>
    private static readonly Dictionary<string, string> NotFreeText = new()
    {
        // Identity: staff accounts. Emails and names of staff, hashes, stamps and ids.
        ["AspNetRoleClaims.ClaimType"] = "claim type (unused)", ["AspNetRoleClaims.ClaimValue"] = "claim value about a role (unused)", ["AspNetRoleClaims.RoleId"] = "id",
        ["AspNetRoles.ConcurrencyStamp"] = "stamp", ["AspNetRoles.Id"] = "id", ["AspNetRoles.Name"] = "role name", ["AspNetRoles.NormalizedName"] = "role name",
        ["AspNetUserClaims.ClaimType"] = "claim type", ["AspNetUserClaims.ClaimValue"] = "claim about a staff account", ["AspNetUserClaims.UserId"] = "id",
        ["AspNetUserLogins.LoginProvider"] = "provider name", ["AspNetUserLogins.ProviderDisplayName"] = "provider name", ["AspNetUserLogins.ProviderKey"] = "external id", ["AspNetUserLogins.UserId"] = "id",
        ["AspNetUserRoles.RoleId"] = "id", ["AspNetUserRoles.UserId"] = "id",
        ["AspNetUsers.ConcurrencyStamp"] = "stamp", ["AspNetUsers.DisplayName"] = "staff name", ["AspNetUsers.Email"] = "staff email", ["AspNetUsers.Id"] = "id",
        ["AspNetUsers.NormalizedEmail"] = "staff email", ["AspNetUsers.NormalizedUserName"] = "staff email", ["AspNetUsers.PasswordHash"] = "PBKDF2 hash",
        ["AspNetUsers.PhoneNumber"] = "staff phone (unused)", ["AspNetUsers.SecurityStamp"] = "stamp", ["AspNetUsers.UserName"] = "staff email",
        ["AspNetUserTokens.LoginProvider"] = "provider name", ["AspNetUserTokens.Name"] = "token name", ["AspNetUserTokens.UserId"] = "id",
        // Authenticator keys are encrypted by AftercareUserStore (see the test above); the other token is the last TOTP step, a number.
        ["AspNetUserTokens.Value"] = "encrypted authenticator key, or a number",
        // Staff who did something, by email or id: who, not what about the person.
        ["AssessmentRevisions.SavedBy"] = "staff email", ["Assessments.UpdatedBy"] = "staff email", ["CarePlanRevisions.SavedBy"] = "staff email", ["CarePlans.UpdatedBy"] = "staff email",
        ["SafetyPlanRevisions.SavedBy"] = "staff email, or the marker of the person's own revision", ["SafetyPlans.UpdatedBy"] = "staff email, or that marker", ["PersonPlanChanges.TalkedThroughBy"] = "staff email", ["PersonMessages.WrittenBy"] = "staff email", ["PersonMessages.AnsweredBy"] = "staff email", ["PersonMessages.ExternalIdHash"] = "a hash of the gateway's message id", ["TalkRequests.DoneBy"] = "staff email", ["BreakGlassGrants.ReviewedBy"] = "staff email", ["BreakGlassGrants.UserEmail"] = "staff email",
        ["BreakGlassGrants.UserId"] = "id", ["CareAssignments.AssignedBy"] = "staff email", ["CareAssignments.UserId"] = "id", ["ConsentDecisions.RecordedBy"] = "staff email",
        ["ConsentDecisions.WithdrawnBy"] = "staff email", ["Episodes.EnrolledBy"] = "staff email", ["FeedbackLinks.CreatedBy"] = "staff email", ["Medications.RecordedBy"] = "staff email",
        ["Presentations.RecordedBy"] = "staff id", ["Referrals.SentBy"] = "staff email", ["SafeguardingConcerns.RaisedBy"] = "staff email", ["SafetyPlanLinks.CreatedBy"] = "staff email",
        ["Shares.SharedBy"] = "staff email", ["StaffSites.UserId"] = "id", ["TherapyCourses.RecordedBy"] = "staff email",
        // The audit: ids, staff sign-in names, fixed purposes and hashes only (ADR 0008).
        ["AuditEvents.Actor"] = "staff email", ["AuditEvents.ActorId"] = "id", ["AuditEvents.EntityId"] = "id", ["AuditEvents.Hash"] = "SHA-256",
        ["AuditEvents.Mac"] = "HMAC-SHA256", ["AuditEvents.PreviousHash"] = "SHA-256", ["AuditEvents.Purpose"] = "fixed purpose",
        // The anchors archives leave (ADR 0017): months, positions and hashes.
        ["AuditArchives.FromMonth"] = "YYYY-MM", ["AuditArchives.ToMonth"] = "YYYY-MM", ["AuditArchives.HeadHash"] = "SHA-256",
        ["AuditArchives.Gaps"] = "positions and SHA-256", ["AuditArchives.FileSha256"] = "SHA-256", ["AuditArchives.Mac"] = "HMAC-SHA256",
        // Hashes of link tokens, file names and hashes of imports.
        ["Deaths.SourceFile"] = "import file name", ["Deaths.SourceHash"] = "SHA-256", ["FeedbackLinks.TokenHash"] = "SHA-256", ["PersonSignInCodes.CodeHash"] = "SHA-256", ["SafetyPlanLinks.TokenHash"] = "SHA-256",
        ["OutboxMessages.OptOutTokenHash"] = "SHA-256",
        // The outbox's own bookkeeping: a worker's name and the kind of failure, never the message.
        ["OutboxMessages.ClaimedBy"] = "worker name", ["OutboxMessages.LastError"] = "exception type",
        // Pathways from configuration (pathways.json), not about the person.
        ["Episodes.PathwayId"] = "configured code", ["Episodes.PathwayName"] = "configured name", ["Episodes.PathwayVersion"] = "configured version",
        // Clear by design (ADR 0009): search and matching find people by them.
        ["People.Email"] = "searched", ["People.FamilyName"] = "searched", ["People.GivenName"] = "searched", ["People.GpPractice"] = "GP practice, clear by design", ["People.GpPracticeCode"] = "GP practice's ODS code",
        ["Presentations.EncounterIdentifierSystem"] = "the sender's identifier, searched", ["Presentations.EncounterIdentifierValue"] = "the sender's identifier, searched",
        ["Presentations.ConditionIdentifierSystem"] = "the sender's identifier, searched", ["Presentations.ConditionIdentifierValue"] = "the sender's identifier, searched",
        ["Presentations.EnteredInErrorBy"] = "user or client id",
        ["BulkExportFiles.Type"] = "FHIR resource type", ["BulkExports.ClaimedBy"] = "worker id", ["BulkExports.ClientId"] = "client id",
        ["BulkExports.Error"] = "an OperationOutcome's diagnostics, no patient data", ["BulkExports.Request"] = "the kick-off URL: parameters, no patient data", ["BulkExports.Types"] = "FHIR resource types",
        ["People.Phone"] = "searched", ["PersonIdentifiers.Value"] = "MRN / NHS number, searched",
        // Self-harm methods as a list of enum names (codes).
        ["Presentations.Methods"] = "codes",
        // The service directory and sites, from configuration.
        ["Services.Code"] = "configured", ["Services.Description"] = "configured", ["Services.Name"] = "configured", ["Services.Phone"] = "configured",
        ["Sites.Code"] = "configured", ["Sites.Name"] = "configured",
        // OpenIddict's registrations of SMART clients, and its own records of authorizations and tokens: ids, scopes, statuses,
        // the staff user as subject; a token's payload, when stored, is a token OpenIddict encrypts itself.
        ["OpenIddictApplications.ApplicationType"] = "code", ["OpenIddictApplications.ClientId"] = "id", ["OpenIddictApplications.ClientSecret"] = "hash",
        ["OpenIddictApplications.ClientType"] = "code", ["OpenIddictApplications.ConcurrencyToken"] = "stamp", ["OpenIddictApplications.ConsentType"] = "code",
        ["OpenIddictApplications.DisplayName"] = "app name", ["OpenIddictApplications.DisplayNames"] = "app names", ["OpenIddictApplications.Id"] = "id",
        ["OpenIddictApplications.JsonWebKeySet"] = "public keys", ["OpenIddictApplications.Permissions"] = "codes", ["OpenIddictApplications.PostLogoutRedirectUris"] = "app URLs",
        ["OpenIddictApplications.Properties"] = "settings", ["OpenIddictApplications.RedirectUris"] = "app URLs", ["OpenIddictApplications.Requirements"] = "codes",
        ["OpenIddictApplications.Settings"] = "settings",
        ["OpenIddictAuthorizations.ApplicationId"] = "id", ["OpenIddictAuthorizations.ConcurrencyToken"] = "stamp", ["OpenIddictAuthorizations.Id"] = "id",
        ["OpenIddictAuthorizations.Properties"] = "OpenIddict's", ["OpenIddictAuthorizations.Scopes"] = "codes", ["OpenIddictAuthorizations.Status"] = "code",
        ["OpenIddictAuthorizations.Subject"] = "staff id", ["OpenIddictAuthorizations.Type"] = "code",
        ["OpenIddictScopes.ConcurrencyToken"] = "stamp", ["OpenIddictScopes.Description"] = "scope text", ["OpenIddictScopes.Descriptions"] = "scope text",
        ["OpenIddictScopes.DisplayName"] = "scope name", ["OpenIddictScopes.DisplayNames"] = "scope names", ["OpenIddictScopes.Id"] = "id", ["OpenIddictScopes.Name"] = "code",
        ["OpenIddictScopes.Properties"] = "OpenIddict's", ["OpenIddictScopes.Resources"] = "codes",
        ["OpenIddictTokens.ApplicationId"] = "id", ["OpenIddictTokens.AuthorizationId"] = "id", ["OpenIddictTokens.ConcurrencyToken"] = "stamp", ["OpenIddictTokens.Id"] = "id",
        ["OpenIddictTokens.Payload"] = "token encrypted by OpenIddict", ["OpenIddictTokens.Properties"] = "OpenIddict's", ["OpenIddictTokens.ReferenceId"] = "hash",
        ["OpenIddictTokens.Status"] = "code", ["OpenIddictTokens.Subject"] = "staff id", ["OpenIddictTokens.Type"] = "code",
    };

    /// <summary>Every column stored as text, as Table.Column, except enums stored by name (codes, by type).</summary>
    private static HashSet<string> StringColumns(AftercareDbContext db) =>
    [
        .. db.Model.GetEntityTypes().SelectMany(t => t.GetProperties().Select(p => (Table: t.GetTableName(), Property: p)))
            .Where(x => x.Table is not null && (x.Property.GetValueConverter()?.ProviderClrType ?? x.Property.GetProviderClrType() ?? x.Property.ClrType) == typeof(string))
            .Where(x => !(Nullable.GetUnderlyingType(x.Property.ClrType) ?? x.Property.ClrType).IsEnum)
            .Select(x => $"{x.Table}.{x.Property.GetColumnName()}"),
    ];

    private static HashSet<string> EncryptedColumns(AftercareDbContext db) =>
    [
        .. EncryptedFields.All.Select(f => db.Model.FindEntityType(f.EntityType)!).Zip(EncryptedFields.All)
            .Select(x => $"{x.First.GetTableName()}.{x.First.FindProperty(x.Second.StoredName)!.GetColumnName()}"),
    ];

    /// <summary>
    /// Revisions' content gets its canaries through the forms above. Care plans are not created
    /// here yet: their fields are encrypted by the same code, but no canary is written to them.
    /// Bulk export files are written only by the export worker; FhirBulkExportTests'
    /// The_output_is_kept_encrypted_in_the_database_… reads the raw table for their content.
    /// </summary>
    private static readonly HashSet<Type> NotPopulatedHere =
    [
        typeof(Domain.Documents.Revision<Domain.Assessments.AssessmentContent>), typeof(Domain.Documents.Revision<Domain.Plans.SafetyPlanContent>),
        typeof(Domain.Plans.CarePlan), typeof(Domain.Documents.Revision<Domain.Plans.CarePlanContent>),
        typeof(Aftercare.App.Bulk.BulkExportFile),
    ];

    private static string Marker(string what) => $"CANARY-{what}-{Guid.NewGuid():N}";

    private async Task<(Guid PersonId, Guid PresentationId)> RegisterPresentationAsync(string notes)
    {
        var clinician = await app.ClientFor(Roles.Clinician);
        var body = JsonSerializer.SerializeToNode(Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-3), newPerson: Requests.NewPerson(Requests.NewMrn())))!;
        body["medicalTreatmentNotes"] = notes;
        var response = await clinician.PostAsJsonAsync("api/presentations", body, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return (created.GetProperty("personId").GetGuid(), created.GetProperty("presentationId").GetGuid());
    }

    /// <summary>Puts the marker into one row's field: the whole text, or one text value inside a JSON document.</summary>
    private static Task<object?> WriteCanaryAsync(AftercareDbContext db, EncryptedField field, string marker) =>
        (Task<object?>)typeof(EncryptionTests).GetMethod(nameof(WriteCanaryInAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(field.EntityType).Invoke(null, [db, field, marker])!;

    private static async Task<object?> WriteCanaryInAsync<T>(AftercareDbContext db, EncryptedField field, string marker)
        where T : class
    {
        foreach (var entity in await db.Set<T>().ToListAsync(Ct))
        {
            var value = field.JsonType is null ? marker : WithMarker(field, field.ReadPlaintext(entity), marker);
            if (value is null)
            {
                continue;
            }

            field.WritePlaintext(entity, value);
            await db.SaveChangesAsync(Ct);
            var entry = db.Entry(entity);
            return entry.Property(entry.Metadata.FindPrimaryKey()!.Properties[0].Name).CurrentValue;
        }

        return null;
    }

    private static string? WithMarker(EncryptedField field, string? json, string marker)
    {
        if (json is null)
        {
            return null;
        }

        var count = Texts(JsonNode.Parse(json)).Count();
        for (var i = 0; i < count; i++)
        {
            var root = JsonNode.Parse(json);
            Texts(root).ElementAt(i).ReplaceWith(JsonValue.Create(marker));
            try
            {
                var candidate = JsonSerializer.Serialize(JsonSerializer.Deserialize(root!.ToJsonString(), field.JsonType!, App.Data.JsonContent.Options), field.JsonType!, App.Data.JsonContent.Options);
                if (candidate.Contains(marker, StringComparison.Ordinal))
                {
                    return candidate;
                }
            }
            catch (JsonException)
            {
                // An enum's name or a date: try the next text value.
            }
        }

        return null;
    }

    private static IEnumerable<JsonNode> Texts(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Texts(p.Value)),
        JsonArray a => a.SelectMany(Texts),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v],
        _ => [],
    };

    private static Task<string?> ReadBackAsync(AftercareDbContext db, EncryptedField field, object key) =>
        (Task<string?>)typeof(EncryptionTests).GetMethod(nameof(ReadBackFromAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(field.EntityType).Invoke(null, [db, field, key])!;

    private static async Task<string?> ReadBackFromAsync<T>(AftercareDbContext db, EncryptedField field, object key)
        where T : class =>
        field.ReadPlaintext((await db.Set<T>().AsNoTracking()
            .SingleAsync(e => EF.Property<Guid>(e, db.Model.FindEntityType(typeof(T))!.FindPrimaryKey()!.Properties[0].Name) == (Guid)key, Ct))!);

    /// <summary>Every encrypted value in the database, decrypted, as "Entity.Property id: text" in a fixed order (the restore drill compares two databases by it).</summary>
    internal static async Task<List<string>> EveryPlaintextAsync(AftercareDbContext db)
    {
        var all = new List<string>();
        foreach (var field in EncryptedFields.All)
        {
            all.AddRange(await (Task<List<string>>)typeof(EncryptionTests).GetMethod(nameof(EveryPlaintextInAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(field.EntityType).Invoke(null, [db, field])!);
        }

        return all;
    }

    private static async Task<List<string>> EveryPlaintextInAsync<T>(AftercareDbContext db, EncryptedField field)
        where T : class
    {
        var key = db.Model.FindEntityType(typeof(T))!.FindPrimaryKey()!.Properties[0].Name;
        var rows = await db.Set<T>().AsNoTracking().ToListAsync(Ct);
        return [.. rows.Select(r => (Id: db.Entry(r).Property(key).CurrentValue?.ToString(), Text: field.ReadPlaintext(r)))
            .Where(r => r.Text is not null).OrderBy(r => r.Id, StringComparer.Ordinal).Select(r => $"{field.EntityType.Name}.{field.Property.Name} {r.Id}: {r.Text}")];
    }

    /// <summary>Everything the database holds, as someone with a copy of its files or a dump would see it.</summary>
    private async Task<string> RawDumpAsync()
    {
        if (AuditCopy.IsSqlite)
        {
            await app.Read(db => db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(FULL)", Ct));
            var text = new StringBuilder();
            foreach (var file in new[] { app.Database, app.Database + "-wal", app.Database + "-journal" }.Where(File.Exists))
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var bytes = new MemoryStream();
                await stream.CopyToAsync(bytes, Ct);
                text.Append(Encoding.UTF8.GetString(bytes.ToArray()));
            }

            return text.ToString();
        }

        await using var connection = new NpgsqlConnection(app.Database);
        await connection.OpenAsync(Ct);
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", connection))
        await using (var reader = await list.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                tables.Add(reader.GetString(0));
            }
        }

        var dump = new StringBuilder();
        foreach (var table in tables)
        {
            await using var rows = new NpgsqlCommand($"""SELECT t::text FROM "{table}" t""", connection);
            await using var reader = await rows.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                dump.AppendLine(reader.GetString(0));
            }
        }

        return dump.ToString();
    }

    private Task<string> StoredAsync(string table, string column, Guid id) => app.Read(db => StoredIn(db, table, column, id));

    private Task<int> SetStoredAsync(string table, string column, Guid id, string value) => app.Read(db => SetStoredIn(db, table, column, id, value));

    private static Task<string> WithStoredAsync(AuditCopy copy, string table, string column, Guid id) => copy.Use(db => StoredIn(db, table, column, id));

    private static async Task<string> StoredIn(AftercareDbContext db, string table, string column, Guid id)
    {
        await db.Database.OpenConnectionAsync(Ct);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"""SELECT "{column}" FROM "{table}" WHERE "Id" = @id""";
        AddId(command, id);
        return (string)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static async Task<int> SetStoredIn(AftercareDbContext db, string table, string column, Guid id, string value)
    {
        await db.Database.OpenConnectionAsync(Ct);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"""UPDATE "{table}" SET "{column}" = @value WHERE "Id" = @id""";
        AddId(command, id);
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@value";
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return await command.ExecuteNonQueryAsync(Ct);
    }

    private static void AddId(System.Data.Common.DbCommand command, Guid id)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@id";
        // SQLite keeps Guids as upper-case text (EF Core's mapping).
        parameter.Value = AuditCopy.IsSqlite ? id.ToString().ToUpperInvariant() : id;
        command.Parameters.Add(parameter);
    }

    /// <summary>The Data Protection key a stored value was written under (bytes 4 to 20 of the payload).</summary>
    private static Guid KeyIdOf(string stored) =>
        new(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(stored[FieldEncryption.Prefix.Length..]).AsSpan(4, 16));

    /// <summary>Starts Aftercare's services on a database and keys folder, as a restart would, and stops them after.</summary>
    private static async Task<T> WithHostAsync<T>(string database, string keys, Func<IServiceProvider, Task<T>> work, Dictionary<string, string?>? settings = null)
    {
        var host = new HostSettings
        {
            Database = database,
            Environment = "Testing",
            Overrides = { ["Logging:LogLevel:Default"] = "Warning", ["Aftercare:DataProtection:KeysFolder"] = keys, ["Aftercare:Messaging:RunWorker"] = "false" },
        };
        foreach (var (key, value) in settings ?? [])
        {
            host.Overrides[key] = value;
        }

        await using var app = Program.BuildWebApp(host);
        await DatabasePreparation.PrepareAsync(app, migrate: true, demo: false, Ct);
        return await work(app.Services);
    }

    private static async Task<Guid> AddPersonAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
        var details = new Domain.People.PersonDetails("Rowan", "Fictional", new DateOnly(1990, 5, 1), Domain.People.Sex.Female, "07700 900456", null,
            Domain.People.ContactChannel.Phone, "Demo Street Surgery (fictional)", Domain.People.PriorPsychiatricHistory.Unknown);
        var person = Domain.People.Person.Register(details, [], AftercareApplication.Now, DateOnly.FromDateTime(AftercareApplication.Now.UtcDateTime)).Value;
        db.People.Add(person);
        await db.SaveChangesAsync(Ct);
        return person.Id;
    }

    private static Domain.Interventions.Medication NewMedication(Guid personId, string name, string condition) =>
        Domain.Interventions.Medication.Record(personId,
            new Domain.Interventions.MedicationDetails(Domain.Interventions.MedicationClass.Ssri, name, Domain.Interventions.Indication.Depression, condition, "28 tablets", true),
            "encryption-test@example.org", AftercareApplication.Now).Value;

    private static async Task<Guid> AddMedicationAsync(IServiceProvider services, Guid personId, string condition)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
        var medication = NewMedication(personId, "Sertraline", condition);
        db.Medications.Add(medication);
        await db.SaveChangesAsync(Ct);
        return medication.Id;
    }

    /// <summary>Puts a tampered value back, so the shared test database stays readable for the other tests.</summary>
    private sealed class Restore(Func<Task<int>> undo) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await undo();
    }
}
