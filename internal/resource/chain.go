package resource

// ChainPolicyName is the inline policy irsa-sync writes on the source role of
// a role chain: it allows sts:AssumeRole on exactly the roles the file says
// the source may chain to. irsa-sync owns it on roles it manages; the file
// cannot declare an inline policy of this name.
const ChainPolicyName = "irsa-sync-chain"
