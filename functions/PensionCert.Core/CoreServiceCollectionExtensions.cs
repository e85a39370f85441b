using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PensionCert.Core.Certification;
using PensionCert.Core.Cycle;
using PensionCert.Core.Enrollment;
using PensionCert.Core.Faces;
using PensionCert.Core.Identity;
using PensionCert.Core.Review;

namespace PensionCert.Core;

/// <summary>Start-up wiring of the application services, shared by both hosts.</summary>
public static class CoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the application services and their validated options (sections <c>PensionCert:Verification</c>,
    /// <c>PensionCert:Certification</c>, <c>PensionCert:Identity</c>, <c>PensionCert:DataProtection</c>, <c>PensionCert:Cycle</c>). Missing or invalid settings fail start-up
    /// with the setting's name. Storage ports and the face analyzer are registered by their own projects.
    /// </summary>
    public static IServiceCollection AddPensionCertCore(this IServiceCollection services)
    {
        services.AddOptions<VerificationOptions>().BindConfiguration(VerificationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CertificationOptions>().BindConfiguration(CertificationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<IdentityProtectionOptions>().BindConfiguration(IdentityProtectionOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => TryDecodeKey(o.HashKey), $"{IdentityProtectionOptions.SectionName}:HashKey must be base64 of at least 32 bytes.")
            .ValidateOnStart();

        services.AddOptions<Retention.RetentionOptions>().BindConfiguration(Retention.RetentionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Protection.DataProtectionOptions>().BindConfiguration(Protection.DataProtectionOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<Protection.DataProtectionOptions>, Protection.DataProtectionOptionsValidator>();
        services.AddOptions<CyclePolicyOptions>().BindConfiguration(CyclePolicyOptions.SectionName).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<CyclePolicyOptions>, CyclePolicyOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Protection.IPersonalDataProtector, Protection.AesGcmPersonalDataProtector>();
        services.AddSingleton<Operators.PensionerAdministrationService>();
        services.AddSingleton<Operators.PensionerHistoryService>();
        services.AddSingleton<Retention.SelfieRetentionService>();
        services.AddSingleton<Retention.IdempotencyKeyRetentionService>();
        services.AddSingleton<Retention.PendingPhotoSweep>();
        services.AddSingleton<Retention.DailyRetention>();
        services.AddSingleton<AttemptLimiter>();
        services.AddSingleton<Identity.PensionerIdCache>();
        services.AddSingleton<SubmissionRateLimiter>();
        services.AddSingleton<IIdNumberHasher, HmacIdNumberHasher>();
        services.AddSingleton<VerificationPolicy>();
        services.AddSingleton<EnrollmentService>();
        services.AddSingleton<CertificationService>();
        services.AddSingleton<LiveReferenceKeeper>();
        services.AddSingleton<CertificationDecisions>();
        services.AddSingleton<CertificationProcessor>();
        services.AddSingleton<StaleCertificationSweeper>();
        services.AddSingleton<EligibilityService>();
        services.AddSingleton<CycleService>();
        services.AddOptions<CycleScanOptions>().BindConfiguration(CycleScanOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CycleScanPlanner>();
        services.AddSingleton<CycleScanItemProcessor>();
        services.AddSingleton<CycleScanService>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddSingleton<CycleQueryService>();
        services.AddSingleton<CycleExceptionQueries>();
        services.AddSingleton<Evidence.EvidenceImportService>();
        services.AddOptions<Sessions.SessionOptions>().BindConfiguration(Sessions.SessionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Sessions.ActionLivenessOptions>().BindConfiguration(Sessions.ActionLivenessOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<Sessions.IChallengeSource, Sessions.RandomChallengeSource>();
        services.AddSingleton<Sessions.CertificationSessionService>();
        services.AddSingleton<Sessions.ActionLivenessVerifier>();
        services.AddSingleton<Sessions.SessionVerification>();
        services.AddPensionCertReview();
        services.AddPensionCertOffline();
        return services;
    }

    /// <summary>
    /// Offline certification, home visits and family helpers (section <c>PensionCert:HomeVisits</c>): the services, the
    /// submission checks of operator captures and family helpers, and the home-visit sweep.
    /// </summary>
    public static IServiceCollection AddPensionCertOffline(this IServiceCollection services)
    {
        services.AddOptions<HomeVisits.HomeVisitOptions>().BindConfiguration(HomeVisits.HomeVisitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Offline.OperationIdempotency>();
        services.AddSingleton<ISubmissionCheck, Offline.OfflineCaptureCheck>();
        services.AddSingleton<ISubmissionCheck, Offline.FamilyHelperCheck>();
        services.AddSingleton<HomeVisits.HomeVisitService>();
        services.AddSingleton<HomeVisits.HomeVisitSweep>();
        services.AddSingleton<FamilyHelpers.FamilyHelperService>();
        services.AddSingleton<Operators.IPensionerErasureParticipant, Offline.OfflineErasure>();
        return services;
    }

    private static bool TryDecodeKey(string key)
    {
        try
        {
            HmacIdNumberHasher.DecodeKey(key);
            return true;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException)
        {
            return false;
        }
    }
}
