package client

import (
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"
)

// RetryDelay returns how long the daemon asked the caller to wait before
// trying again (a RetryInfo detail, sent with RESOURCE_EXHAUSTED by its
// rate limit), and whether it asked at all.
func RetryDelay(err error) (time.Duration, bool) {
	st, ok := status.FromError(err)
	if err == nil || !ok {
		return 0, false
	}
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok && ri.GetRetryDelay() != nil {
			return ri.GetRetryDelay().AsDuration(), true
		}
	}
	return 0, false
}
