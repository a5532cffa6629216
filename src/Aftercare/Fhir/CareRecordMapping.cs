using System.Globalization;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Assessments;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Presentations;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;
using Aftercare.Domain.Sharing;
using Hl7.Fhir.Model;
using DomainAuditEvent = Aftercare.Domain.Audit.AuditEvent;
using DomainCarePlan = Aftercare.Domain.Plans.CarePlan;
using SafetyPlan = Aftercare.Domain.Plans.SafetyPlan;
using Task = Hl7.Fhir.Model.Task;

namespace Aftercare.Fhir;

/// <summary>
/// The rest of the care record as FHIR, field by field (read-only). Each mapping says in its
/// comment what it is, clinically, and what it leaves out on purpose.
/// </summary>
public static class CareRecordMapping
{
    public const string AimSystem = "urn:aftercare:care-plan-aim";
    public const string HandoffStatusSystem = "urn:aftercare:handoff-status";
    public const string MessageKindSystem = "urn:aftercare:message-kind";
    public const string AuditActionSystem = "urn:aftercare:audit-action";
    public const string CarePlanUrl = PresentationMapping.ExtensionBase + "care-plan";
    public const string ConsentScopeSystem = "http://terminology.hl7.org/CodeSystem/consentscope";
    public const string ActCodeSystem = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    private const string DicomSystem = "http://dicom.nema.org/resources/ontology/DCM";
    private const string ParticipationModeSystem = "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode";

    /// <summary>
    /// A care plan's goals as Goal resources (NICE CG133 1.4.1; docs/domain.md rule 5): each aim chosen
    /// with the person (<c>{plan}-aim-{n}</c>), each short-term goal with its steps
    /// (<c>{plan}-goal-{n}</c>), and the long-term goals (<c>{plan}-long-term</c>), from the plan's
    /// current version. A draft plan's goals are <c>proposed</c>, an agreed plan's <c>active</c>.
    /// R4's <c>Goal.addresses</c> cannot point at a CarePlan, so it points at the self-harm the plan
    /// answers (the Condition of the assessed presentation) and an extension names the CarePlan.
    /// </summary>
    public static IReadOnlyList<Goal> ToGoals(DomainCarePlan plan, Guid presentationId)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var content = plan.Content;
        var goals = new List<Goal>();
        Goal Add(string suffix, string text, CodeableConcept? coded = null)
        {
            var goal = new Goal
            {
                Id = $"{plan.Id}-{suffix}",
                Meta = new Meta { VersionId = plan.Version.ToString(CultureInfo.InvariantCulture), LastUpdated = plan.UpdatedAt },
                LifecycleStatus = plan.Status == DocumentStatus.Completed ? Goal.GoalLifecycleStatus.Active : Goal.GoalLifecycleStatus.Proposed,
                Description = coded ?? new CodeableConcept { Text = text },
                Subject = new ResourceReference($"Patient/{plan.PersonId}"),
                Start = content.AgreedOn is { } agreed ? new Date(agreed.Year, agreed.Month, agreed.Day) : null,
                StatusDateElement = new Date(plan.UpdatedAt.Year, plan.UpdatedAt.Month, plan.UpdatedAt.Day),
            };
            goal.Addresses.Add(new ResourceReference($"Condition/{presentationId}"));
            goal.Extension.Add(new Extension(CarePlanUrl, new ResourceReference($"CarePlan/{plan.Id}")));
            goals.Add(goal);
            return goal;
        }

        for (var i = 0; i < content.Aims.Count; i++)
        {
            var aim = content.Aims[i];
            Add($"aim-{i + 1}", aim.Describe(), new CodeableConcept(AimSystem, aim.ToString(), aim.Describe(), aim.Describe()));
        }

        for (var i = 0; i < content.ShortTermGoals.Count; i++)
        {
            var goal = Add($"goal-{i + 1}", content.ShortTermGoals[i].Goal);
            goal.Note.Add(new Annotation { Text = $"Steps: {content.ShortTermGoals[i].Steps}" });
        }

        if (!string.IsNullOrWhiteSpace(content.LongTermGoals))
        {
            Add("long-term", content.LongTermGoals);
        }

        return goals;
    }

    /// <summary>
    /// The follow-up of a warm handoff (docs/domain.md rule 11): "confirm the person got there". The
    /// referral itself is ServiceRequest/{id}; this Task, with the same id, is in progress until the
    /// loop closes (attended, declined or not reached) and then completed, with the handoff's own
    /// status as <c>businessStatus</c>. <c>restriction.period.end</c> is when the current step is
    /// due; past it the handoff is escalated on the worklist. Step notes are left out: they are
    /// free text and the ServiceRequest already carries what the receiving service needs.
    /// </summary>
    public static Task ToTask(Referral referral, ListedService service)
    {
        ArgumentNullException.ThrowIfNull(referral);
        ArgumentNullException.ThrowIfNull(service);
        var task = new Task
        {
            Id = referral.Id.ToString(),
            Meta = ProgrammeMapping.ReferralMeta(referral),
            Status = referral.IsClosed ? Task.TaskStatus.Completed : Task.TaskStatus.InProgress,
            BusinessStatus = new CodeableConcept(HandoffStatusSystem, referral.Status.ToString(), referral.Status.Describe(), referral.Status.Describe()),
            Intent = Task.TaskIntent.Order,
            Description = $"Confirm the person got there: {service.Name} accepted the referral and the person attended, or declined.",
            Focus = new ResourceReference($"ServiceRequest/{referral.Id}"),
            For = new ResourceReference($"Patient/{referral.PersonId}"),
            AuthoredOnElement = new FhirDateTime(referral.SentAt),
            ExecutionPeriod = new Period { StartElement = new FhirDateTime(referral.SentAt), EndElement = referral.LoopClosedAt is { } closed ? new FhirDateTime(closed) : null },
        };
        task.BasedOn.Add(new ResourceReference($"ServiceRequest/{referral.Id}"));
        task.LastModifiedElement = new FhirDateTime(task.Meta.LastUpdated!.Value);
        if (referral.DueBy is { } due)
        {
            task.Restriction = new Task.RestrictionComponent { Period = new Period { EndElement = new FhirDateTime(due) } };
        }

        return task;
    }

    /// <summary>
    /// A contact in an aftercare episode (first contact within 48 hours, then the schedule; NG225):
    /// <c>booked</c> while due, <c>fulfilled</c> when the person was reached, <c>cancelled</c> when
    /// they declined it, when the episode closed first, or when a new schedule replaced it because
    /// they came back for help. <c>noshow</c> is never used: not answering never ends a contact
    /// (rule 11), it stays booked at the retry time. A contact has a due time, not a length, so
    /// <c>end</c> equals <c>start</c> (FHIR needs both on a booked appointment). The notes of each
    /// try (how the person is feeling) stay in the record and are not sent.
    /// </summary>
    public static Appointment ToAppointment(ScheduledContact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var (status, participation, cancelled) = (contact.Status, contact.Outcome) switch
        {
            (ContactStatus.Done, ContactOutcome.Declined) => (Appointment.AppointmentStatus.Cancelled, ParticipationStatus.Declined, "The person declined the contact"),
            (ContactStatus.Done, _) => (Appointment.AppointmentStatus.Fulfilled, ParticipationStatus.Accepted, null),
            (ContactStatus.Superseded, _) => (Appointment.AppointmentStatus.Cancelled, ParticipationStatus.NeedsAction, "Replaced by a new schedule when the person came back for help"),
            (ContactStatus.Cancelled, _) => (Appointment.AppointmentStatus.Cancelled, ParticipationStatus.NeedsAction, "The aftercare episode closed before it was due"),
            _ => (Appointment.AppointmentStatus.Booked, ParticipationStatus.NeedsAction, (string?)null),
        };
        var appointment = new Appointment
        {
            Id = contact.Id.ToString(),
            Meta = new Meta { VersionId = (contact.Version + 1).ToString(CultureInfo.InvariantCulture), LastUpdated = contact.CompletedAt ?? (contact.Attempts is [.., var last] ? last.At : (DateTimeOffset?)null) },
            Status = status,
            CancelationReason = cancelled is null ? null : new CodeableConcept { Text = cancelled },
            AppointmentType = new CodeableConcept { Text = contact.Kind.Describe() },
            Description = $"{contact.Kind.Describe()} in aftercare",
            Start = contact.DueAt,
            End = contact.DueAt,
            Comment = contact.NotReachedCount > 0 ? $"Not reached {Aftercare.App.Words.Times(contact.NotReachedCount)}; tried again." : null,
        };
        appointment.SupportingInformation.Add(new ResourceReference($"EpisodeOfCare/{contact.EpisodeId}"));
        appointment.Participant.Add(new Appointment.ParticipantComponent
        {
            Actor = new ResourceReference($"Patient/{contact.PersonId}"),
            Required = Appointment.ParticipantRequired.Required,
            Status = participation,
        });
        return appointment;
    }

    /// <summary>
    /// A caring message or invitation in the outbox, as the request to send it: <c>active</c> while
    /// waiting, <c>revoked</c> when it was not sent (the person opted out or the episode closed),
    /// <c>completed</c> once the outbox has finished with it (what came of it is the Communication).
    /// The body, the address and the calendar are left out: the reader needs to know that a message
    /// went, when and how, not its words or where it went; the record holds those.
    /// </summary>
    public static CommunicationRequest ToCommunicationRequest(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var request = new CommunicationRequest
        {
            Id = message.Id.ToString(),
            Meta = new Meta { VersionId = "1", LastUpdated = message.SentAt },
            Status = message.Status switch
            {
                MessageStatus.Pending => RequestStatus.Active,
                MessageStatus.Cancelled => RequestStatus.Revoked,
                _ => RequestStatus.Completed,
            },
            Subject = new ResourceReference($"Patient/{message.PersonId}"),
            Occurrence = new FhirDateTime(message.DueAt),
        };
        request.Category.Add(KindOf(message));
        request.Medium.Add(Medium(message));
        request.Recipient.Add(new ResourceReference($"Patient/{message.PersonId}"));
        if (message.EpisodeId is { } episode)
        {
            request.About.Add(new ResourceReference($"EpisodeOfCare/{episode}"));
        }

        return request;
    }

    /// <summary>
    /// A message the outbox finished with: <c>completed</c> when the mail or SMS server took it,
    /// <c>not-done</c> when it gave up after the configured tries. Same id as its CommunicationRequest;
    /// no body or address, for the reason given there.
    /// </summary>
    public static Communication ToCommunication(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var communication = new Communication
        {
            Id = message.Id.ToString(),
            Meta = new Meta { VersionId = "1", LastUpdated = message.SentAt },
            Status = message.Status == MessageStatus.Sent ? EventStatus.Completed : EventStatus.NotDone,
            StatusReason = message.Status == MessageStatus.Failed ? new CodeableConcept { Text = $"Could not be delivered after {message.Attempts} tries." } : null,
            Subject = new ResourceReference($"Patient/{message.PersonId}"),
            SentElement = message.SentAt is { } sent ? new FhirDateTime(sent) : null,
        };
        communication.BasedOn.Add(new ResourceReference($"CommunicationRequest/{message.Id}"));
        communication.Category.Add(KindOf(message));
        communication.Medium.Add(Medium(message));
        communication.Recipient.Add(new ResourceReference($"Patient/{message.PersonId}"));
        return communication;
    }

    /// <summary>
    /// The choices recorded in a completed assessment's confidentiality section (docs/domain.md rule 8):
    /// to share the plan with the GP (<c>{assessment}-gp</c>) and to involve family or carers
    /// (<c>{assessment}-family</c>). Both are opt-in (nothing is shared without a yes), so the
    /// policy rule is OPTIN and the provision permits or denies. The latest completed assessment's
    /// choices are <c>active</c>; earlier ones <c>inactive</c>. A question not yet asked gives no
    /// Consent. The source is the assessment (QuestionnaireResponse) that recorded it.
    /// </summary>
    public static IReadOnlyList<Consent> ToConsents(PsychosocialAssessment assessment, bool current)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        var choices = assessment.Content.Consent;
        var consents = new List<Consent>();
        foreach (var (suffix, answer, what, recipient) in new[]
        {
            ("gp", choices.ShareWithGp, "Share the care plan and safety plan with the GP", "The person's GP"),
            ("family", choices.InvolveFamilyOrCarers, "Involve family or carers", string.IsNullOrWhiteSpace(choices.WhomToInvolve) ? "Family or carers" : choices.WhomToInvolve),
        })
        {
            if (answer == YesNoUnknown.Unknown)
            {
                continue;
            }

            var provision = new Consent.provisionComponent { Type = answer == YesNoUnknown.Yes ? Consent.ConsentProvisionType.Permit : Consent.ConsentProvisionType.Deny };
            provision.Actor.Add(new Consent.provisionActorComponent
            {
                Role = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", "information recipient"),
                Reference = new ResourceReference { Display = recipient },
            });
            consents.Add(NewConsent(
                $"{assessment.Id}-{suffix}", assessment.PersonId, current, assessment.UpdatedAt, "OPTIN", provision, what,
                new ResourceReference($"QuestionnaireResponse/{assessment.Id}")));
        }

        return consents;
    }

    /// <summary>
    /// Whether the person receives caring messages (<c>{person}-messages</c>): messages go unless the
    /// person opts out (policy rule OPTOUT), so the provision denies from the moment they opted out
    /// and permits otherwise. Only people with recorded message choices have one.
    /// </summary>
    public static Consent ToMessageConsent(MessagePreferences preferences)
    {
        ArgumentNullException.ThrowIfNull(preferences);
        var provision = new Consent.provisionComponent
        {
            Type = preferences.OptedOut ? Consent.ConsentProvisionType.Deny : Consent.ConsentProvisionType.Permit,
            Period = preferences.OptedOutAt is { } from ? new Period { StartElement = new FhirDateTime(from) } : null,
        };
        return NewConsent($"{preferences.PersonId}-messages", preferences.PersonId, true, preferences.OptedOutAt, "OPTOUT", provision, "Receive caring messages", null);
    }

    /// <summary>
    /// A letter to the GP as it was sent (docs/domain.md rule 8: what, with whom, why): the attachment
    /// points at the letter's page and PDF, whose URLs carry only the share's id; the plans in it are
    /// the exact versions sent.
    /// </summary>
    public static DocumentReference ToDocumentReference(Share share, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(share);
        var document = Document(share.Id, 1, share.PersonId, share.SharedAt, DocumentStatus.Completed,
            new CodeableConcept(PlanMapping.LoincSystem, "51852-2", "Letter", "Letter to the GP"),
            $"{share.What}, to {share.Recipient}. Why: {share.Purpose} Consent: {share.ConsentBasis}",
            $"{baseUrl}/shares/{share.Id}/pdf", $"{baseUrl}/shares/{share.Id}", "Letter to the GP");
        var context = document.Context = new DocumentReference.ContextComponent();
        if (share.CarePlanId is { } care)
        {
            context.Related.Add(new ResourceReference($"CarePlan/{care}/_history/{share.CarePlanVersion}"));
        }

        if (share.SafetyPlanId is { } safety)
        {
            context.Related.Add(new ResourceReference($"CarePlan/{safety}/_history/{share.SafetyPlanVersion}"));
        }

        return document;
    }

    /// <summary>
    /// The person's own copy of their completed safety plan (docs/domain.md rule 7: print or PDF, the
    /// same day). The attachment points at the print page and PDF of the current version, by the
    /// person's id only; the private link given to the person is a secret and never appears here.
    /// </summary>
    public static DocumentReference ToDocumentReference(SafetyPlan plan, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var document = Document(plan.Id, plan.Version, plan.PersonId, plan.UpdatedAt, plan.Status,
            new CodeableConcept(PlanMapping.LoincSystem, PlanMapping.SafetyPlanLoinc, "Suicide prevention safety plan", "Safety plan (the person's copy)"),
            $"Safety plan, version {plan.Version}: the person's own copy to print or save",
            $"{baseUrl}/people/{plan.PersonId}/safety-plan/pdf", $"{baseUrl}/people/{plan.PersonId}/safety-plan/print", "Safety plan");
        document.Context = new DocumentReference.ContextComponent { Related = [new ResourceReference($"CarePlan/{plan.Id}/_history/{plan.Version}")] };
        return document;
    }

    /// <summary>
    /// An audit event, IHE BALP style: type <c>rest</c> for FHIR interactions, DICOM user
    /// authentication for sign-in and sign-out, DICOM patient record otherwise; the exact action as
    /// a subtype; the user as agent (by id, with their sign-in name as altId, as the audit page
    /// shows it); the person as entity <c>Patient/{id}</c>. The domain event holds ids only, never
    /// names or clinical text, and so does this.
    /// </summary>
    public static Hl7.Fhir.Model.AuditEvent ToAuditEvent(DomainAuditEvent audit)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var name = audit.Action.ToString();
        var fhirInteraction = audit.EntityId?.StartsWith("fhir ", StringComparison.Ordinal) == true;
        var resource = new Hl7.Fhir.Model.AuditEvent
        {
            Id = audit.Id.ToString(CultureInfo.InvariantCulture),
            Meta = new Meta { VersionId = "1", LastUpdated = audit.At },
            Type = audit.Action is AuditAction.SignedIn or AuditAction.SignInFailed or AuditAction.SignedOut
                ? new Coding(DicomSystem, "110114", "User Authentication")
                : fhirInteraction ? new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation")
                : new Coding(DicomSystem, "110110", "Patient Record"),
            Action = audit.Action switch
            {
                AuditAction.SignedIn or AuditAction.SignInFailed or AuditAction.SignedOut or AuditAction.FhirRefused or AuditAction.ShareRefused or AuditAction.MedicationRefused
                    => Hl7.Fhir.Model.AuditEvent.AuditEventAction.E,
                _ when name.EndsWith("Viewed", StringComparison.Ordinal) || name.EndsWith("Searched", StringComparison.Ordinal)
                    || name.EndsWith("Printed", StringComparison.Ordinal) || name.EndsWith("OpenedByLink", StringComparison.Ordinal)
                    => Hl7.Fhir.Model.AuditEvent.AuditEventAction.R,
                _ when name.EndsWith("Saved", StringComparison.Ordinal) || name.EndsWith("Changed", StringComparison.Ordinal)
                    || name.EndsWith("Updated", StringComparison.Ordinal) || name.EndsWith("Closed", StringComparison.Ordinal)
                    || name.EndsWith("Revoked", StringComparison.Ordinal) || name.EndsWith("OptedOut", StringComparison.Ordinal)
                    => Hl7.Fhir.Model.AuditEvent.AuditEventAction.U,
                _ => Hl7.Fhir.Model.AuditEvent.AuditEventAction.C,
            },
            Recorded = audit.At,
            Outcome = name.EndsWith("Refused", StringComparison.Ordinal) || audit.Action == AuditAction.SignInFailed
                ? Hl7.Fhir.Model.AuditEvent.AuditEventOutcome.N4
                : Hl7.Fhir.Model.AuditEvent.AuditEventOutcome.N0,
            Source = new Hl7.Fhir.Model.AuditEvent.SourceComponent { Observer = new ResourceReference { Display = "Aftercare" } },
        };
        resource.Subtype.Add(new Coding(AuditActionSystem, name));
        resource.PurposeOfEvent.Add(audit.Purpose switch
        {
            AuditPurpose.DirectCare => new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ActReason", "TREAT", "treatment", audit.Purpose),
            AuditPurpose.Administration => new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ActReason", "HOPERAT", "healthcare operations", audit.Purpose),
            _ => new CodeableConcept { Text = audit.Purpose },
        });
        resource.Agent.Add(new Hl7.Fhir.Model.AuditEvent.AgentComponent
        {
            // Staff are Practitioner/{user id}; the system and SMART clients have no Practitioner.
            Who = Guid.TryParse(audit.ActorId, out _) ? new ResourceReference($"Practitioner/{audit.ActorId}") : new ResourceReference { Display = audit.ActorId.Length > 0 ? audit.ActorId : "(not signed in)" },
            AltId = audit.Actor.Length > 0 ? audit.Actor : null,
            Requestor = true,
        });
        if (audit.PersonId is { } person)
        {
            resource.Entity.Add(new Hl7.Fhir.Model.AuditEvent.EntityComponent
            {
                What = new ResourceReference($"Patient/{person}"),
                Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"),
                Role = new Coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient"),
            });
        }

        if (audit.EntityId is { Length: > 0 } entity)
        {
            resource.Entity.Add(new Hl7.Fhir.Model.AuditEvent.EntityComponent
            {
                Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"),
                Description = entity,
            });
        }

        return resource;
    }

    /// <summary>A member of staff who signs in (never a patient): id and name only; no email, no password, no roles.</summary>
    public static Practitioner ToPractitioner(AftercareUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var practitioner = new Practitioner { Id = user.Id, Meta = new Meta { VersionId = "1" } };
        practitioner.Name.Add(new HumanName { Text = user.DisplayName });
        return practitioner;
    }

    /// <summary>A site where people present, identified as intake identifies it (urn:aftercare:site).</summary>
    public static Organization ToOrganization(Site site)
    {
        ArgumentNullException.ThrowIfNull(site);
        var organization = new Organization { Id = site.Id.ToString(), Meta = new Meta { VersionId = "1" }, Active = true, Name = site.Name };
        organization.Identifier.Add(new Identifier(PresentationMapping.SiteSystem, site.Code));
        return organization;
    }

    private static CodeableConcept KindOf(OutboxMessage message) =>
        new(MessageKindSystem, message.Kind.ToString(), message.Kind == MessageKind.CaringContact ? "Caring contact" : "Invitation to an appointment");

    private static CodeableConcept Medium(OutboxMessage message) => message.Channel == MessageChannel.Email
        ? new CodeableConcept(ParticipationModeSystem, "EMAILWRIT", "email")
        : new CodeableConcept(ParticipationModeSystem, "SMSWRIT", "SMS written");

    private static Consent NewConsent(
        string id, Guid personId, bool current, DateTimeOffset? recordedAt, string policy, Consent.provisionComponent provision, string what, ResourceReference? source)
    {
        var consent = new Consent
        {
            Id = id,
            Meta = new Meta { VersionId = "1", LastUpdated = recordedAt },
            Status = current ? Consent.ConsentState.Active : Consent.ConsentState.Inactive,
            Scope = new CodeableConcept(ConsentScopeSystem, "patient-privacy", "Privacy Consent"),
            Patient = new ResourceReference($"Patient/{personId}"),
            DateTimeElement = recordedAt is { } at ? new FhirDateTime(at) : null,
            PolicyRule = new CodeableConcept(ActCodeSystem, policy),
            Source = source,
            Provision = provision,
        };
        consent.Category.Add(new CodeableConcept(PlanMapping.LoincSystem, "59284-0", "Patient Consent", what));
        consent.Performer.Add(new ResourceReference($"Patient/{personId}"));
        return consent;
    }

    private static DocumentReference Document(
        Guid id, int version, Guid personId, DateTimeOffset date, DocumentStatus status, CodeableConcept type, string description, string pdfUrl, string pageUrl, string title)
    {
        var document = new DocumentReference
        {
            Id = id.ToString(),
            Meta = new Meta { VersionId = version.ToString(CultureInfo.InvariantCulture), LastUpdated = date },
            Status = DocumentReferenceStatus.Current,
            DocStatus = status == DocumentStatus.Completed ? CompositionStatus.Final : CompositionStatus.Preliminary,
            Type = type,
            Subject = new ResourceReference($"Patient/{personId}"),
            Date = date,
            Description = description,
        };
        document.Content.Add(new DocumentReference.ContentComponent { Attachment = new Attachment { ContentType = "application/pdf", Url = pdfUrl, Title = title } });
        document.Content.Add(new DocumentReference.ContentComponent { Attachment = new Attachment { ContentType = "text/html", Url = pageUrl, Title = title } });
        return document;
    }
}
