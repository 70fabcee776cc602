package client

import (
	"context"

	"google.golang.org/grpc"
)

// listPages makes a list call the daemon answers in pages (AIP-158). With
// one, it returns the page the request names; otherwise it follows
// next_page_token to the end and merges the pages with merge, which also
// takes each page's token, so that the whole ends with the last page's
// empty one: the caller gets the list it asked for (its limit), however the
// daemon cut it.
func listPages[Req any, Resp interface{ GetNextPageToken() string }](ctx context.Context, req Req, one bool,
	call func(context.Context, Req, ...grpc.CallOption) (Resp, error), setToken func(Req, string), merge func(all, page Resp),
) (Resp, error) {
	all, err := call(ctx, req)
	if err != nil || one {
		return all, fromRPC(err)
	}
	for token := all.GetNextPageToken(); token != ""; token = all.GetNextPageToken() {
		setToken(req, token)
		page, err := call(ctx, req)
		if err != nil {
			return page, fromRPC(err)
		}
		merge(all, page)
	}
	return all, nil
}
