// Firely's model marks nearly every element nullable; these tests assert the values they read.
#nullable disable

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.App.Messaging;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Users;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Microsoft.EntityFrameworkCore;
using AuditAction = Aftercare.Domain.Audit.AuditAction;
using AuditEvent = Hl7.Fhir.Model.AuditEvent;
using Task = System.Threading.Tasks.Task;

namespace Aftercare.Tests;

/// <summary>
/// The rest of the care record as FHIR (issue #5): each resource round-trips through its mapper and
/// Firely's strict parser, and is read and searched over HTTP by Firely's own client.
/// </summary>
public sealed class FhirCareRecordTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private sealed record CareRecord(HttpClient Client, Guid PersonId, Guid PresentationId);

    /// <summary>Accepts every message, as a mail server that took it would.</summary>
    private sealed class AcceptingSender : IMessageSender
    {
        public Task SendAsync(OutboxMessage message, string optOutUrl, CancellationToken ct) => Task.CompletedTask;
    }

    private FhirClient Fhir(HttpClient client) =>
        new(new Uri(app.BaseAddress, "fhir/"), client, new FhirClientSettings { PreferredFormat = ResourceFormat.Json });

    private static T RoundTrip<T>(T resource)
        where T : Resource => Assert.IsType<T>(FhirJson.Parse(FhirJson.Serialize(resource)).Value);

    /// <summary>
    /// Someone seen today, through the service's own forms: a completed assessment (yes to the GP,
    /// yes to involving their sister), a draft care plan, a completed safety plan shared with the
    /// GP, enrolment in aftercare, and then they stop the caring messages by the link in one.
    /// </summary>
    private async Task<CareRecord> PersonWithACareRecord()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var created = await client.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-8), newPerson: Requests.NewPerson(Requests.NewMrn(), given: "Sam", family: "Fhirrecord")));
        var personId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
        var presentationId = await app.Read(db => db.Presentations.Where(p => p.PersonId == personId).Select(p => p.Id).SingleAsync());

        var assessment = PlansTests.Assessment(0, "complete");
        assessment["involveFamilyOrCarers"] = "Yes";
        assessment["whomToInvolve"] = "My sister Alex, by phone";
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"presentations/{presentationId}/assessment", "assessment", assessment)).StatusCode);
        var plan = await client.Post($"people/{personId}/care-plan", "care-plan", new Dictionary<string, string>
        {
            ["version"] = "0", ["action"] = "draft", ["longTermGoals"] = "Back to college in September",
            ["goal-0-goal"] = "Sleep better", ["goal-0-steps"] = "No screens after eleven",
        }.Append(new("aims", nameof(CarePlanAim.PreventEscalation))).Append(new("aims", nameof(CarePlanAim.ImproveQualityOfLife))));
        Assert.Equal(HttpStatusCode.Redirect, plan.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}/safety-plan", "safety-plan", PlansTests.SafetyPlan(0, "Not sleeping"))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}", "share-gp", [])).StatusCode);
        var enrolled = await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = London.Local(AftercareApplication.Now.AddHours(-1)), ["pathwayId"] = "first-contact", ["reason"] = "", ["preference"] = "NoPreference",
        });
        Assert.Equal(HttpStatusCode.Redirect, enrolled.StatusCode);
        var token = await app.Read(db => db.OutboxMessages.Where(m => m.PersonId == personId).Select(m => m.OptOutToken).FirstAsync());
        Assert.Equal(HttpStatusCode.OK, (await app.AnonymousClient().Post($"opt-out/{token}", "opt-out", [])).StatusCode);
        return new CareRecord(client, personId, presentationId);
    }

    [Fact]
    public async Task A_care_plans_aims_and_goals_round_trip_as_Goals_that_point_back_at_the_plan()
    {
        var record = await PersonWithACareRecord();
        var plan = await app.Read(db => db.CarePlans.SingleAsync(p => p.PersonId == record.PersonId));
        var goals = Aftercare.Plans.GoalFhir.ToGoals(plan, record.PresentationId).Select(RoundTrip).ToList();

        Assert.Equal([$"{plan.Id}-aim-1", $"{plan.Id}-aim-2", $"{plan.Id}-goal-1", $"{plan.Id}-long-term"], goals.Select(g => g.Id).ToArray());
        Assert.Equal(nameof(CarePlanAim.PreventEscalation), goals[0].Description.Coding[0].Code);
        Assert.Equal("Sleep better", goals[2].Description.Text);
        Assert.Equal("Steps: No screens after eleven", goals[2].Note[0].Text);
        Assert.Equal("Back to college in September", goals[3].Description.Text);
        Assert.All(goals, g =>
        {
            Assert.Equal(Goal.GoalLifecycleStatus.Proposed, g.LifecycleStatus); // a draft plan's goals are not yet agreed
            Assert.Equal($"Patient/{record.PersonId}", g.Subject.Reference);
            Assert.Equal($"Condition/{record.PresentationId}", g.Addresses[0].Reference);
            Assert.Equal($"CarePlan/{plan.Id}", ((ResourceReference)g.GetExtension(Aftercare.Plans.GoalFhir.CarePlanUrl).Value).Reference);
        });
    }

    [Fact]
    public async Task A_warm_handoff_round_trips_as_a_Task_to_confirm_the_person_got_there()
    {
        var (open, closed) = await app.Read(async db => (
            await db.Referrals.Where(r => r.LoopClosedAt == null).OrderBy(r => r.Id).FirstAsync(),
            await db.Referrals.Where(r => r.LoopClosedAt != null).OrderBy(r => r.Id).FirstAsync()));
        var services = await app.Read(db => db.Services.ToDictionaryAsync(s => s.Id));

        var waiting = RoundTrip(Aftercare.Referrals.TaskFhir.ToTask(open, services[open.ServiceId]));
        Assert.Equal(Hl7.Fhir.Model.Task.TaskStatus.InProgress, waiting.Status);
        Assert.Equal($"ServiceRequest/{open.Id}", waiting.Focus.Reference);
        Assert.Equal($"Patient/{open.PersonId}", waiting.For.Reference);
        Assert.Equal(open.DueBy, waiting.Restriction.Period.EndElement.ToDateTimeOffset(TimeSpan.Zero));
        Assert.Equal(open.Status.ToString(), waiting.BusinessStatus.Coding[0].Code);

        var done = RoundTrip(Aftercare.Referrals.TaskFhir.ToTask(closed, services[closed.ServiceId]));
        Assert.Equal(Hl7.Fhir.Model.Task.TaskStatus.Completed, done.Status);
        Assert.Equal(closed.LoopClosedAt, done.ExecutionPeriod.EndElement.ToDateTimeOffset(TimeSpan.Zero));
        Assert.Null(done.Restriction);
    }

    [Fact]
    public async Task Aftercare_contacts_round_trip_as_Appointments_booked_fulfilled_or_cancelled_and_never_noshow()
    {
        var contacts = await app.Read(db => db.Contacts.ToListAsync());
        var due = RoundTrip(Aftercare.Programme.AppointmentFhir.ToAppointment(contacts.First(c => c.Status == ContactStatus.Due)));
        Assert.Equal(Appointment.AppointmentStatus.Booked, due.Status);
        var reached = contacts.First(c => c.Status == ContactStatus.Done && c.Outcome == ContactOutcome.Reached);
        var fulfilled = RoundTrip(Aftercare.Programme.AppointmentFhir.ToAppointment(reached));
        Assert.Equal(Appointment.AppointmentStatus.Fulfilled, fulfilled.Status);
        Assert.Equal(reached.DueAt, fulfilled.Start);
        Assert.Equal($"Patient/{reached.PersonId}", fulfilled.Participant[0].Actor.Reference);
        Assert.Equal($"EpisodeOfCare/{reached.EpisodeId}", fulfilled.SupportingInformation[0].Reference);
        Assert.DoesNotContain("Synthetic note", FhirJson.Serialize(fulfilled), StringComparison.Ordinal);
        Assert.DoesNotContain(contacts.Select(c => Aftercare.Programme.AppointmentFhir.ToAppointment(c).Status), s => s == Appointment.AppointmentStatus.Noshow);
    }

    [Fact]
    public async Task Caring_messages_round_trip_as_CommunicationRequest_and_Communication_without_their_words_or_address()
    {
        var now = app.Clock.GetUtcNow();
        var message = await app.Read(db => db.OutboxMessages.Where(m => m.Status == MessageStatus.Pending).OrderBy(m => m.DueAt).FirstAsync());
        var request = RoundTrip(Aftercare.Messaging.CommunicationFhir.ToCommunicationRequest(message));
        Assert.Equal(RequestStatus.Active, request.Status);
        Assert.Equal($"Patient/{message.PersonId}", request.Subject.Reference);
        Assert.Equal(message.DueAt, ((FhirDateTime)request.Occurrence).ToDateTimeOffset(TimeSpan.Zero));
        Assert.Equal(message.Channel == MessageChannel.Email ? "EMAILWRIT" : "SMSWRIT", request.Medium[0].Coding[0].Code);

        await SendWhatIsDue();
        var sent = await app.Read(db => db.OutboxMessages.FirstAsync(m => m.Status == MessageStatus.Sent));
        var communication = RoundTrip(Aftercare.Messaging.CommunicationFhir.ToCommunication(sent));
        Assert.Equal(EventStatus.Completed, communication.Status);
        Assert.Equal(now, communication.SentElement.ToDateTimeOffset(TimeSpan.Zero));
        Assert.Equal($"CommunicationRequest/{sent.Id}", communication.BasedOn[0].Reference);
        foreach (var json in new[] { FhirJson.Serialize(request), FhirJson.Serialize(communication) })
        {
            Assert.DoesNotContain(message.Body, json, StringComparison.Ordinal);
            Assert.DoesNotContain(message.To, json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Consent_to_share_involve_family_and_receive_messages_round_trips()
    {
        var record = await PersonWithACareRecord();
        var assessment = await app.Read(db => db.Assessments.SingleAsync(a => a.PersonId == record.PersonId));
        var consents = Aftercare.Sharing.ConsentFhir.ToConsents(assessment, current: true).Select(RoundTrip).ToList();
        Assert.Equal([$"{assessment.Id}-gp", $"{assessment.Id}-family"], consents.Select(c => c.Id).ToArray());
        Assert.All(consents, c =>
        {
            Assert.Equal(Consent.ConsentState.Active, c.Status);
            Assert.Equal("patient-privacy", c.Scope.Coding[0].Code);
            Assert.Equal(Consent.ConsentProvisionType.Permit, c.Provision.Type);
            Assert.Equal($"QuestionnaireResponse/{assessment.Id}", ((ResourceReference)c.Source).Reference);
        });
        Assert.Equal("My sister Alex, by phone", consents[1].Provision.Actor[0].Reference.Display);
        Assert.Equal(Consent.ConsentState.Inactive, RoundTrip(Aftercare.Sharing.ConsentFhir.ToConsents(assessment, current: false)[0]).Status);

        var preferences = await app.Read(db => db.MessagePreferences.SingleAsync(p => p.PersonId == record.PersonId));
        var messages = RoundTrip(Aftercare.Sharing.ConsentFhir.ToMessageConsent(preferences));
        Assert.Equal(Consent.ConsentProvisionType.Deny, messages.Provision.Type);
        Assert.Equal(preferences.OptedOutAt, messages.Provision.Period.StartElement.ToDateTimeOffset(TimeSpan.Zero));
    }

    [Fact]
    public async Task A_letter_to_the_GP_and_the_persons_safety_plan_round_trip_as_DocumentReferences_that_link_by_id_only()
    {
        var record = await PersonWithACareRecord();
        var share = await app.Read(db => db.Shares.SingleAsync(s => s.PersonId == record.PersonId));
        var letter = RoundTrip(Aftercare.Sharing.DocumentReferenceFhir.ToDocumentReference(share, "http://aftercare.test"));
        Assert.Equal("51852-2", letter.Type.Coding[0].Code);
        Assert.Equal(share.SharedAt, letter.Date);
        Assert.Equal($"http://aftercare.test/shares/{share.Id}/pdf", letter.Content.Single(c => c.Attachment.ContentType == "application/pdf").Attachment.Url);
        Assert.Equal($"CarePlan/{share.SafetyPlanId}/_history/1", letter.Context.Related.Single().Reference);
        Assert.Contains(share.Recipient, letter.Description, StringComparison.Ordinal);

        var plan = await app.Read(db => db.SafetyPlans.SingleAsync(p => p.PersonId == record.PersonId));
        var copy = RoundTrip(Aftercare.Sharing.DocumentReferenceFhir.ToDocumentReference(plan, "http://aftercare.test"));
        Assert.Equal(CompositionStatus.Final, copy.DocStatus);
        Assert.Equal([$"http://aftercare.test/people/{record.PersonId}/safety-plan/pdf", $"http://aftercare.test/people/{record.PersonId}/safety-plan/print"],
            copy.Content.Select(c => c.Attachment.Url).ToArray());
        Assert.Equal($"Patient/{record.PersonId}", copy.Subject.Reference);
    }

    [Fact]
    public async Task Audit_events_staff_and_sites_round_trip_as_AuditEvent_Practitioner_and_Organization()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var person = await app.Read(db => db.People.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"fhir/Patient/{person}")).StatusCode);
        var viewed = (await app.AuditFor(person)).Last(e => e.EntityId == "fhir read Patient");
        var audit = RoundTrip(Aftercare.Audit.AuditEventFhir.ToAuditEvent(viewed));
        Assert.Equal(viewed.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), audit.Id);
        Assert.Equal("rest", audit.Type.Code);
        Assert.Equal(nameof(AuditAction.PersonViewed), audit.Subtype[0].Code);
        Assert.Equal(AuditEvent.AuditEventAction.R, audit.Action);
        Assert.Equal(viewed.At, audit.Recorded);
        Assert.Equal($"Practitioner/{viewed.ActorId}", audit.Agent[0].Who.Reference);
        Assert.Equal(app.User(Roles.Clinician).Email, audit.Agent[0].AltId);
        Assert.Equal($"Patient/{person}", audit.Entity[0].What.Reference);
        Assert.Equal("TREAT", audit.PurposeOfEvent[0].Coding[0].Code);

        var user = await app.Read(db => db.Users.SingleAsync(u => u.Id == viewed.ActorId));
        var practitioner = RoundTrip(Aftercare.Account.PractitionerFhir.ToPractitioner(user));
        Assert.Equal((user.Id, user.DisplayName), (practitioner.Id, practitioner.Name[0].Text));
        Assert.DoesNotContain("@", FhirJson.Serialize(practitioner), StringComparison.Ordinal);

        var site = await app.Read(db => db.Sites.FirstAsync(s => s.Code == Requests.DemoSiteCode));
        var organization = RoundTrip(Aftercare.Presentations.OrganizationFhir.ToOrganization(site));
        Assert.Equal((site.Id.ToString(), site.Name, Aftercare.Fhir.FhirSystems.SiteSystem, site.Code),
            (organization.Id, organization.Name, organization.Identifier[0].System, organization.Identifier[0].Value));
    }

    [Fact]
    public async Task Firelys_client_reads_and_searches_a_persons_goals_consents_contacts_messages_and_documents_and_each_read_is_audited()
    {
        var record = await PersonWithACareRecord();
        var patient = $"patient=Patient/{record.PersonId}";
        using var fhir = Fhir(record.Client);

        var goals = await fhir.SearchAsync<Goal>([patient]);
        Assert.Equal(4, goals.Total);
        var goal = goals.Entry.Select(e => (Goal)e.Resource).Single(g => g.Id.EndsWith("-goal-1", StringComparison.Ordinal));
        Assert.Equal("Sleep better", (await fhir.ReadAsync<Goal>($"Goal/{goal.Id}")).Description.Text);
        Assert.Equal(4, (await fhir.SearchAsync<Goal>([$"subject=Patient/{record.PersonId}"])).Total);

        var consents = await fhir.SearchAsync<Consent>([patient]);
        Assert.Equal(["family", "gp", "messages"], consents.Entry.Select(e => e.Resource.Id.Split('-')[^1]).Order().ToArray());
        var messagesConsent = await fhir.ReadAsync<Consent>($"Consent/{record.PersonId}-messages");
        Assert.Equal(Consent.ConsentProvisionType.Deny, messagesConsent.Provision.Type);

        var documents = await fhir.SearchAsync<DocumentReference>([patient]);
        Assert.Equal(2, documents.Total);
        var letter = await fhir.ReadAsync<DocumentReference>($"DocumentReference/{documents.Entry[0].Resource.Id}");
        Assert.Equal("51852-2", letter.Type.Coding[0].Code);
        var pdf = letter.Content.Single(c => c.Attachment.ContentType == "application/pdf").Attachment.Url;
        Assert.StartsWith(app.BaseAddress.ToString().TrimEnd('/') + "/shares/", pdf, StringComparison.Ordinal);

        var appointments = await fhir.SearchAsync<Appointment>([patient, "_count=2"]);
        Assert.Equal(await app.Read(db => db.Contacts.CountAsync(c => c.PersonId == record.PersonId)), appointments.Total);
        Assert.Equal(2, appointments.Entry.Count);
        Assert.Contains(appointments.Link, l => l.Relation == "next");
        var first = await fhir.ReadAsync<Appointment>($"Appointment/{appointments.Entry[0].Resource.Id}");
        Assert.Equal("First contact", first.AppointmentType.Text);

        var requests = await fhir.SearchAsync<CommunicationRequest>([patient]);
        Assert.Equal(await app.Read(db => db.OutboxMessages.CountAsync(m => m.PersonId == record.PersonId)), requests.Total);
        Assert.NotNull(await fhir.ReadAsync<CommunicationRequest>($"CommunicationRequest/{requests.Entry[0].Resource.Id}"));
        Assert.Equal(0, (await fhir.SearchAsync<Communication>([patient])).Total); // none sent yet

        var audited = (await app.AuditFor(record.PersonId)).Where(e => e.EntityId?.StartsWith("fhir ", StringComparison.Ordinal) == true).Select(e => e.EntityId).ToList();
        Assert.Equal(
            ["fhir search Goal", "fhir read Goal", "fhir search Goal", "fhir search Consent", "fhir read Consent", "fhir search DocumentReference", "fhir read DocumentReference",
             "fhir search Appointment", "fhir read Appointment", "fhir search CommunicationRequest", "fhir read CommunicationRequest"],
            audited);
    }

    [Fact]
    public async Task Firelys_client_reads_warm_handoffs_as_Tasks_beside_their_ServiceRequest()
    {
        var client = await app.ClientFor(Roles.AftercareWorker);
        var open = await app.Read(db => db.Referrals.Where(r => r.LoopClosedAt == null).OrderBy(r => r.Id).FirstAsync());
        using var fhir = Fhir(client);
        var tasks = await fhir.SearchAsync<Hl7.Fhir.Model.Task>([$"patient=Patient/{open.PersonId}"]);
        var task = tasks.Entry.Select(e => (Hl7.Fhir.Model.Task)e.Resource).Single(t => t.Id == open.Id.ToString());
        Assert.Equal(Hl7.Fhir.Model.Task.TaskStatus.InProgress, task.Status);
        var referral = await fhir.ReadAsync<ServiceRequest>(task.Focus.Reference);
        Assert.Equal(RequestStatus.Active, referral.Status);
        Assert.Equal(open.DueBy, (await fhir.ReadAsync<Hl7.Fhir.Model.Task>($"Task/{open.Id}")).Restriction.Period.EndElement.ToDateTimeOffset(TimeSpan.Zero));
        Assert.Contains(await app.AuditFor(open.PersonId), e => e.EntityId == "fhir read Task");
    }

    [Fact]
    public async Task A_sent_caring_message_is_read_as_a_Communication_and_its_request_as_completed()
    {
        var now = app.Clock.GetUtcNow();
        // The demo's message due now (another test may have sent it already).
        var due = await app.Read(db => db.OutboxMessages.Where(m => m.DueAt <= now && m.Status != MessageStatus.Cancelled).OrderBy(m => m.Id).FirstAsync());
        await SendWhatIsDue();

        var client = await app.ClientFor(Roles.AftercareWorker);
        using var fhir = Fhir(client);
        var sent = await fhir.SearchAsync<Communication>([$"subject=Patient/{due.PersonId}"]);
        var communication = (Communication)Assert.Single(sent.Entry).Resource;
        Assert.Equal((due.Id.ToString(), EventStatus.Completed), (communication.Id, communication.Status));
        Assert.Equal(RequestStatus.Completed, (await fhir.ReadAsync<CommunicationRequest>($"CommunicationRequest/{due.Id}")).Status);
        var json = await client.GetStringAsync($"fhir/Communication/{due.Id}");
        Assert.DoesNotContain(due.Body, json, StringComparison.Ordinal);
        Assert.DoesNotContain(due.To, json, StringComparison.Ordinal);
        Assert.Contains(await app.AuditFor(due.PersonId), e => e.EntityId == "fhir read Communication");
    }

    [Fact]
    public async Task Firelys_client_finds_staff_by_name_and_sites_by_identifier_without_emails()
    {
        var client = await app.ClientFor(Roles.Therapist);
        using var fhir = Fhir(client);
        var found = await fhir.SearchAsync<Practitioner>(["name=CLINICIAN (ASSESSES)"]);
        var clinician = (Practitioner)Assert.Single(found.Entry).Resource;
        Assert.Equal("Demo Clinician (assesses)", clinician.Name[0].Text);
        Assert.Equal(clinician.Name[0].Text, (await fhir.ReadAsync<Practitioner>($"Practitioner/{clinician.Id}")).Name[0].Text);
        Assert.DoesNotContain("@", await client.GetStringAsync("fhir/Practitioner"), StringComparison.Ordinal);
        Assert.Equal(await app.Read(db => db.Users.CountAsync()), (await fhir.SearchAsync<Practitioner>([])).Total);

        var sites = await fhir.SearchAsync<Organization>([$"identifier={Aftercare.Fhir.FhirSystems.SiteSystem}|{Requests.DemoSiteCode}"]);
        var site = (Organization)Assert.Single(sites.Entry).Resource;
        Assert.Equal(Requests.DemoSiteCode, (await fhir.ReadAsync<Organization>($"Organization/{site.Id}")).Identifier[0].Value);
        Assert.Equal(await app.Read(db => db.Sites.CountAsync()), (await fhir.SearchAsync<Organization>([])).Total);
    }

    [Fact]
    public async Task The_audit_trail_is_for_administrators_only_and_reading_it_is_audited()
    {
        var clinician = await app.ClientFor(Roles.Clinician);
        var person = await app.Read(db => db.People.OrderByDescending(p => p.Id).Select(p => p.Id).FirstAsync());
        Assert.Equal(HttpStatusCode.OK, (await clinician.GetAsync($"fhir/Patient/{person}")).StatusCode);

        foreach (var path in new[] { $"fhir/AuditEvent?patient=Patient/{person}", "fhir/AuditEvent/1" })
        {
            var refused = await clinician.GetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            var outcome = Assert.IsType<OperationOutcome>(FhirJson.Parse(await refused.Content.ReadAsStringAsync()).Value);
            Assert.Equal(OperationOutcome.IssueType.Forbidden, outcome.Issue[0].Code);
            Assert.Contains("read by administrators", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        }

        Assert.True(await app.Read(db => db.AuditEvents.AnyAsync(e => e.Action == AuditAction.FhirRefused && e.EntityId == "GET /fhir/AuditEvent/1")));

        var administrator = await app.ClientFor(Roles.Administrator);
        Assert.Equal(HttpStatusCode.Forbidden, (await administrator.GetAsync($"fhir/Patient/{person}")).StatusCode); // the record itself is not theirs to read
        using var fhir = Fhir(administrator);
        var found = await fhir.SearchAsync<AuditEvent>([$"patient=Patient/{person}", "date=ge2026-11-20"]);
        var events = found.Entry.Select(e => (AuditEvent)e.Resource).ToList();
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Contains(e.Entity, x => x.What?.Reference == $"Patient/{person}"));
        var viewed = events.First(e => e.Subtype[0].Code == nameof(AuditAction.PersonViewed));
        Assert.Equal(app.User(Roles.Clinician).Email, viewed.Agent[0].AltId);
        Assert.Equal(viewed.Recorded, (await fhir.ReadAsync<AuditEvent>($"AuditEvent/{viewed.Id}")).Recorded);
        Assert.Equal(0, (await fhir.SearchAsync<AuditEvent>([$"patient=Patient/{person}", "date=lt2026-01-01"])).Total);

        var looked = (await app.AuditFor(person)).Where(e => e.Action == AuditAction.AuditSearched).ToList();
        Assert.Equal(["fhir search AuditEvent", "fhir read AuditEvent", "fhir search AuditEvent"], looked.Select(e => e.EntityId).ToArray());
        Assert.All(looked, e => Assert.Equal(Domain.Audit.AuditPurpose.Administration, e.Purpose));
    }

    [Fact]
    public async Task Unknown_ids_are_404_and_unknown_parameters_are_refused_only_when_strict()
    {
        var client = await app.ClientFor(Roles.Clinician);
        foreach (var type in new[] { "Goal", "Task", "Appointment", "CommunicationRequest", "Communication", "Consent", "DocumentReference", "Practitioner", "Organization" })
        {
            foreach (var id in new[] { Guid.NewGuid().ToString(), $"{Guid.NewGuid()}-goal-1", "not-an-id" })
            {
                var missing = await client.GetAsync($"fhir/{type}/{id}");
                Assert.True(missing.StatusCode == HttpStatusCode.NotFound, $"{type}/{id}: {missing.StatusCode}");
                Assert.IsType<OperationOutcome>(FhirJson.Parse(await missing.Content.ReadAsStringAsync()).Value);
            }
        }

        var administrator = await app.ClientFor(Roles.Administrator);
        Assert.Equal(HttpStatusCode.NotFound, (await administrator.GetAsync("fhir/AuditEvent/999999999")).StatusCode);

        var person = await app.Read(db => db.People.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        await FhirTests.UnknownParametersAreIgnoredUnlessStrict(client, $"fhir/Goal?patient={person}");
        await FhirTests.UnknownParametersAreIgnoredUnlessStrict(client, "fhir/Practitioner?name=demo");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("fhir/Consent")).StatusCode); // a person's data is searched by patient
    }

    /// <summary>The outbox worker's own run, with a sender that accepts everything.</summary>
    private async Task SendWhatIsDue()
    {
        var sender = new AcceptingSender();
        var worker = ActivatorUtilities.CreateInstance<OutboxWorker>(app.Services, sender, sender);
        await worker.RunOnceAsync(default);
    }
}
