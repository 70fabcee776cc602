package binance

import (
	"errors"
	"fmt"
	"time"
)

// APIError is an answer of the venue that is not a success, with what
// go-binance drops: the HTTP status and Retry-After.
type APIError struct {
	HTTPStatus int
	Code       int64
	Msg        string
	// RetryAfter is the venue's Retry-After on a 429 or 418; zero if none.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("binance: HTTP %d, code %d: %s", e.HTTPStatus, e.Code, e.Msg)
	}
	return fmt.Sprintf("binance: HTTP %d: %s", e.HTTPStatus, e.Msg)
}

// Class is what an error means for an order: whether it is on the venue.
type Class uint8

const (
	// ClassNone: no error.
	ClassNone Class = iota
	// ClassRejected: the venue refused the request; nothing happened.
	ClassRejected
	// ClassUnknown: the request may or may not have executed (timeout,
	// reset, 5xx, -1007): ask before anything is sent again.
	ClassUnknown
	// ClassRateLimited: 429; wait for Retry-After. Nothing happened.
	ClassRateLimited
	// ClassBanned: 418, an IP ban; order entry stops. Nothing happened.
	ClassBanned
	// ClassClock: -1021, our timestamp is outside recvWindow: a clock
	// problem, not a bad order. Nothing happened.
	ClassClock
	// ClassNotFound: -2013 or -2011 "Unknown order": the venue does not
	// have the order (which, right after sending, is not yet proof that it
	// never will: see the sender).
	ClassNotFound
	// ClassAuth: a bad key, signature or permission (-1022, -2014, -2015,
	// 401, 403). Nothing happened; nothing will until an operator acts.
	ClassAuth
)

// Classify says what err means. An error that is not the venue's answer
// (a timeout, a reset connection, a cancelled context) is ClassUnknown:
// the request may have reached the venue.
func Classify(err error) Class {
	if err == nil {
		return ClassNone
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		return ClassUnknown
	}
	switch {
	case ae.HTTPStatus == 418:
		return ClassBanned
	case ae.HTTPStatus == 429 || ae.Code == -1003 || ae.Code == -1015:
		return ClassRateLimited
	case ae.Code == -1021:
		return ClassClock
	case ae.Code == -2013 || (ae.Code == -2011 && ae.Msg == "Unknown order sent."):
		return ClassNotFound
	case ae.Code == -1022 || ae.Code == -2014 || ae.Code == -2015 || ae.HTTPStatus == 401 || ae.HTTPStatus == 403:
		return ClassAuth
	case ae.HTTPStatus >= 500 || ae.Code == -1007 || ae.Code == -1000 || ae.Code == -1001 || ae.Code == -1006 || ae.Code == -1008:
		return ClassUnknown
	}
	return ClassRejected
}
