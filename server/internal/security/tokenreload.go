package security

import (
	"context"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TokenMatcher is what the auth interceptor, the rate limit and the
// transport's request wait need of a token.
type TokenMatcher interface {
	Matches(presented string) bool
}

// CurrentToken is the token in force. Reload swaps it whole, so a call is
// checked against either the old token or the new one, never a mix, and
// the old one stops working the moment the swap is done.
type CurrentToken struct {
	p atomic.Pointer[Token]
}

// NewCurrentToken puts t in force.
func NewCurrentToken(t Token) *CurrentToken {
	c := &CurrentToken{}
	c.p.Store(&t)
	return c
}

// Matches reports whether presented is the token in force.
func (c *CurrentToken) Matches(presented string) bool { return c.p.Load().Matches(presented) }

// DefaultReloadInterval is how often the daemon looks at its token and TLS
// files for changes.
const DefaultReloadInterval = 3 * time.Second

// fileStamp is what a poll compares: a rename (new inode), a rewrite in
// place (mtime, size) or a deletion all change it.
type fileStamp struct {
	fi  os.FileInfo
	err bool
}

func stampOf(path string) fileStamp {
	fi, err := os.Stat(path)
	return fileStamp{fi: fi, err: err != nil}
}

func (a fileStamp) same(b fileStamp) bool {
	if a.err || b.err || a.fi == nil || b.fi == nil {
		return a.err == b.err && a.fi == nil && b.fi == nil
	}
	return os.SameFile(a.fi, b.fi) && a.fi.ModTime().Equal(b.fi.ModTime()) && a.fi.Size() == b.fi.Size()
}

// Reloader re-reads the token file and the TLS files when they change, or
// at once on a signal (SIGHUP). A reload that fails keeps what was in force
// and logs why: a half-written or broken file must never lock everyone out
// or leave the daemon without a certificate.
type Reloader struct {
	log       *slog.Logger
	token     *CurrentToken
	tokenFile string
	tls       *TLS
	interval  time.Duration
	signals   <-chan os.Signal

	stamps map[string]fileStamp
	// tokenRefused is read by /metrics; lastRefusal and lastRefusalLog
	// belong to the polling goroutine.
	tokenRefused   atomic.Bool
	lastRefusal    string
	lastRefusalLog time.Time
}

// ReloadConfig says what a Reloader watches.
type ReloadConfig struct {
	Logger *slog.Logger
	// TokenFile, if set, is re-read into the token in force.
	TokenFile string
	// TLS, if set, has its files re-read.
	TLS *TLS
	// Signals reloads everything at once (SIGHUP); files are also polled
	// every Interval (default DefaultReloadInterval).
	Signals  <-chan os.Signal
	Interval time.Duration
}

// NewReloader watches cfg's files and swaps what they hold into tok and
// cfg.TLS; Run runs it.
func NewReloader(cfg ReloadConfig, tok *CurrentToken) *Reloader {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Reloader{log: cfg.Logger, token: tok, tokenFile: cfg.TokenFile, tls: cfg.TLS,
		interval: cfg.Interval, signals: cfg.Signals, stamps: map[string]fileStamp{}}
	if r.interval <= 0 {
		r.interval = DefaultReloadInterval
	}
	for _, p := range r.paths() {
		r.stamps[p] = stampOf(p)
	}
	return r
}

func (r *Reloader) paths() []string {
	var p []string
	if r.tokenFile != "" {
		p = append(p, r.tokenFile)
	}
	if r.tls != nil {
		p = append(p, r.tls.paths()...)
	}
	return p
}

// Run polls, and reloads on a signal, until ctx ends; it runs on its
// caller's goroutine (an actor of the daemon's run group).
func (r *Reloader) Run(ctx context.Context) {
	if len(r.paths()) == 0 && r.signals == nil {
		<-ctx.Done()
		return
	}
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.poll(false)
		case <-r.signals:
			r.log.Info("reloading the token and TLS files (SIGHUP)")
			r.poll(true)
		}
	}
}

// poll reloads what changed since the last look, or everything if force.
// Stamps are taken before reading, so a file that changes while it is read
// is read again at the next poll.
func (r *Reloader) poll(force bool) {
	changed := func(paths ...string) bool {
		hit := force
		for _, p := range paths {
			s := stampOf(p)
			if !s.same(r.stamps[p]) {
				hit = true
			}
			r.stamps[p] = s
		}
		return hit
	}
	if r.tokenFile != "" && changed(r.tokenFile) {
		r.reloadToken()
	}
	if r.tls != nil && changed(r.tls.paths()...) {
		r.reloadTLS()
	}
}

func (r *Reloader) reloadToken() {
	t, err := loadToken(r.tokenFile)
	if err != nil {
		r.refuseToken(err)
		return
	}
	r.tokenRefused.Store(false)
	r.lastRefusal = ""
	if *r.token.p.Load() == t {
		return
	}
	r.token.p.Store(&t)
	r.log.Info("token reloaded; the previous token no longer works", "file", r.tokenFile)
}

// refusalLogEvery bounds how often the same refusal of the token file is
// logged: whoever can change the file can make every poll fail.
const refusalLogEvery = time.Minute

// refuseToken keeps the token in force, flags the refusal for /metrics
// until a reload succeeds, and logs it: at once when the reason is new,
// else at most once per refusalLogEvery.
func (r *Reloader) refuseToken(err error) {
	r.tokenRefused.Store(true)
	now := time.Now()
	if msg := err.Error(); msg != r.lastRefusal || now.Sub(r.lastRefusalLog) >= refusalLogEvery {
		r.lastRefusal, r.lastRefusalLog = msg, now
		r.log.Error("token reload failed; keeping the previous token: fix the file, then send SIGHUP or wait for the next poll",
			"file", r.tokenFile, "err", err)
	}
}

// TokenRefusedMetric is 1 while the token file on disk is refused and an
// older token is in force.
func (r *Reloader) TokenRefusedMetric() prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "tradectl", Subsystem: "daemon", Name: "token_file_refused",
		Help: "1 while the token file was refused at its last reload (another user's, writable by others, a symlink, ...) and the previous token stays in force."},
		func() float64 {
			if r.tokenRefused.Load() {
				return 1
			}
			return 0
		})
}

func (r *Reloader) reloadTLS() {
	leaf, err := r.tls.reload()
	if err != nil {
		r.log.Error("TLS reload failed; keeping the previous certificate", "err", err)
		return
	}
	r.log.Info("TLS certificate reloaded", "subject", leaf.Subject.String(), "serial", leaf.SerialNumber.String(),
		"not_after", leaf.NotAfter.UTC().Format(time.RFC3339), "mutual", r.tls.Mutual())
}
