package web

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/chromedp"
)

// Roles a person operates: each needs a name a screen reader can say.
var controlRoles = []string{"button", "link", "textbox", "searchbox", "spinbutton", "combobox", "listbox",
	"checkbox", "radio", "switch", "slider"}

func axString(v *accessibility.Value) string {
	if v == nil {
		return ""
	}
	var s string
	if err := json.Unmarshal(v.Value, &s); err != nil {
		return string(v.Value)
	}
	return s
}

// accessible checks what is on screen now: every control in the
// accessibility tree has a name, no two controls of one role share a name
// (a screen reader's list of fields would offer two alike, as the Start
// form's grid parameter max_position and its risk limit once did), and
// Tab reaches every control the page lists in html[data-controls].
func (b *tab) accessible(view string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	tree, err := chromedp.Call(ctx, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
	if err != nil {
		b.fail("the accessibility tree", err)
	}
	named := 0
	seen := map[string]int{} // role and name → how many
	describe := func(n *accessibility.Node) string {
		what := fmt.Sprintf("backend node %d", n.BackendDOMNodeID)
		if d, err := chromedp.Call(ctx, dom.DescribeNode, dom.DescribeNodeParams{BackendNodeID: n.BackendDOMNodeID}); err == nil && d.Node != nil {
			what = fmt.Sprintf("<%s %s>", d.Node.LocalName, strings.Join(d.Node.Attributes, " "))
		}
		return what
	}
	for _, n := range tree.Nodes {
		role := axString(n.Role)
		if n.Ignored || !slices.Contains(controlRoles, role) {
			continue
		}
		if name := strings.TrimSpace(axString(n.Name)); name != "" {
			named++
			// Links may share a name when they share a target: every
			// chart's "Charting by TradingView" (its license).
			key := role + " " + name
			if seen[key]++; seen[key] == 2 && role != "link" {
				b.t.Errorf("%s: two controls of role %s named %q (the second: %s)", view, role, name, describe(n))
			}
			continue
		}
		b.t.Errorf("%s: a %s without a name: %s", view, role, describe(n))
	}
	if named == 0 {
		b.t.Errorf("%s: no named control in the accessibility tree: nothing was checked", view)
	}

	controls := strings.Fields(eval[string](b, `document.documentElement.dataset.controls ?? ""`))
	if len(controls) == 0 {
		b.fail(view+": html[data-controls]", fmt.Errorf("empty: the page lists no control to reach"))
	}
	eval[bool](b, `(document.activeElement?.blur(), true)`)
	reached := map[string]bool{}
	var order []string
	for i := 0; i < 3*len(controls)+10 && len(reached) < len(controls); i++ {
		b.run("Tab", chromedp.KeyEvent("\t"))
		id := eval[string](b, `document.activeElement?.id ?? ""`)
		order = append(order, id)
		if slices.Contains(controls, id) {
			reached[id] = true
		}
	}
	for _, id := range controls {
		if !reached[id] {
			b.t.Errorf("%s: Tab never reaches #%s (focus went %q)", view, id, order)
		}
	}
}

// Every control has a name and is reached by the keyboard: on the login
// form and on every route, the Controls with their forms built.
func TestAccessible(t *testing.T) {
	b := open(t)
	b.accessible("login")
	b.login()
	b.accessible("overview")
	for _, view := range []string{"account", "orders", "controls", "history", "backtest"} {
		b.route(view)
		if view == "controls" {
			b.waitFor("the start form", visible("#start-form"), 20*time.Second)
			b.waitFor("the strategy list", `document.querySelectorAll("#start-form [name='settings.strategy'] option").length > 0`, 20*time.Second)
		}
		b.accessible(view)
		b.shot(view)
	}
}
