using Microsoft.Extensions.Options;

namespace Xinfra;

/// <summary>Source-generated DataAnnotations validation of <see cref="XinfraOptions"/>' own fields.</summary>
[OptionsValidator]
internal sealed partial class XinfraRootOptionsValidator : IValidateOptions<XinfraOptions>;

/// <summary>Source-generated DataAnnotations validation of one <see cref="ClusterOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class ClusterOptionsValidator : IValidateOptions<ClusterOptions>;

/// <summary>Source-generated DataAnnotations validation of one <see cref="TopicOptions"/> and its epochs.</summary>
[OptionsValidator]
internal sealed partial class TopicOptionsValidator : IValidateOptions<TopicOptions>;
