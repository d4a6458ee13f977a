package render

import (
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// profileConfigMap is a profile ConfigMap of the chain from app (prod) to
// target (data), as the planner's desired side has it.
func profileConfigMap(cluster, ns, name, target string, created bool) *resource.ConfigMap {
	cm := &resource.ConfigMap{Cluster: cluster, Namespace: ns, Name: name,
		Labels:      map[string]string{resource.ManagedLabel: resource.ManagedValue},
		Annotations: map[string]string{resource.OwnerAnnotation: owner},
		Data: map[string]string{
			resource.ProfileConfigKey: desired.ProfileConfig(target, resource.RoleARN("aws", dataID, "/", target), "app", resource.RoleARN("aws", prodID, "/", "app"), true),
			resource.ProfileNameKey:   target,
		}}
	if created {
		cm.Annotations[resource.CreatedAnnotation] = "true"
	}
	return cm
}

// configMapPlan has a profile ConfigMap of each action: a create, an update
// of an adopted one whose chain's target was renamed (both data keys
// change), a delete (--prune given) and a strip left for --prune.
func configMapPlan() *plan.Plan {
	updBefore := profileConfigMap("prod-use1", "batch", "reader-aws", "reader", false)
	updBefore.Annotations[resource.OwnerAnnotation] = "hand-made"
	updAfter := profileConfigMap("prod-use1", "batch", "reader-aws", "analytics-reader", false)
	gone := profileConfigMap("prod-euw1", "jobs", "old-aws", "old", true)
	shared := profileConfigMap("prod-euw1", "web", "web-aws", "web", false)
	stripped := &resource.ConfigMap{Cluster: "prod-euw1", Namespace: "web", Name: "web-aws",
		Labels: map[string]string{}, Annotations: map[string]string{}, Data: map[string]string{}}
	return withAccess(&plan.Plan{
		Owner: owner,
		Changes: []plan.Change{
			{Action: plan.Create, Kind: resource.KindConfigMap, Address: "cluster/prod-use1/configmap/apps/reader-aws", Cluster: "prod-use1",
				ConfigMap: &plan.Diff[resource.ConfigMap]{After: profileConfigMap("prod-use1", "apps", "reader-aws", "reader", true)}},
			{Action: plan.Update, Kind: resource.KindConfigMap, Address: "cluster/prod-use1/configmap/batch/reader-aws", Cluster: "prod-use1", Adopt: true,
				ConfigMap: &plan.Diff[resource.ConfigMap]{Before: updBefore, After: updAfter},
				Fields: []plan.Field{
					{Name: plan.FieldAnnotation, Key: resource.OwnerAnnotation, Before: plan.Text("hand-made"), After: plan.Text(owner)},
					{Name: plan.FieldData, Key: resource.ProfileConfigKey, Before: plan.Text(updBefore.Data[resource.ProfileConfigKey]), After: plan.Text(updAfter.Data[resource.ProfileConfigKey])},
					{Name: plan.FieldData, Key: resource.ProfileNameKey, Before: plan.Text("reader"), After: plan.Text("analytics-reader")},
				},
				Notes: []plan.Note{{Kind: plan.NoteProfileRefresh}}},
			{Action: plan.Delete, Kind: resource.KindConfigMap, Address: "cluster/prod-euw1/configmap/jobs/old-aws", Cluster: "prod-euw1",
				ConfigMap: &plan.Diff[resource.ConfigMap]{Before: gone}},
		},
		Conflicts: []plan.Problem{}, Errors: []plan.Problem{}, Warnings: []plan.Problem{},
		Pruneable: []plan.Change{
			{Action: plan.Update, Kind: resource.KindConfigMap, Address: "cluster/prod-euw1/configmap/web/web-aws", Cluster: "prod-euw1",
				ConfigMap: &plan.Diff[resource.ConfigMap]{Before: shared, After: stripped},
				Fields: []plan.Field{
					{Name: plan.FieldLabel, Key: resource.ManagedLabel, Before: plan.Text(resource.ManagedValue)},
					{Name: plan.FieldAnnotation, Key: resource.OwnerAnnotation, Before: plan.Text(owner)},
					{Name: plan.FieldData, Key: resource.ProfileConfigKey, Before: plan.Text(shared.Data[resource.ProfileConfigKey])},
					{Name: plan.FieldData, Key: resource.ProfileNameKey, Before: plan.Text("web")},
				},
				Notes: []plan.Note{{Kind: plan.NoteSharedConfigMap}}},
		},
		Patterns: []desired.Pattern{},
	})
}
