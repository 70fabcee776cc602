package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/internal/testpki"
)

type certs struct {
	dir                     string
	ca                      *testpki.CA
	caFile                  string
	serverCert, serverKey   string
	goodCert, goodKey       string
	otherCert, otherKey     string
	expiredCert, expiredKey string
}

func makeCerts(t *testing.T) *certs {
	t.Helper()
	c := &certs{dir: t.TempDir()}
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var err error
	c.ca, err = testpki.NewCA("e2e CA")
	check(err)
	other, err := testpki.NewCA("other CA")
	check(err)
	c.caFile, err = c.ca.WriteCA(c.dir, "ca")
	check(err)
	srv, err := c.ca.Server()
	check(err)
	c.serverCert, c.serverKey, err = srv.Write(c.dir, "server")
	check(err)
	good, err := c.ca.Client("ops-laptop")
	check(err)
	c.goodCert, c.goodKey, err = good.Write(c.dir, "good")
	check(err)
	bad, err := other.Client("ops-laptop")
	check(err)
	c.otherCert, c.otherKey, err = bad.Write(c.dir, "other")
	check(err)
	exp, err := c.ca.ExpiredClient("ops-laptop")
	check(err)
	c.expiredCert, c.expiredKey, err = exp.Write(c.dir, "expired")
	check(err)
	return c
}

func startMutualTLS(t *testing.T, c *certs, extra ...string) *harness.Daemon {
	return harness.StartDaemon(t, bins, harness.Options{Args: append([]string{
		"--tls-cert", c.serverCert, "--tls-key", c.serverKey, "--tls-client-ca", c.caFile}, extra...)})
}

func TestMutualTLSEndToEnd(t *testing.T) {
	c := makeCerts(t)
	d := startMutualTLS(t, c)
	out, errOut, code := d.Ctl(t, "status", "--tls-ca", c.caFile, "--tls-cert", c.goodCert, "--tls-key", c.goodKey)
	if code != 0 {
		t.Fatalf("status with the right certificate: exit %d: %s%s", code, out, errOut)
	}
	if _, errOut, code := d.Ctl(t, "stop", "--tls-ca", c.caFile, "--tls-cert", c.goodCert, "--tls-key", c.goodKey); code == 3 || code == 4 {
		t.Fatalf("stop over mutual TLS: exit %d: %s", code, errOut)
	}
	if !strings.Contains(d.Log.String(), `identity="cert:CN=ops-laptop"`) {
		t.Errorf("the audit log does not name the client certificate:\n%s", d.Log)
	}

	for _, tc := range []struct {
		name string
		args []string
		hint string
	}{
		{"no client certificate", []string{"--tls-ca", c.caFile}, "client certificate"},
		{"another CA's certificate", []string{"--tls-ca", c.caFile, "--tls-cert", c.otherCert, "--tls-key", c.otherKey}, "--tls-client-ca"},
		{"expired certificate", []string{"--tls-ca", c.caFile, "--tls-cert", c.expiredCert, "--tls-key", c.expiredKey}, "expired"},
		{"plaintext", nil, "--tls-ca"},
	} {
		_, errOut, code := d.Ctl(t, append([]string{"status", "--timeout", "5s"}, tc.args...)...)
		if code != 3 || !strings.Contains(errOut, tc.hint) {
			t.Errorf("%s: want exit 3 and a hint naming %q, got %d: %s", tc.name, tc.hint, code, errOut)
		}
	}
}

func TestTLSToAPlaintextDaemonSaysSo(t *testing.T) {
	c := makeCerts(t)
	d := startDaemon(t)
	_, errOut, code := d.Ctl(t, "status", "--timeout", "5s", "--tls-ca", c.caFile)
	if code != 3 || !strings.Contains(errOut, "plaintext") {
		t.Fatalf("want exit 3 and a hint that tradingd serves plaintext, got %d: %s", code, errOut)
	}
}

func TestPlaintextOffLoopbackIsRefused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--listen", "0.0.0.0:0"}, "--tls-cert and --tls-key"},
		{[]string{"--listen", ":0"}, "listen on 127.0.0.1"},
		{[]string{"--tls-client-ca", "/nonexistent"}, "--tls-client-ca needs TLS"},
	} {
		cmd := exec.Command(filepath.Join(bins, "tradingd"),
			append([]string{"--data-dir", t.TempDir(), "--metrics-listen", ""}, tc.args...)...)
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), tc.want) {
			t.Errorf("tradingd %v: want exit 2 naming %q, got %v: %s", tc.args, tc.want, err, out)
		}
	}
	d := harness.StartDaemon(t, bins, harness.Options{Args: []string{"--listen", "0.0.0.0:0", "--insecure"}})
	if !strings.Contains(d.Log.String(), "level=WARN msg=\"INSECURE") {
		t.Fatalf("--insecure started without a loud warning:\n%s", d.Log)
	}
}

func TestCertificateReloadsOnSIGHUP(t *testing.T) {
	c := makeCerts(t)
	d := startMutualTLS(t, c)
	next, err := c.ca.Server()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := next.Write(c.dir, "server"); err != nil {
		t.Fatal(err)
	}
	d.Signal(t, syscall.SIGHUP)
	pool := x509.NewCertPool()
	pool.AddCert(c.ca.Cert)
	kp, err := tls.LoadX509KeyPair(c.goodCert, c.goodKey)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{kp}, ServerName: "127.0.0.1"}
	want := next.Cert.SerialNumber.String()
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := tls.Dial("tcp", d.Addr, cfg)
		if err == nil {
			got := conn.ConnectionState().PeerCertificates[0].SerialNumber.String()
			conn.Close()
			if got == want {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("new handshakes still present the old certificate (last error %v)\n%s", err, d.Log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The daemon is still up: SIGHUP reloads, it does not end the process.
	if _, errOut, code := d.Ctl(t, "status", "--tls-ca", c.caFile, "--tls-cert", c.goodCert, "--tls-key", c.goodKey); code != 0 {
		t.Fatalf("status after SIGHUP: exit %d: %s", code, errOut)
	}
}

func TestTokenRotateWithoutRestart(t *testing.T) {
	d := startDaemon(t)
	old := filepath.Join(t.TempDir(), "old-token")
	b, err := os.ReadFile(d.TokenFile())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(old, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(filepath.Join(bins, "tradingd"), "token", "rotate", "--data-dir", d.DataDir).CombinedOutput()
	if err != nil || !strings.Contains(string(out), d.TokenFile()) {
		t.Fatalf("token rotate: %v: %s", err, out)
	}
	if strings.Contains(string(out), strings.TrimSpace(string(b))) {
		t.Fatal("token rotate printed a token")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, errOut, code := d.Ctl(t, "status", "--token-file", old)
		if code == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the old token still works after rotation: exit %d: %s", code, errOut)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if _, errOut, code := d.Ctl(t, "status"); code != 0 {
		t.Fatalf("the new token: exit %d: %s", code, errOut)
	}
	nb, _ := os.ReadFile(d.TokenFile())
	if log := d.Log.String(); strings.Contains(log, strings.TrimSpace(string(b))) || strings.Contains(log, strings.TrimSpace(string(nb))) {
		t.Fatal("a token reached the daemon's log")
	}
}
