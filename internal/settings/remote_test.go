package settings

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRemoteStrategyValidation(t *testing.T) {
	for _, c := range []struct {
		s      Settings
		field  string
		reason string
	}{
		{Settings{Mode: ModePaper, Strategy: "remote:"}, "settings.strategy", "1 to 64"},
		{Settings{Mode: ModePaper, Strategy: "remote:my strat"}, "settings.strategy", `"my strat"`},
		{Settings{Mode: ModePaper, Strategy: "remote:" + strings.Repeat("a", MaxRemoteName+1)}, "settings.strategy", "1 to 64"},
		{Settings{Mode: ModePaper, Strategy: "remote:ünï"}, "settings.strategy", "1 to 64"},
		{Settings{Mode: ModePaper, Strategy: "remote:x", Params: map[string]string{"b": "1", "a": "2"}}, "settings.params[a]", "in its hello"},
		{Settings{Mode: ModePaper, Strategy: "remote:x", OnDetach: 7}, "settings.on_detach", "DETACH_POLICY_CANCEL"},
		{Settings{Mode: ModePaper, Strategy: "remote:x", AttachGrace: time.Millisecond}, "settings.attach_grace", "1s and 24h"},
		{Settings{Mode: ModePaper, Strategy: "remote:x", AttachGrace: -time.Second}, "settings.attach_grace", "1s and 24h"},
		{Settings{Mode: ModePaper, Strategy: "remote:x", AnswerTimeout: 2 * time.Hour}, "settings.answer_timeout", "10ms and 1h"},
		// A built-in strategy has no use for them: refused, not ignored.
		{Settings{Mode: ModePaper, OnDetach: DetachKeep}, "settings.on_detach", "remote:NAME"},
		{Settings{Mode: ModePaper, Strategy: "grid", AttachGrace: time.Minute}, "settings.attach_grace", "remote:NAME"},
		{Settings{Mode: ModePaper, Strategy: "sma", AnswerTimeout: time.Second}, "settings.answer_timeout", "remote:NAME"},
		// The error for an unknown name tells of remote strategies too.
		{Settings{Mode: ModePaper, Strategy: "remote"}, "settings.strategy", "or remote:NAME"},
	} {
		err := c.s.Validate()
		var inv *InvalidError
		if !errors.As(err, &inv) || inv.Field != c.field || !strings.Contains(inv.Reason, c.reason) {
			t.Errorf("%+v: %v; want %s refused with %q", c.s, err, c.field, c.reason)
		}
	}
	for _, s := range []Settings{
		{Mode: ModePaper, Strategy: "remote:A-z_0.9"},
		{Mode: ModePaper, Strategy: "remote:" + strings.Repeat("a", MaxRemoteName), OnDetach: DetachKeep,
			AttachGrace: MinAttachGrace, AnswerTimeout: MaxAnswerTimeout},
		{Mode: ModePaper, Strategy: "remote:x", OnDetach: DetachCancel, AttachGrace: MaxAttachGrace, AnswerTimeout: MinAnswerTimeout},
	} {
		if err := s.Validate(); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
}

func TestRemoteName(t *testing.T) {
	if name, ok := RemoteName("remote:alpha"); !ok || name != "alpha" {
		t.Errorf("remote:alpha: %q %v", name, ok)
	}
	for _, s := range []string{"sma", "", "Remote:alpha", "alpha:remote:"} {
		if _, ok := RemoteName(s); ok {
			t.Errorf("%q taken for a remote strategy", s)
		}
	}
}

// A remote strategy's supervision defaults apply to it alone, and asking
// for them explicitly is asking for the same session; a built-in's
// settings stay as they were before remote strategies existed.
func TestRemoteDefaults(t *testing.T) {
	left := Settings{Mode: ModePaper, Strategy: "remote:x"}.WithDefaults(DefaultHealth)
	if left.OnDetach != DetachCancel || left.AttachGrace != DefaultAttachGrace || left.AnswerTimeout != DefaultAnswerTimeout || left.Params != nil {
		t.Fatalf("remote defaults: %+v", left)
	}
	given := Settings{Mode: ModePaper, Strategy: "remote:x", OnDetach: DetachCancel, AttachGrace: time.Minute,
		AnswerTimeout: time.Second}.WithDefaults(DefaultHealth)
	if d := left.Differences(given); len(d) != 0 {
		t.Fatalf("defaults left unset and given differ: %v", d)
	}
	keep := Settings{Mode: ModePaper, Strategy: "remote:x", OnDetach: DetachKeep}.WithDefaults(DefaultHealth)
	if d := left.Differences(keep); len(d) != 1 || d[0].String() != "on_detach (running cancel, asked keep)" {
		t.Fatalf("another policy: %v", d)
	}
	other := Settings{Mode: ModePaper, Strategy: "remote:y"}.WithDefaults(DefaultHealth)
	if d := left.Differences(other); len(d) != 1 || d[0].Name != "strategy" {
		t.Fatalf("another remote strategy: %v", d)
	}
	builtin := Settings{Mode: ModePaper}.WithDefaults(DefaultHealth)
	if builtin.OnDetach != DetachUnspecified || builtin.AttachGrace != 0 || builtin.AnswerTimeout != 0 {
		t.Fatalf("a built-in strategy got remote settings: %+v", builtin)
	}
	if err := builtin.Validate(); err != nil {
		t.Fatalf("a built-in's effective settings are refused: %v", err)
	}
	if err := left.Validate(); err != nil {
		t.Fatalf("a remote strategy's effective settings are refused: %v", err)
	}
}

// The daemon stores a session's settings as JSON and resumes from them: a
// resumed remote session keeps its name, policy and times.
func TestRemoteSettingsSurviveTheSessionRecord(t *testing.T) {
	in := Settings{Mode: ModePaper, Strategy: "remote:x", OnDetach: DetachKeep, AttachGrace: 5 * time.Minute,
		AnswerTimeout: 20 * time.Millisecond}.WithDefaults(DefaultHealth)
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Settings
	if err := json.Unmarshal(data, &out); err != nil || !in.SameAs(out) {
		t.Fatalf("through JSON: %+v %v; differences %v", out, err, in.Differences(out))
	}
}
