package emulator

// What is emulated, feature by feature, and what is not. Each section names
// the AWS documentation it follows.
//
// # EKS Pod Identity associations
//
// Create, Describe, Update, Delete and ListPodIdentityAssociations follow
// the EKS API reference: ids "a-" plus 17 lower-case characters,
// associationArn arn:<partition>:eks:<region>:<account>:podidentityassociation/<cluster>/<id>,
// roleArn, targetRoleArn (with externalId
// region/account/cluster/namespace/service-account), disableSessionTags,
// policy, ownerArn, tags, createdAt and modifiedAt. List returns
// PodIdentityAssociationSummary items (no roleArn, targetRoleArn, tags or
// timestamps: a caller needs Describe for those), filters on namespace and
// serviceAccount, and pages with maxResults (1-100, default 100) and
// nextToken; Options.PageSize shrinks pages as for IAM. Errors:
// ResourceInUseException for a second association of one namespace and
// service account, ResourceNotFoundException for an unknown cluster or id,
// ResourceLimitExceededException past 5,000 associations per cluster
// (Options.AssociationsPerCluster lowers it), InvalidParameterException
// for a roleArn outside the cluster's account or partition, a missing role,
// or a role whose trust does not let pods.eks.amazonaws.com sts:AssumeRole
// and, unless disableSessionTags, sts:TagSession. That trust is evaluated
// with the context EKS sends (aws:SourceAccount, aws:SourceArn and the
// eks-cluster-arn, eks-cluster-name, kubernetes-namespace and
// kubernetes-service-account session tags), so a trust narrowed to another
// cluster is refused. Update changes roleArn, targetRoleArn,
// disableSessionTags and policy only. TagResource, UntagResource and
// ListTagsForResource work on association ARNs only; other EKS ARNs are
// NotFoundException. Not emulated: clientRequestToken idempotency, the
// eventual consistency of associations, and refusing changes to add-on
// owned associations (ownerArn is only ever set by seeding).
//
// # EKS add-ons and Fargate profiles
//
// DescribeAddon, ListAddons, DescribeFargateProfile and ListFargateProfiles
// are read-only views of what seeding set up: EnsureCluster gives a new
// cluster the eks-pod-identity-agent add-on (as EKS Auto Mode and most
// clusters have), SeedCluster replaces a cluster's add-ons (with or without
// the agent) and Fargate profiles (selectors of a namespace and labels),
// and SeedPodIdentityAssociation adds an association such as one an add-on
// owns. A missing add-on or profile is ResourceNotFoundException with
// addonName or fargateProfileName set, as EKS returns it. Add-on health,
// configuration values, versions and the add-on and profile write APIs are
// not emulated.
