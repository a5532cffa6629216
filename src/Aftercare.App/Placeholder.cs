namespace Aftercare.App; public static class Placeholder {}
