package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/plan"
)

// Log formats of --log-format. JSON lines are for log collectors (the
// CronJob); text is slog's key=value lines for people.
const (
	LogText = "text"
	LogJSON = "json"
)

// newLogger returns the run's logger, writing to w (stderr, so that stdout
// stays the plan or the JSON document scripts parse).
//
// Nothing irsa-sync logs carries credentials: records hold addresses,
// actions, counts, durations and error messages, never an aws.Config,
// a credentials value or an HTTP request.
func newLogger(format, level string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("unknown log level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case LogText:
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case LogJSON:
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("unknown log format %q: use %s or %s", format, LogText, LogJSON)
}

// ms is a duration in milliseconds, the unit both formats log, so that a
// query over JSON logs and a person reading text logs see the same number.
func ms(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// logResult logs one applied change: what, how it ended, how long it took.
func logResult(l *slog.Logger, r apply.Result) {
	level := slog.LevelInfo
	if r.Status == apply.Failed {
		level = slog.LevelError
	}
	attrs := []any{"address", r.Address, "action", string(r.Action), "kind", string(r.Kind),
		"result", string(r.Status), "writes", r.Writes, "durationMs", ms(r.Duration)}
	if r.Error != "" {
		attrs = append(attrs, "error", r.Error)
	}
	l.Log(context.Background(), level, "change", attrs...)
}

// logPlan logs what a plan found, so that a CronJob's log says whether it
// had anything to do without parsing stdout.
func logPlan(l *slog.Logger, p *plan.Plan) {
	s := p.Summary()
	l.Info("plan", "owner", p.Owner, "create", s.Create, "update", s.Update, "delete", s.Delete,
		"conflicts", len(p.Conflicts), "errors", len(p.Errors), "warnings", len(p.Warnings))
}

// logApply logs the outcome of an apply.
func logApply(l *slog.Logger, report *apply.Report, took time.Duration, err error) {
	attrs := []any{"applied", report.Count(apply.Applied), "failed", report.Count(apply.Failed),
		"skipped", report.Count(apply.Skipped), "durationMs", ms(took)}
	if err != nil {
		l.Error("apply finished", append(attrs, "error", err.Error())...)
		return
	}
	l.Info("apply finished", attrs...)
}
