using Aftercare.App.Data;
using Aftercare.App.Messaging;
using Aftercare.App.Programme;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;
using Aftercare.App.Sites;
using Aftercare.App.Users;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Aftercare.Domain.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Demo;

/// <summary>
/// Synthetic demo data that look it: "(demo)" sites, MRNs starting DEMO, NHS numbers in the 999
/// test range, phone numbers from Ofcom's drama range, example.org addresses. Nobody here is real.
/// </summary>
public static class DemoData
{
    public const string EmailDomain = "demo.aftercare.example";

    /// <summary>A demo user, their password and their authenticator key (both new at each start).</summary>
    public sealed record DemoUser(string Email, string Role, string Password, string AuthenticatorKey);

    public sealed record Seeded(IReadOnlyList<DemoUser> Users, int People, int Presentations);

    public static IReadOnlyList<SiteSetting> Sites { get; } =
    [
        // Ofcom's drama range (01632 960xxx) and fictional streets: nobody real is rung or written to.
        // Synthetic ODS codes, shaped like a trust's site (three characters and two digits).
        new("DEMO-N", "Northgate General Hospital (demo)")
        {
            OdsCode = "ZZD01",
            Phone = "01632 960101", Address = "Liaison and Aftercare Team, Northgate General Hospital, 1 Example Road, Northgate NG0 0AA (demo)", Hours = "every day, 8am to 8pm",
        },
        new("DEMO-R", "Riverside Infirmary (demo)")
        {
            OdsCode = "ZZD02",
            Phone = "01632 960202", Address = "Aftercare Team, Riverside Infirmary, 2 Sample Lane, Riverside RV0 0BB (demo)", Hours = "Monday to Friday, 9am to 5pm",
        },
        new("DEMO-S", "St Example's Hospital (demo)")
        {
            OdsCode = "ZZD03",
            Phone = "01632 960303", Address = "Aftercare Team, St Example's Hospital, 3 Fictional Street, Exampleton EX0 0CC (demo)", Hours = "Monday to Saturday, 9am to 6pm",
        },
        new(OtherTeamSite, "Hillside Community Team (demo)")
        {
            OdsCode = "ZZD04",
            Phone = "01632 960404", Address = "Hillside Community Team, 4 Madeup Avenue, Hillside HS0 0DD (demo)", Hours = "Monday to Friday, 9am to 5pm",
        },
    ];

    /// <summary>A team no demo person has presented to: its clinician shows need-to-know and breaking the glass.</summary>
    public const string OtherTeamSite = "DEMO-H";

    public static string OtherTeamClinician => $"clinician.hillside@{EmailDomain}";

    private static readonly string[] GivenNames =
        ["Alex", "Sam", "Jordan", "Robin", "Casey", "Morgan", "Riley", "Taylor", "Jamie", "Charlie", "Frankie", "Ellis", "Avery", "Quinn", "Rowan", "Sasha"];

    private static readonly string[] FamilyNames =
        ["Example", "Sample", "Fictional", "Testcase", "Madeup", "Notreal", "Placeholder", "Demo"];

    /// <summary>
    /// Seeds sites, one user per role and, once, the synthetic people. Demo users get fresh random
    /// passwords and authenticator keys every time, which are returned so the caller can print them.
    /// </summary>
    public static async Task<Seeded> SeedAsync(
        AftercareDbContext db, UserManager<AftercareUser> users, RoleManager<IdentityRole> roles, TimeProvider clock,
        LocalTime time, AftercareSettings settings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(clock);
        await SiteConfiguration.ApplyAsync(db, Sites, ct);
        await AddUser.EnsureRolesAsync(roles);

        var demoUsers = new List<DemoUser>();
        var hospitals = await db.Sites.Where(x => x.Code.StartsWith("DEMO-") && x.Code != OtherTeamSite).Select(x => x.Id).ToListAsync(ct);
        var hillside = await db.Sites.Where(x => x.Code == OtherTeamSite).Select(x => x.Id).ToListAsync(ct);
        foreach (var (role, email, sites) in Roles.All.Select(r => (r, $"{r}@{EmailDomain}", Roles.DirectCare.Split(',').Contains(r) ? hospitals : []))
            .Append((Roles.Clinician, OtherTeamClinician, hillside)))
        {
            var password = AddUser.GeneratePassword();
            var user = await users.FindByEmailAsync(email);
            if (user is null)
            {
                var name = email == OtherTeamClinician ? "Demo Clinician (Hillside team)" : $"Demo {Roles.Describe(role)}";
                user = new AftercareUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name, LockoutEnabled = true };
                Check(await users.CreateAsync(user, password));
                Check(await users.AddToRoleAsync(user, role));
            }
            else
            {
                Check(await users.RemovePasswordAsync(user));
                Check(await users.AddPasswordAsync(user, password));
                await users.SetLockoutEndDateAsync(user, null);
                await users.ResetAccessFailedCountAsync(user);
            }

            foreach (var site in sites.Where(site => !db.StaffSites.Any(x => x.UserId == user.Id && x.SiteId == site)))
            {
                db.StaffSites.Add(new Domain.Access.StaffSite(user.Id, site));
            }

            await db.SaveChangesAsync(ct);
            // Every account signs in with a second factor; the demo's are set up already, keyed afresh.
            Check(await users.ResetAuthenticatorKeyAsync(user));
            Check(await users.SetTwoFactorEnabledAsync(user, true));
            var key = await users.GetAuthenticatorKeyAsync(user) ?? throw new InvalidOperationException("The authenticator key was not stored.");
            demoUsers.Add(new DemoUser(email, role, password, key));
        }

        var alreadySeeded = await db.People.AnyAsync(p => p.Identifiers.Any(i => i.Kind == IdentifierKind.Mrn && i.Value.StartsWith("DEMO")), ct);
        if (alreadySeeded)
        {
            return new Seeded(demoUsers, 0, 0);
        }

        var (people, presentations) = await SeedPeopleAsync(db, clock, ct);
        await SeedAftercareAsync(db, clock, time, settings, ct);
        return new Seeded(demoUsers, people, presentations);
    }

    private static async Task<(int People, int Presentations)> SeedPeopleAsync(AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var random = new Random(20261122);
        var siteIds = await db.Sites.Where(s => s.Code.StartsWith("DEMO-") && s.Code != OtherTeamSite).OrderBy(s => s.Code).Select(s => s.Id).ToListAsync(ct);
        var clinician = await db.Users.Where(u => u.Email == $"{Roles.Clinician}@{EmailDomain}").Select(u => u.Id).FirstAsync(ct);
        var presentationCount = 0;
        const int peopleCount = 40;
        for (var n = 1; n <= peopleCount; n++)
        {
            var age = n % 7 == 0 ? random.Next(14, 18) : n % 9 == 0 ? random.Next(66, 85) : random.Next(18, 65);
            var dob = today.AddYears(-age).AddDays(-random.Next(0, 365));
            var channel = (ContactChannel)(n % 4);
            var details = new PersonDetails(
                GivenNames[n % GivenNames.Length], FamilyNames[(n + (n / GivenNames.Length)) % FamilyNames.Length], dob,
                (Sex)(1 + (n % 3 == 0 ? 2 : n % 2)),
                $"07700 900{n:000}", $"person{n:000}@example.org", channel,
                $"Demo Street Surgery {1 + (n % 5)} (fictional)",
                (PriorPsychiatricHistory)(n % 3),
                // Synthetic ODS codes, shaped like a GP practice's (a letter and five digits); Z9 is not a prefix the register uses.
                $"Z9000{1 + (n % 5)}");
            var identifiers = new[]
            {
                PersonIdentifier.Create(IdentifierKind.Mrn, $"DEMO{n:0000}").Value,
                PersonIdentifier.Create(IdentifierKind.NhsNumber, NhsTestNumber(n)).Value,
            };
            var registeredAt = now.AddDays(-730);
            var person = Person.Register(details, identifiers, registeredAt, today).Value;
            db.People.Add(person);

            // Several people came back for help more than once: that is engagement, shown as such.
            var visits = n % 5 == 0 ? random.Next(3, 6) : n % 3 == 0 ? 2 : 1;
            var arrivals = Enumerable.Range(0, visits)
                .Select(_ => now.AddDays(-random.Next(1, 730)).AddMinutes(-random.Next(0, 1440)))
                .Order().ToList();
            foreach (var arrived in arrivals)
            {
                var left = random.Next(12) == 0;
                var assessed = left ? (DateTimeOffset?)null : arrived.AddMinutes(random.Next(45, 16 * 60));
                if (assessed > now)
                {
                    assessed = null;
                }

                var methods = random.Next(10) switch
                {
                    < 6 => new List<SelfHarmMethod> { SelfHarmMethod.MedicationOrDrugs },
                    < 8 => [SelfHarmMethod.SharpObject],
                    8 => [SelfHarmMethod.MedicationOrDrugs, SelfHarmMethod.Alcohol],
                    _ => [SelfHarmMethod.Unspecified],
                };
                var presentation = Presentation.Register(person.Id, dob, new PresentationDetails(
                        arrived, siteIds[random.Next(siteIds.Count)], methods,
                        (YesNoUnknown)random.Next(3), (YesNoUnknown)random.Next(3), null,
                        left ? Disposition.LeftBeforeAssessment : random.Next(5) == 0 ? Disposition.Admitted : Disposition.Discharged,
                        assessed),
                    siteIds, clinician, now);
                db.Presentations.Add(presentation.Value);
                presentationCount++;
            }
        }

        // People who came in over the last two days, so first contacts are due on the worklist.
        var site = siteIds[0];
        foreach (var (n, hoursAgo) in new[] { (2, 20), (4, 40), (11, 30) })
        {
            var person = db.People.Local.First(p => p.Identifiers.Any(i => i.Value == $"DEMO{n:0000}"));
            var arrived = now.AddHours(-hoursAgo);
            db.Presentations.Add(Presentation.Register(person.Id, person.DateOfBirth, new PresentationDetails(
                arrived, site, [SelfHarmMethod.MedicationOrDrugs], YesNoUnknown.No, YesNoUnknown.Yes, null, Disposition.Discharged, arrived.AddHours(3)),
                siteIds, clinician, now).Value);
            presentationCount++;
        }

        await db.SaveChangesAsync(ct);
        return (peopleCount, presentationCount);
    }

    /// <summary>
    /// An aftercare worker's day: people discharged in the last three months enrolled on their
    /// suggested pathway, first contacts due, contacts made and missed, referrals at every step,
    /// and caring messages waiting in the outbox.
    /// </summary>
    private static async Task SeedAftercareAsync(AftercareDbContext db, TimeProvider clock, LocalTime time, AftercareSettings settings, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var random = new Random(48);
        var worker = $"{Roles.AftercareWorker}@{EmailDomain}";
        var services = await db.Services.AsNoTracking().ToDictionaryAsync(s => s.Code, ct);
        var recent = await db.Presentations.AsNoTracking()
            .Where(p => p.Disposition == Disposition.Discharged)
            .ToListAsync(ct);
        var latest = recent.Where(p => p.ArrivedAt > now.AddDays(-90))
            .GroupBy(p => p.PersonId).Select(g => g.OrderByDescending(p => p.ArrivedAt).First())
            .OrderByDescending(p => p.ArrivedAt).ToList();
        var people = await db.People.AsNoTracking().ToDictionaryAsync(p => p.Id, ct);
        DateTimeOffset DayAfter(DateTimeOffset from, int days) => time.DayAfter(from, days, settings.ContactTimeOfDay);
        foreach (var presentation in latest)
        {
            var person = people[presentation.PersonId];
            var pathway = settings.Pathways.Suggest(person.AgeOn(DateOnly.FromDateTime(presentation.ArrivedAt.UtcDateTime)), person.PriorPsychiatricHistory);
            if (pathway is null)
            {
                continue;
            }

            var discharged = presentation.ArrivedAt.AddHours(6) < now ? presentation.ArrivedAt.AddHours(6) : now.AddMinutes(-30);
            var episode = Episode.Enrol(person.Id, presentation.Id, presentation.ArrivedAt, discharged, pathway, settings.Pathways.Version, pathway, null, DayAfter, worker, discharged).Value;
            foreach (var contact in episode.Contacts.Where(c => c.DueAt < now.AddHours(-2)).OrderBy(c => c.DueAt))
            {
                // Most past contacts were made; a few people were hard to reach.
                var at = contact.DueAt.AddMinutes(random.Next(10, 240));
                if (at > now)
                {
                    continue;
                }

                var channel = person.PreferredChannel == ContactChannel.Letter ? ContactChannel.Phone : person.PreferredChannel;
                if (random.Next(5) == 0)
                {
                    contact.Record(new ContactAttempt(at, channel, ContactOutcome.NotReached, null, null, null, worker), settings.Retry, at);
                    at = contact.DueAt.AddMinutes(random.Next(10, 120));
                    if (at > now.AddHours(-1))
                    {
                        continue; // still to try again: it is on today's worklist
                    }
                }

                contact.Record(new ContactAttempt(at, channel, ContactOutcome.Reached,
                    "Synthetic note: a bit better this week", "Synthetic note: back at college", null, worker), settings.Retry, at);
            }

            db.Episodes.Add(episode);
            await CaringMessages.ScheduleForEpisode(db, person, episode, pathway, DayAfter, now, ct);

            // Referrals at every step of a warm handoff, a couple left unconfirmed for the worklist.
            var unconfirmedYet = !db.ChangeTracker.Entries<Referral>().Any(e => e.Entity.Status == ReferralStatus.Sent && e.Entity.DueBy < now);
            var forceUnconfirmed = unconfirmedYet && discharged < now.AddDays(-7);
            var code = forceUnconfirmed ? "talking-therapies" : random.Next(4) switch { 0 => "talking-therapies", 1 => "peer-support", 2 => "crisis-cafe", _ => "" };
            if (code.Length > 0 && services.TryGetValue(code, out var service))
            {
                var sentAt = discharged.AddHours(2);
                var referral = Referral.Send(person.Id, service, "Synthetic referral made with the person during aftercare.", ServicePreference.NoPreference, settings.Handoffs, worker, sentAt).Value;
                // At least one handoff the service never confirmed, so the worklist shows what escalation looks like.
                var step = forceUnconfirmed ? 0 : sentAt < now.AddDays(-20) ? 3 : random.Next(3);
                if (step >= 1 && sentAt.AddDays(2) < now)
                {
                    referral.MoveTo(ReferralStatus.Accepted, null, null, settings.Handoffs, worker, sentAt.AddDays(2));
                }

                if (step >= 2 && sentAt.AddDays(4) < now)
                {
                    referral.MoveTo(ReferralStatus.AppointmentBooked, sentAt.AddDays(9), null, settings.Handoffs, worker, sentAt.AddDays(4));
                }

                if (step >= 3 && sentAt.AddDays(10) < now)
                {
                    referral.MoveTo(ReferralStatus.Attended, null, "Synthetic: first session attended", settings.Handoffs, worker, sentAt.AddDays(10));
                }

                db.Referrals.Add(referral);
            }
        }

        // One caring message due now, so a configured SMTP server shows delivery straight away.
        var emailPerson = db.Episodes.Local.Select(e => people[e.PersonId]).FirstOrDefault(p => p.PreferredChannel == ContactChannel.Email && p.Email is not null);
        if (emailPerson is not null)
        {
            db.OutboxMessages.Add(OutboxMessage.Schedule(emailPerson.Id, null, MessageKind.CaringContact, MessageChannel.Email, emailPerson.Email,
                "Thinking of you", "Thinking of you after your visit. We're here if you want to talk. (Synthetic demo message.)", null, now, now).Value);
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>An NHS number in the 999 range set aside for testing, with a valid check digit.</summary>
    public static string NhsTestNumber(int n)
    {
        for (var body = 999_000_000L + (n * 7919L); ; body++)
        {
            var digits = body.ToString("000000000", System.Globalization.CultureInfo.InvariantCulture);
            if (Domain.People.PersonIdentifier.NhsCheckDigit(digits) is { } check)
            {
                return digits + check;
            }
        }
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Demo seeding failed: " + string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
