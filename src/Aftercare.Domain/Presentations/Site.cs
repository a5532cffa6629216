namespace Aftercare.Domain.Presentations;

/// <summary>A hospital or service site where people present.</summary>
public sealed class Site
{
    private Site()
    {
        Code = "";
        Name = "";
    }

    public Site(Guid id, string code, string name)
    {
        Id = id;
        Code = code;
        Name = name;
    }

    public Guid Id { get; private set; }

    public string Code { get; private set; }

    public string Name { get; private set; }
}
