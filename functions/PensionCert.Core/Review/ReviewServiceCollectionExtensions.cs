using Microsoft.Extensions.DependencyInjection;

namespace PensionCert.Core.Review;

/// <summary>Start-up wiring of manual review and four-eyes changes (called by <see cref="CoreServiceCollectionExtensions.AddPensionCertCore"/>).</summary>
public static class ReviewServiceCollectionExtensions
{
    /// <summary>Registers the review services, <see cref="ReviewOptions"/> (section <c>PensionCert:Review</c>) and <see cref="Enrollment.ReferenceChangeOptions"/> (section <c>PensionCert:ReferenceChange</c>) and <see cref="Enrollment.IdPhotoEnrollmentOptions"/> (section <c>PensionCert:IdPhotoEnrollment</c>), validated at start.</summary>
    public static IServiceCollection AddPensionCertReview(this IServiceCollection services)
    {
        services.AddOptions<ReviewOptions>().BindConfiguration(ReviewOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Enrollment.ReferenceChangeOptions>().BindConfiguration(Enrollment.ReferenceChangeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Enrollment.IdPhotoEnrollmentOptions>().BindConfiguration(Enrollment.IdPhotoEnrollmentOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ReviewIntake>();
        services.AddSingleton<ReviewEffects>();
        services.AddSingleton<ReviewService>();
        services.AddSingleton<ReviewQueryService>();
        services.AddSingleton<Enrollment.ReferenceChangeService>();
        services.AddSingleton<Enrollment.ErasedIdentityGate>();
        services.AddSingleton<Enrollment.IdPhotoEnrollmentService>();
        services.AddSingleton<PensionerRecordService>();
        return services;
    }
}
