package plan

import (
	"fmt"

	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// Change is one object to create, update or delete. Exactly one of the
// per-kind diffs is set, the one of Kind; apply and the renderers read the
// typed objects from it, never an interface value.
type Change struct {
	Action  Action
	Kind    resource.Kind
	Address string
	// Account is the file's name of the object's account, Cluster the
	// cluster's name; one of the two is set.
	Account string
	Cluster string

	Provider       *Diff[resource.Provider]
	Policy         *Diff[resource.Policy]
	Role           *Diff[resource.Role]
	ServiceAccount *Diff[resource.ServiceAccount]
	Association    *Diff[resource.Association]
	ConfigMap      *Diff[resource.ConfigMap]

	// Fields lists, for an update, exactly what differs; apply writes only
	// these.
	Fields []Field
	// RetireVersion is a policy version to delete before publishing a new
	// one, because the policy already holds IAM's maximum of versions.
	RetireVersion string
	// Adopt is set when the change takes over an object irsa-sync did not
	// create, as the file allows; a ServiceAccount write then forces
	// ownership of the annotations.
	Adopt bool
	// Notes say why, and what follows; render turns them into words.
	Notes []Note
}

// Diff is the two sides of a change of one object: Before is the live
// object (nil for a create), After the desired one (nil for a delete).
type Diff[T any] struct {
	Before *T
	After  *T
}

// Sides returns the change's live and desired objects of its kind, each nil
// where absent, for code that treats every kind alike (fingerprints, JSON).
func (c Change) Sides() (before, after any) {
	switch {
	case c.Provider != nil:
		return nilOr(c.Provider.Before), nilOr(c.Provider.After)
	case c.Policy != nil:
		return nilOr(c.Policy.Before), nilOr(c.Policy.After)
	case c.Role != nil:
		return nilOr(c.Role.Before), nilOr(c.Role.After)
	case c.ServiceAccount != nil:
		return nilOr(c.ServiceAccount.Before), nilOr(c.ServiceAccount.After)
	case c.Association != nil:
		return nilOr(c.Association.Before), nilOr(c.Association.After)
	case c.ConfigMap != nil:
		return nilOr(c.ConfigMap.Before), nilOr(c.ConfigMap.After)
	}
	return nil, nil
}

// nilOr keeps a nil *T a nil interface, so callers can compare with nil.
func nilOr[T any](p *T) any {
	if p == nil {
		return nil
	}
	return p
}

// AccountID is the AWS account id of the change's IAM object or (for a
// Pod Identity association) its cluster's, "" for a ServiceAccount or a
// ConfigMap.
func (c Change) AccountID() string {
	before, after := c.Sides()
	for _, o := range []any{after, before} {
		switch o := o.(type) {
		case *resource.Provider:
			return o.AccountID
		case *resource.Policy:
			return o.AccountID
		case *resource.Role:
			return o.AccountID
		case *resource.Association:
			return o.AccountID
		}
	}
	return ""
}

// Field returns the change's field of that name, if any.
func (c Change) Field(name FieldName) (Field, bool) {
	for _, f := range c.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// FieldName names a changed field after the bindings file's key.
type FieldName string

// The fields an update can change. Inline policies, labels, annotations
// and ConfigMap data are one field per name or key, with Key saying which.
const (
	FieldClientIDs           FieldName = "clientIds"
	FieldDocument            FieldName = "document"
	FieldTags                FieldName = "tags"
	FieldTrust               FieldName = "trust"
	FieldDescription         FieldName = "description"
	FieldMaxSessionDuration  FieldName = "maxSessionDuration"
	FieldPermissionsBoundary FieldName = "permissionsBoundary"
	FieldManagedPolicies     FieldName = "managedPolicies"
	FieldInlinePolicy        FieldName = "inlinePolicies"
	FieldAnnotation          FieldName = "annotations"
	FieldRoleARN             FieldName = "roleArn"
	FieldTargetRoleARN       FieldName = "targetRoleArn"
	FieldLabel               FieldName = "labels"
	FieldData                FieldName = "data"
)

// Field is one field that differs between the live and desired object.
// Sets (policies, subjects, statements, tags) say what is added and removed.
type Field struct {
	Name FieldName
	// Key is the inline policy's name, or the label's, annotation's or
	// data's key.
	Key            string
	Before, After  Value
	Added, Removed []string
}

// Path is the field's name as the JSON plan and logs show it:
// "inlinePolicies.NAME", "annotations.KEY", else the name.
func (f Field) Path() string {
	if f.Key != "" {
		return string(f.Name) + "." + f.Key
	}
	return string(f.Name)
}

// Value is one side of a changed field: Text, Number, Tags or Document,
// nil where the side is absent. The set is closed, so a renderer's type
// switch over it is complete.
type Value interface{ isValue() }

// Text is a string field's value (description, boundary, annotation).
type Text string

// Number is an integer field's value (maxSessionDuration).
type Number int32

// Tags is a tag set's value.
type Tags map[string]string

// Document is a policy document's value (trust, document, inline policy).
type Document struct{ policy.Document }

func (Text) isValue()     {}
func (Number) isValue()   {}
func (Tags) isValue()     {}
func (Document) isValue() {}

// NoteKind is a typed reason or consequence attached to a change.
type NoteKind string

// The notes a plan carries.
const (
	// NoteRestart: pods may already run with this ServiceAccount and keep
	// their old role until restarted (the webhook mutates pods only at
	// creation).
	NoteRestart NoteKind = "restart"
	// NotePodsKeepRole: these running pods keep their old role (Names,
	// Count).
	NotePodsKeepRole NoteKind = "podsKeepRole"
	// NoteForClusters: the provider is for these clusters (Names).
	NoteForClusters NoteKind = "forClusters"
	// NoteRetireVersion: the policy holds IAM's maximum of versions (Count);
	// the oldest not in use is deleted first.
	NoteRetireVersion NoteKind = "retireVersion"
	// NoteDetachesPolicies: a role delete detaches Count managed policies.
	NoteDetachesPolicies NoteKind = "detachesPolicies"
	// NoteDeletesInline: a role delete deletes Count inline policies.
	NoteDeletesInline NoteKind = "deletesInline"
	// NoteSharedServiceAccount: other field managers own parts of the
	// ServiceAccount, so only irsa-sync's annotations are removed.
	NoteSharedServiceAccount NoteKind = "sharedServiceAccount"
	// NoteBothCredentials: the service account is bound via both; the
	// SDKs' default credential chain takes web identity (IRSA) before
	// container credentials (Pod Identity), so pods keep IRSA credentials
	// while the role-arn annotation stays.
	NoteBothCredentials NoteKind = "bothCredentials"
	// NotePodIdentityRestart: pods get Pod Identity credentials only when
	// created, and the agent caches them (6 hours, 59 minutes with a
	// target role): running pods keep what they have until restarted.
	NotePodIdentityRestart NoteKind = "podIdentityRestart"
	// NoteProfileRefresh: a profile ConfigMap's contents change; pods that
	// mount it as a volume see the new file after the kubelet's next sync,
	// those that mount it with subPath or read it into environment
	// variables only when restarted.
	NoteProfileRefresh NoteKind = "profileRefresh"
	// NoteSharedConfigMap: other field managers own parts of the
	// ConfigMap (or irsa-sync adopted it), so only what irsa-sync set is
	// removed.
	NoteSharedConfigMap NoteKind = "sharedConfigMap"
)

// Note is one typed note: Kind says what, the other fields the details its
// kind uses.
type Note struct {
	Kind  NoteKind
	Count int
	Names []string
}

// HasNote reports whether the change carries a note of that kind.
func (c Change) HasNote(k NoteKind) bool {
	for _, n := range c.Notes {
		if n.Kind == k {
			return true
		}
	}
	return false
}

// Check reports whether the change is well formed: its kind's diff is the
// one set, and its action has the sides it needs (a create no live object,
// a delete no desired one, an update both). apply refuses a malformed
// change before any write, whoever built it.
func (c Change) Check() error {
	set := 0
	for _, ok := range []bool{c.Provider != nil, c.Policy != nil, c.Role != nil, c.ServiceAccount != nil, c.Association != nil, c.ConfigMap != nil} {
		if ok {
			set++
		}
	}
	kindSet := map[resource.Kind]bool{
		resource.KindProvider: c.Provider != nil, resource.KindPolicy: c.Policy != nil,
		resource.KindRole: c.Role != nil, resource.KindServiceAccount: c.ServiceAccount != nil,
		resource.KindAssociation: c.Association != nil, resource.KindConfigMap: c.ConfigMap != nil,
	}
	if set != 1 || !kindSet[c.Kind] {
		return fmt.Errorf("change %s: a %s change must carry exactly the %s object", c.Address, c.Kind, c.Kind)
	}
	before, after := c.Sides()
	var ok bool
	switch c.Action {
	case Create:
		ok = before == nil && after != nil
	case Update:
		ok = before != nil && after != nil
	case Delete:
		ok = before != nil && after == nil
	default:
		return fmt.Errorf("change %s: unknown action %q", c.Address, c.Action)
	}
	if !ok {
		return fmt.Errorf("change %s: a %s needs %s", c.Address, c.Action, map[Action]string{
			Create: "a desired object and no live one", Update: "both the live and the desired object", Delete: "a live object and no desired one"}[c.Action])
	}
	return nil
}
