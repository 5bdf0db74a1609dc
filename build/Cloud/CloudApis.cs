using AccoReboot.Cloud.OpenStack;
using AccoReboot.Cloud.Ovh;

namespace AccoReboot.Cloud;

/// <summary>The cloud APIs of one environment: OVH's (its project, its DNS zones), and the OpenStack services of its region.</summary>
sealed record CloudApis(OvhCloudApi Ovh, Nova Nova, Neutron Neutron, Glance Glance, OvhDomainApi Dns);
