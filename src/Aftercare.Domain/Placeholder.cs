namespace Aftercare.Domain; public static class Placeholder {}
