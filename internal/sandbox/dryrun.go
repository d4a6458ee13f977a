package sandbox

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"
)

// honourDryRun makes the in-memory cluster treat server-side dry runs as a
// real API server does: checked, answered, and not persisted. client-go's
// fake clients ignore the dryRun option and would otherwise write.
func honourDryRun(c *Cluster) {
	c.PrependReactor("*", "*", func(action k8stesting.Action) (bool, runtime.Object, error) {
		var dry []string
		var name string
		switch a := action.(type) {
		case k8stesting.PatchActionImpl:
			dry, name = a.PatchOptions.DryRun, a.Name
		case k8stesting.DeleteActionImpl:
			dry, name = a.DeleteOptions.DryRun, a.Name
		case k8stesting.CreateActionImpl:
			return len(a.CreateOptions.DryRun) > 0, a.Object, nil
		default:
			return false, nil, nil
		}
		if len(dry) == 0 {
			return false, nil, nil
		}
		obj, err := c.Tracker().Get(action.GetResource(), action.GetNamespace(), name)
		if action.GetVerb() == "delete" || err == nil {
			return true, obj, err
		}
		// A dry-run apply of an object that does not exist yet answers with
		// the object it would create; only its identity matters here.
		meta := metav1.ObjectMeta{Name: name, Namespace: action.GetNamespace()}
		if action.GetResource().Resource == "configmaps" {
			return true, &corev1.ConfigMap{ObjectMeta: meta}, nil
		}
		return true, &corev1.ServiceAccount{ObjectMeta: meta}, nil
	})
}

// IsDryRun reports whether a recorded call of the in-memory cluster was a
// dry run, which tests counting writes leave out: it changes nothing.
func IsDryRun(action k8stesting.Action) bool {
	switch a := action.(type) {
	case k8stesting.PatchActionImpl:
		return len(a.PatchOptions.DryRun) > 0
	case k8stesting.DeleteActionImpl:
		return len(a.DeleteOptions.DryRun) > 0
	case k8stesting.CreateActionImpl:
		return len(a.CreateOptions.DryRun) > 0
	}
	return false
}
