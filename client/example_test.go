package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func ExampleNew() {
	tokenFile, err := client.DefaultTokenFile()
	if err != nil {
		log.Fatal(err)
	}
	c, err := client.New(client.DefaultAddr, client.WithTokenFile(tokenFile))
	if err != nil {
		log.Fatal(err) // names the token file and how to point at another
	}
	defer c.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	status, err := c.GetStatus(ctx)
	if errors.Is(err, client.ErrUnavailable) {
		log.Fatal("tradingd is not running")
	}
	fmt.Println(status.GetHealth().GetStatus())
}

func ExampleClient_StartTrading() {
	c, err := client.New(client.DefaultAddr, client.WithToken("token"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	resp, err := c.StartTrading(context.Background(), &tradingv1.SessionSettings{
		Mode:    tradingv1.Mode_MODE_PAPER,
		Symbols: []string{"BTC-USD", "ETH-USD"},
	})
	var running *client.AlreadyRunningError
	switch {
	case errors.As(err, &running):
		fmt.Println("another session is running:", running.SessionID)
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println("started", resp.GetSession().GetId())
	}
}

func ExampleClient_WatchHealth() {
	c, err := client.New(client.DefaultAddr, client.WithToken("token"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = c.WatchHealth(ctx,
		func(r *tradingv1.HealthReport) error {
			fmt.Println(r.GetStatus(), r.GetReason())
			return nil
		},
		client.OnDisconnect(func(err error, retryIn time.Duration) {
			log.Printf("lost tradingd (%v); retrying in %v", err, retryIn)
		}))
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Fatal(err)
	}
}

func ExampleClient_WatchOrders() {
	c, err := client.New(client.DefaultAddr, client.WithToken("token"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = c.WatchOrders(ctx,
		func(e *tradingv1.OrderEvent) error {
			fmt.Println(e.GetSequence(), e.GetOrder().GetClientOrderId(), e.GetOrder().GetState())
			return nil
		},
		client.OnDisconnect(func(err error, retryIn time.Duration) {
			if errors.Is(err, client.ErrResourceExhausted) {
				// Too slow: the daemon dropped this watcher. Events until the
				// resubscription are lost; ListOrders has the orders' state.
				log.Printf("fell behind; resubscribing in %v", retryIn)
				return
			}
			log.Printf("lost tradingd (%v); retrying in %v", err, retryIn)
		}))
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Fatal(err)
	}
}
