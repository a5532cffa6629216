namespace Aftercare.Domain;

/// <summary>An expected failure: which field, and what a person should do about it.</summary>
public sealed record Error(string Field, string Message)
{
    /// <summary>A failure that is not about one field (a conflict, a refusal with a reason).</summary>
    public static Error General(string message) => new("", message);
}

/// <summary>
/// Expected failures are values, exceptions are bugs (docs/architecture.md). A result holds either a value or
/// one or more errors, each naming the field and the problem.
/// </summary>
public sealed class Result<T>
{
    private readonly T? _value;

    private Result(T? value, IReadOnlyList<Error> errors)
    {
        _value = value;
        Errors = errors;
    }

    public IReadOnlyList<Error> Errors { get; }

    public bool IsSuccess => Errors.Count == 0;

    public T Value => IsSuccess
        ? _value!
        : throw new InvalidOperationException("A failed result has no value; read Errors instead.");

#pragma warning disable CA1000 // Static factories on the generic type read best at the call site.
    public static Result<T> Success(T value) => new(value, []);

    public static Result<T> Failure(IReadOnlyList<Error> errors) =>
        errors.Count == 0
            ? throw new ArgumentException("A failure needs at least one error.", nameof(errors))
            : new Result<T>(default, errors);

    public static Result<T> Failure(string field, string message) => Failure([new Error(field, message)]);
#pragma warning restore CA1000

    public static implicit operator Result<T>(T value) => Success(value);
}

/// <summary>Collects field errors while a command is checked, so a person sees all of them at once.</summary>
public sealed class Errors
{
    private readonly List<Error> _list = [];

    public IReadOnlyList<Error> List => _list;

    public bool Any => _list.Count > 0;

    public void Add(string field, string message) => _list.Add(new Error(field, message));

    public void AddIf(bool condition, string field, string message)
    {
        if (condition)
        {
            Add(field, message);
        }
    }
}
