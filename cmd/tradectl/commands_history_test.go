package main

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/protobuf/proto"
)

func TestStartResume(t *testing.T) {
	h := newHarness(t)
	// Global flags are not settings: no note for them.
	code, out, errOut := h.run("--timeout", "5s", "start", "--resume")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !proto.Equal(h.fake.startReq, &tradingv1.StartTradingRequest{Resume: true}) {
		t.Errorf("sent %v; want resume and no settings", h.fake.startReq)
	}
	// Printed like start: the session and the settings it resumed with.
	mustContain(t, "resume table", out, "0123456789abcdef", "RUNNING", "PAPER", "SOL-USD", "grid")

	code, out, errOut = h.run("start", "--resume", "--symbols", "BTC-USD", "--paper", "--param", "not-even-valid", "--seed", "7")
	if code != 0 || !proto.Equal(h.fake.startReq, &tradingv1.StartTradingRequest{Resume: true}) {
		t.Fatalf("exit %d (%s), sent %v; want a plain resume", code, errOut, h.fake.startReq)
	}
	if lines(errOut)[0] != "tradectl: NOTE: ignoring --paper, --param, --seed, --symbols: "+
		"--resume runs the interrupted session with its own settings" || len(lines(errOut)) != 1 {
		t.Errorf("stderr %q", errOut)
	}
	mustContain(t, "resume table", out, "SOL-USD")

	_, out, _ = h.run("-o", "json", "start", "--resume")
	var resp tradingv1.StartTradingResponse
	if jsonIs(t, out, &resp); resp.GetSession().GetSettings().GetStrategy() != "grid" {
		t.Errorf("json: %v", &resp)
	}
	// A plain start does not ask for a resume, nor to abandon anything.
	if code, _, _ := h.run("start", "--paper"); code != 0 || h.fake.startReq.GetResume() || h.fake.startReq.GetAbandonInterrupted() {
		t.Errorf("start --paper: exit %d, sent %v", code, h.fake.startReq)
	}
	if code, _, errOut := h.run("start", "--paper", "--abandon-interrupted"); code != 0 || !h.fake.startReq.GetAbandonInterrupted() {
		t.Errorf("start --abandon-interrupted: exit %d (%s), sent %v", code, errOut, h.fake.startReq)
	}
	code, _, errOut = h.run("start", "--resume", "--session", "fedcba9876543210")
	if want := (&tradingv1.StartTradingRequest{Resume: true, SessionId: "fedcba9876543210"}); code != 0 || errOut != "" ||
		!proto.Equal(h.fake.startReq, want) {
		t.Errorf("start --resume --session: exit %d (%q), sent %v; want %v", code, errOut, h.fake.startReq, want)
	}
}

func TestSessions(t *testing.T) {
	h := newHarness(t)
	code, out, errOut := h.run("sessions", "--limit", "3")
	if code != 0 || h.fake.sessionsReq.GetLimit() != 3 {
		t.Fatalf("exit %d (%s), sent %v", code, errOut, h.fake.sessionsReq)
	}
	ls := lines(out)
	if len(ls) != 4 || !regexp.MustCompile(`^ID +STATE +STARTED +ENDED +STRATEGY +SYMBOLS +TICKS +FILLS +EQUITY +REASON$`).MatchString(ls[0]) {
		t.Fatalf("want header and three sessions:\n%s", out)
	}
	date := `\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`
	for i, want := range []string{
		`^0123456789abcdef +RUNNING +` + date + ` +- +sma +BTC-USD,ETH-USD +62 +2 +100012\.34 USD +-$`,
		`^fedcba9876543210 +INTERRUPTED +` + date + ` +- +grid +SOL-USD +900 +7 +99950\.00 USD +tradingd stopped while the session ran$`,
		`^00000000deadbeef +FAILED +` + date + ` +` + date + ` +- +- +0 +0 +- +coordinator restart intensity exceeded: 3…$`,
	} {
		if !regexp.MustCompile(want).MatchString(ls[i+1]) {
			t.Errorf("row %q does not match %s", ls[i+1], want)
		}
	}

	_, out, _ = h.run("sessions", "-o", "json")
	var resp tradingv1.ListSessionsResponse
	if jsonIs(t, out, &resp); len(resp.GetSessions()) != 3 || resp.GetSessions()[2].GetReason() != longReason || h.fake.sessionsReq.GetLimit() != 0 {
		t.Errorf("json (want the whole reason), sent %v: %v", h.fake.sessionsReq, &resp)
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"", 10, ""},
		{"fits  in\ta\ncell", 20, "fits in a cell"},
		{"exactly ten", 11, "exactly ten"},
		{"one two three four five six", 20, "one two three four…"},
		{"averyveryverylongwordwithoutspaces", 10, "averyvery…"},
		{"ünïcödé ünïcödé ünïcödé", 10, "ünïcödé…"},
	} {
		got := truncate(tc.in, tc.n)
		if got != tc.want || utf8.RuneCountInString(got) > tc.n {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestFills(t *testing.T) {
	h := newHarness(t)
	code, out, errOut := h.run("fills", "--session", "fedcba9876543210", "--limit", "2")
	if code != 0 || !proto.Equal(h.fake.fillsReq, &tradingv1.ListFillsRequest{SessionId: "fedcba9876543210", Limit: 2}) {
		t.Fatalf("exit %d (%s), sent %v", code, errOut, h.fake.fillsReq)
	}
	ls := lines(out)
	if len(ls) != 3 || !regexp.MustCompile(`^TIME +ORDER +SEQ +SYMBOL +SIDE +QTY +PRICE +FEE +LIQUIDITY +SLIPPAGE$`).MatchString(ls[0]) {
		t.Fatalf("want header and two fills:\n%s", out)
	}
	for i, want := range []string{"ord-1 1 BTC-USD BUY 1 99.00 0.02 MAKER 0.10", "ord-1 2 BTC-USD BUY 3 100.00 0.06 TAKER 0.30"} {
		if f := strings.Fields(ls[i+1]); len(f) != 11 || strings.Join(f[2:], " ") != want {
			t.Errorf("fill row %q, want date, time then %q", ls[i+1], want)
		}
	}

	_, out, _ = h.run("fills", "-o", "json")
	var resp tradingv1.ListFillsResponse
	if jsonIs(t, out, &resp); resp.GetSessionId() != "0123456789abcdef" || len(resp.GetFills()) != 2 || h.fake.fillsReq.GetSessionId() != "" {
		t.Errorf("json, sent %v: %v", h.fake.fillsReq, &resp)
	}
}

func TestOrdersAndPortfolioOfASession(t *testing.T) {
	h := newHarness(t)
	if code, _, errOut := h.run("orders", "--session", "fedcba9876543210", "--open"); code != 0 ||
		!proto.Equal(h.fake.ordersReq, &tradingv1.ListOrdersRequest{OpenOnly: true, SessionId: "fedcba9876543210"}) {
		t.Errorf("orders: exit %d (%s), sent %v", code, errOut, h.fake.ordersReq)
	}
	if code, _, errOut := h.run("portfolio", "--session", "fedcba9876543210"); code != 0 ||
		h.fake.portfolioReq.GetSessionId() != "fedcba9876543210" {
		t.Errorf("portfolio: exit %d (%s), sent %v", code, errOut, h.fake.portfolioReq)
	}
	// Without --session the daemon picks the current or last session.
	h.run("orders")
	h.run("portfolio")
	if h.fake.ordersReq.GetSessionId() != "" || h.fake.portfolioReq.GetSessionId() != "" {
		t.Errorf("without --session: sent %v and %v", h.fake.ordersReq, h.fake.portfolioReq)
	}
}

func TestBackup(t *testing.T) {
	h := newHarness(t)
	code, out, errOut := h.run("backup", "tradectl.db")
	if code != 0 || h.fake.backupReq.GetPath() != "tradectl.db" {
		t.Fatalf("exit %d (%s), sent %v; want the name as given", code, errOut, h.fake.backupReq)
	}
	if !regexp.MustCompile(`(?m)^BACKUP +tradectl\.db\nSIZE +3145728 bytes \(3\.0 MiB\)$`).MatchString(out) {
		t.Errorf("table:\n%s", out)
	}
	_, out, _ = h.run("-o", "json", "backup", "nightly.db")
	var resp tradingv1.BackupResponse
	if jsonIs(t, out, &resp); resp.GetPath() != "nightly.db" || resp.GetBytes() != 3<<20 {
		t.Errorf("json: %v", &resp)
	}
	// A path is refused before anything is sent: the daemon writes only in
	// its backup directory.
	h.fake.backupReq = nil
	code, _, errOut = h.run("backup", "/home/op/.ssh/authorized_keys")
	if code != 2 || h.fake.backupReq != nil || !strings.Contains(errOut, "NAME is a file name, not a path") {
		t.Errorf("backup of a path: exit %d, sent %v, stderr %q", code, h.fake.backupReq, errOut)
	}
}

func TestByteSize(t *testing.T) {
	for n, want := range map[uint64]string{0: "0 bytes", 1023: "1023 bytes", 1536: "1536 bytes (1.5 KiB)", 5 << 30: "5368709120 bytes (5.0 GiB)"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestStatusInterrupted(t *testing.T) {
	h := newHarness(t)
	if _, _, errOut := h.run("status"); errOut != "" {
		t.Errorf("running session: stderr %q, want no hint", errOut)
	}
	h.fake.status = testSessions()[1]
	for _, format := range []string{"table", "json"} {
		code, out, errOut := h.run("-o", format, "status")
		if code != 0 || errOut != "tradectl: resume it with: tradectl start --resume --session fedcba9876543210 "+
			"(or start anew with --abandon-interrupted, which cancels its open orders)\n" {
			t.Errorf("%s: exit %d, stderr %q; want the resume hint", format, code, errOut)
		}
		if format == "json" {
			var resp tradingv1.GetStatusResponse
			if jsonIs(t, out, &resp); resp.GetSession().GetState() != tradingv1.SessionState_SESSION_STATE_INTERRUPTED {
				t.Errorf("json: %v", &resp)
			}
			continue
		}
		if !regexp.MustCompile(`(?m)^STATE +INTERRUPTED: tradingd stopped while it ran; it trades no more until resumed$`).MatchString(out) ||
			!regexp.MustCompile(`(?m)^REASON +tradingd stopped while the session ran$`).MatchString(out) {
			t.Errorf("table:\n%s", out)
		}
	}
}

// orders and fills follow the daemon's pages and print the list whole, with
// the count of older items left out.
func TestListsFollowPages(t *testing.T) {
	h := newHarness(t)
	h.fake.paged = true
	code, out, errOut := h.run("orders")
	if code != 0 || !strings.Contains(out, "ord-1") || !strings.Contains(out, "ord-2") || !strings.Contains(out, "5 older orders omitted") {
		t.Fatalf("orders: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = h.run("fills")
	if code != 0 || len(lines(out)) != 4 || !strings.Contains(out, "7 older fills omitted") {
		t.Fatalf("fills: exit %d, stdout %q, stderr %q; want a header, both fills and the omitted count", code, out, errOut)
	}
	if h.fake.pageReqs != 4 {
		t.Fatalf("%d list calls, want 2 pages each", h.fake.pageReqs)
	}
	code, out, _ = h.run("-o", "json", "orders")
	if code != 0 || !strings.Contains(out, "ord-2") || strings.Contains(out, `"p1"`) {
		t.Fatalf("orders -o json: exit %d, %s", code, out)
	}
}

// An answer over gRPC's 4 MiB default is received: tradingd sends up to
// 16 MiB.
func TestLargeAnswerIsReceived(t *testing.T) {
	h := newHarness(t)
	h.fake.huge = true
	if code, _, errOut := h.run("-o", "json", "orders"); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}
