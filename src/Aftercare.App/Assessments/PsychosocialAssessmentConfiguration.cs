using Aftercare.App.Documents;
using Aftercare.Domain.Assessments;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Assessments;

/// <summary>How it is stored: a psychosocial assessment, a versioned document of one presentation.</summary>
internal sealed class PsychosocialAssessmentConfiguration() : VersionedDocumentConfiguration<PsychosocialAssessment, AssessmentContent>("Assessments")
{
    public override void Configure(EntityTypeBuilder<PsychosocialAssessment> builder)
    {
        base.Configure(builder);
        builder.HasOne<Presentation>().WithMany().HasForeignKey(x => x.PresentationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
        // One assessment per presentation; a later conversation amends it.
        builder.HasIndex(x => x.PresentationId).IsUnique();
    }
}

/// <summary>How it is stored: each saved version of an assessment.</summary>
internal sealed class AssessmentRevisionConfiguration() : RevisionConfiguration<AssessmentContent>("AssessmentRevisions");
