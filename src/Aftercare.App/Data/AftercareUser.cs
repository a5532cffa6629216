using Microsoft.AspNetCore.Identity;

namespace Aftercare.App.Data;

/// <summary>Someone who signs in to Aftercare: a member of staff, never a patient record.</summary>
public sealed class AftercareUser : IdentityUser
{
    public string DisplayName { get; set; } = "";

    /// <summary>Set when the password was generated and printed; the user must choose their own.</summary>
    public bool MustChangePassword { get; set; }
}
