package emulator

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// state is everything the emulator persists. Maps are keyed so that JSON
// output is sorted, which makes MarshalState deterministic.
type state struct {
	Accounts map[string]*account `json:"accounts"`
}

type account struct {
	ID string `json:"id"`
	// Roles and Policies are keyed by lower-cased name because IAM names are
	// unique regardless of case.
	Roles     map[string]*role     `json:"roles"`
	Policies  map[string]*policy   `json:"policies"`
	Providers map[string]*provider `json:"oidcProviders"` // keyed by lower-cased URL without scheme
	Clusters  map[string]*cluster  `json:"clusters"`      // keyed by region + "/" + name
	Quotas    map[string]int32     `json:"quotas,omitempty"`
	// Partition pins the account to one partition (see
	// EnsureAccountInPartition). Empty, the account takes the partition of
	// each request's signing region, kept in requestPartition while the
	// request runs under the emulator lock.
	Partition        string `json:"partition,omitempty"`
	requestPartition string
}

type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type role struct {
	Name        string             `json:"name"`
	Path        string             `json:"path"`
	ID          string             `json:"id"`
	Trust       string             `json:"assumeRolePolicyDocument"`
	Description string             `json:"description,omitempty"`
	MaxSession  int32              `json:"maxSessionDuration"`
	Boundary    string             `json:"permissionsBoundary,omitempty"`
	Tags        []tag              `json:"tags,omitempty"`
	Created     time.Time          `json:"createDate"`
	Inline      map[string]*inline `json:"inlinePolicies,omitempty"` // keyed by lower-cased name
	Attached    []string           `json:"attachedPolicies,omitempty"`
}

type inline struct {
	Name string `json:"name"`
	Doc  string `json:"document"`
}

type policy struct {
	Name        string           `json:"name"`
	Path        string           `json:"path"`
	ID          string           `json:"id"`
	Description string           `json:"description,omitempty"`
	Tags        []tag            `json:"tags,omitempty"`
	Created     time.Time        `json:"createDate"`
	Updated     time.Time        `json:"updateDate"`
	Default     string           `json:"defaultVersionId"`
	Versions    []*policyVersion `json:"versions"`
	NextVersion int              `json:"nextVersion"`
}

type policyVersion struct {
	ID      string    `json:"versionId"`
	Doc     string    `json:"document"`
	Created time.Time `json:"createDate"`
}

type provider struct {
	URL         string    `json:"url"`
	ClientIDs   []string  `json:"clientIds"`
	Thumbprints []string  `json:"thumbprints,omitempty"`
	Tags        []tag     `json:"tags,omitempty"`
	Created     time.Time `json:"createDate"`
}

type cluster struct {
	Name    string    `json:"name"`
	Region  string    `json:"region"`
	Issuer  string    `json:"issuer"`
	Created time.Time `json:"createdAt"`
	// Associations are keyed by association id.
	Associations    map[string]*association `json:"podIdentityAssociations,omitempty"`
	NextAssociation int                     `json:"nextAssociation,omitempty"`
	// Addons is nil for a cluster seeded without a choice (or stored before
	// add-ons were emulated), which reads as EKS's usual setup: the Pod
	// Identity agent installed. An empty map is a cluster without add-ons,
	// so it must not be omitted from the JSON.
	Addons  map[string]*addon          `json:"addons"`
	Fargate map[string]*fargateProfile `json:"fargateProfiles,omitempty"`
}

// association is an EKS Pod Identity association.
type association struct {
	ID                 string            `json:"id"`
	Namespace          string            `json:"namespace"`
	ServiceAccount     string            `json:"serviceAccount"`
	RoleArn            string            `json:"roleArn"`
	TargetRoleArn      string            `json:"targetRoleArn,omitempty"`
	DisableSessionTags bool              `json:"disableSessionTags,omitempty"`
	Policy             string            `json:"policy,omitempty"`
	OwnerArn           string            `json:"ownerArn,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
	Created            time.Time         `json:"createdAt"`
	Modified           time.Time         `json:"modifiedAt"`
}

// principal is who signed a request: an account's admin user (long-term
// keys) or an assumed-role session (temporary keys with a token).
type principal struct {
	AccessKeyID, Secret, SessionToken string
	Account, Arn, UserID              string
	// RoleArn is the role of an assumed-role session, the ARN its trust
	// policies name it by (not its sts assumed-role ARN).
	RoleArn string
	Expires time.Time
}

func newState() *state { return &state{Accounts: map[string]*account{}} }

func newAccount(id string) *account {
	return &account{ID: id, Roles: map[string]*role{}, Policies: map[string]*policy{},
		Providers: map[string]*provider{}, Clusters: map[string]*cluster{}}
}

// stableID derives an IAM-style unique ID (prefix + 17 base32 characters)
// from its inputs, so two runs that create the same objects get the same IDs.
func stableID(prefix string, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return prefix + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

const adminUser = "sandbox-admin"

func adminPrincipal(id string) *principal {
	sum := sha256.Sum256([]byte("secret\x00" + id))
	return &principal{
		AccessKeyID: stableID("AKIA", "key", id)[:20],
		Secret:      base64.RawStdEncoding.EncodeToString(sum[:])[:40],
		Account:     id,
		Arn:         fmt.Sprintf("arn:%s:iam::%s:user/%s", partitionAWS, id, adminUser),
		UserID:      stableID("AIDA", "user", id),
	}
}

// principalFor resolves an access key. Long-term keys are derived from the
// account id, so they survive MarshalState/UnmarshalState without storing
// secrets. Called with e.mu held.
func (e *Emulator) principalFor(accessKey string) *principal {
	if p, ok := e.sessions[accessKey]; ok {
		return p
	}
	for id := range e.st.Accounts {
		if p := adminPrincipal(id); p.AccessKeyID == accessKey {
			return p
		}
	}
	return nil
}

// EnsureAccount creates the account if needed and returns the long-term keys
// of its admin identity. The keys are a pure function of the id.
func (e *Emulator) EnsureAccount(id string) Credentials {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ensureAccount(id)
	p := adminPrincipal(id)
	return Credentials{AccessKeyID: p.AccessKeyID, SecretAccessKey: p.Secret}
}

func (e *Emulator) ensureAccount(id string) *account {
	a := e.st.Accounts[id]
	if a == nil {
		a = newAccount(id)
		e.st.Accounts[id] = a
	}
	return a
}

// EnsureRole seeds an untagged role at path "/" (such as the target of an
// assumeRoleArn), creating the account if needed. An existing role keeps
// everything but its trust policy, which is replaced.
func (e *Emulator) EnsureRole(accountID, name, trustPolicyJSON string) error {
	if err := validateRoleName(name); err != nil {
		return err
	}
	if err := validatePolicyDocument(trustPolicyJSON, docTrust); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.ensureAccount(accountID)
	if r := a.Roles[strings.ToLower(name)]; r != nil {
		r.Trust = trustPolicyJSON
		return nil
	}
	a.Roles[strings.ToLower(name)] = &role{Name: name, Path: "/", ID: stableID("AROA", accountID, "role", strings.ToLower(name)),
		Trust: trustPolicyJSON, MaxSession: 3600, Created: e.now()}
	return nil
}

// EnsureCluster creates an EKS cluster in the account and region, or sets
// the issuer of an existing one. An existing cluster keeps its Pod Identity
// associations, add-ons and Fargate profiles, so a sandbox reseeded on
// every run does not lose what earlier runs applied. A new cluster has the
// eks-pod-identity-agent add-on and no Fargate profile; SeedCluster sets up
// any other arrangement.
func (e *Emulator) EnsureCluster(accountID, region, name, issuerURL string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.ensureAccount(accountID)
	if cl := a.Clusters[region+"/"+name]; cl != nil {
		cl.Issuer = issuerURL
		return
	}
	a.Clusters[region+"/"+name] = &cluster{Name: name, Region: region, Issuer: issuerURL, Created: e.now()}
}

// MarshalState returns every account and its objects as deterministic JSON,
// to persist a sandbox between runs. Session credentials are not included:
// they are short-lived and a new run assumes roles afresh.
func (e *Emulator) MarshalState() ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return json.MarshalIndent(e.st, "", "  ")
}

// UnmarshalState replaces all state with what MarshalState produced.
func (e *Emulator) UnmarshalState(b []byte) error {
	st := newState()
	if err := json.Unmarshal(b, st); err != nil {
		return fmt.Errorf("emulator state: %w", err)
	}
	if st.Accounts == nil {
		st.Accounts = map[string]*account{}
	}
	for id, a := range st.Accounts {
		if a == nil {
			return fmt.Errorf("emulator state: account %q is null", id)
		}
		fresh := newAccount(id)
		if a.Roles == nil {
			a.Roles = fresh.Roles
		}
		if a.Policies == nil {
			a.Policies = fresh.Policies
		}
		if a.Providers == nil {
			a.Providers = fresh.Providers
		}
		if a.Clusters == nil {
			a.Clusters = fresh.Clusters
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.st = st
	e.sessions = map[string]*principal{}
	return nil
}
