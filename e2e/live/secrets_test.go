package live

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/client"
	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// evidence gathers every byte tradingd showed anyone, by where it came
// from, to be searched for the keys.
type evidence map[string][]byte

func (e evidence) msg(t *testing.T, where string, m proto.Message, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	j, jerr := protojson.Marshal(m)
	b, berr := proto.Marshal(m)
	if jerr != nil || berr != nil {
		t.Fatalf("%s: marshal: %v %v", where, jerr, berr)
	}
	e[where] = append(j, b...)
}

// refusal keeps an error answer: its message and its status with details.
func (e evidence) refusal(t *testing.T, where string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", where)
	}
	b, merr := proto.Marshal(status.Convert(err).Proto())
	if merr != nil {
		t.Fatal(merr)
	}
	e[where] = append([]byte(err.Error()), b...)
}

// files keeps every file under dir (the store, its WAL, backups, token).
func (e evidence) files(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		e["file "+path] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The venue's key and secret appear nowhere tradingd shows anything: not
// in its log or output, not in the audit rows (log and store), not in any
// file of its data directory or a backup, not in any RPC answer or error
// (of a live session that traded, and of a start the venue refused for a
// wrong key), not in its metrics, and not in what tradectl prints.
func TestVenueKeysNeverShown(t *testing.T) {
	const key, secret = "Kq7vLIVEKEYe2e0f3a9c1d8b", "Zx4wLIVESECRETe2e7b2e6a5f0c9"
	const wrongKey, wrongSecret = "Kq7vWRONGKEYe2e41c0de", "Zx4wWRONGSECRETe2e9d3a1"
	keys := harness.WriteVenueKeys(t, key, secret)
	emu, _ := startVenue(t, keys, "5")
	d := harness.StartDaemon(t, bins, harness.Options{Args: harness.LiveArgs(emu.URL, keys), Metrics: true})
	c := d.Client(t)
	ev := evidence{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	cli := func(args ...string) {
		t.Helper()
		out, errOut, _ := d.Ctl(t, args...)
		ev["tradectl "+strings.Join(args, " ")] = []byte(out + errOut)
	}
	id := startLive(t, d, "--strategy", "grid", "--param", "spacing_bps=1", "--param", "levels=2")
	waitFills(t, c, 5, 60*time.Second)

	v, err := c.GetVenue(ctx)
	ev.msg(t, "GetVenue", v, err)
	if !v.GetConfigured() || v.GetAccount() == "" {
		t.Fatalf("GetVenue: %v", v)
	}
	st, err := c.GetStatus(ctx)
	ev.msg(t, "GetStatus", st, err)
	ss, err := c.ListSessions(ctx, 10)
	ev.msg(t, "ListSessions", ss, err)
	lo, err := c.ListOrders(ctx, false, 1_000_000)
	ev.msg(t, "ListOrders", lo, err)
	lf, err := c.ListFills(ctx, id, 1_000_000)
	ev.msg(t, "ListFills", lf, err)
	pf, err := c.GetPortfolio(ctx)
	ev.msg(t, "GetPortfolio", pf, err)
	ls, err := c.ListStrategies(ctx)
	ev.msg(t, "ListStrategies", ls, err)
	errFirst := errors.New("first report")
	var first *tradingv1.HealthReport
	if err := c.WatchHealth(ctx, func(r *tradingv1.HealthReport) error { first = r; return errFirst }); !errors.Is(err, errFirst) {
		t.Fatalf("WatchHealth: %v", err)
	}
	ev.msg(t, "WatchHealth first report", first, nil)
	_, err = c.StartTrading(ctx, &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_LIVE, Symbols: []string{"ETH-USD"}})
	ev.refusal(t, "StartTrading while one runs", err)
	_, err = c.ListFills(ctx, "0000000000000000", 10)
	ev.refusal(t, "ListFills of an unknown session", err)
	_, err = c.GetPortfolio(ctx, client.ForSession("nope"))
	ev.refusal(t, "GetPortfolio of a malformed session id", err)
	_, err = c.Backup(ctx, "../escape")
	ev.refusal(t, "Backup to a path", err)
	b, err := c.Backup(ctx, "secrets-check")
	ev.msg(t, "Backup", b, err)
	for _, args := range [][]string{{"status"}, {"status", "-o", "json"}, {"sessions", "-o", "json"}, {"orders", "-o", "json"},
		{"fills", "-o", "json"}, {"portfolio", "-o", "json"}} {
		cli(args...)
	}
	ev["metrics"] = scrapeMetrics(t, d)
	cli("stop")
	_, err = c.StartTrading(ctx, &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_LIVE, Symbols: []string{"NOPE-USD"}})
	ev.refusal(t, "StartTrading of an unknown symbol", err)
	_, err = c.ResumeTrading(ctx, client.ResumeSession(id))
	ev.refusal(t, "ResumeTrading of a stopped session", err)
	d.Terminate(t)
	ev["tradingd stderr"], ev["tradingd stdout"] = []byte(d.Log.String()), []byte(d.Stdout.String())
	ev.files(t, d.DataDir)

	// A daemon whose keys (from the environment, this time) the venue
	// refuses: the refusal says so without showing either.
	bad := harness.StartDaemon(t, bins, harness.Options{Args: []string{"--venue", "binance", "--venue-url", emu.URL},
		Env: []string{"TRADECTL_BINANCE_API_KEY=" + wrongKey, "TRADECTL_BINANCE_SECRET=" + wrongSecret}})
	_, err = bad.Client(t).StartTrading(ctx, &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_LIVE, Symbols: []string{"BTC-USD"}})
	ev.refusal(t, "StartTrading with keys the venue refuses", err)
	out, errOut, code := bad.Ctl(t, "start", "--symbols", "BTC-USD")
	if code != 13 {
		t.Errorf("tradectl start with refused keys: exit %d, want 13: %s%s", code, out, errOut)
	}
	ev["tradectl start with refused keys"] = []byte(out + errOut)
	bad.Terminate(t)
	ev["refused daemon's stderr"], ev["refused daemon's stdout"] = []byte(bad.Log.String()), []byte(bad.Stdout.String())
	ev.files(t, bad.DataDir)

	// The search can find what is there: the audit rows and the log carry
	// the session's settings, and the store holds them.
	for where, want := range map[string]string{"tradingd stderr": "msg=audit", "file " + filepath.Join(d.DataDir, "tradectl.db"): "spacing_bps"} {
		if !bytes.Contains(ev[where], []byte(want)) && !bytes.Contains(ev[where+"-wal"], []byte(want)) {
			t.Errorf("%s lacks %q: the search would not see text there", where, want)
		}
	}
	for where, b := range ev {
		for _, s := range []string{key, secret, wrongKey, wrongSecret} {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s shows a venue credential (%.8s...)", where, s)
			}
		}
	}
	t.Logf("searched %d answers, outputs and files: no key, no secret", len(ev))
}

func scrapeMetrics(t *testing.T, d *harness.Daemon) []byte {
	t.Helper()
	resp, err := http.Get("http://" + d.MetricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatal(fmt.Sprint(resp.StatusCode, err))
	}
	return b
}
