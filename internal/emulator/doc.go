// Package emulator is an in-process emulator of the parts of AWS IAM, STS and
// EKS that irsa-sync uses. It serves the real wire protocols (awsQuery for IAM
// and STS, restJson1 for EKS) so the unmodified aws-sdk-go-v2 clients work
// against it. It backs both the `--sandbox` mode and the test suite, so it
// follows AWS's documented behaviour (error codes, statuses, encodings,
// paging, quotas) rather than what would be convenient.
//
// What is emulated, feature by feature, and what is not; each section names
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
//
// # STS AssumeRoleWithWebIdentity and AssumeRole
//
// AssumeRoleWithWebIdentity is served unsigned, as STS serves it, and checks
// the token as IAM does for an OIDC provider: the JWT's iss must have an IAM
// OIDC provider in the role's account (else InvalidIdentityToken "No
// OpenIDConnect provider found"), one of its aud values must be a client id
// of that provider (else InvalidIdentityToken "Incorrect token audience"),
// its signature must verify (RS256/384/512, ES256/384, EdDSA) against keys
// registered with RegisterIssuerKeys (none registered: IDPCommunicationError,
// as when IAM cannot fetch the JWKS; wrong key: InvalidIdentityToken), and
// exp must be in the future (ExpiredTokenException). Then the role's trust
// is evaluated: Principal.Federated equal to the provider ARN, the action
// (wildcards allowed), and conditions on <issuer>:sub, <issuer>:aud and
// <issuer>:amr. A refusal is AccessDenied "Not authorized to perform
// sts:AssumeRoleWithWebIdentity". SignToken mints tokens for tests and the
// sandbox's clusters.
//
// AssumeRole evaluates the target role's trust for Principal.AWS naming the
// caller's user ARN, its role ARN (for a session: role chaining), its
// account id or arn:<partition>:iam::<account>:root, with aws:PrincipalArn,
// aws:PrincipalAccount and sts:ExternalId in the context. CreateRole and
// UpdateAssumeRolePolicy refuse a trust naming, as Principal.AWS, a role of
// an emulated account that does not exist (MalformedPolicyDocument "Invalid
// principal in policy"), and DeleteRole replaces the role's ARN in every
// trust naming it with the role's unique id, as IAM shows a broken trust
// (iam_principals.go).
//
// # Identity policies of assumed-role sessions
//
// A session from AssumeRole or AssumeRoleWithWebIdentity may do only what
// its role's inline and attached identity policies allow, within the role's
// permissions boundary (identity_eval.go: Action, Resource and Condition,
// explicit Deny first), else 403 AccessDenied (AccessDeniedException from
// EKS) "User: ... is not authorized to perform: ACTION on resource: ARN",
// as IAM answers. A role with no identity policy at all, as every role
// EnsureRole seeds, is not evaluated, and neither are the accounts' admin
// users, so existing identities stay administrators; SeedRolePolicy and
// SeedPolicy give a test a read-only or scoped identity.
//
// The trust evaluator (trust_eval.go) follows IAM's evaluation logic for
// one resource policy: explicit Deny wins, then Allow, else denied; keys
// are case-insensitive; several values of one key match if any does; a key
// absent from the request fails a positive operator and passes a negated one.
// It knows StringEquals, StringNotEquals, StringLike, StringNotLike, their
// IgnoreCase forms, ArnEquals/ArnLike and their negations, Bool, the
// IfExists suffix and ForAnyValue/ForAllValues; any other operator never
// matches. NotPrincipal statements never match. Session policies
// (Policy, PolicyArns) are accepted and ignored.
//
// # Partitions
//
// An account lives in one partition: aws, aws-us-gov (regions us-gov-*) or
// aws-cn (regions cn-*, domain amazonaws.com.cn). EnsureAccountInPartition
// pins it, as real accounts are: its keys signed for a region of another
// partition are InvalidClientTokenId. An account made by EnsureAccount only
// takes the partition of each request's SigV4 signing region, so a sandbox
// whose regions are all in one partition gets that partition without
// seeding it (the unsigned AssumeRoleWithWebIdentity takes the role ARN's).
// Every ARN returned is in the partition: the admin user and assumed-role
// sessions, roles, customer and AWS-managed policies
// (arn:<partition>:iam::aws:policy/...), OIDC providers, clusters, add-ons,
// Fargate profiles and Pod Identity associations; cluster endpoints use the
// partition's domain. An ARN parameter of another partition is refused as
// IAM refuses it, ValidationError "Invalid ARN partition" (reported from
// AttachRolePolicy in GovCloud and China, and IAM's notice on strict ARN
// validation: "the partition name must match the partition of the AWS
// account"); a policy Resource of another partition is
// MalformedPolicyDocument `Partition "aws" is not valid for resource ...`,
// and a trust Principal ARN of another partition is MalformedPolicyDocument
// "Invalid principal in policy". The documents of the AWS-managed catalogue
// keep their commercial-partition resource ARNs.
//
// EKS issuers in China are https://oidc.eks.<region>.amazonaws.com.cn/id/...;
// the emulator takes any https issuer and matches the token's aud against
// the provider's client ids, so it holds no opinion on the audience. For
// the record: the pod identity webhook projects sts.amazonaws.com by
// default in every partition, while older eksctl releases registered China
// providers and trusts with sts.amazonaws.com.cn, and AWS's
// configure-aws-credentials action documents sts.amazonaws.com.cn as the
// audience in China; no AWS EKS page found states the China default, so a
// caller must make provider client id, trust aud and the ServiceAccount's
// eks.amazonaws.com/audience agree.
//
// # IAM quotas
//
// GetAccountSummary returns every SummaryMap key of the IAM API (the
// SummaryKeyType enum), with IAM's default quotas, and the counts of roles,
// policies and policy versions (one user: the admin identity). SetQuota
// overrides a quota as a raised service quota would. RolesQuota,
// PoliciesQuota, AttachedPoliciesPerRoleQuota, PolicySizeQuota,
// AssumeRolePolicySizeQuota (message ACLSizePerRole), RolePolicySizeQuota
// and VersionsPerPolicyQuota are enforced with LimitExceeded. OIDC providers
// per account (default 100) has no SummaryMap key, as in AWS, where only
// Service Quotas reports it; it is enforced, and SetQuota takes it as
// "OpenIdConnectProvidersQuota". Service Quotas itself is not emulated.
package emulator
