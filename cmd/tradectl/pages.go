package main

import "context"

// followPages calls list with each next_page_token until the last page and
// merges the pages with add (which also takes the page's token, so that the
// whole ends with the last page's empty one): a list the daemon sends in
// pages is printed whole, as one answer.
func followPages[R interface{ GetNextPageToken() string }](ctx context.Context, list func(ctx context.Context, token string) (R, error),
	add func(all, page R),
) (all R, err error) {
	token := ""
	for first := true; ; first = false {
		page, err := list(ctx, token)
		if err != nil {
			return all, err
		}
		if first {
			all = page
		} else {
			add(all, page)
		}
		if token = page.GetNextPageToken(); token == "" {
			return all, nil
		}
	}
}
