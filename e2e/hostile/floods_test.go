//go:build hostile

package hostile

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// Held streams: connections x streams that send HEADERS and never the
// request (issue 10: 60 x 1,024 took RSS from 25 to 774 MiB).
func TestHeldStreams(t *testing.T) {
	nconns, per := size(60, 20), 1024
	flood(t, hold(), func(ctx context.Context, t *testing.T, tg target, wg *sync.WaitGroup) {
		block := headers(tg.addr, tradingv1.TradingService_StartTrading_FullMethodName)
		opened := 0
		for _, h := range conns(ctx, t, wg, tg.addr, nconns) {
			for range per {
				if _, err := h.open(block, false); err != nil {
					break
				}
				opened++
			}
		}
		t.Logf("%d streams opened", opened)
	})
}

// Held streams from many peers: past the per-peer cap, the daemon-wide one
// holds, and the operator's calls (with the token) are not counted in it.
func TestHeldStreamsManyPeers(t *testing.T) {
	peers, per := size(40, 16), 1024
	flood(t, hold(), func(ctx context.Context, t *testing.T, tg target, wg *sync.WaitGroup) {
		block := headers(tg.addr, tradingv1.TradingService_StartTrading_FullMethodName)
		opened := 0
		for i := range peers {
			h := dialH2From(ctx, wg, fmt.Sprintf("127.0.1.%d", i+1), tg.addr)
			for range per {
				if h == nil {
					break
				}
				if _, err := h.open(block, false); err != nil {
					break
				}
				opened++
			}
		}
		t.Logf("%d streams opened from %d peers", opened, peers)
	})
}

// Large headers: streams whose headers are 15 MiB each (issue 10: 40 of
// them on one connection took RSS to 662 MiB).
func TestLargeHeaders(t *testing.T) {
	streams := size(40, 12)
	flood(t, hold(), func(ctx context.Context, t *testing.T, tg target, wg *sync.WaitGroup) {
		block := headers(tg.addr, tradingv1.TradingService_StartTrading_FullMethodName,
			hpack.HeaderField{Name: "x-pad", Value: strings.Repeat("a", 15<<20), Sensitive: true})
		// One connection at a time; when the server hangs up on one (a
		// header past its limit), the next.
		sent, dials := 0, 0
		var h *h2conn
		for sent < streams && dials < streams && ctx.Err() == nil {
			if h == nil {
				dials++
				if h = dialH2(ctx, wg, tg.addr); h == nil {
					continue
				}
			}
			if _, err := h.open(block, false); err != nil {
				h = nil
			}
			sent++
		}
		t.Logf("%d streams with 15 MiB headers sent on %d connections", sent, dials)
	})
}

// Health Watch: grpc.health.v1 Watch streams need no token (issue 10:
// 25,600 of them took RSS to 421 MiB).
func TestHealthWatchFlood(t *testing.T) {
	nconns, per := size(25, 8), 1024
	flood(t, hold(), func(ctx context.Context, t *testing.T, tg target, wg *sync.WaitGroup) {
		block := headers(tg.addr, healthpb.Health_Watch_FullMethodName)
		opened := 0
		for _, h := range conns(ctx, t, wg, tg.addr, nconns) {
			for range per {
				id, err := h.open(block, false)
				if err != nil || h.data(id, nil, true) != nil {
					break
				}
				opened++
			}
		}
		t.Logf("%d Watch streams opened", opened)
	})
}

// Idle connections: HTTP/2 connections that open and then say nothing
// (issue 10: about 19,800 exhausted the daemon's file descriptors).
func TestIdleConnections(t *testing.T) {
	n := size(19_000, 6_000)
	flood(t, hold(), func(ctx context.Context, t *testing.T, tg target, wg *sync.WaitGroup) {
		conns(ctx, t, wg, tg.addr, n)
	})
}

// Idle metrics connections: the metrics server shares the daemon's file
// descriptors; its keep-alive sockets must not pile up either.
func TestIdleMetricsConnections(t *testing.T) {
	n := size(10_000, 3_000)
	flood(t, hold(), func(ctx context.Context, t *testing.T, tg target, wg *sync.WaitGroup) {
		kept := 0
		for range n {
			c, err := dialerFrom(attacker)(ctx, tg.metricsAddr)
			if err != nil {
				continue
			}
			// Half a request line, never finished.
			if _, err := c.Write([]byte("GET /metrics HTTP/1.1\r\n")); err != nil {
				c.Close()
				continue
			}
			kept++
			stop := context.AfterFunc(ctx, func() { c.Close() })
			wg.Go(func() {
				defer stop()
				defer c.Close()
				b := make([]byte, 512)
				for {
					if _, err := c.Read(b); err != nil {
						return
					}
				}
			})
		}
		t.Logf("%d metrics connections opened", kept)
	})
}

// Rapid reset (CVE-2023-44487): streams opened and reset at once.
func TestRapidReset(t *testing.T) {
	nconns, per := 4, size(50_000, 10_000)
	flood(t, hold(), func(ctx context.Context, t *testing.T, tg target, wg *sync.WaitGroup) {
		block := headers(tg.addr, tradingv1.TradingService_GetStatus_FullMethodName)
		for _, h := range conns(ctx, t, wg, tg.addr, nconns) {
			wg.Go(func() {
				for range per {
					if ctx.Err() != nil {
						return
					}
					id, err := h.open(block, false)
					if err != nil || h.locked(func(fr *http2.Framer) error { return fr.WriteRSTStream(id, http2.ErrCodeCancel) }) != nil {
						return
					}
				}
			})
		}
	})
}

// Ping and SETTINGS floods: control frames the server must answer.
func TestPingFlood(t *testing.T) {
	controlFlood(t, func(fr *http2.Framer, i int) error {
		return fr.WritePing(false, [8]byte{byte(i), byte(i >> 8), byte(i >> 16)})
	})
}

func TestSettingsFlood(t *testing.T) {
	controlFlood(t, func(fr *http2.Framer, i int) error {
		return fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: uint32(65535 + i%1024)})
	})
}

func controlFlood(t *testing.T, frame func(fr *http2.Framer, i int) error) {
	nconns, per := 8, size(200_000, 50_000)
	flood(t, hold(), func(ctx context.Context, t *testing.T, tg target, wg *sync.WaitGroup) {
		for _, h := range conns(ctx, t, wg, tg.addr, nconns) {
			wg.Go(func() {
				for i := range per {
					if ctx.Err() != nil || h.locked(func(fr *http2.Framer) error { return frame(fr, i) }) != nil {
						return
					}
				}
			})
		}
	})
}

// hold is how long a flood is held while the legitimate calls are made.
func hold() time.Duration {
	if testing.Short() {
		return 4 * time.Second
	}
	return 15 * time.Second
}
